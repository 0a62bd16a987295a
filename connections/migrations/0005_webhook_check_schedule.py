"""The periodic webhook check (re-enables or re-creates hooks BigCommerce deactivated), as a
django-celery-beat row like every schedule."""

import json

from django.conf import settings
from django.db import migrations

NAME = "connections-webhooks-check"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every = int(getattr(settings, "WEBHOOK_CHECK_EVERY_S", 600))
    interval = (
        IntervalSchedule.objects.filter(every=every, period="seconds").order_by("pk").first()
        or IntervalSchedule.objects.create(every=every, period="seconds")
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "connections.webhooks.tasks.webhooks_check_task",
            "interval": interval,
            "args": json.dumps([]),
            "kwargs": "{}",
            "queue": "maintenance",
            "enabled": True,
            "description": "Re-enables the stores' webhooks that BigCommerce deactivated.",
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0004_webhook_subscriptions_and_deliveries"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
