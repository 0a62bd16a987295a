"""The alerts' periodic condition checks (missed orders, ...), a django-celery-beat row like
every schedule: every ALERTS_CHECK_EVERY_S seconds (15 minutes by default)."""

import json

from django.conf import settings
from django.db import migrations

NAME = "alerts-checks"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every = int(getattr(settings, "ALERTS_CHECK_EVERY_S", 15 * 60))
    interval = IntervalSchedule.objects.filter(every=every, period="seconds").order_by(
        "pk"
    ).first() or IntervalSchedule.objects.create(every=every, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "connections.alerts.tasks.alerts_check_task",
            "interval": interval,
            "args": json.dumps([]),
            "kwargs": "{}",
            "queue": "maintenance",
            "enabled": True,
            "description": "The alerts' periodic condition checks.",
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_alerts_and_their_settings"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
