import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integrationhub.settings")

app = Celery("integrationhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Schedules are django-celery-beat's database rows only: each dataflow's (dataflows services)
# and the engine's sweep and log purge (created by the dataflows migrations).
