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

import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from dataflows.context import LeaseLost

from .models import StoreLock

#: Seconds between two attempts while waiting for a busy store.
POLL_S = 2.0


# Both are LeaseLost: the engine ends the run failed with the message as it is (no "internal
# error"), and the next run on the schedule tries again.
class StoreBusy(LeaseLost):
    """Another bulk operation holds the store for longer than we may wait."""


class StoreLockLost(LeaseLost):
    """The lease expired (the holder stalled) and another operation took the store."""


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
        now = timezone.now()
        expires = now + timedelta(seconds=self.lease_seconds)
        values = {
            "holder": self.holder,
            "label": self.label,
            "acquired_at": now,
            "expires_at": expires,
        }
        free = (
            Q(holder="")
            | Q(expires_at__isnull=True)
            | Q(expires_at__lt=now)
            | Q(holder=self.holder)
        )
        taken = StoreLock.objects.filter(free, store_hash=self.store_hash).update(**values)
        if not taken and not StoreLock.objects.filter(store_hash=self.store_hash).exists():
            try:
                with transaction.atomic():
                    StoreLock.objects.create(store_hash=self.store_hash, **values)
                taken = 1
            except IntegrityError:  # created by another worker a moment ago: try again later
                taken = 0
        self.held = bool(taken)
        return self.held

    def renew(self) -> None:
        """Extend the lease; raises StoreLockLost when another operation took the store."""
        renewed = StoreLock.objects.filter(store_hash=self.store_hash, holder=self.holder).update(
            expires_at=timezone.now() + timedelta(seconds=self.lease_seconds)
        )
        if not renewed:
            self.held = False
            raise StoreLockLost(
                f"The bulk lease of store {self.store_hash} expired and another operation "
                "took it; this run stops so that two bulk operations never overlap."
            )

    def release(self) -> None:
        if self.held:
            StoreLock.objects.filter(store_hash=self.store_hash, holder=self.holder).update(
                holder="", label="", acquired_at=None, expires_at=None
            )
            self.held = False

    def current(self) -> StoreLock | None:
        return StoreLock.objects.filter(store_hash=self.store_hash).first()


def store_lock_holder(*, store_hash: str) -> StoreLock | None:
    """The live lease of a store, or None when it is free."""
    return (
        StoreLock.objects.filter(store_hash=store_hash, expires_at__gte=timezone.now())
        .exclude(holder="")
        .first()
    )


class store_bulk_lock:  # noqa: N801 - used like a function: `with store_bulk_lock(...)`
    """`with store_bulk_lock(store_hash, label=..., wait_s=...) as lock:` holds the store's
    bulk lease for the block (call `lock.renew()` at least every lease period).

    When the store is busy, waits up to `wait_s` seconds (default
    CATALOG_STORE_LOCK_WAIT_S), calling `on_wait()` between attempts (e.g. to renew the run's
    own lease), then raises StoreBusy naming the operation that holds it."""

    def __init__(
        self,
        store_hash: str,
        *,
        label: str,
        holder: str | None = None,
        wait_s: float | None = None,
        on_wait: Callable[[], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        lease_seconds: int | None = None,
    ):
        self.lock = StoreBulkLock(
            store_hash, label=label, holder=holder, lease_seconds=lease_seconds
        )
        self.wait_s = (
            float(getattr(settings, "CATALOG_STORE_LOCK_WAIT_S", 600))
            if wait_s is None
            else float(wait_s)
        )
        self.on_wait = on_wait
        self.sleep = sleep

    def __enter__(self) -> StoreBulkLock:
        deadline = time.monotonic() + self.wait_s
        while not self.lock.try_acquire():
            if time.monotonic() >= deadline:
                other = store_lock_holder(store_hash=self.lock.store_hash)
                what = f"'{other.label}'" if other and other.label else "another bulk operation"
                raise StoreBusy(
                    f"Store {self.lock.store_hash} is busy with {what}: BigCommerce advises not "
                    "to run bulk inventory updates in parallel with bulk catalog operations, so "
                    f"this run did not start (waited {self.wait_s:.0f} s). It runs again on its "
                    "schedule."
                )
            if self.on_wait is not None:
                self.on_wait()
            self.sleep(POLL_S)
        return self.lock

    def __exit__(self, *exc_info) -> None:
        self.lock.release()
