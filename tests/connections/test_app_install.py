"""BigCommerce single-click app install: the auth, load, uninstall and remove_user callbacks.

The install runs against the sandbox's real token endpoint (`POST /oauth2/token`): each test
registers the app's client and a one-time code through the control API, then calls
/bigcommerce/auth as a hub user. Signed payloads are made here with PyJWT.
"""

import html
import json
import logging
import socket
import time
from urllib.parse import parse_qs, urlencode

import jwt
import pytest
import requests
import responses
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import include, path, reverse
from django_celery_beat.models import PeriodicTask

import integrationhub.urls as root_urls
from connections.middleware import SESSION_KEY
from connections.models import Connection, Membership
from dataflows.models import Dataflow
from tests.fixtures.tenants import make_connection

# The callbacks are mounted at /bigcommerce/ by the project's urls; until then, here.
_MOUNTED = any(
    getattr(getattr(p, "urlconf_name", None), "__name__", None) == "connections.app_urls"
    for p in root_urls.urlpatterns
)
urlpatterns = (
    root_urls.urlpatterns
    if _MOUNTED
    else [path("bigcommerce/", include("connections.app_urls")), *root_urls.urlpatterns]
)
pytestmark = pytest.mark.urls(__name__)

CLIENT_ID = "hub-app-client-id-7q2"
CLIENT_SECRET = "hub-app-client-secret-3f9a1c77e0b24d6a8c5e"  # >= 32 bytes, as HS256 wants
CALLBACK_URL = "https://hub.example.com/bigcommerce/auth"
SCOPE = "store_v2_orders store_v2_products store_inventory store_v2_information"
ACCOUNT_UUID = "5c7f6a1e-0000-4000-8000-000000000001"


# ----------------------------------------------------------------------------- helpers


@pytest.fixture
def app_settings(settings):
    settings.BIGCOMMERCE_APP_CLIENT_ID = CLIENT_ID
    settings.BIGCOMMERCE_APP_CLIENT_SECRET = CLIENT_SECRET
    settings.BIGCOMMERCE_APP_CALLBACK_URL = CALLBACK_URL
    return settings


@pytest.fixture
def bc(sandbox_settings, app_settings):
    """The sandbox as BigCommerce's login server, with the app registered."""
    sandbox = sandbox_settings

    def register(code, *, store_hash=None, redirect_uri=CALLBACK_URL):
        r = sandbox.control(
            "POST",
            "/oauth/clients",
            json={
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "code": code,
                "store_hash": store_hash or sandbox.store_hash,
                "scope": SCOPE,
                "redirect_uri": redirect_uri,
            },
        )
        assert r.status_code == 201, r.text

    sandbox.register = register
    return sandbox


def install_url(code="code-1", *, store_hash="demo01", context=None):
    query = {
        "code": code,
        "scope": SCOPE,
        "context": context if context is not None else f"stores/{store_hash}",
        "account_uuid": ACCOUNT_UUID,
    }
    return f"{reverse('bigcommerce-auth')}?{urlencode(query)}"


def client_for(user, **headers) -> Client:
    client = Client(headers=headers)
    if user is not None:
        client.force_login(user)
    return client


def framed(user=None) -> Client:
    """A browser showing the page inside BigCommerce's control panel."""
    return client_for(user, **{"Sec-Fetch-Dest": "iframe"})


def signed_payload(
    *,
    store_hash="demo01",
    secret=CLIENT_SECRET,
    aud=CLIENT_ID,
    iss="bc",
    issued=None,
    lifetime=24 * 3600,
    drop=(),
    algorithm="HS256",
    **extra,
):
    now = int(time.time()) if issued is None else issued
    claims = {
        "aud": aud,
        "iss": iss,
        "iat": now,
        "nbf": now - 5,
        "exp": now + lifetime,
        "jti": "2b4e7a9c-1d3f-4e5a-8b6c-7d8e9f0a1b2c",
        "sub": f"stores/{store_hash}",
        "user": {"id": 9876, "email": "merchant@example.com", "locale": "en-US"},
        "owner": {"id": 9876, "email": "merchant@example.com"},
        "url": "/",
        "channel_id": None,
        **extra,
    }
    for claim in drop:
        claims.pop(claim)
    return jwt.encode(claims, secret if algorithm != "none" else None, algorithm=algorithm)


def callback_url(name, token):
    url = reverse(name)
    return url if token is None else f"{url}?{urlencode({'signed_payload_jwt': token})}"


def text(response) -> str:
    return " ".join(response.content.decode().split())


