"""The shipment body and how an existing shipment is recognised as the one it would create."""

from connections.bigcommerce.shipments import shipment_matches, shipment_payload


def test_the_payload_leaves_out_blank_optional_fields():
    assert shipment_payload(order_address_id=7, items=[(11, 2)], tracking_number="1Z9") == {
        "order_address_id": 7,
        "items": [{"order_product_id": 11, "quantity": 2}],
        "tracking_number": "1Z9",
    }


def test_the_payload_carries_carrier_method_and_comments():
    payload = shipment_payload(
        order_address_id=7,
        items=[(11, 2), (12, 1)],
        tracking_number="1Z9",
        carrier_code="ups",
        shipping_method="Ground",
        comments="Left at the door",
    )
    assert payload["tracking_carrier"] == "ups"
    assert payload["shipping_method"] == "Ground"
    assert payload["comments"] == "Left at the door"
    assert len(payload["items"]) == 2


def test_a_shipment_matches_on_tracking_address_and_items():
    payload = shipment_payload(order_address_id=7, items=[(11, 2)], tracking_number="1z 9")
    same = {"tracking_number": "1Z9", "order_address_id": 7, "items": payload["items"]}
    assert shipment_matches(same, payload)
    assert not shipment_matches({**same, "tracking_number": "1Z8"}, payload)
    assert not shipment_matches({**same, "order_address_id": 8}, payload)
    assert not shipment_matches(
        {**same, "items": [{"order_product_id": 11, "quantity": 1}]}, payload
    )
