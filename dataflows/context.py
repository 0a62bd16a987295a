"""What a running flow sees: its run, dataflow, connection, a client, counters and a log; and
the exceptions a flow (or the engine) raises to end or hand back a run."""

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.db import connection as db_connection
from django.utils import timezone

from .bulk import db_datetime, insert_rows
from .leases import Lease
from .models import Dataflow, LogEntry, Run
from .stopping import Interrupted, stop_requested
from .usage import api_usage_record_safely, hour_start

logger = logging.getLogger(__name__)

LOG_BATCH = 500
LOG_COLUMNS = ("run_id", "created_at", "level", "object_kind", "object_id", "message")

COUNTERS = ("fetched", "created", "updated", "skipped", "failed")

#: The lease of a dataflow, held by the id of the run that works on it.
DATAFLOW_LEASE = Lease(Dataflow, holder="lease_run_id", expires="lease_expires_at")
_current: contextvars.ContextVar["RunContext | None"] = contextvars.ContextVar(
    "dataflows_run_context", default=None
)


class LeaseLost(Exception):
    """The run no longer holds its dataflow's lease (it was taken as abandoned): stop now, so
    that two runs of one dataflow never work at the same time."""


class RunDeferred(Exception):
    """The run cannot work yet (e.g. its store is busy with another bulk operation): the engine
    puts it back in the queue instead of keeping a worker busy waiting, and sends it again as
    soon as another run of its connection ends (`countdown` seconds later at the latest). The
    message lands in the run's log.

    `still_blocked()`, when given, is asked once the run is back in the queue: False (the
    blocker ended meanwhile) sends it again at once, so no hand-over is missed."""

    def __init__(
        self,
        message: str,
        *,
        countdown: int = 30,
        still_blocked: Callable[[], bool] | None = None,
    ):
        super().__init__(message)
        self.countdown = max(1, int(countdown))
        self.still_blocked = still_blocked


class RunSliced(Exception):
    """The run used its time slice (DATAFLOW_SLICE_SECONDS) while another connection's run waits
    for a worker: it goes to the back of its queue and continues from its saved cursor."""


#: The clock of time slices (tests move it).
slice_clock: Callable[[], float] = time.monotonic


def current_context() -> "RunContext | None":
    """The context of the run this thread is executing, if any."""
    return _current.get()


def _requests_of(client, counter: str = "requests") -> int:
    return int(getattr(getattr(client, "stats", None), counter, 0) or 0)


class Heartbeat:
    """A background thread that renews the run's lease (and what the flow asked to keep alive)
    every third of the lease, so a flow stuck in one long request keeps it; it dies with the
    process, which is what lets a killed worker's lease expire."""

    def __init__(self, ctx: "RunContext"):
        self.ctx = ctx
        self.every_s = max(1.0, ctx.lease_seconds / 3)
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"run-{ctx.run.pk}-heartbeat", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.every_s):
                try:
                    if not self.ctx.renew_lease():
                        self.lost = True
                        return
                    for renew in list(self.ctx._keep_alive):
                        renew()
                except Exception:  # a busy database now and then: try again next beat
                    logger.warning("Run %s: heartbeat failed", self.ctx.run.pk, exc_info=True)
                    # On a new connection: a dropped one (failover, a restarted pooler) would
                    # fail every later beat and let the lease of a working run expire.
                    db_connection.close()
        finally:
            db_connection.close()  # this thread's own connection


