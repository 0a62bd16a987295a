"""One bulk catalog or inventory operation per BigCommerce store at a time.

BigCommerce: "do not run bulk inventory updates in parallel with bulk catalog or order
operations". Runs of one dataflow never overlap (the engine's lease), but a Full Stock Update,
a Changed Stock Update and a Product Match of one store are different dataflows, so they take
turns through this lease: one `StoreLock` row per store hash, taken with a conditional UPDATE
(`... WHERE holder = '' OR expires_at < now`) whose row count says who won, renewed while the
holder works, and given back at the end. A holder that dies stops renewing; once its lease has
expired the next one takes it over.

The lease lives in the database (not in Redis) on purpose: every worker of the hub shares the
database whatever its settings, so a worker can never miss another's lock because it runs
without REDIS_URL, and a failing Redis cannot let two pushes overlap.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.db.models.functions import Now
from django.utils import timezone

from dataflows.context import LeaseLost, RunDeferred, current_context
from dataflows.leases import Lease

from .models import StoreLock

STORE_LEASE = Lease(StoreLock, holder="holder", expires="expires_at", free="", reentrant=True)
#: Seconds before a run deferred by a busy store tries again.
RETRY_S = 30
#: Tries to give the lease back (each on a new database connection after a dropped one).
RELEASE_ATTEMPTS = 3


class StoreBusy(RunDeferred):
    """Another bulk operation holds the store: the run goes back to the queue and tries again
    in a moment (no worker waits for it)."""


class StoreLockLost(LeaseLost):
    """The lease expired (the holder stalled) and another operation took the store; the engine
    ends the run failed with this message, and the next run on the schedule tries again."""


def _lease_seconds() -> int:
    return int(
        getattr(settings, "CATALOG_STORE_LOCK_SECONDS", None) or settings.DATAFLOW_LEASE_SECONDS
    )


class StoreBulkLock:
    """The lease of one store. Use `store_bulk_lock(...)` (a context manager) to get one."""

    def __init__(
        self,
        store_hash: str,
        *,
        label: str,
        holder: str | None = None,
        lease_seconds: int | None = None,
    ):
        self.store_hash = store_hash
        self.label = label[:200]
        self.holder = (holder or uuid.uuid4().hex)[:100]
        self.lease_seconds = lease_seconds or _lease_seconds()
        self.held = False

    def try_acquire(self) -> bool:
        values = {"label": self.label, "acquired_at": Now()}
        taken = STORE_LEASE.claim(
            holder=self.holder,
            seconds=self.lease_seconds,
            values=values,
            store_hash=self.store_hash,
        )
        if not taken and not StoreLock.objects.filter(store_hash=self.store_hash).exists():
            try:
                with transaction.atomic():
                    StoreLock.objects.create(store_hash=self.store_hash, holder="", label="")
                taken = STORE_LEASE.claim(
                    holder=self.holder,
                    seconds=self.lease_seconds,
                    values=values,
                    store_hash=self.store_hash,
                )
            except IntegrityError:  # created by another worker a moment ago: try again later
                taken = False
        self.held = bool(taken)
        return self.held

    def renew(self) -> None:
        """Extend the lease; raises StoreLockLost when another operation took the store."""
        if not STORE_LEASE.renew(
            holder=self.holder, seconds=self.lease_seconds, store_hash=self.store_hash
        ):
            self.held = False
            raise StoreLockLost(
                f"The bulk lease of store {self.store_hash} expired and another operation "
                "took it; this run stops so that two bulk operations never overlap."
            )

    def release(self) -> None:
        if not self.held:
            return
        for attempt in range(1, RELEASE_ATTEMPTS + 1):
            try:
                STORE_LEASE.release(
                    holder=self.holder,
                    values={"label": "", "acquired_at": None},
                    store_hash=self.store_hash,
                )
                break
            except (OperationalError, InterfaceError):
                # The connection was dropped (a failover, a restarted pooler): a new one gives
                # the store back now, instead of every run of the store waiting for the lease
                # to expire.
                if attempt == RELEASE_ATTEMPTS or db_connection.in_atomic_block:
                    raise
                db_connection.close()
        self.held = False

    def is_taken(self) -> bool:
        """Whether another holder has the store's live lease."""
        return (
            STORE_LEASE.live()
            .filter(store_hash=self.store_hash)
            .exclude(holder=self.holder)
            .exists()
        )

    def current(self) -> StoreLock | None:
        return StoreLock.objects.filter(store_hash=self.store_hash).first()


def store_lock_holder(*, store_hash: str) -> StoreLock | None:
    """The live lease of a store, or None when it is free."""
    return STORE_LEASE.live().filter(store_hash=store_hash).first()


class store_bulk_lock:  # noqa: N801 - used like a function: `with store_bulk_lock(...)`
    """`with store_bulk_lock(store_hash, label=...) as lock:` holds the store's bulk lease for
    the block; the running run's heartbeat renews it (call `lock.renew()` too between
    batches: it raises StoreLockLost when the lease was lost).

    When the store is busy, raises StoreBusy (a RunDeferred: the engine puts the run back in
    the queue; it is sent again when a run of its connection ends, or `retry_s` seconds later)
    naming the operation that holds it."""

    def __init__(
        self,
        store_hash: str,
        *,
        label: str,
        holder: str | None = None,
        retry_s: int = RETRY_S,
        on_wait: Callable[[], None] | None = None,  # kept for callers; nothing waits now
        lease_seconds: int | None = None,
        **_ignored,
    ):
        self.lock = StoreBulkLock(
            store_hash, label=label, holder=holder, lease_seconds=lease_seconds
        )
        self.retry_s = retry_s
        self._stop_keep_alive = None

    def __enter__(self) -> StoreBulkLock:
        if not self.lock.try_acquire():
            other = store_lock_holder(store_hash=self.lock.store_hash)
            what = f"'{other.label}'" if other and other.label else "another bulk operation"
            countdown = self.retry_s
            if other is not None and other.expires_at is not None:
                # A holder that died (its lease no longer renewed) frees the store when the
                # lease expires: look again then, not a whole retry period later.
                left = (other.expires_at - timezone.now()).total_seconds()
                countdown = max(1, min(self.retry_s, math.ceil(left) + 1))
            raise StoreBusy(
                f"Store {self.lock.store_hash} is busy with {what}: BigCommerce advises not to "
                "run bulk inventory updates in parallel with bulk catalog operations, so this "
                "run waits in the queue.",
                countdown=countdown,
                still_blocked=self.lock.is_taken,
            )
        ctx = current_context()
        if ctx is not None:
            self._stop_keep_alive = ctx.keep_alive(self.lock.renew)
        return self.lock

    def __exit__(self, *exc_info) -> None:
        if self._stop_keep_alive is not None:
            self._stop_keep_alive()
        self.lock.release()
