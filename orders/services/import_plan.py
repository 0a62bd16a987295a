"""What one page of an Order Import plans before it writes: the columns it writes, the new
orders (plain column values, cheaper than model instances), the changed ones, the errors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..models import Order, OrderLine
from ..normalize import ADDRESS_FIELDS, NormalizedOrder

# A log callback: (message, level, BigCommerce order id). Flows pass one writing to the run log.
LogFn = Callable[[str, str, int | None], None]

INFO, WARNING, ERROR = "info", "warning", "error"

ORDER_SCALARS = (
    "status_id",
    "status_name",
    "email",
    "bc_customer_id",
    "date_shipped",
    "currency_code",
    "subtotal_ex_tax",
    "subtotal_inc_tax",
    "shipping_cost_inc_tax",
    "total_tax",
    "total_ex_tax",
    "total_inc_tax",
    "items_total",
    "payment_method",
    "payment_status",
    "customer_message",
    "staff_notes",
    "order_source",
)
ORDER_UPDATE_FIELDS = (
    *ORDER_SCALARS,
    "customer",
    "hub_status",
    "is_archived",
    "date_modified",
    "raw",
    "source_hash",
    "content_hash",
    "updated_at",
)
LINE_FIELDS = (
    "bc_product_id",
    "bc_variant_id",
    "bc_address_id",
    "sku",
    "name",
    "options",
    "quantity",
    "quantity_shipped",
    "price_ex_tax",
    "price_inc_tax",
    "total_inc_tax",
    "product",
)
ADDRESS_MODEL_FIELDS = (*ADDRESS_FIELDS, "shipping_method")
ORDER_INSERT_COLUMNS = (
    "tenant_id",
    "connection_id",
    "customer_id",
    "bc_order_id",
    *ORDER_SCALARS,
    "hub_status",
    "is_archived",
    "date_created",
    "date_modified",
    "raw",
    "source_hash",
    "content_hash",
    "imported_at",
    "updated_at",
)
ORDER_UPSERT_COLUMNS = tuple(
    c
    for c in ORDER_INSERT_COLUMNS
    if c not in ("tenant_id", "connection_id", "bc_order_id") and c != "imported_at"
)
LINE_COLUMNS = (
    "order_id",
    "bc_line_id",
    *(f"{f}_id" if f == "product" else f for f in LINE_FIELDS),
)
ADDRESS_COLUMNS = ("order_id", "kind", "bc_address_id", *ADDRESS_MODEL_FIELDS)


class NewOrder:
    """An order about to be inserted: its column values (cheaper than a model instance)."""

    __slots__ = ("pk", *ORDER_INSERT_COLUMNS)

    def __init__(self, **values):
        self.pk = None
        for name, value in values.items():
            setattr(self, name, value)


@dataclass
class PageResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    unreadable: int = 0

    def add(self, other: PageResult) -> PageResult:
        for name in ("created", "updated", "skipped", "failed", "unreadable"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


@dataclass
class ErrorState:
    order: Order | None
    evaluated: tuple[str, ...]
    present: dict[str, str]
    note: str


@dataclass
class Page:
    # (BigCommerce's version, the hub order, hub product per line, shipped quantities the
    # hub's lines had by BigCommerce line id)
    new: list[tuple[NormalizedOrder, Order, list[int | None], dict]] = field(default_factory=list)
    changed: list[Order] = field(default_factory=list)
    content: list[tuple[NormalizedOrder, Order, list[int | None], dict]] = field(
        default_factory=list
    )
    line_updates: list[OrderLine] = field(default_factory=list)
    customers: dict[str, NormalizedOrder] = field(default_factory=dict)
    customer_orders: list[tuple[Order, str]] = field(default_factory=list)
    errors: dict[int, ErrorState] = field(default_factory=dict)
    product_ids: set[int] = field(default_factory=set)  # to recount
    added: Counter = field(default_factory=Counter)  # reserved by new orders' lines
