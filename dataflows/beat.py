"""The beat scheduler: django-celery-beat's DatabaseScheduler, with a tick whose database work
does not grow with the number of schedules (every dataflow of every connection is one).

- Loading the schedule is one query (the schedules joined), not one more per row.
- Dispatching a burst of due entries (every 5-minute dataflow at once) asks the database
  nothing: the change marker is read once when a burst starts, not before every entry; the
  entry carries its flow's queue, so routing needs no look-up; and the heap is rebuilt only
  when the schedule was reloaded (Celery compares every entry of the old and new schedule
  before each dispatch: quadratic in the number of schedules).
- Writing back when each entry last ran (for a restart) is one UPDATE, not a read and a full
  save per entry.
"""

import json
import logging

from django.db import DatabaseError, InterfaceError, close_old_connections, connection
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

_SYNC_POSTGRESQL = """
UPDATE django_celery_beat_periodictask AS t
   SET last_run_at = v.at, total_run_count = v.n
  FROM jsonb_to_recordset(%s::jsonb) AS v(id integer, at timestamptz, n integer)
 WHERE t.id = v.id
"""
_SYNC_SQLITE = """
UPDATE django_celery_beat_periodictask
   SET last_run_at = v.at, total_run_count = v.n
  FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.at') AS at,
               json_extract(value, '$.n') AS n FROM json_each(%s)) AS v
 WHERE django_celery_beat_periodictask.id = v.id
"""


class HubScheduler(DatabaseScheduler):
    _bursting = False
    _heap_source = None

    def enabled_models_qs(self):
        return super().enabled_models_qs().select_related("interval", "crontab", "solar", "clocked")

    def tick(self, *args, **kwargs):
        delay = super().tick(*args, **kwargs)
        # 0: an entry was just sent and the next may be due at once (a burst).
        self._bursting = delay == 0
        return delay

    def schedule_changed(self):
        if self._bursting:
            return False  # looked at when the burst started; a change waits for its end
        return super().schedule_changed()

    def populate_heap(self, *args, **kwargs):
        self._heap_source = self._schedule
        return super().populate_heap(*args, **kwargs)

    def schedules_equal(self, old_schedules, new_schedules):
        if self._heap_invalidated:
            self._heap_invalidated = False
            return False
        # Entries are never replaced in place: a reload makes a new dict.
        return new_schedules is not None and new_schedules is self._heap_source

    def sync(self):
        if connection.vendor not in ("postgresql", "sqlite"):
            return super().sync()
        if not self._dirty or self._schedule is None:
            return
        names = list(self._dirty)
        rows = []
        for name in names:
            entry = self._schedule.get(name)
            if entry is None:
                continue
            model = entry.model
            at = connection.ops.adapt_datetimefield_value(model.last_run_at)
            rows.append({"id": model.pk, "at": str(at), "n": model.total_run_count})
        try:
            close_old_connections()
            if rows:
                sql = _SYNC_POSTGRESQL if connection.vendor == "postgresql" else _SYNC_SQLITE
                with connection.cursor() as cursor:
                    cursor.execute(sql, [json.dumps(rows)])
            self._dirty.difference_update(names)
        except (DatabaseError, InterfaceError):
            logger.exception("Beat could not record when its entries last ran; it tries again")
