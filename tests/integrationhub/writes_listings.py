"""The listings' writes (screens and REST), tried by tests/integrationhub/test_roles.py."""

from django.urls import reverse

from tests.integrationhub.writes_base import Write

LISTING_WRITES = [
    *[
        Write(
            "listing-action",
            "post",
            f"listing.{action}",
            lambda w: reverse("listing-action"),
            lambda w, action=action: {
                "connection": w.connection.pk,
                "action": action,
                "product": [w.product.pk],
            },
        )
        for action in ("publish", "pause", "unpause", "hide", "unhide", "delist")
    ],
    *[
        Write(
            "listing-actions",
            "post",
            f"listing.{action}",
            lambda w: "/api/v1/listings/actions/",
            lambda w, action=action: {
                "connection": w.connection.pk,
                "action": action,
                "products": [w.product.pk],
            },
            api=True,
        )
        for action in ("publish", "delist")
    ],
    Write(
        "listing-settings",
        "post",
        "listing.settings",
        lambda w: reverse("listing-settings", args=[w.connection.pk]),
        lambda w: {"long_attribute_policy": "skip", "update_mode": "create_only"},
    ),
]
