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
    "string-expiry": (
        lambda: signed_payload(exp=str(int(time.time()) + 3600)),
        "'exp' claim is not a number",
    ),
    "no-jti": (lambda: signed_payload(drop=("jti",)), "lacks the 'jti' claim"),
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


@pytest.mark.parametrize("callback", ["bigcommerce-uninstall", "bigcommerce-remove-user"])
def test_a_load_payload_is_refused_by_the_other_callbacks(app_settings, tenant, callback):
    connection = app_connection(tenant)
    token = signed_payload()
    assert Client().get(callback_url("bigcommerce-load", token)).status_code == 200

    response = Client().get(callback_url(callback, token))

    assert response.status_code == 403
    assert "made for the load callback" in response.content.decode()
    connection.refresh_from_db()
    assert connection.is_active and connection.access_token == "secret-token-1"


def test_an_uninstall_payload_replayed_after_a_reinstall_is_refused(app_settings, tenant):
    connection = app_connection(tenant)
    url = callback_url("bigcommerce-uninstall", signed_payload())
    assert Client().get(url).status_code == 200
    connection.refresh_from_db()
    connection.access_token = "reinstalled-token-2"
    connection.status = connection.Status.ACTIVE
    connection.save()

    replayed = Client().get(url)

    assert replayed.status_code == 403
    assert "already used" in replayed.content.decode()
    connection.refresh_from_db()
    assert connection.is_active and connection.access_token == "reinstalled-token-2"


def test_a_used_payload_is_remembered_in_the_database_until_it_expires(app_settings, tenant):
    from connections.models import SignedPayloadUse

    app_connection(tenant)
    Client().get(callback_url("bigcommerce-remove-user", signed_payload(jti="jti-kept-1")))

    used = SignedPayloadUse.objects.get(jti="jti-kept-1")
    assert used.callback == "remove_user"
    assert used.expires_at.timestamp() > time.time() + 23 * 3600
