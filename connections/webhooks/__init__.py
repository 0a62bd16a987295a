"""Webhooks from BigCommerce to the hub (part of the connections app).

- `models`: a connection's subscription (URL key, encrypted secret, registered hook ids,
  health) and the deliveries received (deduplication by the payload's `hash`).
- `registration`: registering the hooks through `/v3/hooks` on enable, removing them on
  disable or delete, rotating the secret; the periodic check that re-enables or re-creates
  hooks BigCommerce deactivated.
- `registry`: the handlers the apps above plug in (`webhook_handler_register`).
- `receiving` + `views`: `POST /bigcommerce/webhooks/<key>`.
- `selectors`: `webhook_health` for the dashboard.

Connections never import the apps above: orders and catalog register their handlers; the engine
listens to `signals.webhooks_health_changed` to slow the polling down while hooks are healthy.
"""
