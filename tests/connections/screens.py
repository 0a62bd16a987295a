"""What the screen tests share: a fake credential check, recorded Celery sends, a client per
role, a run with a log, every page URL of a connection."""

from django.test import Client
from django.urls import reverse

TOKEN = "secret-token-1"  # make_connection's token


# ----------------------------------------------------------------------------- helpers


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


ROLES = ["manager", "operator", "viewer", "outsider", "anonymous"]


def page_urls(connection, run):
    pk = connection.pk
    return [
        reverse("connection-detail", args=[pk]),
        reverse("connection-detail", args=[pk]) + "?partial=runs",
        reverse("connection-credentials", args=[pk]),
        *(
            reverse("connection-settings", args=[pk]) + f"?section={section}"
            for section in (
                "variant-option-type",
                "order-filters",
                "orders-shipments",
                "products-stock",
                "offers",
            )
        ),
        reverse("connection-dataflows", args=[pk]),
        reverse("connection-dataflows", args=[pk]) + "?partial=dataflows",
        reverse("connection-runs", args=[pk]),
        reverse("connection-runs", args=[pk]) + "?partial=runs",
        reverse("run-detail", args=[pk, run.pk]),
        reverse("run-detail", args=[pk, run.pk]) + "?partial=run",
    ]


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ----------------------------------------------------------------------------- pages (GET)


def bulk(client, action, *connections, **extra):
    return client.post(
        reverse("connection-bulk-action", args=[action]),
        {"ids": [c.pk for c in connections], **extra},
    )
