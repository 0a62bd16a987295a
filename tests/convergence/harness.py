"""The parts a convergence test drives: a Redis server of its own (restartable), a real
`celery worker` process on it (killable), and the hub's own recovery (the sweep, the next
scheduled run) until a dataflow's work is done.

Every wait is on a condition, bounded by BOUND_S: none sleeps for a fixed time.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection as db
from django.db.models.functions import Now

from dataflows.models import Dataflow, Run
from dataflows.services.queueing import waiting_or_new_run

BOUND_S = 60  # an upper bound only: each wait returns as soon as its condition holds
TERMINAL = (Run.Status.SUCCEEDED, Run.Status.PARTIAL, Run.Status.FAILED)
# What the worker's database connections call themselves, so that a test can drop just them.
WORKER_DB_APP_NAME = "hub-convergence-worker"
# Short leases, yet long enough for a loaded CI machine: a killed worker's dataflow is free
# again within seconds, as within a minute in production (the heartbeat renews every third).
WORKER_LEASE_S = 6
# The worker's client gives up on an answer after this; the sandbox's hanging faults (timeout,
# slow) wait longer, so each is a real read timeout, and a short one.
WORKER_READ_TIMEOUT_S = 1.5
FAULT_HANG_MS = 2000
# What a convergence test puts a run through (issue: every flow survives each of them).
DISRUPTIONS = ("faults", "sigkill", "sigterm", "pg_drop", "redis_restart")
# Every fault kind the sandbox has, the ones that carry the request out and lose the answer too.
FAULT_KINDS = ["500", "502", "503", "504", "429", "timeout", "slow", "malformed",
               "lost_response", "401", "403"]  # fmt: skip


def require(condition: bool, message: str) -> None:
    """Skip when a real part is missing; in CI (HUB_REQUIRE_REAL_SERVICES=1) that fails."""
    if condition:
        return
    if os.environ.get("HUB_REQUIRE_REAL_SERVICES") == "1":
        pytest.fail(f"{message}, and HUB_REQUIRE_REAL_SERVICES=1 requires it")
    pytest.skip(f"{message} (set HUB_REQUIRE_REAL_SERVICES=1 to make this a failure)")


def wait_until(condition: Callable[[], object], what: str, *, bound_s: float = BOUND_S):
    """Poll `condition` until it is truthy; returns its value. Fails with `what` past bound."""
    end = time.monotonic() + bound_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            pytest.fail(f"never: {what}")
        threading.Event().wait(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server process of the test's own (nothing on disk, as CI's): restarting it
    loses every queued message and quota bucket, as a real restart without persistence does."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db_number: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db_number}"

    def answers(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self.answers, f"redis-server answers on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=BOUND_S)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def child_database_url() -> str | None:
    """The test database as a URL another process can open; None for an in-memory SQLite."""
    settings_dict = db.settings_dict
    if db.vendor == "sqlite":
        return None if db.is_in_memory_db() else f"sqlite:///{settings_dict['NAME']}"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
    user = settings_dict["USER"]
    return (
        f"postgres://{user}{password}@{host}/{settings_dict['NAME']}"
        f"?application_name={WORKER_DB_APP_NAME}"
    )


class HubWorker:
    """`celery -A integrationhub worker` (prefork, one pool process, every queue) in its own
    process, on the test's Redis (broker and shared quota), database and sandbox store."""

    def __init__(self, env: dict, log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self._lines: list[str] = []
        self._ready = threading.Event()

    def start(self) -> None:
        self._ready.clear()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "integrationhub", "worker", "--pool",
             "prefork", "--concurrency", "1", "--without-mingle", "--without-gossip",
             "--loglevel", "INFO",
             "-Q", ",".join(settings.CELERY_TASK_QUEUES)],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        threading.Thread(target=self._pump, args=(self.process,), daemon=True).start()
        wait_until(
            lambda: self._ready.is_set() or self.process.poll() is not None,
            "the worker is ready",
        )
        if self.process.poll() is not None:
            pytest.fail(f"the worker did not start:\n{self.log()}")

    def _pump(self, process: subprocess.Popen) -> None:
        with self.log_path.open("a") as log:
            for line in process.stdout:
                log.write(line)
                log.flush()
                self._lines.append(line)
                if " ready." in line:
                    self._ready.set()

    def log(self) -> str:
        return "".join(self._lines[-200:])

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int) -> None:
        """SIGTERM or SIGKILL the worker's main process and its pool process (a SIGKILL to the
        main process alone would leave its pool process working on)."""
        if sig == signal.SIGKILL:
            for pid in self._pool_pids():
                os.kill(pid, sig)
        self.process.send_signal(sig)
        self.process.wait(timeout=BOUND_S)

    def _pool_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.alive():
            self.signal(signal.SIGKILL)
        self.process = None


