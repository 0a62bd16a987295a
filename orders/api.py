"""REST endpoints for orders (`/api/v1/orders/`, `orders/{id}/shipments/`) and order errors
(`/api/v1/order-errors/`). Thin views: an input serializer validates, a service writes, an
output serializer answers.

Tenant isolation: every lookup goes through `orders_visible_to` / `order_errors_visible_to`,
so another tenant's order or error is a 404 whatever the method; the role check (403) only
happens on visible ones: viewers read, operators and managers also record shipments, retry,
ignore and re-import.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from connections.access import REFUSED, need_for, role_allows, tenant_membership
from connections.api import ServiceErrorsMixin, StandardPagination
from connections.permissions import ConnectionRolePermission
from connections.selectors import connections_visible_to

from .filters import OrderErrorFilter, OrderFilter
from .models import OrderError, OrderLine, Shipment, ShipmentLine
from .selectors import (
    order_detail,
    order_error_groups,
    order_error_list,
    order_errors_visible_to,
    order_list,
    orders_for_list,
    orders_visible_to,
)
from .serializers import (
    BulkIdsSerializer,
    BulkIgnoreInputSerializer,
    BulkResultSerializer,
    IgnoreInputSerializer,
    OrderDetailOutputSerializer,
    OrderErrorGroupOutputSerializer,
    OrderErrorOutputSerializer,
    OrderOutputSerializer,
    ShipmentCreateInputSerializer,
    ShipmentOutputSerializer,
)
from .services.errors import order_errors_ignore, order_errors_retry
from .services.fetch_requests import order_reimport
from .services.shipments import shipment_create

NOT_FOUND = OpenApiResponse(description="No such order (or error) among your tenants'.")
FORBIDDEN = OpenApiResponse(description="Your role in the tenant is read-only.")


def _require_role(request, connection, *, action: str) -> None:
    need = need_for(action)
    membership = tenant_membership(request, tenant=connection.tenant)
    if membership is None:
        raise exceptions.NotFound()
    if not role_allows(membership=membership, need=need):
        raise exceptions.PermissionDenied(REFUSED[need])


@extend_schema_view(
    list=extend_schema(summary="Orders of your tenants, newest first"),
)
class OrderViewSet(ServiceErrorsMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, ConnectionRolePermission]
    serializer_class = OrderOutputSerializer
    pagination_class = StandardPagination
    filterset_class = OrderFilter
    lookup_value_regex = r"\d+"
    required_roles = {"reimport": need_for("order.reimport")}

    def connection_of(self, order):
        return order.connection

    def get_queryset(self):
        queryset = orders_for_list(queryset=orders_visible_to(user=self.request.user))
        return queryset.order_by("-date_created", "-id")

    def list(self, request):
        # The one way to filter: the selector applies OrderFilter (filterset_class documents it).
        queryset = order_list(user=request.user, filters=request.query_params)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(OrderOutputSerializer(page, many=True).data)

    @extend_schema(
        summary="An order with its lines, addresses, shipments and errors",
        responses={200: OrderDetailOutputSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request, pk=None):
        order = self.get_object()
        detail = order_detail(queryset=orders_visible_to(user=request.user), pk=order.pk)
        return Response(OrderDetailOutputSerializer(detail).data)

    @extend_schema(
        summary="Re-import the order from BigCommerce (in the next Order Import run)",
        request=None,
        responses={202: OrderOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def reimport(self, request, pk=None):
        order = self.get_object()
        order_reimport(order=order)
        return Response(OrderOutputSerializer(order).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        methods=["GET"],
        summary="The order's shipments",
        responses={200: ShipmentOutputSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a shipment the warehouse sent (Order Update reports it to BigCommerce)",
        description="The lines must belong to the order, go to one shipping address and not "
        "ship more than is still open; the carrier is a BigCommerce tracking carrier code. "
        "Without `lines`, everything still open is shipped.",
        request=ShipmentCreateInputSerializer,
        responses={201: ShipmentOutputSerializer, 400: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def shipments(self, request, pk=None):
        order = self.get_object()
        if request.method == "GET":
            return Response(ShipmentOutputSerializer(_shipments(order=order), many=True).data)
        _require_role(request, order.connection, action="order.shipment_create")
        serializer = ShipmentCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lines = None
        if "lines" in data:
            lines = _line_ids(order=order, items=data["lines"])
        shipment = shipment_create(
            order=order,
            lines=lines,
            tracking_number=data["tracking_number"],
            tracking_carrier=data["tracking_carrier"],
            shipping_method=data["shipping_method"],
            comments=data["comments"],
            user=request.user,
        )
        shipment = _shipments(order=order).get(pk=shipment.pk)
        return Response(ShipmentOutputSerializer(shipment).data, status=status.HTTP_201_CREATED)


def _shipments(*, order):
    lines = Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line"))
    return Shipment.objects.filter(order=order).prefetch_related(lines).order_by("id")


def _line_ids(*, order, items) -> list[tuple[int, int]]:
    """(hub line id, quantity) from items naming `line` or `order_product_id`."""
    by_bc_id = dict(OrderLine.objects.filter(order=order).values_list("bc_line_id", "pk"))
    lines, unknown = [], []
    for item in items:
        if "line" in item:
            lines.append((item["line"], item["quantity"]))
        elif item["order_product_id"] in by_bc_id:
            lines.append((by_bc_id[item["order_product_id"]], item["quantity"]))
        else:
            unknown.append(
                f"Order product {item['order_product_id']} is not a line of order "
                f"{order.bc_order_id}."
            )
    if unknown:
        raise exceptions.ValidationError({"lines": unknown})
    return lines


@extend_schema_view(
    list=extend_schema(summary="Order errors of your tenants, most recently seen first"),
    retrieve=extend_schema(summary="An order error"),
)
class OrderErrorViewSet(
    ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsAuthenticated, ConnectionRolePermission]
    serializer_class = OrderErrorOutputSerializer
    pagination_class = StandardPagination
    filterset_class = OrderErrorFilter
    lookup_value_regex = r"\d+"
    required_roles = {action: need_for(f"order_error.{action}") for action in ("retry", "ignore")}

    def connection_of(self, error):
        return error.connection

    def get_queryset(self):
        return (
            order_errors_visible_to(user=self.request.user)
            .select_related("connection")
            .defer("connection__access_token")
            .order_by("-last_seen_at", "-id")
        )

    def list(self, request):
        # The one way to filter: the selector applies OrderErrorFilter (filterset_class
        # documents it).
        queryset = order_error_list(user=request.user, filters=request.query_params)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(OrderErrorOutputSerializer(page, many=True).data)

    @extend_schema(
        summary="Order errors grouped by cause, blocking first (the list's filters apply)",
        responses=OrderErrorGroupOutputSerializer(many=True),
        filters=True,
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def groups(self, request):
        queryset = order_error_list(user=request.user, filters=request.query_params)
        groups = order_error_groups(queryset=queryset)
        return Response(OrderErrorGroupOutputSerializer(groups, many=True).data)

    def _open(self, error: OrderError) -> OrderError:
        if error.resolved_at is not None:
            raise exceptions.ValidationError(
                {"non_field_errors": [f"This error is {error.state} already."]}
            )
        return error

    @extend_schema(
        summary="Retry an error after its cause was fixed",
        description="An import error fetches its order again in the next Order Import run "
        "(queued now); a rejected shipment is sent again by the next Order Update. The error "
        "resolves itself when that succeeds.",
        request=None,
        responses={202: OrderErrorOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def retry(self, request, pk=None):
        error = self._open(self.get_object())
        order_errors_retry(errors=[error])
        error.refresh_from_db()
        return Response(OrderErrorOutputSerializer(error).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Ignore an error, with the reason",
        request=IgnoreInputSerializer,
        responses={200: OrderErrorOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def ignore(self, request, pk=None):
        error = self._open(self.get_object())
        serializer = IgnoreInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_errors_ignore(
            errors=[error], reason=serializer.validated_data["reason"], user=request.user
        )
        error.refresh_from_db()
        return Response(OrderErrorOutputSerializer(error).data)

    def _selected(self, data, *, action: str):
        queryset = self.get_queryset().filter(resolved_at__isnull=True)
        if data.get("ids"):
            ids = set(data["ids"])
            errors = list(self.get_queryset().filter(pk__in=ids))
            if len(errors) != len(ids):
                raise exceptions.NotFound("No such order error among your tenants'.")
            errors = [e for e in errors if e.resolved_at is None]
        else:
            connection = (
                connections_visible_to(user=self.request.user)
                .select_related("tenant")
                .filter(pk=data["connection"])
                .first()
            )
            if connection is None:
                raise exceptions.NotFound("No such connection among your tenants'.")
            _require_role(self.request, connection, action=action)
            queryset = queryset.filter(connection_id=data["connection"])
            if data.get("code"):
                queryset = queryset.filter(code=data["code"])
            errors = list(queryset[: BulkIdsSerializer().fields["ids"].max_length])
        for connection in {e.connection_id: e.connection for e in errors}.values():
            _require_role(self.request, connection, action=action)
        return errors

    @extend_schema(
        summary="Retry several errors at once (by ids, or a connection's open errors)",
        operation_id="order_errors_bulk_retry",
        request=BulkIdsSerializer,
        responses={202: BulkResultSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="retry",
        url_name="bulk-retry",
        pagination_class=None,
        filter_backends=[],
    )
    def bulk_retry(self, request):
        serializer = BulkIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = order_errors_retry(
            errors=self._selected(serializer.validated_data, action="order_error.retry")
        )
        return Response({"count": count}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Ignore several errors at once, with one reason",
        operation_id="order_errors_bulk_ignore",
        request=BulkIgnoreInputSerializer,
        responses={200: BulkResultSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="ignore",
        url_name="bulk-ignore",
        pagination_class=None,
        filter_backends=[],
    )
    def bulk_ignore(self, request):
        serializer = BulkIgnoreInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = order_errors_ignore(
            errors=self._selected(serializer.validated_data, action="order_error.ignore"),
            reason=serializer.validated_data["reason"],
            user=request.user,
        )
        return Response({"count": count})
