from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        from . import alerts
        from . import receivers  # noqa: F401  (connections' signals)
        from .connection_hooks import register

        register()  # the CONNECTIONS screens' error flag and Orders tab badge
        alerts.register()  # the blocking order errors' alert
