"""What a running flow sees: its run, dataflow, connection, a client, counters and a log."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from .models import Dataflow, LogEntry, Run

LOG_BATCH = 500

COUNTERS = ("fetched", "created", "updated", "skipped", "failed")


class LeaseLost(Exception):
    """The run no longer holds its dataflow's lease (it was taken as abandoned): stop now, so
    that two runs of one dataflow never work at the same time."""


def _requests_of(client) -> int:
    return int(getattr(getattr(client, "stats", None), "requests", 0) or 0)


@dataclass
class RunContext:
    run: Run
    dataflow: Dataflow
    client: object  # BigCommerceClient; typed loosely so flows can be tested with fakes
    lease_seconds: int
    _pending_logs: list = field(default_factory=list)
    _last_heartbeat: datetime | None = None
    _requests_at_start: int = 0

    def __post_init__(self):
        # A client may be shared (tests, retries): count only this run's requests.
        self._requests_at_start = _requests_of(self.client)

    @property
    def connection(self):
        return self.dataflow.connection

    @property
    def api_requests(self) -> int:
        return max(0, _requests_of(self.client) - self._requests_at_start)

    def count(self, **increments: int) -> None:
        for name, value in increments.items():
            if name not in COUNTERS:
                raise ValueError(f"Unknown run counter {name!r}; use one of {', '.join(COUNTERS)}")
            setattr(self.run, name, getattr(self.run, name) + value)

    def log(
        self,
        message: str,
        *,
        level: str = LogEntry.Level.INFO,
        object_kind: str = "",
        object_id="",
    ) -> None:
        self._pending_logs.append(
            LogEntry(
                run=self.run,
                level=level,
                object_kind=object_kind[:32],
                object_id="" if object_id is None else str(object_id)[:64],
                message=message,
            )
        )
        if len(self._pending_logs) >= LOG_BATCH:
            self.flush_logs()

    def flush_logs(self) -> None:
        if self._pending_logs:
            pending, self._pending_logs = self._pending_logs, []
            LogEntry.objects.bulk_create(pending)

    def progress(self, *, done: int | None = None, total: int | None = None) -> None:
        """Save counters and progress so the screens show the run moving; renews the lease
        (raises LeaseLost when the run lost it)."""
        if done is not None:
            self.run.progress_done = done
        if total is not None:
            self.run.progress_total = total
        self.run.api_requests = self.api_requests
        self.flush_logs()
        Run.objects.filter(pk=self.run.pk).update(
            progress_done=self.run.progress_done,
            progress_total=self.run.progress_total,
            api_requests=self.run.api_requests,
            **{name: getattr(self.run, name) for name in COUNTERS},
        )
        self.heartbeat()

    def heartbeat(self, *, force: bool = False) -> None:
        """Renew the lease (at most every third of its length unless forced)."""
        now = timezone.now()
        if (
            not force
            and self._last_heartbeat is not None
            and now - self._last_heartbeat < timedelta(seconds=self.lease_seconds / 3)
        ):
            return
        renewed = Dataflow.objects.filter(pk=self.dataflow.pk, lease_run=self.run).update(
            lease_expires_at=now + timedelta(seconds=self.lease_seconds)
        )
        if not renewed:
            raise LeaseLost(
                f"Run {self.run.pk} stopped: it lost the lease of its dataflow (it was taken "
                "for abandoned after more than "
                f"{self.lease_seconds} s without progress), so another run may start."
            )
        self._last_heartbeat = now

    def save_cursor(self, cursor: dict) -> None:
        """Store the flow's state for the next run, only while this run holds the lease."""
        saved = Dataflow.objects.filter(pk=self.dataflow.pk, lease_run=self.run).update(
            cursor=cursor
        )
        if not saved:
            raise LeaseLost(
                f"Run {self.run.pk} stopped before saving its cursor: it lost the lease of its "
                "dataflow."
            )
        self.dataflow.cursor = cursor
