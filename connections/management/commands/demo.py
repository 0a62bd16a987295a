"""`python manage.py demo`: the whole hub on the embedded default, in one command.

Starts the sandbox store (seeded), a Celery worker and beat on the serverless filesystem broker,
and the web app, all pointed at the sandbox; seeds a demo tenant whose connection points at the
sandbox store. Ctrl-C stops everything.
"""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings

from connections.models import Connection, Membership, Tenant
from connections.services import connection_create, connection_update

SANDBOX_HASH, SANDBOX_TOKEN = "demo01", "demo-token-01"
DEMO_TENANT = "Demo Shop"
DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"
ADMIN_USER, ADMIN_PASSWORD = "admin", "admin-password"


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
                [*manage, "sandbox", "--port", str(sandbox_port),
                 "--stores", f"{SANDBOX_HASH}:{SANDBOX_TOKEN}",
                 "--orders", str(orders), "--products", str(products)],
                env=env, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            children.append(sandbox)
            ready = sandbox.stdout.readline()
            if "listening" not in ready:
                raise CommandError(
                    f"The sandbox store did not start (port {sandbox_port} taken?). "
                    "Pass --sandbox-port with a free port."
                )
            with override_settings(BIGCOMMERCE_API_URL=sandbox_url):
                connection = seed_demo()
            worker = [*celery, "worker", "--loglevel", "INFO", "--pool", "threads"]
            children.append(subprocess.Popen([*worker, "--concurrency", "4"], env=env))
            children.append(subprocess.Popen([*celery, "beat", "--loglevel", "INFO"], env=env))
            web = [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"]
            children.append(subprocess.Popen(web, env=env))
            self.stdout.write(self.style.SUCCESS(
                f"\nIntegration hub: http://127.0.0.1:{port}/\n"
                f"  log in as {DEMO_USER} / {DEMO_PASSWORD} (tenant '{DEMO_TENANT}', manager)\n"
                f"  admin:   http://127.0.0.1:{port}/admin/ as {ADMIN_USER} / {ADMIN_PASSWORD}\n"
                f"  connection '{connection.name}' (id {connection.pk}) -> sandbox store "
                f"{SANDBOX_HASH} at {sandbox_url} (token {SANDBOX_TOKEN})\n"
                "Ctrl-C stops everything.\n"
            ))  # fmt: skip
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


def seed_demo() -> Connection:
    """The demo tenant, its manager, a staff admin, and a connection to the sandbox store.

    Idempotent: a second `make demo` finds them and refreshes the credentials."""
    users = get_user_model().objects
    tenant, _ = Tenant.objects.get_or_create(name=DEMO_TENANT)
    demo, _ = users.get_or_create(username=DEMO_USER)
    demo.set_password(DEMO_PASSWORD)
    demo.save()
    Membership.objects.update_or_create(
        tenant=tenant, user=demo, defaults={"role": Membership.Role.MANAGER}
    )
    admin, _ = users.get_or_create(username=ADMIN_USER, defaults={"is_staff": True})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(ADMIN_PASSWORD)
    admin.save()
    connection = Connection.objects.filter(tenant=tenant, store_hash=SANDBOX_HASH).first()
    if connection is not None:
        return connection_update(connection=connection, user=demo, access_token=SANDBOX_TOKEN)
    connection = connection_create(
        tenant=tenant, user=demo, name="Demo store (sandbox)",
        store_hash=SANDBOX_HASH, access_token=SANDBOX_TOKEN,
    )  # fmt: skip
    seed_demo_data(connection)
    return connection


def seed_demo_data(connection: Connection) -> None:
    """First start: match the sandbox catalog (creating hub products), give them warehouse
    stock, import the orders, and push the stock back — so every screen has something real."""
    from catalog.models import Product
    from catalog.services import stock_set_bulk
    from dataflows.models import Kind
    from dataflows.services import dataflow_run_foreground

    def run(kind):
        return dataflow_run_foreground(dataflow=connection.dataflows.get(kind=kind))

    run(Kind.PRODUCT_MATCH)
    skus = Product.objects.filter(tenant=connection.tenant).values_list("sku", flat=True)
    stock_set_bulk(
        tenant=connection.tenant,
        items=[(sku, 5 + (index * 7) % 40) for index, sku in enumerate(skus.order_by("sku"))],
    )
    run(Kind.ORDER_IMPORT)
    run(Kind.FULL_STOCK_UPDATE)
