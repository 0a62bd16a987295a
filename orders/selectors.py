"""Reads of the orders app. Everything a user sees goes through `*_visible_to`, so that another
tenant's orders and errors are never found (a 404 in the API and the screens)."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from connections.bigcommerce.statuses import OrderStatus, status_label
from connections.models import Connection
from connections.selectors import (
    connections_visible_to,
    tenant_visible_filter,
    tenants_for_user,
)
from dataflows.models import LogEntry

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


def order_error_list(*, user, filters=None, tenant=None) -> QuerySet[OrderError]:
    """The order errors the user may see (of `tenant` when given), filtered by
    `OrderErrorFilter`, most recently seen first."""
    queryset = order_errors_visible_to(user=user, tenant=tenant)
    queryset = _filtered(OrderErrorFilter, filters, queryset)
    return (
        queryset.select_related("connection", "order")
        .defer("connection__access_token", "order__raw")
        .order_by("-last_seen_at", "-id")
    )


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


def shipments_pending(*, connection: Connection) -> QuerySet[Shipment]:
    """Shipments Order Update still has to send, oldest first, with what their POST needs."""
    return (
        Shipment.objects.filter(order__connection=connection, status=Shipment.Status.PENDING)
        .select_related("order")
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line"))
        )
        .order_by("order_id", "id")
    )


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
