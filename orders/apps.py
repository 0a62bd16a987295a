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

        from connections.hooks import retention_step_register

        from .services.retention import orders_anonymise

        retention_step_register(orders_anonymise)  # the nightly retention task's step
