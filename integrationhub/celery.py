import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integrationhub.settings")

app = Celery("integrationhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every few minutes: runs whose worker died are recovered once their lease expired, and runs
# whose task message was lost are sent again (dataflows.services.runs_sweep).
RUNS_SWEEP_EVERY_S = 5 * 60


@app.on_after_configure.connect
def _engine_schedule(sender, **kwargs):
    sender.add_periodic_task(
        RUNS_SWEEP_EVERY_S,
        sender.signature("dataflows.tasks.runs_sweep_task"),
        name="sweep-dataflow-runs",
    )