@dataclass
class RunContext:
    run: Run
    dataflow: Dataflow
    client: object  # BigCommerceClient; typed loosely so flows can be tested with fakes
    lease_seconds: int
    _pending_logs: list = field(default_factory=list)
    _last_heartbeat: object = None
    _requests_at_start: int = 0
    _throttled_at_start: int = 0
    _usage_recorded: tuple[int, int] = (0, 0)  # (requests, 429s) added to ApiUsageHour so far
    _usage_hour: object = None
    _atomic_depth: int = 0
    _keep_alive: list = field(default_factory=list)
    _heartbeat: Heartbeat | None = None
    #: Seconds of work after which `checkpoint()` may hand the worker back (0: never).
    slice_seconds: float = 0.0
    _slice_started: float = 0.0
    _requests_before: int = 0

    def __post_init__(self):
        # A client may be shared (tests, retries): count only this run's requests, plus those
        # of its earlier slices.
        self._requests_at_start = _requests_of(self.client)
        self._throttled_at_start = _requests_of(self.client, "http_429")
        self._usage_hour = hour_start(timezone.now())
        self._requests_before = int(self.run.api_requests or 0)
        self._slice_started = slice_clock()

    @property
    def connection(self):
        return self.dataflow.connection

    @property
    def api_requests(self) -> int:
        return self._requests_before + max(0, _requests_of(self.client) - self._requests_at_start)

    def usage_record(self, *, at=None) -> None:
        """Add the requests (and 429s) sent since the last call to the connection's usage of
        this hour: called at each hour a run spans and at its end, so one upsert each."""
        requests = self.api_requests
        throttled = max(0, _requests_of(self.client, "http_429") - self._throttled_at_start)
        done_requests, done_throttled = self._usage_recorded
        stats = getattr(self.client, "stats", None)
        api_usage_record_safely(
            connection_id=self.dataflow.connection_id,
            requests=requests - done_requests,
            throttled=throttled - done_throttled,
            quota_per_hour=getattr(stats, "quota_per_hour", None),
            at=at,
        )
        self._usage_recorded = (requests, throttled)
        self._usage_hour = hour_start(timezone.now())

    # -- counters and log --------------------------------------------------------------------

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
        # Plain values, written with one multi-row INSERT (a model instance per entry costs more
        # than the write).
        self._pending_logs.append(
            (
                str(getattr(level, "value", level)),
                str(object_kind)[:32],
                "" if object_id is None else str(object_id)[:64],
                str(message),
            )
        )
        if len(self._pending_logs) >= LOG_BATCH and not self._atomic_depth:
            self.flush_logs()

    def flush_logs(self) -> None:
        """Write the pending log entries (inside `ctx.atomic()` they wait for its end)."""
        if self._pending_logs and not self._atomic_depth:
            # Taken off the list first: an interrupt (SIGTERM) after the INSERT must not have
            # the run's end write them again. Only a failed write keeps them for the next flush.
            entries, self._pending_logs = self._pending_logs, []
            now = db_datetime(timezone.now())
            try:
                insert_rows(LogEntry, LOG_COLUMNS, [(self.run.pk, now, *e) for e in entries])
            except DatabaseError:
                self._pending_logs = entries + self._pending_logs
                raise

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """`with ctx.atomic():` a database transaction whose log entries and counts belong to
        it: when the block raises (the transaction rolls back), the entries logged and the
        counts made inside it are dropped too, so the log never reports what did not happen.
        Nests; entries are written when the outermost block ends."""
        mark = len(self._pending_logs)
        counts = {name: getattr(self.run, name) for name in COUNTERS}
        self._atomic_depth += 1
        try:
            with transaction.atomic():
                yield
        except BaseException:
            del self._pending_logs[mark:]
            for name, value in counts.items():
                setattr(self.run, name, value)
            raise
        finally:
            self._atomic_depth -= 1
        if not self._atomic_depth and len(self._pending_logs) >= LOG_BATCH:
            self.flush_logs()

    # -- lease -------------------------------------------------------------------------------

    def progress(self, *, done: int | None = None, total: int | None = None) -> None:
        """Save counters and progress so the screens show the run moving; renews the lease
        (raises LeaseLost when the run lost it)."""
        if done is not None:
            self.run.progress_done = done
        if total is not None:
            self.run.progress_total = total
        self.run.api_requests = self.api_requests
        self.flush_logs()
        if hour_start(timezone.now()) != self._usage_hour:
            # The hour that ended gets the requests sent since the last record.
            self.usage_record(at=self._usage_hour)
        Run.objects.filter(pk=self.run.pk).update(
            progress_done=self.run.progress_done,
            progress_total=self.run.progress_total,
            api_requests=self.run.api_requests,
            **{name: getattr(self.run, name) for name in COUNTERS},
        )
        self.heartbeat()

    def checkpoint(self) -> None:
        """Call between two pages, outside any transaction, with the cursor saved: once the run
        has worked its time slice and another connection's run waits for a worker of the same
        queue, raises RunSliced (the run is queued again and resumes from its cursor), so one
        large backfill cannot starve the other tenants."""
        if not self.slice_seconds or slice_clock() - self._slice_started < self.slice_seconds:
            return
        from .registry import flow_spec, flow_specs

        spec = flow_spec(self.dataflow.kind)
        queue = spec.queue if spec else None
        kinds = [s.kind for s in flow_specs() if s.queue == queue]
        waiting = (
            Run.objects.filter(status=Run.Status.QUEUED, deferred=False, dataflow__kind__in=kinds)
            .exclude(dataflow__connection_id=self.dataflow.connection_id)
            .exists()
        )
        if waiting:  # else: asked again after the next page
            raise RunSliced(
                f"Handed its worker to another connection's run after "
                f"{slice_clock() - self._slice_started:.0f} s of work (DATAFLOW_SLICE_SECONDS="
                f"{self.slice_seconds:g}); it continues where it stopped."
            )

    def renew_lease(self) -> bool:
        return DATAFLOW_LEASE.renew(
            holder=self.run.pk, seconds=self.lease_seconds, pk=self.dataflow.pk
        )

    def _lost(self) -> LeaseLost:
        return LeaseLost(
            f"Run {self.run.pk} stopped: it lost the lease of its dataflow (it was taken for "
            f"abandoned after more than {self.lease_seconds} s without a heartbeat), so "
            "another run may start."
        )

    def heartbeat(self, *, force: bool = False) -> None:
        """Renew the lease (at most every third of its length unless forced)."""
        if self._heartbeat is not None and self._heartbeat.lost:
            raise self._lost()
        reason = stop_requested()
        if reason is not None:
            raise Interrupted(reason)
        now = timezone.now()
        if (
            not force
            and self._last_heartbeat is not None
            and now - self._last_heartbeat < timedelta(seconds=self.lease_seconds / 3)
        ):
            return
        if not self.renew_lease():
            raise self._lost()
        self._last_heartbeat = now

    def keep_alive(self, renew: Callable[[], None]) -> Callable[[], None]:
        """Have the heartbeat also call `renew` (e.g. a store lock's) while the run works;
        returns the function that stops it."""
        self._keep_alive.append(renew)
        return lambda: self._keep_alive.remove(renew) if renew in self._keep_alive else None

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

    # -- the engine's side -------------------------------------------------------------------

    @contextmanager
    def working(self, *, heartbeat: bool = True) -> Iterator["RunContext"]:
        """While the flow runs: this is the thread's current context and (`heartbeat`) a
        background thread renews the lease."""
        token = _current.set(self)
        if heartbeat:
            self._heartbeat = Heartbeat(self)
            self._heartbeat.start()
        try:
            yield self
        finally:
            if self._heartbeat is not None:
                self._heartbeat.stop()
            _current.reset(token)
