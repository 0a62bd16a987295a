"""The daily log purge becomes the nightly retention task (run logs and the apps' retention
steps, per tenant), at 03:30 in the hub's time zone."""

from django.conf import settings
from django.db import migrations

OLD_NAME, OLD_TASK = "dataflows-purge-logs", "dataflows.tasks.logs_purge_task"
NAME, TASK = "hub-retention", "dataflows.tasks.retention_task"


def to_nightly(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=OLD_NAME).delete()
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.TIME_ZONE,
    )  # fmt: skip
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": crontab,
            "interval": None,
            "args": "[]",
            "kwargs": "{}",
            "queue": "maintenance",
            "enabled": True,
            "description": "Nightly: deletes old run logs and anonymises old personal data.",
        },
    )


def to_daily(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()
    interval, _ = IntervalSchedule.objects.get_or_create(every=24 * 3600, period="seconds")
    PeriodicTask.objects.create(
        name=OLD_NAME, task=OLD_TASK, interval=interval, queue="maintenance",
        description="The dataflow engine's maintenance.",
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("dataflows", "0005_run_deferred"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(to_nightly, to_daily)]
