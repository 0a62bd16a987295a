from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self):
        from . import (
            receivers,  # noqa: F401  (connections' and the engine's signals)
            webhooks,
        )

        webhooks.register()  # store/product/updated: re-match that product