def scheduled(connection) -> bool:
    """Whether any dataflow of the connection has an enabled beat schedule."""
    tasks = Dataflow.objects.filter(connection=connection).values("periodic_task")
    return PeriodicTask.objects.filter(pk__in=tasks, enabled=True).exists()


def app_connection(tenant, **fields):
    """A connection the app made (its client id) to the sandbox store."""
    fields.setdefault("store_hash", "demo01")
    fields.setdefault("client_id", CLIENT_ID)
    return make_connection(tenant, **fields)


# ----------------------------------------------------------------------------- install


@pytest.mark.sandbox
def test_a_manager_installing_the_app_gets_a_connection_whose_token_works_against_the_store(
    bc, tenant, manager
):
    bc.register("code-1")
    client = client_for(manager)

    response = client.get(install_url("code-1"))

    connection = Connection.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("connection-detail", args=[connection.pk])
    assert connection.tenant == tenant
    assert connection.store_hash == "demo01"
    assert connection.client_id == CLIENT_ID
    assert connection.is_active
    assert connection.name == connection.store_name == "Sandbox Store demo01"
    assert connection.access_token and connection.access_token != bc.token
    store = bc.api("GET", "/v2/store", token=connection.access_token)
    assert store.status_code == 200
    assert store.json()["id"] == "demo01"
    assert connection.dataflows.exists()
    page = client.get(response.url)
    assert "is connected to tenant “Alice&#x27;s Shop”" in text(page)


@pytest.mark.sandbox
def test_the_redirect_uri_is_the_called_url_when_no_callback_url_is_set(bc, app_settings, manager):
    app_settings.BIGCOMMERCE_APP_CALLBACK_URL = ""
    bc.register("code-derived", redirect_uri="http://testserver/bigcommerce/auth")

    response = client_for(manager).get(install_url("code-derived"))

    assert response.status_code == 302
    assert Connection.objects.get().store_hash == "demo01"


@pytest.mark.sandbox
def test_reinstalling_after_an_uninstall_gives_the_same_connection_the_new_token(
    bc, tenant, manager
):
    bc.register("code-1")
    client_for(manager).get(install_url("code-1"))
    connection = Connection.objects.get()
    first_token = connection.access_token
    uninstalled = Client().get(callback_url("bigcommerce-uninstall", signed_payload()))
    assert uninstalled.status_code == 200
    connection.refresh_from_db()
    assert not connection.is_active and connection.access_token == ""

    bc.register("code-2")
    response = client_for(manager).get(install_url("code-2"))

    assert response.status_code == 302
    assert Connection.objects.count() == 1
    connection.refresh_from_db()
    assert connection.is_active
    assert connection.access_token not in ("", first_token)
    assert bc.api("GET", "/v2/store", token=connection.access_token).status_code == 200
    assert scheduled(connection), "enabling again restores the schedules"


@pytest.mark.sandbox
def test_installing_on_a_store_the_tenant_connected_with_an_api_account_updates_that_connection(
    bc, tenant, manager
):
    existing = make_connection(tenant, name="My store", store_hash="demo01")
    existing.access_token = bc.token
    existing.save()
    bc.register("code-1")

    response = client_for(manager).get(install_url("code-1"))

    assert response.url == reverse("connection-detail", args=[existing.pk])
    assert Connection.objects.count() == 1
    existing.refresh_from_db()
    assert existing.name == "My store", "a reinstall keeps the name the tenant gave"
    assert existing.client_id == CLIENT_ID
    assert existing.access_token not in (bc.token, "")
    assert bc.api("GET", "/v2/store", token=existing.access_token).status_code == 200


@pytest.mark.sandbox
def test_a_code_bigcommerce_refuses_shows_a_clear_error_and_saves_nothing(bc, manager):
    bc.register("code-1")

    response = client_for(manager).get(install_url("not-the-code"))

    assert response.status_code == 400
    page = text(response)
    assert "BigCommerce refused the install code" in page
    assert "invalid_grant" in page
    assert "Start the install again from the store" in page
    assert "Nothing was saved." in page
    assert not Connection.objects.exists()


@pytest.mark.sandbox
def test_a_code_is_refused_the_second_time(bc, manager):
    bc.register("code-1")
    client = client_for(manager)
    assert client.get(install_url("code-1")).status_code == 302

    again = client.get(install_url("code-1"))

    assert again.status_code == 400
    assert "already used code" in text(again)
    assert Connection.objects.count() == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_login_server_shows_a_clear_error_and_saves_nothing(app_settings, manager):
    app_settings.BIGCOMMERCE_LOGIN_URL = f"http://127.0.0.1:{_closed_port()}"

    response = client_for(manager).get(install_url())

    assert response.status_code == 502
    page = text(response)
    assert "could not be reached" in page
    assert "BIGCOMMERCE_LOGIN_URL" in page
    assert "Nothing was saved." in page
    assert not Connection.objects.exists()


