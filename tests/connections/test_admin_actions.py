"""The Django admin's actions on connections and tenants: disable, enable, synchronize and
delete go through the services (schedules follow, deletion in the background)."""

from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from connections.models import Connection, Tenant
from dataflows.models import Run
from dataflows.registry import flow_specs
from tests.connections.admin_helpers import (
    post_action,
)


def test_the_disable_and_enable_actions_switch_status_and_schedules(staff_client, connection):
    response = post_action(staff_client, "connections/connection", "disable", [connection])
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.INACTIVE
    assert not PeriodicTask.objects.filter(name__startswith="dataflow-", enabled=True).exists()

    post_action(staff_client, "connections/connection", "enable", [connection])
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE
    assert PeriodicTask.objects.filter(name__startswith="dataflow-", enabled=True).count() == 9


def test_the_synchronize_action_queues_the_enabled_dataflows(staff_client, connection, sent):
    response = post_action(staff_client, "connections/connection", "synchronize", [connection])
    assert response.status_code == 302
    assert Run.objects.filter(trigger=Run.Trigger.SYNCHRONIZE).count() == len(flow_specs()) - 1


def test_the_synchronize_action_reports_an_inactive_connection(staff_client, connection, sent):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.INACTIVE)
    response = post_action(staff_client, "connections/connection", "synchronize", [connection])
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("enable it" in message for message in messages)
    assert not Run.objects.exists()


def test_deleting_in_the_admin_marks_deleting_and_deletes_in_the_background(
    staff_client, connection, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:connections_connection_delete", args=[connection.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DELETING
    assert sent == [("delete", connection.pk)]


def test_a_tenant_with_connections_cannot_be_deleted_in_the_admin(staff_client, connection):
    url = reverse("admin:connections_tenant_delete", args=[connection.tenant.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert Tenant.objects.filter(pk=connection.tenant.pk).exists()
