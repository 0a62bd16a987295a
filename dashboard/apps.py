from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"

    def ready(self):
        from connections.hooks import general_panel_register

        from .panels import setup_panel

        general_panel_register(setup_panel)
