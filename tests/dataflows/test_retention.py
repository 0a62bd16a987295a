"""The nightly retention (dataflows.services.retention): run logs per tenant, then the apps'
retention steps, recorded in the audit trail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections import hooks
from connections.models import AuditEvent
from dataflows import services
from dataflows.models import Dataflow, LogEntry
from tests.dataflows.helpers import queued_run

pytestmark = pytest.mark.usefixtures("no_prerequisites")


def _entry(run, *, days_old: int, message: str = "entry") -> LogEntry:
    entry = LogEntry.objects.create(run=run, message=message)
    LogEntry.objects.filter(pk=entry.pk).update(
        created_at=timezone.now() - timedelta(days=days_old)
    )
    return entry


def test_old_log_entries_are_purged_in_batches(order_import, django_assert_num_queries):
    tenant = order_import.connection.tenant
    run = queued_run(order_import)
    entries = LogEntry.objects.bulk_create(
        [LogEntry(run=run, message=f"entry {n}") for n in range(7)]
    )
    old = [entry.pk for entry in entries[:5]]
    LogEntry.objects.filter(pk__in=old).update(created_at=timezone.now() - timedelta(days=31))
    LogEntry.objects.filter(pk=entries[5].pk).update(created_at=timezone.now() - timedelta(days=29))

    # 5 old entries in batches of 2: 3 batches (select + delete each) and the empty select.
    with django_assert_num_queries(7):
        deleted = services.logs_purge(tenant=tenant, batch_size=2)

    assert deleted == 5
    assert set(LogEntry.objects.values_list("pk", flat=True)) == {entries[5].pk, entries[6].pk}


def test_each_tenant_keeps_its_logs_for_its_own_number_of_days(order_import, other_connection):
    tenant = order_import.connection.tenant
    tenant.log_retention_days = 7
    tenant.save()
    other_import = Dataflow.objects.get(connection=other_connection, kind=order_import.kind)
    mine = _entry(queued_run(order_import), days_old=8, message="mine")
    theirs = _entry(queued_run(other_import), days_old=8, message="theirs (30 days)")

    done = services.retention_apply()

    assert done == {tenant.name: {"log_entries": 1}}
    assert not LogEntry.objects.filter(pk=mine.pk).exists()
    assert LogEntry.objects.filter(pk=theirs.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.RETENTION_APPLIED)
    assert event.tenant == tenant and event.details == {"log_entries": 1}


def test_the_registered_retention_steps_run_for_every_tenant(order_import, monkeypatch):
    seen = []

    def step(*, tenant, now):
        seen.append(tenant.pk)
        return {"things": 2}

    monkeypatch.setattr(hooks, "_retention_steps", [step])

    done = services.retention_apply()

    assert order_import.connection.tenant_id in seen
    assert done[order_import.connection.tenant.name] == {"things": 2}


def test_a_tenant_with_nothing_to_remove_gets_no_audit_event(order_import):
    _entry(queued_run(order_import), days_old=1)
    assert services.retention_apply() == {}
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RETENTION_APPLIED).exists()
