import pytest

from tests.convergence.harness import hub_for_test


@pytest.fixture(autouse=True)
def no_broker_in_this_process(monkeypatch):
    """What the test process itself queues (a service's run_queue) reaches no broker: only the
    harness sends tasks, to the test's own Redis, where its worker takes them."""
    sent: list[int] = []
    monkeypatch.setattr(
        "dataflows.services._enqueue_run", lambda run_id, countdown=None: sent.append(run_id)
    )
    return sent


@pytest.fixture
def hub(sandbox_settings, tmp_path, monkeypatch):
    """A real worker process on a Redis server of the test's own, against the sandbox store."""
    yield from hub_for_test(
        sandbox_url=sandbox_settings.url, tmp_path=tmp_path, monkeypatch=monkeypatch
    )
