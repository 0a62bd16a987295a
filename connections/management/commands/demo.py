"""`python manage.py demo`: the whole hub on the embedded default, in one command.

Starts the sandbox store (seeded), a Celery worker and beat on the serverless filesystem broker,
and the web app, all pointed at the sandbox. Ctrl-C stops everything.
"""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

SANDBOX_HASH, SANDBOX_TOKEN = "demo01", "demo-token-01"


class Command(BaseCommand):
    help = "Run the sandbox store, a Celery worker and beat, and the web app (embedded default)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="web app port")
        parser.add_argument("--sandbox-port", type=int, default=8100)
        parser.add_argument("--orders", type=int, default=500)
        parser.add_argument("--products", type=int, default=100)

    def handle(self, *args, port, sandbox_port, orders, products, **options):
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        env = {
            **os.environ,
            "BIGCOMMERCE_API_URL": sandbox_url,
            "BIGCOMMERCE_LOGIN_URL": sandbox_url,
            "PYTHONUNBUFFERED": "1",
        }
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        celery = [sys.executable, "-m", "celery", "-A", "integrationhub"]
        call_command("migrate", interactive=False, verbosity=0)

        children: list[subprocess.Popen] = []
        try:
            sandbox = subprocess.Popen(
                [
                    *manage,
                    "sandbox",
                    "--port",
                    str(sandbox_port),
                    "--stores",
                    f"{SANDBOX_HASH}:{SANDBOX_TOKEN}",
                    "--orders",
                    str(orders),
                    "--products",
                    str(products),
                ],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            children.append(sandbox)
            ready = sandbox.stdout.readline()
            if "listening" not in ready:
                raise CommandError(
                    f"The sandbox store did not start (port {sandbox_port} taken?). "
                    "Pass --sandbox-port with a free port."
                )
            self.stdout.write(ready.strip())
            children.append(
                subprocess.Popen(
                    [
                        *celery,
                        "worker",
                        "--loglevel",
                        "INFO",
                        "--pool",
                        "threads",
                        "--concurrency",
                        "4",
                    ],
                    env=env,
                )
            )
            children.append(subprocess.Popen([*celery, "beat", "--loglevel", "INFO"], env=env))
            web = subprocess.Popen(
                [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"], env=env
            )
            children.append(web)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Hub on http://127.0.0.1:{port}/ — sandbox store {SANDBOX_HASH} "
                    f"(token {SANDBOX_TOKEN}) on {sandbox_url}. Ctrl-C stops everything."
                )
            )
            exited = self._wait_for_first_exit(children)
            if exited.returncode not in (0, -signal.SIGINT, -signal.SIGTERM):
                raise CommandError(f"{' '.join(exited.args[:4])}… stopped with {exited.returncode}")
        except KeyboardInterrupt:
            self.stdout.write("Stopping…")
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

    @staticmethod
    def _wait_for_first_exit(children):
        # os.wait() blocks until any child ends, without polling on a timer.
        while True:
            pid, status = os.wait()
            for child in children:
                if child.pid == pid:
                    child.returncode = os.waitstatus_to_exitcode(status)
                    return child
