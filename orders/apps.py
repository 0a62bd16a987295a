from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        from . import receivers  # noqa: F401  (connections' signals)
        from .connection_flags import register

        register()  # the CONNECTIONS list's error flag
