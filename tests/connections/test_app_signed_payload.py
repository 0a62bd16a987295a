"""The signed callbacks (load, uninstall, remove user) refuse a bad signed payload, say which
setting is missing, answer GET only and accept a trailing slash."""

import html
import time
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from tests.connections.app_helpers import (
    CLIENT_ID,
    app_connection,
    callback_url,
    client_for,
    signed_payload,
)

BAD_PAYLOADS = {
    "missing": (lambda: None, "carries no signed_payload_jwt"),
    "empty": (lambda: "", "carries no signed_payload_jwt"),
    "garbage": (lambda: "not.a-jwt", "not a valid JWT"),
    "expired": (lambda: signed_payload(issued=int(time.time()) - 2 * 86400), "has expired"),
    "not-yet-valid": (
        lambda: signed_payload(issued=int(time.time()) + 3600),
        "not valid yet",
    ),
    "wrong-secret": (
        lambda: signed_payload(secret="another-apps-client-secret-0000000000000"),
        "signature is not valid",
    ),
    "wrong-audience": (lambda: signed_payload(aud="another-app"), "meant for another app"),
    "wrong-issuer": (lambda: signed_payload(iss="someone"), "not issued by BigCommerce"),
    "no-expiry": (lambda: signed_payload(drop=("exp",)), "lacks the 'exp' claim"),
    "no-store": (lambda: signed_payload(sub="users/42"), "does not name a store"),
    "unsigned": (lambda: signed_payload(algorithm="none"), "not signed with HS256"),
    "too-long": (lambda: "x" * 9000, "too long"),
}
SIGNED_CALLBACKS = ["bigcommerce-load", "bigcommerce-uninstall", "bigcommerce-remove-user"]


@pytest.mark.parametrize("callback", SIGNED_CALLBACKS)
@pytest.mark.parametrize("case", list(BAD_PAYLOADS))
def test_a_bad_signed_payload_is_refused_with_403_and_says_why(
    app_settings, tenant, manager, callback, case
):
    connection = app_connection(tenant)
    make_token, expected = BAD_PAYLOADS[case]

    response = client_for(manager).get(callback_url(callback, make_token()))

    assert response.status_code == 403
    body = response.content.decode()
    assert expected in body or html.escape(expected) in body
    connection.refresh_from_db()
    assert connection.is_active and connection.access_token == "secret-token-1"


@pytest.mark.parametrize("callback", SIGNED_CALLBACKS)
def test_signed_callbacks_without_app_settings_say_what_to_set(settings, callback, db):
    settings.BIGCOMMERCE_APP_CLIENT_SECRET = ""
    settings.BIGCOMMERCE_APP_CLIENT_ID = CLIENT_ID

    response = Client().get(callback_url(callback, signed_payload()))

    assert response.status_code == 503
    assert "BIGCOMMERCE_APP_CLIENT_SECRET is not set" in response.content.decode()


def test_the_callbacks_answer_only_get(app_settings):
    for name in SIGNED_CALLBACKS:
        assert Client().post(reverse(name)).status_code == 405


def test_the_callbacks_accept_a_trailing_slash(app_settings, tenant):
    app_connection(tenant)
    query = urlencode({"signed_payload_jwt": signed_payload()})
    url = f"{reverse('bigcommerce-uninstall')}/?{query}"

    assert Client().get(url).status_code == 200
