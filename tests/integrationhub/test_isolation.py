"""Tenant isolation, enumerated from the URL conf: every pattern (so a new view is probed the
day it is added) is requested with every method by each role of tenant A, by A's API token and
anonymously, with tenant B's ids in its URL (and in the body of the bulk writes).

Expected: a pattern naming one of B's objects answers 404 to A's users (never 403, which would
tell that the id exists; 405 for a method it does not take); API token holders get the same on
the API, a login redirect on the screens; anonymous clients a login redirect or 401/403. A list
never shows B's rows. Nothing answers 5xx. B's rows are exactly as before."""

from __future__ import annotations

import re
from itertools import product as cartesian

import pytest
from rest_framework.test import APIClient

from tests.fixtures.tenants import api_client_for
from tests.integrationhub.tenant_world import tenant_snapshot, tenant_world, url_patterns

METHODS = ["get", "post", "put", "patch", "delete"]
REQUESTERS = ["viewer", "operator", "manager", "token", "anonymous"]
#: Keyword arguments naming one object (of tenant B): their presence makes a URL "B's".
OBJECT_KWARGS = {"pk", "connection_pk", "dataflow_pk", "run_pk", "object_id", "id", "option_id"}
#: Values tried for the other keyword arguments (each is a separate URL).
VALUES = {
    "action": ["enable", "disable", "delete", "synchronize", "retry", "ignore"],
    "kind": ["order_import", "product_match"],
    "format": ["json"],
    "uidb64": ["MQ"],
    "token": ["set-password"],
    "app_label": ["connections"],
    "url": ["connections/connection/"],
    "content_type_id": ["1"],
    "key": ["no-such-webhook-key"],
}
#: Which of B's objects a `pk` names, by the route's text before it.
PK_OWNERS = [
    ("connections/views/", "saved_view"),
    ("connections/", "connection"),
    ("orders/connection/", "connection"),
    ("order-errors/", "error"),
    ("orders/", "order"),
    ("runs/", "run"),
    ("products/", "product"),
    ("listings/", "listing"),
]


@pytest.fixture
def worlds(db, monkeypatch, settings):
    # The app callbacks configured (unconfigured, they answer 503 by design).
    settings.BIGCOMMERCE_APP_CLIENT_ID = "isolation-client"
    settings.BIGCOMMERCE_APP_CLIENT_SECRET = "isolation-secret"
    monkeypatch.setattr("dataflows.services._enqueue_run", lambda *a, **k: None)
    monkeypatch.setattr("connections.tasks.connection_delete_task.delay", lambda *a, **k: None)
    a = tenant_world("Aardvark Tenant", store_hash="aaa111", sku="AARD-SKU", order_base=1000)
    b = tenant_world("Zebra Tenant", store_hash="zbr999", sku="ZEBRA-SKU", order_base=9000)
    return a, b


def _pk_owner(route: str, param: str) -> str:
    head = route.split(f"<int:{param}>")[0].split(f"(?P<{param}>")[0]
    head = head.replace("api/v1/^", "").replace("catalog/", "")
    for prefix, owner in PK_OWNERS:
        if head.startswith(prefix) or head.endswith(prefix):
            return owner
    raise AssertionError(f"{route}: which object does its pk name? Teach PK_OWNERS.")


def _urls(route: str, pattern, b) -> list[str]:
    """The pattern's URLs filled with B's ids (one per combination of the other values)."""
    params = list(pattern.pattern.regex.groupindex)
    fixed = {}
    for param in params:
        if param == "pk":
            fixed[param] = getattr(b, _pk_owner(route, param)).pk
        elif param == "object_id":  # the admin's: refused to every tenant user anyway
            fixed[param] = b.connection.pk
        elif param == "id":  # the admin's user pages
            fixed[param] = b.users["manager"].pk
        elif param == "connection_pk":
            fixed[param] = b.connection.pk
        elif param == "dataflow_pk":
            fixed[param] = b.dataflow.pk
        elif param == "run_pk":
            fixed[param] = b.run.pk
        elif param == "option_id":
            fixed[param] = b.option.pk
    free = [p for p in params if p not in fixed]
    for param in free:
        assert param in VALUES, f"{route}: no value to try for <{param}>; add one to VALUES"
    urls = []
    for combo in cartesian(*(VALUES[p] for p in free)):
        kwargs = {**fixed, **dict(zip(free, combo, strict=True))}
        urls.append("/" + _fill(route, kwargs))
    return urls


