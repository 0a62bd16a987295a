from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        from . import (
            receivers,  # noqa: F401  (connections' signals)
            webhooks,
        )
        from .alerts import register as register_alerts
        from .connection_hooks import register

        register()  # the CONNECTIONS screens' error flag and Orders tab badge
        register_alerts()  # the blocking order errors' alert
        webhooks.register()  # store/order/* callbacks fetch those orders
