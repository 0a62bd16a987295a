"""Old log entries are purged (dataflows.services.retention)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dataflows import services
from dataflows.models import LogEntry
from tests.dataflows.helpers import queued_run

pytestmark = pytest.mark.usefixtures("no_prerequisites")


def test_old_log_entries_are_purged_in_batches(order_import, settings, django_assert_num_queries):
    settings.LOG_RETENTION_DAYS = 30
    run = queued_run(order_import)
    entries = LogEntry.objects.bulk_create(
        [LogEntry(run=run, message=f"entry {n}") for n in range(7)]
    )
    old = [entry.pk for entry in entries[:5]]
    LogEntry.objects.filter(pk__in=old).update(created_at=timezone.now() - timedelta(days=31))
    LogEntry.objects.filter(pk=entries[5].pk).update(created_at=timezone.now() - timedelta(days=29))

    # 5 old entries in batches of 2: 3 batches (select + delete each) and the empty select.
    with django_assert_num_queries(7):
        deleted = services.logs_purge(batch_size=2)

    assert deleted == 5
    assert set(LogEntry.objects.values_list("pk", flat=True)) == {entries[5].pk, entries[6].pk}


def test_the_purge_takes_the_retention_from_the_settings(order_import, settings):
    settings.LOG_RETENTION_DAYS = 7
    run = queued_run(order_import)
    entry = LogEntry.objects.create(run=run, message="a week and a day old")
    LogEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert services.logs_purge() == 1
