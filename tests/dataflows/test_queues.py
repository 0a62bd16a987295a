"""Every queue a task can be sent to has a worker in docker-compose.yml (one worker per queue
group), and the demo's worker, started without -Q, consumes them all."""

import shlex

import yaml
from django.conf import settings

from dataflows.registry import flow_specs


def compose_workers() -> dict[str, set[str]]:
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    workers = {}
    for name, service in compose["services"].items():
        command = shlex.split(str(service.get("command") or ""))
        if command[:1] == ["/venv/bin/celery"] and "worker" in command:
            assert command[1:3] == ["-A", "integrationhub"], name
            workers[name] = set(command[command.index("-Q") + 1].split(","))
    return workers


def test_docker_compose_runs_one_worker_per_queue_group_and_beat():
    assert compose_workers() == {
        "worker-orders": {"orders", "webhooks"},
        "worker-shipments": {"shipments"},
        "worker-stock-catalog": {"stock", "catalog"},
        "worker-maintenance": {"maintenance", "default"},
    }
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    assert "celery -A integrationhub beat" in compose["services"]["beat"]["command"]


def test_every_queue_is_declared_and_consumed_by_a_worker():
    declared = set(settings.CELERY_TASK_QUEUES)
    consumed = set().union(*compose_workers().values())
    routed = {spec.queue for spec in flow_specs()} | {settings.CELERY_TASK_DEFAULT_QUEUE}
    routed |= {route["queue"] for route in settings.CELERY_TASK_ROUTES[1].values()}
    assert routed <= declared
    assert consumed == declared
