"""Reading BigCommerce's v2 order payloads."""

from orders.normalize import normalize_order
from tests.orders.helpers import T0, line, order_payload


def test_normalize_reads_the_v2_shapes():
    order = normalize_order(
        order_payload(
            101,
            lines=[line(sku=" SKU-1 ", options=[{"display_name": "Size", "display_value": "L"}])],
        )
    )
    assert order.lines[0]["sku"] == "SKU-1" and order.lines[0]["raw_sku"] == " SKU-1 "
    assert order.lines[0]["options"] == "Size: L"
    assert order.date_created == T0
    legacy = order_payload(102)
    legacy["consignments"] = [legacy["consignments"]]
    assert normalize_order(legacy).lines
