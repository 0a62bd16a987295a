"""Helpers of the orders tests: a connection to the sandbox store, hub products for its SKUs,
a contract-checked client, running a flow, and BigCommerce order payloads for unit tests."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime

from catalog.models import Product, ProductLink
from connections.bigcommerce.client import BigCommerceClient
from connections.bigcommerce.dates import format_v2_date
from connections.bigcommerce.ratelimit import LocalQuotaGate
from connections.models import Connection
from dataflows.models import Dataflow, Run
from dataflows.services import dataflow_run_foreground, dataflows_create_for_connection
from orders.flows import ORDER_IMPORT
from orders.models import Order, OrderError
from orders.services.importer import OrderImporter


def make_store_connection(tenant, sandbox, **settings) -> Connection:
    connection = Connection.objects.create(
        tenant=tenant,
        name="Sandbox store",
        store_hash=sandbox.store_hash,
        access_token=sandbox.token,
        **settings,
    )
    dataflows_create_for_connection(connection=connection)
    return connection


def make_products_for_sandbox(tenant, sandbox, *, skip=()) -> dict[str, Product]:
    """A hub product for every (trimmed, non-blank) variant SKU of the sandbox catalog."""
    skus = set()
    for variant in sandbox.inventory()["variants"].values():
        sku = (variant["sku"] or "").strip()
        if sku and sku not in skip:
            skus.add(sku)
    Product.objects.bulk_create(
        [Product(tenant=tenant, sku=sku, on_hand=100) for sku in sorted(skus)]
    )
    return {p.sku: p for p in Product.objects.filter(tenant=tenant)}


def link(connection, product, *, variant_id, tracking=ProductLink.Tracking.VARIANT, sku=None):
    return ProductLink.objects.create(
        connection=connection,
        product=product,
        bc_product_id=variant_id // 10 or 1,
        bc_variant_id=variant_id,
        bc_sku=sku if sku is not None else (product.sku if product else ""),
        inventory_tracking=tracking,
    )


def client_for(sandbox, contract=None, **kwargs) -> BigCommerceClient:
    kwargs.setdefault("quota_gate", LocalQuotaGate())
    kwargs.setdefault("sleep", lambda seconds: None)
    client = BigCommerceClient(
        store_hash=sandbox.store_hash, access_token=sandbox.token, api_url=sandbox.url, **kwargs
    )
    if contract is not None:
        contract.attach(client.session)
    return client


def run_flow(connection, kind=ORDER_IMPORT, *, client) -> Run:
    dataflow = Dataflow.objects.select_related("connection").get(connection=connection, kind=kind)
    run = dataflow_run_foreground(dataflow=dataflow, client=client)
    run.refresh_from_db()
    return run


# ----------------------------------------------------------------------------- payloads

_ids = itertools.count(1000)
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


def address(**overrides) -> dict:
    data = {
        "first_name": "Jane",
        "last_name": "Doe",
        "company": "",
        "street_1": "1 Main Street",
        "street_2": "",
        "city": "Austin",
        "state": "Texas",
        "zip": "78701",
        "country": "United States",
        "country_iso2": "US",
        "phone": "+1 555-100-2000",
        "email": "jane.doe@example.com",
    }
    data.update(overrides)
    return data


def line(*, sku="SKU-1", quantity=1, line_id=None, variant_id=0, product_id=0, shipped=0, **kw):
    return {
        "id": line_id or next(_ids),
        "product_id": product_id,
        "variant_id": variant_id,
        "order_address_id": kw.pop("address_id", 1),
        "name": kw.pop("name", f"Product {sku}"),
        "sku": sku,
        "quantity": quantity,
        "quantity_shipped": shipped,
        "price_ex_tax": "10.0000",
        "price_inc_tax": "10.0000",
        "total_inc_tax": f"{10 * quantity}.0000",
        "product_options": kw.pop("options", []),
        **kw,
    }


def order_payload(
    order_id: int,
    *,
    status_id: int = 11,
    lines=None,
    shipping=None,
    billing=None,
    created: datetime | None = None,
    modified: datetime | None = None,
    **overrides,
) -> dict:
    created = created or T0
    modified = modified or created
    lines = [line()] if lines is None else lines
    if shipping is None:
        shipping = [{"id": 1, **address(), "shipping_method": "Flat Rate"}]
    for consignment in shipping:
        consignment.setdefault("line_items", [])
    for item in lines:
        target = next(
            (c for c in shipping if c["id"] == item["order_address_id"]),
            shipping[0] if shipping else None,
        )
        if target is not None:
            target["line_items"].append(item)
    payload = {
        "id": order_id,
        "customer_id": 7,
        "date_created": format_v2_date(created),
        "date_modified": format_v2_date(modified),
        "date_shipped": "",
        "status_id": status_id,
        "status": "Awaiting Fulfillment",
        "custom_status": "Awaiting Fulfillment",
        "subtotal_ex_tax": "10.0000",
        "subtotal_inc_tax": "10.0000",
        "shipping_cost_inc_tax": "5.0000",
        "total_ex_tax": "15.0000",
        "total_inc_tax": "15.0000",
        "total_tax": "0.0000",
        "items_total": sum(item["quantity"] for item in lines),
        "payment_method": "Credit Card",
        "payment_status": "captured",
        "customer_message": "",
        "staff_notes": "",
        "order_source": "www",
        "is_deleted": False,
        "order_is_digital": False,
        "currency_code": "USD",
        "billing_address": {**(billing or address()), "form_fields": []},
        "consignments": {
            "pickups": [],
            "shipping": shipping,
            "downloads": [],
            "email": {"gift_certificates": []},
        },
    }
    payload.update(overrides)
    return payload


# ----------------------------------------------------------------------------- importing


class Log(list):
    """An importer's log callback that keeps what it was told."""

    def __call__(self, message, level, bc_order_id):
        self.append((level, bc_order_id, message))

    def text(self):
        return "\n".join(m for _, _, m in self)