@pytest.mark.parametrize(
    "answer, expected",
    [
        ({"status": 503, "json": {"error": "unavailable"}}, "login server failed (503"),
        ({"body": requests.ReadTimeout()}, "did not answer in time"),
        ({"status": 200, "json": {"scope": SCOPE}}, "answer without an access token"),
        (
            {"status": 200, "json": {"access_token": "tok-elsewhere", "context": "stores/x9"}},
            "does not match the store",
        ),
        (
            {"status": 400, "json": {"error": "invalid_client"}},
            "refused the hub&#x27;s app credentials",
        ),
    ],
    ids=["server-error", "timeout", "no-token", "other-store", "bad-client"],
)
def test_a_failing_login_server_is_explained_and_nothing_is_saved(
    app_settings, manager, answer, expected
):
    app_settings.BIGCOMMERCE_LOGIN_URL = "https://login.example.test"
    with responses.RequestsMock() as mocked:
        mocked.post("https://login.example.test/oauth2/token", **answer)
        response = client_for(manager).get(install_url())
        sent = mocked.calls[0].request

    assert response.status_code in (400, 502)
    assert expected in text(response)
    assert not Connection.objects.exists()
    body = json.loads(sent.body)
    assert body == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code": "code-1",
        "context": "stores/demo01",
        "scope": SCOPE,
        "grant_type": "authorization_code",
        "redirect_uri": CALLBACK_URL,
    }
    assert sent.headers["Content-Type"] == "application/json"


@pytest.mark.sandbox
def test_a_store_check_failing_after_the_exchange_saves_nothing_and_says_to_reinstall(bc, manager):
    bc.register("code-1")
    bc.force_fault("500", count=10, path="/v2/store")

    response = client_for(manager).get(install_url("code-1"))

    assert response.status_code == 409
    page = text(response)
    assert "The store could not be reached to check the credentials" in page
    assert "uninstall the app in the store&#x27;s control panel" in page
    assert not Connection.objects.exists()


def test_a_signed_out_user_is_sent_to_log_in_and_comes_back_with_the_query_intact(
    app_settings, tenant
):
    url = install_url("code-1")

    response = Client().get(url)

    assert response.status_code == 302
    login, query = response.url.split("?", 1)
    assert login == reverse("login")
    assert parse_qs(query) == {"next": [url]}
    assert not Connection.objects.exists()


@pytest.mark.sandbox
def test_signing_in_from_the_install_link_connects_the_store(bc, manager):
    bc.register("code-1")
    url = install_url("code-1")
    client = Client()
    login_page = client.get(url, follow=True)
    assert login_page.request["PATH_INFO"] == reverse("login")

    signed_in = client.post(
        f"{reverse('login')}?{urlencode({'next': url})}",
        {"username": "alice", "password": "password", "next": url},
    )
    assert signed_in.url == url
    done = client.get(url)

    connection = Connection.objects.get()
    assert done.url == reverse("connection-detail", args=[connection.pk])


def test_a_signed_out_user_inside_the_control_panel_gets_a_sign_in_page_for_a_new_tab(
    app_settings, tenant
):
    url = install_url("code-1")

    response = framed().get(url)

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
    assert "https://*.bigcommerce.com" in response.headers["Content-Security-Policy"]
    page = response.content.decode()
    login = f"{reverse('login')}?{urlencode({'next': url})}".replace("&", "&amp;")
    assert f'href="{login}" target="_blank"' in page
    assert "Sign in to connect the store" in page


def test_the_hubs_other_pages_still_refuse_to_be_framed(db):
    assert Client().get(reverse("login")).headers["X-Frame-Options"] == "DENY"


@pytest.mark.sandbox
def test_a_manager_inside_the_control_panel_gets_a_link_to_the_new_connection(bc, manager):
    bc.register("code-1")

    response = framed(manager).get(install_url("code-1"))

    connection = Connection.objects.get()
    assert response.status_code == 200
    page = response.content.decode()
    assert "Store connected" in page
    assert f'href="{reverse("connection-detail", args=[connection.pk])}" target="_blank"' in page


@pytest.mark.sandbox
@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_viewers_and_operators_cannot_install_and_the_code_stays_usable(bc, request, role, manager):
    bc.register("code-1")

    response = client_for(request.getfixturevalue(role)).get(install_url("code-1"))

    assert response.status_code == 403
    assert "Only a manager can connect a store" in text(response)
    assert not Connection.objects.exists()
    assert client_for(manager).get(install_url("code-1")).status_code == 302
    assert Connection.objects.count() == 1


