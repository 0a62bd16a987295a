"""Reads of the orders app. Everything a user sees goes through `*_visible_to`, so that another
tenant's orders and errors are never found (a 404 in the API and the screens)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from connections.bigcommerce.statuses import OrderStatus, status_label
from connections.models import Connection
from connections.selectors import (
    connections_visible_to,
    tenant_visible_filter,
    tenants_for_user,
)
from dataflows.models import LogEntry

from . import error_causes
from .filters import OrderErrorFilter, OrderFilter
from .models import Address, Order, OrderError, OrderLine, Shipment, ShipmentLine


def orders_visible_to(*, user, tenant=None) -> QuerySet[Order]:
    """`tenant`: only its orders, the user's membership checked by a correlated EXISTS, so
    that the (tenant, newest first, id) index gives a page in order without a sort."""
    if tenant is not None:
        return Order.objects.filter(tenant_visible_filter(user=user), tenant=tenant)
    return Order.objects.filter(tenant__in=tenants_for_user(user=user))


def order_errors_visible_to(*, user, tenant=None) -> QuerySet[OrderError]:
    if tenant is not None:
        return OrderError.objects.filter(
            tenant_visible_filter(user=user, tenant_field="connection__tenant"),
            connection__tenant=tenant,
        )
    return OrderError.objects.filter(connection__in=connections_visible_to(user=user))


def orders_for_list(*, queryset: QuerySet[Order]) -> QuerySet[Order]:
    """What the order lists show, in a fixed number of queries whatever the page size:
    connection and customer joined, open errors, shipments and lines counted by subqueries;
    the raw payload left out."""
    open_errors = OrderError.objects.filter(order=OuterRef("pk"), resolved_at__isnull=True)
    shipments = (
        Shipment.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    lines = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        queryset.select_related("connection", "customer")
        .defer("raw", "connection__access_token")
        .annotate(
            has_errors=Exists(open_errors),
            shipment_count=Coalesce(Subquery(shipments, output_field=IntegerField()), 0),
            line_count=Coalesce(Subquery(lines, output_field=IntegerField()), 0),
        )
    )


def _filtered(filterset_class, filters, queryset):
    filterset = filterset_class(filters or {}, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(
            {field: [str(m) for m in messages] for field, messages in filterset.errors.items()}
        )
    return filterset.qs


def order_list(*, user, filters=None, tenant=None) -> QuerySet[Order]:
    """The orders the user may see (of `tenant` when given), filtered by `OrderFilter` (a
    ValidationError names a filter value that is not valid), newest first, as lists show them."""
    queryset = orders_visible_to(user=user, tenant=tenant)
    queryset = _filtered(OrderFilter, filters, orders_for_list(queryset=queryset))
    return queryset.order_by("-date_created", "-id")


def order_error_list(
    *, user, filters=None, tenant=None, blocking_first: bool = False
) -> QuerySet[OrderError]:
    """The order errors the user may see (of `tenant` when given), filtered by
    `OrderErrorFilter`, most recently seen first (blocking ones before warnings when asked)."""
    queryset = order_errors_visible_to(user=user, tenant=tenant)
    queryset = _filtered(OrderErrorFilter, filters, queryset)
    order = ("-last_seen_at", "-id")
    if blocking_first:
        queryset = queryset.annotate(
            warning=Case(
                When(code__in=error_causes.BLOCKING_CODES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        order = ("warning", *order)
    return (
        queryset.select_related("connection", "order")
        .defer("connection__access_token", "order__raw")
        .order_by(*order)
    )


@dataclass
class SkuGroup:
    sku: str
    errors: int = 0


@dataclass
class ErrorGroup:
    """The errors of one cause (code) in a filtered list."""

    code: str
    label: str
    severity: str
    errors: int
    orders: int
    open: int
    retrying: int
    cause: error_causes.Cause
    skus: list[SkuGroup] = field(default_factory=list)

    @property
    def is_blocking(self) -> bool:
        return self.severity == error_causes.BLOCKING


def order_error_groups(*, queryset: QuerySet[OrderError]) -> list[ErrorGroup]:
    """The errors of `queryset` grouped by cause, blocking causes first, the largest first;
    unknown SKUs and tracking off grouped by SKU too (most errors first). Two queries, whatever
    the number of errors."""
    queryset = queryset.order_by()
    rows = queryset.values("code").annotate(
        n=Count("id"),
        orders=Count("bc_order_id", distinct=True),
        open=Count("id", filter=Q(resolved_at__isnull=True)),
        retrying=Count("id", filter=Q(resolved_at__isnull=True, retry_requested_at__isnull=False)),
    )
    labels = dict(OrderError.Code.choices)
    groups = {
        row["code"]: ErrorGroup(
            code=row["code"],
            label=labels.get(row["code"], row["code"]),
            severity=error_causes.severity_of(row["code"]),
            errors=row["n"],
            orders=row["orders"],
            open=row["open"],
            retrying=row["retrying"],
            cause=error_causes.CAUSES.get(row["code"], error_causes.Cause("", "")),
        )
        for row in rows
    }
    by_sku = [code for code in error_causes.BY_SKU if code in groups]
    if by_sku:
        skus: dict[str, dict[str, SkuGroup]] = {code: {} for code in by_sku}
        messages = queryset.filter(code__in=by_sku).values_list("code", "message")
        for code, message in messages.iterator(chunk_size=2000):
            for sku in error_causes.skus_in(message):
                skus[code].setdefault(sku, SkuGroup(sku=sku)).errors += 1
        for code, found in skus.items():
            groups[code].skus = sorted(found.values(), key=lambda g: (-g.errors, g.sku))
    return sorted(groups.values(), key=lambda g: (not g.is_blocking, -g.errors, g.code))


def order_detail(*, queryset: QuerySet[Order], pk: int) -> Order:
    """One order with its lines (and their products), addresses, shipments (with lines) and
    errors, each fetched once."""
    return (
        orders_for_list(queryset=queryset)
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
            Prefetch("addresses", queryset=Address.objects.all()),
            Prefetch(
                "shipments",
                queryset=Shipment.objects.prefetch_related(
                    Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line"))
                ).select_related("created_by"),
            ),
            Prefetch(
                "errors", queryset=OrderError.objects.order_by("resolved_at", "-last_seen_at")
            ),
        )
        .get(pk=pk)
    )


def order_log_entries(*, order: Order) -> QuerySet[LogEntry]:
    """The log entries of every run of the order's connection that touched it, newest first."""
    return (
        LogEntry.objects.filter(
            object_kind="order",
            object_id=str(order.bc_order_id),
            run__dataflow__connection_id=order.connection_id,
        )
        .select_related("run__dataflow")
        .order_by("-id")
    )


