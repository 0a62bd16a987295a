"""Quotes served per option and day. The quote endpoint only adds to an in-process tally; the
tally is written (one upsert per option and day) at most every FLUSH_SECONDS, so the shopper's
request almost never waits for a database write (SQLite has one writer at a time)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import QuotesServed

FLUSH_SECONDS = 5.0

_lock = threading.Lock()
_tally: Counter[tuple[int, date]] = Counter()
_last_flush = time.monotonic()


def quotes_served_record(*, option_ids, day: date, clock=time.monotonic) -> None:
    """Count one answer offering these options; writes the tally when it is due."""
    global _last_flush
    with _lock:
        for option_id in option_ids:
            _tally[(option_id, day)] += 1
        due = clock() - _last_flush >= FLUSH_SECONDS
        if due:
            _last_flush = clock()
    if due:
        quotes_served_flush()


def quotes_served_flush() -> None:
    """Write the tally now (the Checkout tab calls it, so a manager sees their own process's
    latest counts; other processes' counts follow within FLUSH_SECONDS of their next quote)."""
    with _lock:
        pending = dict(_tally)
        _tally.clear()
    for (option_id, day), count in pending.items():
        _add(option_id, day, count)


def _add(option_id: int, day: date, count: int) -> None:
    updated = QuotesServed.objects.filter(option_id=option_id, day=day).update(
        count=F("count") + count
    )
    if updated:
        return
    try:
        with transaction.atomic():
            QuotesServed.objects.create(option_id=option_id, day=day, count=count)
    except IntegrityError:
        # Created meanwhile by another process, or the option was deleted: add, or drop.
        QuotesServed.objects.filter(option_id=option_id, day=day).update(count=F("count") + count)
