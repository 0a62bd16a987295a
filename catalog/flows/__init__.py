"""The catalog's flows, registered with the engine (found by its autodiscovery of
`<app>/flows`): Product Match, Changed Product Match, Full and Changed Stock Update.

Every catalog flow holds its store's bulk lock (`catalog.locks`) for the whole run, so a stock
push never overlaps a Product Match or another stock push of the same store, whichever
connection or dataflow they belong to (BigCommerce: no bulk inventory updates in parallel with
bulk catalog operations)."""

from catalog.kinds import (
    CHANGED_PRODUCT_MATCH,
    CHANGED_STOCK_UPDATE,
    FULL_STOCK_UPDATE,
    MATCH_KINDS,
    PRODUCT_MATCH,
)
from dataflows.registry import FlowSpec, register_flow

from .product_match import (
    changed_product_match_options_parse,
    changed_product_match_run,
    product_match_options_parse,
    product_match_run,
)
from .stock_update import (
    changed_stock_update_options_parse,
    changed_stock_update_run,
    full_stock_update_run,
)

__all__ = [
    "CHANGED_PRODUCT_MATCH",
    "CHANGED_STOCK_UPDATE",
    "FULL_STOCK_UPDATE",
    "MATCH_KINDS",
    "PRODUCT_MATCH",
]

register_flow(
    FlowSpec(
        kind=PRODUCT_MATCH,
        label="Product Match",
        run=product_match_run,
        queue="catalog",
        default_interval_s=24 * 3600,
        priority=4,
        options_parser=product_match_options_parse,
        description="Matches every BigCommerce product and variant to a hub SKU.",
    )
)
register_flow(
    FlowSpec(
        kind=CHANGED_PRODUCT_MATCH,
        label="Changed Product Match",
        run=changed_product_match_run,
        queue="catalog",
        default_interval_s=60 * 60,
        enabled_by_default=False,
        priority=4,
        options_parser=changed_product_match_options_parse,
        description="The same, only for products changed since the last run.",
    )
)
register_flow(
    FlowSpec(
        kind=FULL_STOCK_UPDATE,
        label="Full Stock Update",
        run=full_stock_update_run,
        queue="stock",
        default_interval_s=24 * 3600,
        priority=3,
        description="Pushes the available stock of every linked SKU.",
    )
)
register_flow(
    FlowSpec(
        kind=CHANGED_STOCK_UPDATE,
        label="Changed Stock Update",
        run=changed_stock_update_run,
        queue="stock",
        default_interval_s=5 * 60,
        priority=3,
        options_parser=changed_stock_update_options_parse,
        description="Pushes only stock that changed since it was last pushed.",
    )
)
