"""Fixtures of the engine tests: tasks captured instead of sent, flows registered for a test,
a fake BigCommerce client."""

from dataclasses import dataclass, field

import pytest

from dataflows import flows as flow_registry


@dataclass
class FakeStats:
    requests: int = 0


@dataclass
class FakeClient:
    """Stands in for BigCommerceClient: counts 'requests' like the real one's stats."""

    stats: FakeStats = field(default_factory=FakeStats)
    closed: bool = False

    def get(self, n: int = 1) -> None:
        self.stats.requests += n

    def close(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def enqueued(monkeypatch):
    """Ids of runs whose task was sent (nothing reaches a broker)."""
    sent: list[int] = []
    monkeypatch.setattr("dataflows.services._enqueue_run", sent.append)
    return sent


@pytest.fixture
def fake_client(monkeypatch):
    """The client every run gets (run_execute builds it through bigcommerce_client_for)."""
    client = FakeClient()
    monkeypatch.setattr("connections.services.bigcommerce_client_for", lambda *, connection: client)
    return client


@pytest.fixture
def register_flow(monkeypatch):
    """register_flow(kind, func): func runs for kind during this test only."""
    flow_registry.discover()  # so that a real flow module cannot overwrite the test's one

    def register(kind, func):
        monkeypatch.setitem(flow_registry.FLOWS, str(kind), func)
        return func

    return register


@pytest.fixture
def unregister_flow(monkeypatch):
    flow_registry.discover()

    def unregister(kind):
        monkeypatch.delitem(flow_registry.FLOWS, str(kind), raising=False)

    return unregister
