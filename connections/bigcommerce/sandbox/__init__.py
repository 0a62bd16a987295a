"""The sandbox store: a simulated BigCommerce in its own process (see README.md).

`seed` builds deterministic `records`; `store` holds one store's state and API rules, one part
per module (`store_orders`, `store_shipments`, `store_catalog`, `store_hooks`, `store_control`),
with `params` (request parsing) and `errors` (`ApiError`); `render`, `render_orders` and
`render_catalog` give the BigCommerce JSON shapes; `state` the server-wide state (config, rate
limits, faults, stats), `v2`/`v3` the API handlers, `oauth` the token endpoint, `control` the
control API and `server` the HTTP server. Start it with `python manage.py sandbox`.
"""
