"""REST endpoints for connections (`/api/v1/connections/`). Thin views: the input serializer
validates, a service writes, the output serializer answers.

Tenant isolation: every lookup goes through `connections_visible_to`, so another tenant's
connection is a 404 whatever the method; the role check (403) only happens on visible ones.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings

from . import services
from .access import need_for, role_allows
from .bigcommerce.errors import BigCommerceError
from .filters import ConnectionFilter
from .models import Connection
from .permissions import ConnectionRolePermission
from .selectors import connection_list, membership_for
from .serializers import (
    ConnectionCreateInputSerializer,
    ConnectionOutputSerializer,
    ConnectionUpdateInputSerializer,
)


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        # A page_size that is not a whole number >= 1 (null, -5) is refused, never ignored.
        value = request.query_params.get(self.page_size_query_param)
        if value is not None and not (value.isascii() and value.isdigit() and int(value) >= 1):
            raise exceptions.ValidationError(
                {"page_size": [f"Give a whole number from 1 to {self.max_page_size}."]}
            )
        return super().get_page_size(request)


class ServiceErrorsMixin:
    """A service's django ValidationError becomes a 400 with the same field keys and messages
    (errors without a field go under `non_field_errors`). A BigCommerce error that escaped the
    service (the store failing while the credentials are checked) is a 400 too: the service's
    transaction was rolled back, so nothing was saved."""

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError(detail=as_serializer_error(exc))
        elif isinstance(exc, BigCommerceError):
            exc = exceptions.ValidationError(
                detail={
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        f"The store could not be checked: {exc} Nothing was saved; "
                        "try again in a few minutes."
                    ]
                }
            )
        return super().handle_exception(exc)


NOT_FOUND = OpenApiResponse(description="No such connection among your tenants'.")
FORBIDDEN = OpenApiResponse(description="Your role in the connection's tenant does not allow it.")


@extend_schema_view(
    list=extend_schema(summary="List the connections of your tenants"),
    retrieve=extend_schema(summary="A connection", responses={200: ConnectionOutputSerializer}),
)
class ConnectionViewSet(ServiceErrorsMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, ConnectionRolePermission]
    serializer_class = ConnectionOutputSerializer
    pagination_class = StandardPagination
    filterset_class = ConnectionFilter
    lookup_value_regex = r"\d+"
    required_roles = {
        "create": need_for("connection.create"),
        # name, credentials and settings: each needs a manager
        "partial_update": need_for("connection.settings"),
        "destroy": need_for("connection.delete"),
        "enable": need_for("connection.enable"),
        "disable": need_for("connection.disable"),
    }

    def get_queryset(self):
        return connection_list(user=self.request.user).order_by("name", "id")

    def _output(self, connection: Connection, *, status_code=status.HTTP_200_OK) -> Response:
        return Response(ConnectionOutputSerializer(connection).data, status=status_code)

    def _reloaded(self, connection: Connection) -> Connection:
        return self.get_queryset().get(pk=connection.pk)

    def list(self, request):
        # Filtered once, by the selector (filterset_class documents the parameters).
        queryset = connection_list(
            user=request.user, filters=request.query_params, strict=True
        ).order_by("name", "id")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ConnectionOutputSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self._output(self.get_object())

    @extend_schema(
        summary="Create a connection (the credentials are checked with the store)",
        request=ConnectionCreateInputSerializer,
        responses={201: ConnectionOutputSerializer, 403: FORBIDDEN},
    )
    def create(self, request):
        serializer = ConnectionCreateInputSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        tenant = data.pop("tenant")
        if not role_allows(
            membership=membership_for(user=request.user, tenant=tenant),
            need=need_for("connection.create"),
        ):
            raise exceptions.PermissionDenied(ConnectionRolePermission.message)
        connection = services.connection_create(tenant=tenant, user=request.user, **data)
        return self._output(self._reloaded(connection), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a connection's name, credentials or settings",
        request=ConnectionUpdateInputSerializer,
        responses={200: ConnectionOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request, pk=None):
        connection = self.get_object()
        serializer = ConnectionUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if connection.status == Connection.Status.DELETING:
            raise exceptions.ValidationError(
                {"non_field_errors": ["This connection is being deleted."]}
            )
        connection = services.connection_update(
            connection=connection, user=request.user, **serializer.validated_data
        )
        return self._output(connection)

    @extend_schema(
        summary="Delete a connection (in the background)",
        description="Marks the connection 'deleting' and removes it and everything that belongs "
        "to it in a background task; until then it is listed with status 'deleting'.",
        responses={202: ConnectionOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def destroy(self, request, pk=None):
        connection = self.get_object()
        if connection.status != Connection.Status.DELETING:
            services.connection_delete_start(connection=connection, user=request.user)
        return self._output(connection, status_code=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="ENABLE: make the connection active and restore its schedules",
        request=None,
        responses={200: ConnectionOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def enable(self, request, pk=None):
        connection = services.connection_set_active(
            connection=self.get_object(), active=True, user=request.user
        )
        return self._output(connection)

    @extend_schema(
        summary="DISABLE: make the connection inactive and stop its schedules",
        request=None,
        responses={200: ConnectionOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def disable(self, request, pk=None):
        connection = services.connection_set_active(
            connection=self.get_object(), active=False, user=request.user
        )
        return self._output(connection)
