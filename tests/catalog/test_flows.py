"""The catalog registers its four flows with the engine, with their schedules, queues and
option checks."""

import pytest
from django.core.exceptions import ValidationError

from catalog import flows
from catalog.flows import product_match, stock_update
from catalog.kinds import (
    CHANGED_PRODUCT_MATCH,
    CHANGED_STOCK_UPDATE,
    FULL_STOCK_UPDATE,
    PRODUCT_MATCH,
)
from dataflows.registry import flow_spec, kind_label


def test_the_four_catalog_flows_are_registered_with_their_specs():
    expected = {
        PRODUCT_MATCH: ("Product Match", product_match.product_match_run, "catalog", 86400, True),
        CHANGED_PRODUCT_MATCH: (
            "Changed Product Match",
            product_match.changed_product_match_run,
            "catalog",
            3600,
            False,
        ),
        FULL_STOCK_UPDATE: (
            "Full Stock Update",
            stock_update.full_stock_update_run,
            "stock",
            86400,
            True,
        ),
        CHANGED_STOCK_UPDATE: (
            "Changed Stock Update",
            stock_update.changed_stock_update_run,
            "stock",
            300,
            True,
        ),
    }
    for kind, (label, run, queue, interval, enabled) in expected.items():
        spec = flow_spec(kind)
        assert (spec.label, spec.run, spec.queue) == (label, run, queue)
        assert (spec.default_interval_s, spec.enabled_by_default) == (interval, enabled)
        assert kind_label(kind) == label
    assert flows.PRODUCT_MATCH == "product_match"  # the kinds, also from catalog.flows


@pytest.mark.parametrize(
    "kind,options,message",
    [
        (PRODUCT_MATCH, {"import_mode": "everything"}, "Import mode 'everything' is not known"),
        (PRODUCT_MATCH, {"overwrite_fields": "name"}, "Give a list of field names"),
        (CHANGED_PRODUCT_MATCH, {"overlap_seconds": -1}, "overlap_seconds must be"),
        (CHANGED_PRODUCT_MATCH, {"overlap_seconds": True}, "overlap_seconds must be"),
        (CHANGED_STOCK_UPDATE, {"push_on_stock_change": "no"}, "must be true or false"),
    ],
)
def test_invalid_options_are_refused_when_saved_with_a_clear_message(kind, options, message):
    with pytest.raises(ValidationError) as refused:
        flow_spec(kind).options_parser(options)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    "kind,options",
    [
        (PRODUCT_MATCH, {"import_mode": "link_only", "overwrite_fields": ["name"]}),
        (CHANGED_PRODUCT_MATCH, {"overlap_seconds": 600}),
        (CHANGED_STOCK_UPDATE, {"push_on_stock_change": False}),
        (CHANGED_STOCK_UPDATE, {}),
    ],
)
def test_valid_options_are_accepted_as_they_are(kind, options):
    assert flow_spec(kind).options_parser(options) == options
