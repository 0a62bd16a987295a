from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "listings"

    def ready(self):
        from . import receivers  # noqa: F401  (connections' signals)