def importer(connection, log=None, **kwargs) -> OrderImporter:
    return OrderImporter(connection=connection, log=log, **kwargs)


def reserved(product) -> int:
    product.refresh_from_db()
    return product.reserved_by_orders


def open_order_error(connection, bc_order_id: int, **fields):
    """An open order error of the connection (as Order Import records one)."""
    from django.utils import timezone

    from orders.models import OrderError

    now = timezone.now()
    return OrderError.objects.create(
        connection=connection,
        bc_order_id=bc_order_id,
        code=OrderError.Code.UNKNOWN_SKU,
        message=f"Order {bc_order_id}: SKU GHOST-1 is not a hub product.",
        first_seen_at=now,
        last_seen_at=now,
        **fields,
    )


# ----------------------------------------------------------------------------- Order Import

PAGE = 250


def expected_ids(sandbox, statuses=(11, 5), **params):
    return {o["id"] for s in statuses for o in sandbox.get_all_orders(status_id=s, **params)}


def hub_ids(connection):
    return set(Order.objects.filter(connection=connection).values_list("bc_order_id", flat=True))


def error_ids(connection, open_only=True):
    errors = OrderError.objects.filter(connection=connection)
    if open_only:
        errors = errors.filter(resolved_at__isnull=True)
    return set(errors.values_list("bc_order_id", flat=True))


def floor(sandbox, statuses=(11, 5), **params):
    return sum(
        math.ceil(max(1, len(sandbox.get_all_orders(status_id=s, **params))) / PAGE)
        for s in statuses
    )


def requests_served(sandbox):
    return sandbox.stats()["by_store"].get(sandbox.store_hash, {}).get("endpoints", {})


def again(store, sandbox, contract, **kwargs) -> Run:
    """Another run with a fresh client (as the next scheduled run would have)."""
    return run_flow(store, client=client_for(sandbox, contract), **kwargs)