def _fill(route: str, kwargs: dict) -> str:
    """The route text with its parameters replaced (works for path() and re_path() routes,
    whose regex anchors are dropped)."""
    text = route
    for key, value in kwargs.items():
        text = re.sub(rf"<(?:\w+:)?{key}>", str(value), text)
        text = re.sub(rf"\(\?P<{key}>[^)]*\)", str(value), text)
    text = re.sub(r"^\^|\$$", "", text.replace("/^", "/")).replace("\\", "")
    return re.sub(r"/\?$", "/", text).replace("//", "/")


def _body(route: str, b) -> dict:
    """A write body naming B's objects (what the bulk actions and creations read)."""
    ids = [b.error.pk] if "error" in route else [b.connection.pk]
    return {
        "ids": ids,
        "connection": b.connection.pk,
        "tenant": b.tenant.pk,
        "name": "Hacked",
        "sku": "HACKED",
        "reason": "Hacked",
        "items": [{"sku": b.product.sku, "on_hand": 0}],
        "on_hand": 0,
        "enabled": False,
        "options": {"import_mode": "create_and_overwrite"},
    }


def _clients(a) -> dict:
    """Each role signed in (the screens) holding its API token (the API); the manager's API
    token alone; nobody."""
    clients = {}
    for role in ("viewer", "operator", "manager"):
        client = api_client_for(a.users[role])
        client.force_login(a.users[role])
        clients[role] = client
    clients["token"] = api_client_for(a.users["manager"])
    clients["anonymous"] = APIClient()
    for client in clients.values():
        client.raise_request_exception = False
    return clients


def _allowed(requester: str, *, api: bool, admin: bool, names_b: bool, response) -> bool:
    """Whether the answer is one that tells nothing about B (5xx never is)."""
    status = response.status_code
    if admin:  # no tenant user is staff: the admin's login page, or a redirect to it
        return status in (200, 302, 405)
    if not names_b:  # lists and creations: any answer, as long as it shows none of B's rows
        return True
    login_redirect = status == 302 and "/accounts/login/" in response.get("Location", "")
    if requester == "anonymous":
        return status in (401, 403, 404, 405) if api else login_redirect or status in (404, 405)
    if requester == "token" and not api:  # the screens take no API token
        return login_redirect or status in (404, 405)
    return status in (404, 405)


def test_no_user_of_tenant_a_reaches_tenant_bs_objects(worlds):
    a, b = worlds
    clients = _clients(a)
    before = tenant_snapshot(b.tenant)
    probed = requests = 0
    server_errors, leaks, wrong = [], [], []
    for route, _name, pattern in url_patterns():
        api = route.startswith("api/")
        admin = route.startswith("admin/")
        names_b = bool(OBJECT_KWARGS & set(pattern.pattern.regex.groupindex))
        probed += 1
        for url, method, requester in cartesian(_urls(route, pattern, b), METHODS, REQUESTERS):
            client = clients[requester]
            kwargs = {"format": "json"} if isinstance(client, APIClient) else {}
            data = _body(route, b) if method != "get" else None
            response = getattr(client, method)(url, data, **kwargs)
            requests += 1
            where = (
                f"{method.upper()} {url} as {requester}: {response.status_code} "
                f"{response.get('Location', '')}"
            )
            if response.status_code >= 500:
                server_errors.append(where)
                continue
            if not _allowed(requester, api=api, admin=admin, names_b=names_b, response=response):
                wrong.append(where)
            body = getattr(response, "content", b"").decode("utf-8", "replace")
            shown = [secret for secret in b.secrets if secret in body]
            if shown:
                leaks.append(f"{where} shows {shown}")
        after = tenant_snapshot(b.tenant)
        assert after == before, f"{route} changed tenant B's rows"
        for role in ("viewer", "operator", "manager"):  # the logout patterns end the sessions
            clients[role].force_login(a.users[role])
    print(
        f"\nisolation: {probed} URL patterns probed, {requests} requests, "
        f"{len(server_errors)} server errors"
    )
    assert server_errors == [], "\n".join(server_errors)
    assert leaks == [], "\n".join(leaks)
    assert wrong == [], "\n".join(wrong)