@dataclass
class PendingShipment:
    """A shipment Order Update has to send, as plain values (a run may hold many thousand)."""

    pk: int
    order_id: int
    bc_order_id: int
    order_hub_status: str
    order_status_id: int
    bc_address_id: int
    tracking_number: str
    tracking_carrier: str
    shipping_method: str
    comments: str
    needs_check: bool
    attempts: int
    items: list[tuple[int, int]] = field(default_factory=list)  # (BC line id, quantity)
    bc_shipment_id: int | None = None


def shipments_pending(*, connection: Connection) -> list[PendingShipment]:
    """Shipments Order Update still has to send, oldest first, with what their POST needs
    (two queries of plain values: model instances would cost more than the sending)."""
    rows = (
        Shipment.objects.filter(order__connection=connection, status=Shipment.Status.PENDING)
        .order_by("order_id", "id")
        .values_list(
            "pk",
            "order_id",
            "order__bc_order_id",
            "order__hub_status",
            "order__status_id",
            "bc_address_id",
            "tracking_number",
            "tracking_carrier",
            "shipping_method",
            "comments",
            "needs_check",
            "attempts",
        )
    )
    pending = {row[0]: PendingShipment(*row) for row in rows}
    lines = (
        ShipmentLine.objects.filter(
            shipment__order__connection=connection, shipment__status=Shipment.Status.PENDING
        )
        .order_by("shipment_id", "id")
        .values_list("shipment_id", "order_line__bc_line_id", "quantity")
    )
    for shipment_id, bc_line_id, quantity in lines:
        if shipment_id in pending:  # not one recorded since the first query
            pending[shipment_id].items.append((bc_line_id, quantity))
    return list(pending.values())


def open_error_count(*, connection: Connection) -> int:
    return OrderError.objects.filter(connection=connection, resolved_at__isnull=True).count()


def order_status_choices(*, connections) -> list[tuple[int, str]]:
    """(status id, "id · label") for every BigCommerce status, in the stores' own labels (the
    labels of several stores joined when they differ), as the order tables show them."""
    choices = []
    for status in OrderStatus:
        labels = dict.fromkeys(
            status_label(status, connection.order_status_labels) for connection in connections
        ) or {status.default_label: None}
        choices.append((int(status), f"{int(status)} · {' / '.join(labels)}"))
    return choices
