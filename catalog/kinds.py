"""The kinds of the catalog's flows (the engine knows them only through the registry;
`catalog.flows` re-exports them)."""

PRODUCT_MATCH = "product_match"
CHANGED_PRODUCT_MATCH = "changed_product_match"
FULL_STOCK_UPDATE = "full_stock_update"
CHANGED_STOCK_UPDATE = "changed_stock_update"

MATCH_KINDS = (PRODUCT_MATCH, CHANGED_PRODUCT_MATCH)
