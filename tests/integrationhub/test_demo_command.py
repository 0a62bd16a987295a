"""`manage.py demo`: what it seeds, the API token it prints, and var/demo.env, which points every
other command run in the project folder at the demo's sandbox store while the demo runs."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from connections.models import Connection, Membership
from integrationhub.management.commands.demo import (
    DEMO_TENANT,
    DEMO_USER,
    SANDBOX_HASH,
    demo_api_token,
    demo_env_remove,
    demo_env_write,
    seed_demo,
)
from tests.fixtures.tenants import api_client_for

SANDBOX_URL = "http://127.0.0.1:8100"
PRINT_URLS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.BIGCOMMERCE_API_URL, settings.BIGCOMMERCE_LOGIN_URL)"
)


def urls_seen_by_a_command(var_dir, **env_overrides):
    """The BigCommerce URLs a command started in the project folder gets."""
    env = {**os.environ, "HUB_VAR_DIR": str(var_dir), **env_overrides}
    for name in ("HUB_READ_DEMO_ENV", "BIGCOMMERCE_API_URL", "BIGCOMMERCE_LOGIN_URL"):
        if name not in env_overrides:
            env.pop(name, None)  # as in a user's shell, not the test run's
    result = subprocess.run(
        [sys.executable, "-c", PRINT_URLS],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_while_the_demo_runs_other_commands_talk_to_its_sandbox(tmp_path):
    demo_env_write(path=tmp_path / "demo.env", sandbox_url=SANDBOX_URL)

    assert urls_seen_by_a_command(tmp_path) == [SANDBOX_URL, SANDBOX_URL]


def test_without_a_running_demo_commands_talk_to_bigcommerce(tmp_path):
    assert urls_seen_by_a_command(tmp_path) == [
        "https://api.bigcommerce.com",
        "https://login.bigcommerce.com",
    ]


def test_a_file_left_by_a_killed_demo_is_ignored(tmp_path):
    (tmp_path / "demo.env").write_text(
        f"HUB_DEMO_PID={dead_pid()}\nBIGCOMMERCE_API_URL={SANDBOX_URL}\n"
    )

    assert urls_seen_by_a_command(tmp_path)[0] == "https://api.bigcommerce.com"


def test_a_real_environment_variable_wins_over_the_demos_file(tmp_path):
    demo_env_write(path=tmp_path / "demo.env", sandbox_url=SANDBOX_URL)

    urls = urls_seen_by_a_command(tmp_path, BIGCOMMERCE_API_URL="https://api.example.test")

    assert urls == ["https://api.example.test", SANDBOX_URL]


def test_the_tests_never_read_the_demos_file(tmp_path):
    demo_env_write(path=tmp_path / "demo.env", sandbox_url=SANDBOX_URL)

    urls = urls_seen_by_a_command(tmp_path, HUB_READ_DEMO_ENV="false")

    assert urls[0] == "https://api.bigcommerce.com"


def test_the_demo_removes_its_own_file_and_leaves_another_demos(tmp_path):
    ours, theirs = tmp_path / "ours.env", tmp_path / "theirs.env"
    demo_env_write(path=ours, sandbox_url=SANDBOX_URL)
    theirs.write_text(f"HUB_DEMO_PID={os.getpid() + 1}\n")

    demo_env_remove(path=ours)
    demo_env_remove(path=theirs)
    demo_env_remove(path=tmp_path / "never-written.env")

    assert not ours.exists()
    assert theirs.exists()


@pytest.mark.sandbox
def test_the_printed_token_lists_the_demo_connection_through_the_api(sandbox_settings, db):
    connection = seed_demo()
    token = demo_api_token()

    response = api_client_for(None).get("/api/v1/connections/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [connection.pk]
    assert Membership.objects.get(user__username=DEMO_USER).tenant.name == DEMO_TENANT


@pytest.mark.sandbox
def test_a_second_start_finds_the_demo_and_keeps_its_token(sandbox_settings, db):
    first = seed_demo()
    token = demo_api_token()

    second = seed_demo()

    assert second.pk == first.pk
    assert Connection.objects.filter(store_hash=SANDBOX_HASH).count() == 1
    assert demo_api_token() == token


@pytest.mark.sandbox
@pytest.mark.django_db(transaction=True)
def test_in_the_demo_an_order_created_in_the_sandbox_arrives_by_webhook(
    sandbox_settings, live_server, settings, monkeypatch
):
    """As `make demo` runs it: PUBLIC_BASE_URL is the demo's own plain-http loopback address,
    the sandbox accepts it (--webhook-allow-http), and its callback brings the order at once."""
    from connections.webhooks.models import WebhookSubscription
    from dataflows.models import Run
    from dataflows.services import run_execute
    from integrationhub.management.commands.demo import demo_webhooks_register
    from orders.models import Order
    from tests.fixtures.webhooks import flush

    settings.PUBLIC_BASE_URL = live_server.url  # http://localhost:PORT, as the demo's
    sent: list[int] = []
    monkeypatch.setattr(
        "dataflows.services._enqueue_run", lambda run_id, countdown=None: sent.append(run_id)
    )
    connection = seed_demo()
    sandbox_settings.reset(webhook_auto_send=False, webhook_retry_scale=0)
    sandbox_settings.configure(webhook_https_only=False)
    sent.clear()

    said = demo_webhooks_register(connection=connection)

    assert said == f"registered, delivered to {live_server.url}"
    sub = WebhookSubscription.objects.get(connection=connection)
    assert sub.state == WebhookSubscription.State.REGISTERED
    order = sandbox_settings.create_order()
    assert flush(sandbox_settings)["delivered"] >= 1
    assert sent, "the callback queued no run"
    while sent:
        run_execute(run_id=sent.pop(0))
    assert Order.objects.filter(connection=connection, bc_order_id=order["id"]).exists()
    assert Run.objects.filter(trigger=Run.Trigger.WEBHOOK, dataflow__connection=connection)


@pytest.mark.sandbox
def test_the_demo_has_hub_products_ready_to_publish(sandbox_settings, db):
    from catalog.models import Product

    connection = seed_demo()

    hoodie = Product.objects.get(tenant=connection.tenant, sku="HUB-HOODIE")
    assert sorted(v.sku for v in hoodie.variants.all()) == [
        "HUB-HOODIE-L",
        "HUB-HOODIE-M",
        "HUB-HOODIE-S",
    ]
    assert hoodie.categories == ["Hub picks"] and hoodie.brand