@dataclass
class Hub:
    """The hub's moving parts for one test: its Redis, its worker, a sender of tasks."""

    redis: RedisServer
    worker: HubWorker
    sender: Celery
    sent: list[int] = field(default_factory=list)

    def send_run(self, run: Run) -> None:
        self.sender.send_task(
            "dataflows.tasks.run_execute_task", args=[run.pk], queue=run_queue_name(run)
        )
        self.sent.append(run.pk)

    def sweep(self) -> None:
        self.sender.send_task("dataflows.tasks.runs_sweep_task", queue="maintenance")

    def ensure_worker(self) -> None:
        if not self.worker.alive():
            self.worker.start()

    def queue_run(self, dataflow: Dataflow, trigger: str = Run.Trigger.SCHEDULE) -> Run:
        """What beat does when the dataflow is due: its waiting run, or a new one; sent."""
        from django.db import transaction

        with transaction.atomic():
            run, _busy = waiting_or_new_run(dataflow=dataflow, trigger=trigger)
        self.send_run(run)
        return run

    def wait_run_ended(self, run: Run) -> Run:
        def ended():
            run.refresh_from_db()
            if not self.worker.alive():
                pytest.fail(f"the worker ended while run {run.pk} was {run.status}:\n"
                            f"{self.worker.log()}")  # fmt: skip
            return run.status in TERMINAL

        wait_until(ended, f"run {run.pk} of {run.dataflow.kind} ends")
        return run

    def recover(self, dataflow: Dataflow) -> None:
        """What the hub does on its own after a worker died: once the dead run's lease has
        expired, the sweep fails that run and queues the dataflow again."""
        self.ensure_worker()
        wait_until(
            lambda: (
                not Dataflow.objects.filter(pk=dataflow.pk, lease_expires_at__gte=Now()).exists()
            ),
            "the dead run's lease expires",
            bound_s=WORKER_LEASE_S * 5,
        )
        self.sweep()
        wait_until(
            lambda: (
                not Run.objects.filter(dataflow=dataflow, status=Run.Status.RUNNING)
                .exclude(pk__in=Dataflow.objects.filter(pk=dataflow.pk).values("lease_run_id"))
                .exists()
            ),
            "the sweep recovers the dead run",
        )

    def run_until_succeeded(self, dataflow: Dataflow, *, attempts: int = 6) -> list[Run]:
        """Scheduled runs, one after another, until one succeeds (a fault may fail a run: the
        next one resumes). Returns the runs."""
        runs = []
        for _ in range(attempts):
            self.ensure_worker()
            run = self.wait_run_ended(self.queue_run(dataflow))
            runs.append(run)
            if run.status == Run.Status.SUCCEEDED:
                return runs
        pytest.fail(
            f"{dataflow.kind} did not succeed in {attempts} runs: "
            f"{[(r.status, r.error_message[:200]) for r in runs]}\n{self.worker.log()}"
        )

    def drop_worker_db_connections(self) -> int:
        """Terminate the worker's PostgreSQL sessions (as a failover or a restarted pooler
        does); returns how many were dropped."""
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s AND pid <> pg_backend_pid()",
                [WORKER_DB_APP_NAME],
            )
            return len(cursor.fetchall())


