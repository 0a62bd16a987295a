from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "connections"

    def ready(self):
        from .webhooks import receivers  # noqa: F401  (hooks follow ENABLE, DISABLE, DELETE)
