"""REST endpoints for dataflows (`/api/v1/connections/{id}/dataflows/`), runs (`/api/v1/runs/`)
and run logs (`/api/v1/runs/{id}/logs/`). Everything is reached through a connection visible
to the user, so another tenant's dataflow, run or log is a 404."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, views, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from connections.access import REFUSED, need_for
from connections.api import FORBIDDEN, NOT_FOUND, ServiceErrorsMixin, StandardPagination
from connections.audit import Action, audit_record
from connections.models import Connection
from connections.permissions import ConnectionRolePermission, check_connection_role
from connections.selectors import connections_visible_to

from .filters import LogEntryFilter, RunFilter
from .models import Dataflow, LogEntry, Run
from .options import dataflow_update_need
from .registry import kind_choices
from .selectors import dataflows_with_last_run, log_entry_list, run_list, runs_visible_to
from .serializers import (
    DataflowOutputSerializer,
    DataflowUpdateInputSerializer,
    LogEntryOutputSerializer,
    RunOutputSerializer,
)
from .services import connection_synchronize, dataflow_update

CONNECTION_ID = OpenApiParameter(
    "connection_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Connection id"
)
KIND = OpenApiParameter(
    "kind",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=[kind for kind, _ in kind_choices()],
    description="Flow kind",
)
RUN_ID = OpenApiParameter("run_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Run id")


@extend_schema(parameters=[CONNECTION_ID])
class DataflowViewSet(ServiceErrorsMixin, viewsets.GenericViewSet):
    """A connection's dataflows: one per kind, each enabled and scheduled on its own."""

    permission_classes = [IsAuthenticated, ConnectionRolePermission]
    serializer_class = DataflowOutputSerializer
    pagination_class = None
    filter_backends = []
    lookup_field = "kind"
    lookup_value_regex = "[a-z_]+"
    # The least a change needs; what the change touches may need more (dataflow_update_need).
    required_roles = {"partial_update": need_for("dataflow.enabled")}

    def get_connection(self) -> Connection:
        if not hasattr(self, "_connection"):
            connection = get_object_or_404(
                connections_visible_to(user=self.request.user).select_related("tenant"),
                pk=self.kwargs["connection_pk"],
            )
            self.check_object_permissions(self.request, connection)
            self._connection = connection
        return self._connection

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Dataflow.objects.none()
        return dataflows_with_last_run(connection=self.get_connection())

    @extend_schema(summary="The connection's dataflows, with their last run")
    def list(self, request, connection_pk=None):
        return Response(DataflowOutputSerializer(self.get_queryset(), many=True).data)

    @extend_schema(
        summary="Enable, disable or reschedule a dataflow",
        parameters=[KIND],
        request=DataflowUpdateInputSerializer,
        responses={
            200: DataflowOutputSerializer,
            403: OpenApiResponse(
                description="Viewers cannot change dataflows; only managers change options."
            ),
            404: OpenApiResponse(
                description="No such connection among your tenants', or no dataflow of that kind."
            ),
        },
    )
    def partial_update(self, request, connection_pk=None, kind=None):
        dataflow = get_object_or_404(self.get_queryset(), kind=kind)
        serializer = DataflowUpdateInputSerializer(data=request.data, context={"kind": kind})
        serializer.is_valid(raise_exception=True)
        need = dataflow_update_need(dataflow=dataflow, **serializer.validated_data)
        if not check_connection_role(request, connection=dataflow.connection, need=need):
            raise exceptions.PermissionDenied(REFUSED[need])
        dataflow_update(dataflow=dataflow, **serializer.validated_data)
        dataflow = self.get_queryset().get(pk=dataflow.pk)
        return Response(DataflowOutputSerializer(dataflow).data)


class RunViewSet(ServiceErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """Executions of dataflows, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = RunOutputSerializer
    pagination_class = StandardPagination
    filterset_class = RunFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return run_list(user=self.request.user)

    @extend_schema(summary="Runs of your tenants' dataflows, newest first")
    def list(self, request, *args, **kwargs):
        # Filtered once, by the selector (filterset_class documents the parameters).
        runs = run_list(user=request.user, filters=request.query_params, strict=True)
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="A run")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(parameters=[RUN_ID])
class RunLogViewSet(ServiceErrorsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A run's log entries in the order they were written."""

    permission_classes = [IsAuthenticated]
    serializer_class = LogEntryOutputSerializer
    pagination_class = StandardPagination
    filterset_class = LogEntryFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LogEntry.objects.none()
        run = get_object_or_404(runs_visible_to(user=self.request.user), pk=self.kwargs["run_pk"])
        return log_entry_list(run=run)

    @extend_schema(summary="A run's log entries")
    def list(self, request, *args, **kwargs):
        run = get_object_or_404(runs_visible_to(user=request.user), pk=self.kwargs["run_pk"])
        entries = log_entry_list(run=run, filters=request.query_params, strict=True)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ConnectionSynchronizeView(ServiceErrorsMixin, views.APIView):
    """SYNCHRONIZE through REST (`POST /api/v1/connections/{id}/synchronize/`)."""

    permission_classes = [IsAuthenticated, ConnectionRolePermission]
    required_roles = {"synchronize": need_for("connection.synchronize")}
    action = "synchronize"
    queryset = Connection.objects.none()  # for the schema: the path's `pk` is a connection id

    @extend_schema(
        summary="SYNCHRONIZE: queue every enabled dataflow now",
        request=None,
        responses={202: RunOutputSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
        tags=["connections"],
    )
    def post(self, request, pk: int):
        connection = get_object_or_404(
            connections_visible_to(user=request.user).select_related("tenant"), pk=pk
        )
        self.check_object_permissions(request, connection)
        runs = connection_synchronize(connection=connection)
        audit_record(
            action=Action.SYNCHRONIZED,
            connection=connection,
            user=request.user,
            details={"runs": [run.pk for run in runs]},
        )
        runs = Run.objects.filter(pk__in=[run.pk for run in runs]).select_related("dataflow")
        return Response(
            RunOutputSerializer(runs.order_by("id"), many=True).data,
            status=status.HTTP_202_ACCEPTED,
        )
