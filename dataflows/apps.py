from django.apps import AppConfig


class DataflowsConfig(AppConfig):
    name = "dataflows"

    def ready(self):
        from . import receivers  # noqa: F401  (connections' signals)
        from .registry import discover

        discover()
