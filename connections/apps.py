from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "connections"

    def ready(self):
        from .hooks import general_panel_register
        from .webhooks import receivers  # noqa: F401  (hooks follow ENABLE, DISABLE, DELETE)
        from .webhooks.panel import webhooks_panel

        general_panel_register(webhooks_panel)