def test_a_user_of_no_tenant_is_refused(app_settings, db):
    user = get_user_model().objects.create_user(username="nobody", password="password")

    response = client_for(user).get(install_url())

    assert response.status_code == 403
    assert "You belong to no tenant" in text(response)


def test_the_refusal_offers_the_tenants_the_user_manages_and_switches_to_one(
    app_settings, operator, other_tenant
):
    Membership.objects.create(tenant=other_tenant, user=operator, role=Membership.Role.MANAGER)
    client = client_for(operator)
    url = install_url("code-1")

    refused = client.get(url)
    assert refused.status_code == 403
    assert "Install into “Bob&#x27;s Shop”" in text(refused)

    switched = client.post(url, {"tenant": other_tenant.pk})

    assert switched.status_code == 302
    assert switched.url == url
    assert client.session[SESSION_KEY] == other_tenant.pk
    assert client.post(url, {"tenant": 999999}).status_code == 404


@pytest.mark.sandbox
def test_a_store_another_tenant_has_active_is_refused_before_the_code_is_spent(
    bc, manager, other_tenant
):
    other = app_connection(other_tenant, name="Bob's store")
    bc.register("code-1")
    url = install_url("code-1")

    refused = client_for(manager).get(url)

    assert refused.status_code == 409
    page = text(refused)
    assert "another tenant&#x27;s connection" in page, "the other tenant is not named"
    assert "Bob" not in page
    assert Connection.objects.count() == 1
    other.status = Connection.Status.INACTIVE
    other.save()
    assert client_for(manager).get(url).status_code == 302, "the code was not spent"
    assert Connection.objects.filter(tenant__memberships__user=manager, status="active").exists()


def test_missing_app_settings_name_what_to_set_and_spend_no_code(settings, manager):
    settings.BIGCOMMERCE_APP_CLIENT_ID = ""
    settings.BIGCOMMERCE_APP_CLIENT_SECRET = ""
    settings.BIGCOMMERCE_LOGIN_URL = "https://login.example.test"

    with responses.RequestsMock():  # any request to BigCommerce would fail the test
        response = client_for(manager).get(install_url())

    assert response.status_code == 503
    page = text(response)
    assert "BIGCOMMERCE_APP_CLIENT_ID and BIGCOMMERCE_APP_CLIENT_SECRET are not set" in page
    assert not Connection.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"code": "code-1", "context": "stores/"},
        {"code": "code-1", "context": "users/42"},
        {"code": "code-1", "context": "stores/../x"},
        {"context": "stores/demo01"},
    ],
    ids=["empty-hash", "not-a-store", "bad-hash", "no-code"],
)
def test_an_incomplete_install_link_is_refused(app_settings, manager, query):
    url = f"{reverse('bigcommerce-auth')}?{urlencode(query)}"

    response = client_for(manager).get(url)

    assert response.status_code == 400
    assert "This install link is incomplete" in text(response)


# ----------------------------------------------------------------------------- signed payloads


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


def test_load_takes_a_member_to_the_stores_connection(app_settings, tenant, viewer):
    connection = app_connection(tenant)

    response = client_for(viewer).get(callback_url("bigcommerce-load", signed_payload()))

    assert response.status_code == 302
    assert response.url == reverse("connection-detail", args=[connection.pk])


def test_load_prefers_the_current_tenants_connection(app_settings, tenant, other_tenant, staff):
    app_connection(other_tenant, name="Bob's old one", status=Connection.Status.INACTIVE)
    mine = app_connection(tenant, name="Mine")
    client = client_for(staff)
    session = client.session
    session[SESSION_KEY] = tenant.pk
    session.save()

    response = client.get(callback_url("bigcommerce-load", signed_payload()))

    assert response.url == reverse("connection-detail", args=[mine.pk])


def test_load_inside_the_control_panel_links_to_the_connection_in_a_new_tab(
    app_settings, tenant, manager
):
    connection = app_connection(tenant)

    response = framed(manager).get(callback_url("bigcommerce-load", signed_payload()))

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    page = response.content.decode()
    assert f'href="{reverse("connection-detail", args=[connection.pk])}" target="_blank"' in page


def test_load_for_a_signed_out_user_explains_how_to_sign_in(app_settings, tenant):
    app_connection(tenant)
    url = callback_url("bigcommerce-load", signed_payload())

    response = Client().get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign in to the integration hub" in page
    assert "The hub has its own users" in page
    login = f"{reverse('login')}?{urlencode({'next': url})}".replace("&", "&amp;")
    assert f'href="{login}"' in page
    assert "Main store" not in page


