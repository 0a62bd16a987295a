from django.db import models
from django_celery_beat.models import PeriodicTask

from connections.models import Connection

from .registry import kind_choices


class Dataflow(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="dataflows")
    # The kinds the apps registered (dataflows.registry): a callable, so no list of them here.
    kind = models.CharField(max_length=32, choices=kind_choices)
    enabled = models.BooleanField(default=True)
    interval_seconds = models.PositiveIntegerField(default=300)
    periodic_task = models.OneToOneField(
        PeriodicTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Flow state between runs (e.g. the order import's date_modified cursor).
    cursor = models.JSONField(default=dict, blank=True)
    # Flow-specific settings (e.g. "only orders created within the last X days").
    options = models.JSONField(default=dict, blank=True)
    # The lease: who runs this dataflow now, until when. Claimed with a conditional UPDATE.
    lease_run = models.ForeignKey(
        "Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["connection_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "kind"], name="one_dataflow_per_kind")
        ]

    def __str__(self):
        return f"{self.connection} · {self.get_kind_display()}"


class Run(models.Model):
    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        SYNCHRONIZE = "synchronize", "Synchronize"
        WEBHOOK = "webhook", "Webhook"
        RETRY = "retry", "Manual retry"
        STOCK_CHANGE = "stock_change", "Stock change"
        MANUAL = "manual", "Manual"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        PARTIAL = "partial", "Partial"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.PARTIAL)

    dataflow = models.ForeignKey(Dataflow, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    api_requests = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    # Handed back to the queue by RunDeferred (e.g. its store was busy): sent again as soon
    # as another run of its connection ends, its countdown only the safety net.
    deferred = models.BooleanField(default=False)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["dataflow", "-queued_at"]),
            # The sweep's overdue check: each dataflow's latest start without an aggregate.
            models.Index(fields=["dataflow", "-started_at"], name="dataflows_run_started_idx"),
        ]
        constraints = [
            # Runs of one dataflow never overlap, whatever a worker does wrong.
            models.UniqueConstraint(
                fields=["dataflow"],
                condition=models.Q(status="running"),
                name="one_running_run_per_dataflow",
            )
        ]

    def __str__(self):
        return f"Run {self.pk} of {self.dataflow} ({self.status})"

    def summary(self) -> dict:
        return {
            "run_id": self.pk,
            "kind": self.dataflow.kind,
            "status": self.status,
            "api_requests": self.api_requests,
            "fetched": self.fetched,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "failed": self.failed,
            "error": self.error_message,
        }


class LogEntry(models.Model):
    class Level(models.TextChoices):
        DEBUG = "debug", "Debug"
        INFO = "info", "Info"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="log_entries")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.INFO)
    object_kind = models.CharField(max_length=32, blank=True)  # order, product, variant, ...
    object_id = models.CharField(max_length=64, blank=True)  # the BigCommerce id
    message = models.TextField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_kind", "object_id"])]
        verbose_name = "log entry"
        verbose_name_plural = "log entries"

    def __str__(self):
        return f"[{self.level}] {self.message[:80]}"


class ApiUsageHour(models.Model):
    """The API requests a connection's runs sent within one UTC hour (and how many BigCommerce
    answered 429), added to once per run and per hour it spans, never per request."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="api_usage")
    hour = models.DateTimeField()  # the hour's start, UTC
    requests = models.PositiveIntegerField(default=0)
    throttled = models.PositiveIntegerField(default=0)  # answered 429 Too Many Requests
    # The store's quota scaled to an hour, as its last answers told (None: never said).
    quota_per_hour = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["connection_id", "hour"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "hour"], name="one_usage_row_per_hour")
        ]
        verbose_name = "API usage hour"

    def __str__(self):
        return f"{self.connection_id} {self.hour:%Y-%m-%d %H}:00 · {self.requests} requests"