def run_queue_name(run: Run) -> str:
    from dataflows.registry import flow_spec

    return flow_spec(run.dataflow.kind).queue


def hub_for_test(*, sandbox_url: str, tmp_path: Path, monkeypatch, extra_env: dict | None = None):
    """A started Hub (Redis, worker, sender) for one test; a generator for a fixture."""
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    database_url = child_database_url()
    require(database_url is not None, "the test database must be one another process opens")
    redis_server = RedisServer()
    redis_server.start()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "0",
        "BIGCOMMERCE_API_URL": sandbox_url,
        "BIGCOMMERCE_LOGIN_URL": sandbox_url,
        "CELERY_BROKER_URL": redis_server.url(1),
        "REDIS_URL": redis_server.url(0),
        "HUB_READ_DEMO_ENV": "false",
        "HUB_VAR_DIR": str(tmp_path),
        "DATAFLOW_LEASE_SECONDS": str(WORKER_LEASE_S),
        "HUB_INSECURE_DEV_KEYS": "true",
        "BIGCOMMERCE_READ_TIMEOUT_S": str(WORKER_READ_TIMEOUT_S),
        **(extra_env or {}),
    }
    worker = HubWorker(env, tmp_path / "worker.log")
    # Celery takes CELERY_BROKER_URL from the environment over its conf.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url(1))
    sender = Celery("convergence-sender", set_as_current=False)
    sender.conf.update(broker_url=redis_server.url(1), task_queues=settings.CELERY_TASK_QUEUES)
    hub = Hub(redis=redis_server, worker=worker, sender=sender)
    try:
        worker.start()
        yield hub
    finally:
        sender.close()
        worker.stop()
        redis_server.stop()


def converge_through(
    hub: Hub,
    sandbox,
    dataflow: Dataflow,
    disruption: str,
    *,
    mid_run: Callable[[], bool],
    fault_seed: int = 7,
) -> list[Run]:
    """Put the dataflow's work through `disruption`, then let the hub go on (sweep, scheduled
    runs) until a run succeeds; returns every run. `mid_run` tells when a run has done part of
    its work (e.g. the sandbox served some of its writes): the moment to disrupt it."""
    assert disruption in DISRUPTIONS, disruption
    if disruption == "faults":
        sandbox.configure(
            fault_rate=0.1, fault_seed=fault_seed, fault_hang_ms=FAULT_HANG_MS,
            fault_kinds=FAULT_KINDS,
        )  # fmt: skip
        try:
            return hub.run_until_succeeded(dataflow, attempts=8)
        finally:
            sandbox.configure(fault_rate=0.0)
    if disruption == "pg_drop":
        require(db.vendor == "postgresql", "dropping the worker's connections needs PostgreSQL")
    run = hub.queue_run(dataflow)

    def in_the_middle():
        run.refresh_from_db()
        if run.status in TERMINAL:
            pytest.fail(
                f"run {run.pk} ended ({run.status}: {run.error_message}) before it was mid-run"
                f":\n{hub.worker.log()}"
            )
        return run.status == Run.Status.RUNNING and mid_run()

    wait_until(in_the_middle, f"run {run.pk} of {dataflow.kind} is mid-run:\n{hub.worker.log()}")
    if disruption == "sigkill":
        hub.worker.signal(signal.SIGKILL)
        hub.recover(dataflow)
    elif disruption == "sigterm":
        hub.worker.signal(signal.SIGTERM)
        run.refresh_from_db()
        assert run.status == Run.Status.FAILED, f"{run.status}:\n{hub.worker.log()}"
        assert run.error_message.startswith("Interrupted"), run.error_message
    elif disruption == "pg_drop":
        assert hub.drop_worker_db_connections() > 0
        hub.wait_run_ended(run)
    else:
        hub.redis.restart()
        hub.wait_run_ended(run)
    return [run, *hub.run_until_succeeded(dataflow)]


def served(sandbox) -> dict:
    """The sandbox's requests served per endpoint for its store (since its stats were reset)."""
    return sandbox.stats()["by_store"].get(sandbox.store_hash, {}).get("endpoints", {})
