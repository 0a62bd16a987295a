"""The sandbox store: a simulated BigCommerce in its own process.

`seed` builds deterministic data, `store` holds one store's state and API rules, `render`
gives the BigCommerce JSON shapes, `server` is the HTTP server (rate limits, faults and the
control API, documented in its module docstring). Start it with `python manage.py sandbox`.
"""