def test_load_for_a_user_of_another_tenant_reveals_nothing(app_settings, tenant, outsider):
    app_connection(tenant)

    response = client_for(outsider).get(callback_url("bigcommerce-load", signed_payload()))

    assert response.status_code == 200
    page = text(response)
    assert "No connection of this store for you" in page
    assert "Main store" not in page and "Alice" not in page


def test_uninstall_disables_the_apps_connections_and_wipes_their_tokens(
    app_settings, tenant, other_tenant
):
    active = app_connection(tenant)
    old = app_connection(other_tenant, name="Bob's old one", status=Connection.Status.INACTIVE)
    elsewhere = app_connection(tenant, name="Other store", store_hash="other02")
    assert scheduled(active)

    response = Client().get(callback_url("bigcommerce-uninstall", signed_payload()))

    assert response.status_code == 200
    for connection in (active, old):
        connection.refresh_from_db()
        assert connection.status == Connection.Status.INACTIVE
        assert connection.access_token == ""
    assert not scheduled(active)
    elsewhere.refresh_from_db()
    assert elsewhere.is_active and elsewhere.access_token == "secret-token-1"


def test_the_uninstalled_connection_shows_it_needs_new_credentials(app_settings, tenant, manager):
    connection = app_connection(tenant)
    Client().get(callback_url("bigcommerce-uninstall", signed_payload()))

    page = client_for(manager).get(reverse("connection-credentials", args=[connection.pk]))

    assert "none stored" in page.content.decode()


def test_uninstall_leaves_a_store_api_account_connection_running(app_settings, tenant):
    api_account = make_connection(tenant, store_hash="demo01", client_id="api-account-1")

    response = Client().get(callback_url("bigcommerce-uninstall", signed_payload()))

    assert response.status_code == 200
    api_account.refresh_from_db()
    assert api_account.is_active and api_account.access_token == "secret-token-1"


def test_uninstall_twice_is_harmless(app_settings, tenant):
    connection = app_connection(tenant)
    url = callback_url("bigcommerce-uninstall", signed_payload())

    assert Client().get(url).status_code == 200
    assert Client().get(url).status_code == 200

    connection.refresh_from_db()
    assert not connection.is_active and connection.access_token == ""


def test_remove_user_answers_200_and_changes_nothing(app_settings, tenant, caplog):
    caplog.set_level(logging.INFO, logger="connections.app_views")
    connection = app_connection(tenant)

    response = Client().get(callback_url("bigcommerce-remove-user", signed_payload()))

    assert response.status_code == 200
    connection.refresh_from_db()
    assert connection.is_active and connection.access_token == "secret-token-1"
    assert "BigCommerce user 9876 removed from store demo01: nothing to do" in caplog.text


def test_the_callbacks_answer_only_get(app_settings):
    for name in SIGNED_CALLBACKS:
        assert Client().post(reverse(name)).status_code == 405


def test_the_callbacks_accept_a_trailing_slash(app_settings, tenant):
    app_connection(tenant)
    query = urlencode({"signed_payload_jwt": signed_payload()})
    url = f"{reverse('bigcommerce-uninstall')}/?{query}"

    assert Client().get(url).status_code == 200


# ----------------------------------------------------------------------------- secrets


@pytest.mark.sandbox
def test_the_code_secret_token_and_payload_never_reach_the_logs_or_pages(
    bc, tenant, manager, caplog
):
    caplog.set_level(logging.DEBUG)
    bc.register("code-ok-4411")
    client = client_for(manager)
    pages = [
        client.get(install_url("code-wrong-5522")),
        client.get(install_url("code-ok-4411"), follow=True),
        client.get(install_url("code-ok-4411")),  # used twice: refused
    ]
    token = Connection.objects.get().access_token
    payload = signed_payload()
    pages.append(Client().get(callback_url("bigcommerce-load", payload)))
    pages.append(Client().get(callback_url("bigcommerce-uninstall", payload)))
    pages.append(Client().get(callback_url("bigcommerce-remove-user", payload)))
    pages.append(Client().get(callback_url("bigcommerce-load", signed_payload(aud="x"))))

    assert caplog.records, "the install logs what it did"
    assert "BigCommerce app installed on store demo01" in caplog.text
    for secret in (CLIENT_SECRET, token, "code-ok-4411", "code-wrong-5522", payload):
        assert secret not in caplog.text
    for page in pages:
        content = page.content.decode()
        assert CLIENT_SECRET not in content
        assert token not in content
