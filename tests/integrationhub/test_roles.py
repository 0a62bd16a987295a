"""Every write of the hub, on the screens and in the REST API, tried by each role of the
tenant (viewer, operator, manager) and by staff: it is allowed exactly when
connections.access.NEEDS says so, and a refused one (403) changes nothing.

The URL conf is walked too: a new write view (a screen that accepts POST, an API route with a
write method) that is neither in WRITES nor in NOT_TENANT_WRITES fails
`test_every_write_view_is_enumerated`."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from connections import services as connection_services
from connections.access import NEEDS, role_allows
from connections.models import Membership
from tests.fixtures.tenants import api_client_for, make_user
from tests.integrationhub.tenant_world import (
    tenant_snapshot,
    tenant_world,
    url_patterns,
)
from tests.integrationhub.writes import NOT_TENANT_WRITES, WRITES

ROLES = ["viewer", "operator", "manager", "staff"]
WRITE_METHODS = {"post", "put", "patch", "delete"}


@pytest.fixture
def world(db, monkeypatch):
    """Tenant A with one of everything; credential checks and Celery sends faked."""

    def check(*, store_hash, access_token, scopes=()):
        if access_token != "good-token":
            raise ValidationError({"access_token": "BigCommerce refused this access token."})
        return {"name": f"Store {store_hash}"}

    monkeypatch.setattr(connection_services, "connection_check_credentials", check)
    monkeypatch.setattr("dataflows.services._enqueue_run", lambda *a, **k: None)
    monkeypatch.setattr("connections.tasks.connection_delete_task.delay", lambda *a, **k: None)
    world = tenant_world("Tenant A", store_hash="aaa111", sku="A-SKU", order_base=1000)
    world.users["staff"] = make_user("hub-staff", is_staff=True, is_superuser=True)
    return world


def client_as(user, *, api: bool):
    if api:
        return api_client_for(user)
    client = Client()
    client.force_login(user)
    return client


def allowed(role: str, need: str) -> bool:
    if role == "staff":
        return True
    return role_allows(membership=Membership(role=role), need=need)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.id)
def test_each_write_is_allowed_exactly_to_the_roles_the_rule_set_names(world, role, write):
    client = client_as(world.users[role], api=write.api)
    before = tenant_snapshot(world.tenant)
    kwargs = {"format": "json"} if write.api else {}

    response = getattr(client, write.method)(write.url(world), write.data(world), **kwargs)

    if allowed(role, NEEDS[write.action]):
        ok = (400,) if write.empty_form else (200, 201, 202, 302)
        assert response.status_code in ok, response.content[:500]
        if not write.api and response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code == 403, response.content[:500]
        assert tenant_snapshot(world.tenant) == before, "a refused write changed nothing"


def test_every_action_of_the_rule_set_is_tried():
    assert {write.action for write in WRITES} == set(NEEDS)


def _write_methods(pattern) -> set[str]:
    """The write methods a view answers: DRF's from its routing, a plain view's probed."""
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:
        return set(actions) & WRITE_METHODS
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return {m for m in WRITE_METHODS if hasattr(view_class, m)}
    return None  # a function view: probed


def test_every_write_view_is_enumerated(world):
    """A stranger (a member of no tenant) POSTs to every function view: whatever does not
    answer 405 takes writes. Each write view must be tried above, or be listed as not a
    tenant role's write."""
    stranger = Client()
    stranger.force_login(make_user("stranger"))
    ids = {"pk": 999999, "dataflow_pk": 999999, "run_pk": 999999, "connection_pk": 999999}
    enumerated = {(w.url_name, w.method) for w in WRITES}
    missing = []
    for _route, name, pattern in url_patterns():
        if name is None or name.startswith("admin:") or name in NOT_TENANT_WRITES:
            continue
        methods = _write_methods(pattern)
        if methods is None:
            converters = pattern.pattern.converters
            args = {key: ids.get(key, "retry" if key == "action" else 999999) for key in converters}
            response = stranger.post(reverse(name, kwargs=args))
            methods = set() if response.status_code == 405 else {"post"}
        missing += [(name, m) for m in sorted(methods) if (name, m) not in enumerated]
    assert missing == [], "write views with no role test: add them to WRITES"
