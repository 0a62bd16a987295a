"""The documented corrections to the specs (overrides, extra query parameters) are explained,
applied, and leave the specs on disk untouched.
"""

from __future__ import annotations

from tests.contract.helpers import op
from tests.contract.validator import (
    EXTRA_QUERY_PARAMETERS,
    OVERRIDES,
    SPEC_DIR,
    operations,
)


def test_overrides_are_explained_and_applied() -> None:
    for override in OVERRIDES:
        assert override.reason and override.spec in {o.spec_name for o in operations()}
    assert ("v2", "GET", "/orders") in EXTRA_QUERY_PARAMETERS
    orders = op("GET", "/v2/orders")
    assert "204" in orders.raw["responses"]
    assert orders.parameters[("query", "limit")].schema["maximum"] == 250
    assert "date_created:desc" in orders.parameters[("query", "sort")].schema["enum"]


def test_specs_are_not_modified_on_disk() -> None:
    text = (SPEC_DIR / "orders.v2.oas2.yml").read_text(encoding="utf-8")
    assert "date_created:desc\n" not in text
