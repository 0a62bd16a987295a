from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        from . import receivers  # noqa: F401  (connections' signals)
        from .connection_hooks import register

        register()  # the CONNECTIONS screens' error flag and Orders tab badge

        from connections.hooks import retention_step_register

        from .services.retention import orders_anonymise

        retention_step_register(orders_anonymise)  # the nightly retention task's step
