from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        from . import receivers  # noqa: F401  (connections' signals)
        from .connection_hooks import register

        register()  # the CONNECTIONS screens' error flag and Orders tab badge
        from . import webhooks

        webhooks.register()  # store/order/* callbacks fetch those orders
