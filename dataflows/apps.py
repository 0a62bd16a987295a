from django.apps import AppConfig


class DataflowsConfig(AppConfig):
    name = "dataflows"

    def ready(self):
        # connections' signals; the engine's parts of the CONNECTIONS screens (admin, panel);
        # the `__any_of` lookup
        from . import admin_connections, lookups, receivers, views_runs  # noqa: F401
        from .registry import discover

        discover()
