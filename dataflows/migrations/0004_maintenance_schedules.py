"""The engine's maintenance schedules, as django-celery-beat rows like every schedule: the
sweep (abandoned runs, lost task messages, lost deletes) and the purge of old log entries."""

import json

from django.conf import settings
from django.db import migrations

SCHEDULES = {
    "dataflows-sweep": ("dataflows.tasks.runs_sweep_task", "DATAFLOW_SWEEP_EVERY_S", 30),
    "dataflows-purge-logs": ("dataflows.tasks.logs_purge_task", None, 24 * 3600),
}


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, setting, default) in SCHEDULES.items():
        every = int(getattr(settings, setting, default) if setting else default)
        interval = (
            IntervalSchedule.objects.filter(every=every, period="seconds").order_by("pk").first()
            or IntervalSchedule.objects.create(every=every, period="seconds")
        )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": interval,
                "args": json.dumps([]),
                "kwargs": "{}",
                "queue": "maintenance",
                "enabled": True,
                "description": "The dataflow engine's maintenance.",
            },
        )


def delete_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=list(SCHEDULES)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dataflows", "0003_engine_constraints"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
