"""REST serializers for dataflows, runs and their log entries (input and output kept apart)."""

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from connections.models import Connection

from .models import Dataflow, LogEntry, Run
from .options import dataflow_options_validate
from .registry import kind_choices
from .services import MAX_INTERVAL_S, MIN_INTERVAL_S


@extend_schema_serializer(component_name="Run")
class RunOutputSerializer(serializers.ModelSerializer):
    """One execution of a dataflow: its trigger, status, counts and API requests used."""

    connection = serializers.IntegerField(source="dataflow.connection_id", read_only=True)
    kind = serializers.ChoiceField(source="dataflow.kind", choices=kind_choices(), read_only=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "connection",
            "dataflow",
            "kind",
            "trigger",
            "status",
            "queued_at",
            "started_at",
            "finished_at",
            "fetched",
            "created",
            "updated",
            "skipped",
            "failed",
            "api_requests",
            "progress_done",
            "progress_total",
            "error_message",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="LogEntry")
class LogEntryOutputSerializer(serializers.ModelSerializer):
    """A line of a run's log, usually about one record (its kind and BigCommerce id)."""

    class Meta:
        model = LogEntry
        fields = ["id", "run", "created_at", "level", "object_kind", "object_id", "message"]
        read_only_fields = fields


@extend_schema_serializer(component_name="Dataflow")
class DataflowOutputSerializer(serializers.ModelSerializer):
    """One dataflow of a connection (one per kind), its schedule and its newest run."""

    # Expects `connection` and `periodic_task` selected and the newest run prefetched into
    # `latest_runs` (see dataflows.api); falls back to a query per dataflow otherwise.

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    scheduled = serializers.SerializerMethodField(
        help_text="Runs on its schedule now: enabled, on an active connection."
    )
    next_run_at = serializers.SerializerMethodField(
        help_text="Estimated time of the next scheduled run; null when not scheduled or "
        "before the schedule first ran."
    )
    last_run = serializers.SerializerMethodField()
    last_failure = serializers.SerializerMethodField(
        help_text="The newest failed run (null when none failed)."
    )
    consecutive_failures = serializers.SerializerMethodField(
        help_text="Failed runs since the last one that succeeded (0 when the last run did)."
    )

    class Meta:
        model = Dataflow
        fields = [
            "id",
            "connection",
            "kind",
            "kind_label",
            "enabled",
            "interval_seconds",
            "options",
            "scheduled",
            "next_run_at",
            "last_run",
            "last_failure",
            "consecutive_failures",
        ]
        read_only_fields = fields

    def get_scheduled(self, dataflow: Dataflow) -> bool:
        return dataflow.enabled and dataflow.connection.status == Connection.Status.ACTIVE

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_run_at(self, dataflow: Dataflow):
        task = dataflow.periodic_task
        if not self.get_scheduled(dataflow) or task is None or task.last_run_at is None:
            return None
        next_run = task.last_run_at + timedelta(seconds=dataflow.interval_seconds)
        return serializers.DateTimeField().to_representation(next_run)

    @extend_schema_field(RunOutputSerializer(allow_null=True))
    def get_last_run(self, dataflow: Dataflow):
        runs = getattr(dataflow, "latest_runs", None)
        if runs is None:  # not prefetched
            runs = list(dataflow.runs.order_by("-queued_at", "-id")[:1])
        return RunOutputSerializer(runs[0]).data if runs else None

    @extend_schema_field(RunOutputSerializer(allow_null=True))
    def get_last_failure(self, dataflow: Dataflow):
        runs = getattr(dataflow, "latest_failures", None)
        if runs is None:  # not prefetched
            failed = dataflow.runs.filter(status=Run.Status.FAILED)
            runs = list(failed.order_by("-queued_at", "-id")[:1])
        return RunOutputSerializer(runs[0]).data if runs else None

    def get_consecutive_failures(self, dataflow: Dataflow) -> int:
        count = getattr(dataflow, "consecutive_failures", None)
        if count is None:  # not annotated
            done = dataflow.runs.filter(status__in=(Run.Status.SUCCEEDED, Run.Status.PARTIAL))
            last_done = done.order_by("-queued_at", "-id").values_list("queued_at", flat=True)
            since = last_done.first()
            failed = dataflow.runs.filter(status=Run.Status.FAILED)
            count = (failed.filter(queued_at__gt=since) if since else failed).count()
        return count


class DataflowUpdateInputSerializer(serializers.Serializer):
    """Enable or disable a dataflow, change its schedule or its flow-specific options (checked
    by the flow's own rules: the context's `kind` names it)."""

    enabled = serializers.BooleanField(required=False)
    interval_seconds = serializers.IntegerField(
        min_value=MIN_INTERVAL_S,
        max_value=MAX_INTERVAL_S,
        required=False,
        help_text="Seconds between scheduled runs (60 to 31 days).",
    )
    options = serializers.DictField(
        required=False,
        help_text="Flow-specific settings, a JSON object (at most 50 keys, 10 KB); replaces "
        "the old one. Changing them needs the manager role.",
    )

    def validate_options(self, value):
        try:
            return dataflow_options_validate(kind=self.context["kind"], options=value)
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"options": exc.messages}
            raise serializers.ValidationError(
                [" ".join(msg for msgs in detail.values() for msg in msgs)]
            ) from None
