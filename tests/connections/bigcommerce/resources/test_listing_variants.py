"""The display type of a product's variant options: listed, and only the options of another
type changed (PUT .../options/{id} with what the spec requires); a refusal is the outcome."""

from __future__ import annotations

import json

from responses import matchers

from connections.bigcommerce.resources.listings import ItemOutcome
from tests.connections.bigcommerce.helpers import PRODUCTS
from tests.connections.bigcommerce.resources.test_listings import named_page, refusal

OPTIONS = f"{PRODUCTS}/7/options"


def option(oid: int, name: str, kind: str) -> dict:
    return {
        "id": oid,
        "product_id": 7,
        "display_name": name,
        "type": kind,
        "option_values": [{"id": oid * 10, "label": "S"}],
    }


def test_only_the_options_of_another_type_are_changed(client, mocked):
    mocked.get(
        OPTIONS, json=named_page([option(70, "Size", "rectangles"), option(71, "Color", "swatch")])
    )
    mocked.put(
        f"{OPTIONS}/70",
        json={"data": option(70, "Size", "swatch"), "meta": {}},
        match=[
            matchers.json_params_matcher(
                {"product_id": 7, "display_name": "Size", "type": "swatch"}
            )
        ],
    )
    outcome = client.product_options_set_type(product_id=7, option_type="swatch", key="l-1")
    assert outcome == ItemOutcome(key="l-1", ok=True, product_id=7, status=200)
    assert [c.request.method for c in mocked.calls] == ["GET", "PUT"]


def test_options_already_of_the_type_are_not_sent(client, mocked):
    mocked.get(OPTIONS, json=named_page([option(70, "Size", "dropdown")]))
    outcome = client.product_options_set_type(product_id=7, option_type="dropdown")
    assert outcome.ok and outcome.key == "7"
    assert len(mocked.calls) == 1


def test_a_refused_type_is_the_outcomes_error_naming_the_field(client, mocked):
    mocked.get(OPTIONS, json=named_page([option(70, "Size", "rectangles")]))
    errors = {"type": "Swatch values need colors"}
    body = refusal(422, "The option is not valid.", errors)
    mocked.put(f"{OPTIONS}/70", status=422, body=json.dumps(body), content_type="application/json")
    outcome = client.product_options_set_type(product_id=7, option_type="swatch")
    assert (outcome.ok, outcome.status, outcome.product_id) == (False, 422, 7)
    assert outcome.error == "The option is not valid; type: Swatch values need colors"
