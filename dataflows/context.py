"""What a running flow sees: its run, dataflow, connection, a client, counters and a log."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from .models import Dataflow, LogEntry, Run

LOG_BATCH = 500


@dataclass
class RunContext:
    run: Run
    dataflow: Dataflow
    client: object  # BigCommerceClient; typed loosely so flows can be tested with fakes
    lease_seconds: int
    _pending_logs: list = field(default_factory=list)
    _last_heartbeat: object = None

    @property
    def connection(self):
        return self.dataflow.connection

    def count(self, **increments: int) -> None:
        for name, value in increments.items():
            setattr(self.run, name, getattr(self.run, name) + value)

    def log(self, message: str, *, level=LogEntry.Level.INFO, object_kind="", object_id="") -> None:
        self._pending_logs.append(
            LogEntry(
                run=self.run,
                level=level,
                object_kind=object_kind,
                object_id=str(object_id),
                message=message,
            )
        )
        if len(self._pending_logs) >= LOG_BATCH:
            self.flush_logs()

    def flush_logs(self) -> None:
        if self._pending_logs:
            LogEntry.objects.bulk_create(self._pending_logs)
            self._pending_logs = []

    def progress(self, *, done: int, total: int | None = None) -> None:
        """Save counters and progress so the screens show the run moving; extends the lease."""
        self.run.progress_done = done
        if total is not None:
            self.run.progress_total = total
        self.run.api_requests = getattr(getattr(self.client, "stats", None), "requests", 0)
        self.flush_logs()
        self.run.save(
            update_fields=[
                "progress_done",
                "progress_total",
                "api_requests",
                "fetched",
                "created",
                "updated",
                "skipped",
                "failed",
            ]
        )
        self.heartbeat()

    def heartbeat(self) -> None:
        now = timezone.now()
        if self._last_heartbeat and now - self._last_heartbeat < timedelta(
            seconds=self.lease_seconds / 3
        ):
            return
        Dataflow.objects.filter(pk=self.dataflow.pk, lease_run=self.run).update(
            lease_expires_at=now + timedelta(seconds=self.lease_seconds)
        )
        self._last_heartbeat = now
