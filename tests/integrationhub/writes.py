"""Every write of the hub (screens and REST), each named by the action of
connections.access.NEEDS it is and the request that does it for a tenant's objects; and the
writes that are no tenant role's to decide. tests/integrationhub/test_roles.py tries them."""

from __future__ import annotations

from django.urls import reverse

from orders.models import OrderError
from tests.integrationhub.tenant_world import World
from tests.integrationhub.writes_base import Write
from tests.integrationhub.writes_listings import LISTING_WRITES


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
        "connection-webhooks-register",
        "post",
        "connection.synchronize",
        _pk("connection-webhooks-register"),
    ),
    Write(
        "connection-webhooks-rotate",
        "post",
        "connection.credentials",
        _pk("connection-webhooks-rotate"),
    ),
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
        "tenant-settings",
        "post",
        "tenant.settings",
        lambda w: reverse("tenant-settings"),
        lambda w: {"section": "retention", "log_retention_days": "14", "pii_retention_days": ""},
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
        "product-data-list",
        "post",
        "product_data.set",
        lambda w: "/api/v1/product-data/",
        lambda w: {"tenant": w.tenant.pk, "items": [{"sku": w.product.sku, "brand": "Acme"}]},
        api=True,
    ),
    *LISTING_WRITES,
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
    # A selection by connection that matches no error still needs the role.
    Write(
        "order-error-bulk-ignore",
        "post",
        "order_error.ignore",
        lambda w: "/api/v1/order-errors/ignore/",
        lambda w: {
            "connection": w.connection.pk,
            "code": next(code for code in OrderError.Code.values if code != w.error.code),
            "reason": "Handled by phone",
        },
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
    # Its confirmation POST installs into the current tenant (a manager's): it needs a live
    # OAuth code, so tests/connections/test_app_auth*.py try its roles.
    "bigcommerce-auth": "BigCommerce's install callback and its confirmation",
    "bigcommerce-load": "BigCommerce's app callback, signed by BigCommerce",
    "bigcommerce-uninstall": "BigCommerce's app callback, signed by BigCommerce",
    "bigcommerce-remove-user": "BigCommerce's app callback, signed by BigCommerce",
    "checkout-rate": "BigCommerce's checkout call, authorised by the connection's checkout key",
    "checkout-check-connection-options": "BigCommerce's call, authorised by the checkout key",
    "webhook-receive": "BigCommerce's webhook callback, authorised by the hook's secret header",
}
