"""The dataflow kinds the orders app owns (the engine knows kinds only through its registry)."""

ORDER_IMPORT = "order_import"
ORDER_UPDATE = "order_update"
