"""`python manage.py demo`: the whole hub on the embedded default, in one command.

Starts the sandbox store (seeded), a Celery worker and beat on the serverless filesystem broker,
and the web app, all pointed at the sandbox; seeds a demo tenant whose connection points at the
sandbox store. While it runs, var/demo.env points every other command run in the project folder
(runflow, shell, ...) at the sandbox too. Ctrl-C stops everything.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings
from rest_framework.authtoken.models import Token

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
        # Webhooks reach the demo's own web app: plain http on loopback, which only a sandbox
        # store on loopback is allowed to call (real BigCommerce calls only https).
        public_url = os.environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "BIGCOMMERCE_API_URL": sandbox_url,
            "BIGCOMMERCE_LOGIN_URL": sandbox_url,
            "PUBLIC_BASE_URL": public_url,
            "PYTHONUNBUFFERED": "1",
        }
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        celery = [sys.executable, "-m", "celery", "-A", "integrationhub"]
        call_command("migrate", interactive=False, verbosity=0)

        children: list[subprocess.Popen] = []
        # `kill PID` stops the demo as Ctrl-C does: children stopped, var/demo.env removed.
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            sandbox = subprocess.Popen(
                [*manage, "sandbox", "--port", str(sandbox_port),
                 "--stores", f"{SANDBOX_HASH}:{SANDBOX_TOKEN}",
                 "--orders", str(orders), "--products", str(products), "--webhook-allow-http"],
                env=env, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            children.append(sandbox)
            ready = sandbox.stdout.readline()
            if "listening" not in ready:
                raise CommandError(
                    f"The sandbox store did not start (port {sandbox_port} taken?). "
                    "Pass --sandbox-port with a free port."
                )
            demo_env_write(path=settings.DEMO_ENV_FILE, sandbox_url=sandbox_url)
            with override_settings(BIGCOMMERCE_API_URL=sandbox_url, PUBLIC_BASE_URL=public_url):
                connection = seed_demo()
                webhooks = demo_webhooks_register(connection=connection)
            token = demo_api_token()
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
                f"  webhooks: {webhooks}\n"
                f"  REST API: http://127.0.0.1:{port}/api/v1/ (docs at /api/v1/docs/), "
                f"{DEMO_USER}'s API token: {token}\n"
                f"    curl -H 'Authorization: Token {token}' "
                f"http://127.0.0.1:{port}/api/v1/connections/\n"
                "While the demo runs, other commands run in this folder use the sandbox store "
                f"too, e.g. .venv/bin/python manage.py runflow {connection.pk} product_match\n"
                "Ctrl-C stops everything.\n"
            ))  # fmt: skip
            exited = self._wait_for_first_exit(children)
            if exited.returncode not in (0, -signal.SIGINT, -signal.SIGTERM):
                raise CommandError(f"{' '.join(exited.args[:4])}… stopped with {exited.returncode}")
        except KeyboardInterrupt:
            self.stdout.write("Stopping…")
        finally:
            demo_env_remove(path=settings.DEMO_ENV_FILE)
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


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def demo_env_write(*, path: Path, sandbox_url: str) -> None:
    """The sandbox's URLs for every command run in the project folder while the demo runs (the
    settings read the file only while this process lives), and the demo's development keys, so
    that `runflow` beside it reads the tokens the demo stored."""
    path.write_text(
        "# Written by `manage.py demo` while it runs; removed when it stops.\n"
        f"HUB_DEMO_PID={os.getpid()}\n"
        f"BIGCOMMERCE_API_URL={sandbox_url}\n"
        f"BIGCOMMERCE_LOGIN_URL={sandbox_url}\n"
        "HUB_INSECURE_DEV_KEYS=true\n"
    )


def demo_env_remove(*, path: Path) -> None:
    """Remove the file if this process wrote it (not another demo's)."""
    try:
        if f"HUB_DEMO_PID={os.getpid()}\n" in path.read_text():
            path.unlink()
    except FileNotFoundError:
        pass


def demo_api_token() -> str:
    """The demo manager's API token (the one the README's curl examples need)."""
    token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username=DEMO_USER))
    return token.key


def demo_webhooks_register(*, connection: Connection) -> str:
    """The demo connection's hooks, registered now (the sandbox store starts without any) so
    that an order created in the sandbox reaches the hub in seconds; says how it went."""
    from connections.webhooks.models import WebhookSubscription
    from connections.webhooks.registration import webhooks_register

    sub = webhooks_register(connection=connection)
    if sub.state == WebhookSubscription.State.REGISTERED:
        return f"registered, delivered to {settings.PUBLIC_BASE_URL}"
    return f"not registered: {sub.error}"


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
    from catalog.kinds import FULL_STOCK_UPDATE, PRODUCT_MATCH
    from catalog.models import Product
    from catalog.services import stock_set_bulk
    from dataflows.services import dataflow_run_foreground
    from orders.flows import ORDER_IMPORT

    def run(kind):
        return dataflow_run_foreground(dataflow=connection.dataflows.get(kind=kind))

    run(PRODUCT_MATCH)
    skus = Product.objects.filter(tenant=connection.tenant).values_list("sku", flat=True)
    stock_set_bulk(
        tenant=connection.tenant,
        items=[(sku, 5 + (index * 7) % 40) for index, sku in enumerate(skus.order_by("sku"))],
    )
    run(ORDER_IMPORT)
    run(FULL_STOCK_UPDATE)
    seed_demo_checkout(connection)
    from listings.demo import demo_listing_products_seed

    demo_listing_products_seed(tenant=connection.tenant)  # ready to publish (Listings page)


def seed_demo_checkout(connection: Connection) -> None:
    """Two delivery options for the Checkout tab (and its preview) to show."""
    from datetime import time

    from checkout.services import checkout_settings_update, delivery_option_create

    checkout_settings_update(connection=connection, rates={"USD": "1.08", "GBP": "0.85"})
    delivery_option_create(
        connection=connection, code="STANDARD", display_name="Standard delivery",
        carrier="DHL", pricing="weight", bands=[["2", "4.95"], ["10", "7.95"], ["30", "12.95"]],
        free_above="100", countries=["DE", "NL", "BE", "AT"], cutoff=time(16), transit_min=1,
        transit_max=3,
    )  # fmt: skip
    delivery_option_create(
        connection=connection, code="EXPRESS", display_name="Next-day express", carrier="UPS",
        pricing="flat", price="12.50", countries=["DE", "NL"], cutoff=time(12), transit_min=1,
        transit_max=1, needs_stock=True,
    )  # fmt: skip
