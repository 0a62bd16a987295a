"""Fixtures of the engine tests: tasks captured instead of sent, flows registered for a test,
a fake BigCommerce client."""

from dataclasses import dataclass, field, replace

import pytest

from dataflows import registry
from dataflows.registry import FlowSpec


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
    sent = SentRuns()
    monkeypatch.setattr("dataflows.services._enqueue_run", sent.send)
    return sent


class SentRuns(list):
    """The ids of the runs sent, in order; `countdowns[run_id]` the last countdown of each,
    `sends` every (run id, countdown)."""

    def __init__(self):
        super().__init__()
        self.countdowns: dict[int, int | None] = {}
        self.sends: list[tuple[int, int | None]] = []

    def send(self, run_id: int, countdown: int | None = None) -> None:
        self.append(run_id)
        self.countdowns[run_id] = countdown
        self.sends.append((run_id, countdown))


@pytest.fixture
def fake_client(monkeypatch):
    """The client every run gets (run_execute builds it through bigcommerce_client_for)."""
    client = FakeClient()
    monkeypatch.setattr("connections.services.bigcommerce_client_for", lambda *, connection: client)
    return client


@pytest.fixture
def register_flow(monkeypatch):
    """register_flow(kind, func, **spec): func runs for kind during this test only (with the
    registered spec's other fields, changed by `spec`)."""

    def register(kind, func, **changes):
        kind = str(kind)
        spec = registry.flow_spec(kind) or FlowSpec(kind=kind, label=kind, run=func)
        monkeypatch.setitem(registry._FLOWS, kind, replace(spec, run=func, **changes))
        return func

    return register


@pytest.fixture
def unregister_flow(monkeypatch):
    def unregister(kind):
        monkeypatch.delitem(registry._FLOWS, str(kind), raising=False)

    return unregister


@pytest.fixture
def no_prerequisites(monkeypatch):
    """Every flow runs without waiting for another (FlowSpec.waits_for), for engine tests that
    are not about it."""
    for kind, spec in list(registry._FLOWS.items()):
        monkeypatch.setitem(registry._FLOWS, kind, replace(spec, waits_for=()))


@pytest.fixture
def order_import(connection):
    """The connection's Order Import dataflow (with its connection loaded)."""
    from tests.dataflows.helpers import dataflow_of

    return dataflow_of(connection)


@pytest.fixture
def sigterm_interrupts():
    """SIGTERM interrupts this (pytest's) process's run, as in a worker; afterwards the
    handler, the unraisable hook and the process's stop request are as before."""
    import signal
    import sys

    from dataflows.stopping import interrupt_on_sigterm, stop_request_clear

    handler, hook = signal.getsignal(signal.SIGTERM), sys.unraisablehook
    interrupt_on_sigterm()
    yield signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, handler)
    sys.unraisablehook = hook
    stop_request_clear()
