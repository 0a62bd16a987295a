"""One lease helper for every "only one at a time" in the hub (a dataflow's runs, a store's
bulk operations).

A lease is two columns of a row: who holds it and until when. It is claimed, renewed and
released with conditional UPDATEs whose row count says who won, so it holds whatever the race
and whatever the number of worker processes. Times come from the database's clock (`Now()`),
never a worker's, so a worker whose clock is off cannot take a live lease or keep a dead one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.db.models.functions import Now


def db_now_plus(seconds: float) -> ExpressionWrapper:
    """The database's clock plus `seconds`, as an expression for UPDATE or filter."""
    return ExpressionWrapper(
        Now() + timedelta(seconds=seconds), output_field=models.DateTimeField()
    )


@dataclass(frozen=True)
class Lease:
    """The lease columns of one model: `Lease(Dataflow, holder="lease_run", expires=...)`.

    `free` is the holder value of a free lease (None for a foreign key, "" for a text column).
    `reentrant`: a holder claiming again renews its lease (else the claim fails).
    Each method takes the row's filter (`pk=...`, `store_hash=...`) as keyword arguments.
    """

    model: type[models.Model]
    holder: str
    expires: str
    free: Any = None
    reentrant: bool = False

    def _is_free(self) -> Q:
        if self.free is None:
            free = Q(**{f"{self.holder}__isnull": True})
        else:
            free = Q(**{self.holder: self.free})
        return free | Q(**{f"{self.expires}__isnull": True}) | Q(**{f"{self.expires}__lt": Now()})

    def claim(self, *, holder, seconds: float, values: dict | None = None, **row) -> bool:
        """Take the lease when it is free or expired; True when this holder won."""
        available = self._is_free()
        if self.reentrant:
            available |= Q(**{self.holder: holder})
        updated = self.model.objects.filter(available, **row).update(
            **{self.holder: holder, self.expires: db_now_plus(seconds)}, **(values or {})
        )
        return updated == 1

    def renew(self, *, holder, seconds: float, **row) -> bool:
        """Extend the lease by `seconds` from now; False when `holder` no longer holds it."""
        updated = self.model.objects.filter(**{self.holder: holder}, **row).update(
            **{self.expires: db_now_plus(seconds)}
        )
        return updated == 1

    def release(self, *, holder, values: dict | None = None, **row) -> bool:
        """Give the lease back (only its holder can); True when it was held."""
        updated = self.model.objects.filter(**{self.holder: holder}, **row).update(
            **{self.holder: self.free, self.expires: None}, **(values or {})
        )
        return updated == 1

    def expired(self) -> models.QuerySet:
        """Rows whose lease is held but has expired (its holder stopped renewing)."""
        held = (
            ~Q(**{f"{self.holder}__isnull": True})
            if self.free is None
            else ~Q(**{self.holder: self.free})
        )
        return self.model.objects.filter(held, **{f"{self.expires}__lt": Now()})

    def live(self) -> models.QuerySet:
        """Rows whose lease is held and not expired."""
        held = (
            ~Q(**{f"{self.holder}__isnull": True})
            if self.free is None
            else ~Q(**{self.holder: self.free})
        )
        return self.model.objects.filter(held, **{f"{self.expires}__gte": Now()})
