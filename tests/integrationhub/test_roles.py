"""Every write of the hub, on the screens and in the REST API, tried by each role of the
tenant (viewer, operator, manager) and by staff: it is allowed exactly when
connections.access.NEEDS says so, and a refused one (403) changes nothing.

The URL conf is walked too: a new write view (a screen that accepts POST, an API route with a
write method) that is neither in WRITES nor in NOT_TENANT_WRITES fails
`test_every_write_view_is_enumerated`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from connections import services as connection_services
from connections.access import NEEDS, role_allows
from connections.models import Membership
from tests.fixtures.tenants import api_client_for, make_user
from tests.integrationhub.tenant_world import (
    World,
    tenant_snapshot,
    tenant_world,
    url_patterns,
)

ROLES = ["viewer", "operator", "manager", "staff"]
WRITE_METHODS = {"post", "put", "patch", "delete"}


@dataclass(frozen=True)
class Write:
    """One write: where it goes (URL name and method), the action of NEEDS it is, and the
    request that does it for tenant `w`."""

    url_name: str
    method: str
    action: str
    url: Callable[[World], str]
    data: Callable[[World], dict] = lambda w: {}
    api: bool = False
    #: The body is left empty: an allowed role gets the form's 400 (its role check passed).
    empty_form: bool = False

    @property
    def id(self) -> str:
        return f"{'api' if self.api else 'screen'}:{self.url_name}:{self.method}:{self.action}"


def _df(w: World, **fields) -> dict:
    prefix = f"df{w.dataflow.pk}"
    return {f"{prefix}-{key}": value for key, value in fields.items()}


def _pk(name: str, attr: str = "connection"):
    return lambda w: reverse(name, args=[getattr(w, attr).pk])


WRITES = [
    # ---- screens
    Write(
        "connection-create",
        "post",
        "connection.create",
        lambda w: reverse("connection-create"),
        lambda w: {
            "name": "New store",
            "driver": "bigcommerce",
            "store_hash": "new123",
            "access_token": "good-token",
        },
    ),
    Write(
        "connection-rename",
        "post",
        "connection.name",
        _pk("connection-rename"),
        lambda w: {"name": "Renamed"},
    ),
    Write(
        "connection-credentials",
        "post",
        "connection.credentials",
        _pk("connection-credentials"),
        lambda w: {"store_hash": w.connection.store_hash, "access_token": "good-token"},
    ),
    Write(
        "connection-settings",
        "post",
        "connection.settings",
        _pk("connection-settings"),
        lambda w: {"section": "offers", "push_only_mapped_attributes": "on"},
    ),
    *(
        Write(
            "connection-action",
            "post",
            f"connection.{action}",
            lambda w, action=action: reverse("connection-action", args=[w.connection.pk, action]),
        )
        for action in ("enable", "disable", "delete")
    ),
    *(
        Write(
            "connection-bulk-action",
            "post",
            f"connection.{action}",
            lambda w, action=action: reverse("connection-bulk-action", args=[action]),
            lambda w: {"ids": [w.connection.pk]},
        )
        for action in ("enable", "disable", "delete")
    ),
    Write("connection-sync", "post", "connection.synchronize", _pk("connection-sync")),
    Write(
        "connections-sync",
        "post",
        "connection.synchronize",
        lambda w: reverse("connections-sync"),
        lambda w: {"ids": [w.connection.pk]},
    ),
    Write(
        "dataflow-save",
        "post",
        "dataflow.interval_seconds",
        lambda w: reverse("dataflow-save", args=[w.connection.pk, w.dataflow.pk]),
        lambda w: _df(w, interval_seconds=900),
    ),
    Write(
        "dataflow-save",
        "post",
        "dataflow.options",
        lambda w: reverse("dataflow-save", args=[w.connection.pk, w.dataflow.pk]),
        lambda w: _df(w, enabled="on", interval_seconds=300, created_within_days=7),
    ),
    Write(
        "dataflow-run-now",
        "post",
        "dataflow.run",
        lambda w: reverse("dataflow-run-now", args=[w.connection.pk, w.dataflow.pk]),
    ),
    Write("order-reimport", "post", "order.reimport", _pk("order-reimport", "order")),
    Write(
        "order-error-action",
        "post",
        "order_error.retry",
        lambda w: reverse("order-error-action", args=["retry"]),
        lambda w: {"ids": [w.error.pk]},
    ),
    Write(
        "order-error-action",
        "post",
        "order_error.ignore",
        lambda w: reverse("order-error-action", args=["ignore"]),
        lambda w: {"ids": [w.error.pk], "reason": "Handled by phone"},
    ),
    Write(
        "catalog-product-import",
        "post",
        "product_import.settings",
        _pk("catalog-product-import"),
        lambda w: {"import_mode": "create_only"},
    ),
    Write(
        "checkout-settings", "post", "checkout.settings", _pk("checkout-settings"), empty_form=True
    ),
    Write("checkout-key-rotate", "post", "checkout.key_rotate", _pk("checkout-key-rotate")),
    Write(
        "checkout-option-create",
        "post",
        "checkout.option_create",
        _pk("checkout-option-create"),
        empty_form=True,
    ),
    Write(
        "checkout-option-edit",
        "post",
        "checkout.option_update",
        lambda w: reverse("checkout-option-edit", args=[w.connection.pk, w.option.pk]),
        empty_form=True,
    ),
    Write(
        "checkout-option-delete",
        "post",
        "checkout.option_delete",
        lambda w: reverse("checkout-option-delete", args=[w.connection.pk, w.option.pk]),
    ),
    # ---- REST
    Write(
        "connection-list",
        "post",
        "connection.create",
        lambda w: "/api/v1/connections/",
        lambda w: {
            "tenant": w.tenant.pk,
            "name": "New",
            "store_hash": "new123",
            "access_token": "good-token",
        },
        api=True,
    ),
    Write(
        "connection-detail",
        "patch",
        "connection.name",
        lambda w: f"/api/v1/connections/{w.connection.pk}/",
        lambda w: {"name": "Renamed"},
        api=True,
    ),
    Write(
        "connection-detail",
        "delete",
        "connection.delete",
        lambda w: f"/api/v1/connections/{w.connection.pk}/",
        api=True,
    ),
    *(
        Write(
            f"connection-{action}",
            "post",
            f"connection.{action}",
            lambda w, action=action: f"/api/v1/connections/{w.connection.pk}/{action}/",
            api=True,
        )
        for action in ("enable", "disable")
    ),
    Write(
        "connection-synchronize",
        "post",
        "connection.synchronize",
        lambda w: f"/api/v1/connections/{w.connection.pk}/synchronize/",
        api=True,
    ),
    Write(
        "dataflow-detail",
        "patch",
        "dataflow.enabled",
        lambda w: f"/api/v1/connections/{w.connection.pk}/dataflows/order_import/",
        lambda w: {"enabled": False, "interval_seconds": 900},
        api=True,
    ),
    Write(
        "dataflow-detail",
        "patch",
        "dataflow.options",
        lambda w: f"/api/v1/connections/{w.connection.pk}/dataflows/product_match/",
        lambda w: {"options": {"import_mode": "create_and_overwrite"}},
        api=True,
    ),
    Write(
        "dataflow-detail",
        "patch",
        "dataflow.options",
        lambda w: f"/api/v1/connections/{w.connection.pk}/dataflows/order_import/",
        lambda w: {"options": {"created_within_days": 7}},
        api=True,
    ),
    Write(
        "product-list",
        "post",
        "product.create",
        lambda w: "/api/v1/products/",
        lambda w: {"tenant": w.tenant.pk, "sku": "NEW-1", "name": "New"},
        api=True,
    ),
    Write(
        "product-detail",
        "patch",
        "product.update",
        lambda w: f"/api/v1/products/{w.product.pk}/",
        lambda w: {"on_hand": 5},
        api=True,
    ),
    Write(
        "stock-list",
        "post",
        "stock.set",
        lambda w: "/api/v1/stock/",
        lambda w: {"tenant": w.tenant.pk, "items": [{"sku": w.product.sku, "on_hand": 4}]},
        api=True,
    ),
    Write(
        "order-reimport",
        "post",
        "order.reimport",
        lambda w: f"/api/v1/orders/{w.order.pk}/reimport/",
        api=True,
    ),
    Write(
        "order-shipments",
        "post",
        "order.shipment_create",
        lambda w: f"/api/v1/orders/{w.order.pk}/shipments/",
        api=True,
    ),
    Write(
        "order-error-retry",
        "post",
        "order_error.retry",
        lambda w: f"/api/v1/order-errors/{w.error.pk}/retry/",
        api=True,
    ),
    Write(
        "order-error-ignore",
        "post",
        "order_error.ignore",
        lambda w: f"/api/v1/order-errors/{w.error.pk}/ignore/",
        lambda w: {"reason": "Handled by phone"},
        api=True,
    ),
    Write(
        "order-error-bulk-retry",
        "post",
        "order_error.retry",
        lambda w: "/api/v1/order-errors/retry/",
        lambda w: {"ids": [w.error.pk]},
        api=True,
    ),
    Write(
        "order-error-bulk-ignore",
        "post",
        "order_error.ignore",
        lambda w: "/api/v1/order-errors/ignore/",
        lambda w: {"ids": [w.error.pk], "reason": "Handled by phone"},
        api=True,
    ),
    Write(
        "order-error-bulk-retry",
        "post",
        "order_error.retry",
        lambda w: "/api/v1/order-errors/retry/",
        lambda w: {"connection": w.connection.pk},
        api=True,
    ),
]

#: Writes that are not a tenant role's to decide, and why.
NOT_TENANT_WRITES = {
    "health": "the load balancer's probe, no tenant data",
    "login": "anyone may sign in",
    "logout": "one's own session",
    "password_change": "one's own password",
    "password_reset": "one's own password",
    "password_reset_confirm": "one's own password",
    "tenant-switch": "which of one's own tenants is current",
    "connection-open": "opens a connection page (no change)",
    "connection-columns": "one's own column choice",
    "connection-view-save": "one's own saved list views",
    "connection-view-update": "one's own saved list views",
    "connection-view-delete": "one's own saved list views",
    "bigcommerce-auth": "BigCommerce's app callback, signed by BigCommerce",
    "bigcommerce-load": "BigCommerce's app callback, signed by BigCommerce",
    "bigcommerce-uninstall": "BigCommerce's app callback, signed by BigCommerce",
    "bigcommerce-remove-user": "BigCommerce's app callback, signed by BigCommerce",
    "checkout-rate": "BigCommerce's checkout call, authorised by the connection's checkout key",
    "checkout-check-connection-options": "BigCommerce's call, authorised by the checkout key",
}


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
