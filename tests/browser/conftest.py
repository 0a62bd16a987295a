"""Browser tests: pytest-playwright driving Debian's chromium against pytest-django's live_server.

They skip when /usr/bin/chromium (or playwright) is missing, unless HUB_REQUIRE_REAL_SERVICES=1,
where a missing browser is a failure. On failure a full-page screenshot lands in the test's
output folder (pytest-playwright's --output, default test-results/).
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM
# calls from it (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Debian's chromium; HUB_CHROMIUM may point elsewhere (never a downloaded browser build).
CHROMIUM = Path(os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def _require_real() -> bool:
    return os.environ.get("HUB_REQUIRE_REAL_SERVICES") == "1"


try:
    import playwright  # noqa: F401
except ImportError:
    if _require_real():
        raise
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session", autouse=True)
def _chromium_present():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if _require_real():
            pytest.fail(f"{message}, and HUB_REQUIRE_REAL_SERVICES=1 requires it")
        pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 860}, "locale": "en-GB"}


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(page, request, output_path):
    """pytest-playwright's page, with a full-page screenshot when the test fails."""
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        os.makedirs(output_path, exist_ok=True)
        try:
            page.screenshot(path=os.path.join(output_path, "failure.png"), full_page=True)
        except Exception as exc:  # the page may be gone; the failure itself matters more
            print(f"screenshot failed: {exc}")


class FakeWorker:
    """Stands in for Celery: records the tasks the app sends; the test runs them when it wants
    (so that it can watch the screens change while runs progress and deletions finish)."""

    def __init__(self):
        self.runs: list[int] = []
        self.deletions: list[int] = []

    def execute_runs(self):
        """Run every queued run, and those handed over meanwhile (e.g. an Order Import that
        waited for the first Product Match); the runs as they ended, by id."""
        from dataflows.models import Run
        from dataflows.services import run_execute

        seen: list[int] = []
        while self.runs:
            runs, self.runs = self.runs, []
            for run_id in runs:
                run_execute(run_id=run_id)
                if run_id not in seen:
                    seen.append(run_id)
        return list(Run.objects.filter(pk__in=seen).order_by("pk"))

    def execute_deletions(self):
        from connections.services import connection_delete

        ids, self.deletions = self.deletions, []
        for connection_id in ids:
            connection_delete(connection_id=connection_id)


@pytest.fixture
def worker(monkeypatch):
    from connections import tasks as connection_tasks
    from dataflows import tasks as dataflow_tasks

    fake = FakeWorker()
    monkeypatch.setattr(dataflow_tasks.run_execute_task, "delay", fake.runs.append)
    # Sent later (e.g. a debounced Changed Stock Update): run when the test says, like the rest.
    monkeypatch.setattr(
        dataflow_tasks.run_execute_task,
        "apply_async",
        lambda args, countdown=None, **options: fake.runs.append(args[0]),
    )
    monkeypatch.setattr(connection_tasks.connection_delete_task, "delay", fake.deletions.append)
    return fake


@pytest.fixture
def store(request, settings, monkeypatch):
    """The BigCommerce store the tests connect to: the sandbox when it can run, else a stub of
    the credential check (wrong token: the service's own error)."""
    try:
        sandbox = request.getfixturevalue("sandbox_settings")
    except Exception as exc:  # noqa: BLE001 - no sandbox fixture, or it cannot start
        if _require_real():
            raise
        print(f"sandbox unavailable, stubbing the credential check: {exc}")
        return _stub_store(monkeypatch)
    return sandbox


def _stub_store(monkeypatch):
    from django.core.exceptions import ValidationError

    from connections import services

    class Stub:
        store_hash = "demo01"
        token = "demo-token-01"
        url = ""

    def check(*, store_hash, access_token, scopes=()):
        if store_hash != Stub.store_hash or access_token != Stub.token:
            raise ValidationError(
                {"access_token": "BigCommerce refused this store hash and access token."}
            )
        return {"name": "Demo store"}

    monkeypatch.setattr(services, "connection_check_credentials", check)
    return Stub()


@pytest.fixture
def login(page, live_server):
    """Log a user in through the log-in form (which lands on the dashboard); returns the page
    on the CONNECTIONS list."""

    def do(username, password="password"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/connections/")
        return page

    return do
