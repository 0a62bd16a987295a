"""Order Import against the sandbox's newer fault kinds (504, slow answers beyond the client's
read timeout, 401/403 that come and go) in a seeded mix: the same orders as a fault-free run,
none twice, and a lasting 401 is a run error that says what to do."""

import pytest

from dataflows.models import Run
from orders.models import Order, OrderError
from tests.orders.helpers import client_for, error_ids, expected_ids, hub_ids, run_flow

pytestmark = pytest.mark.usefixtures("enqueued")


def test_a_seeded_mix_of_504_slow_401_and_403_imports_every_order_once(
    store, sandbox_settings, contract
):
    sandbox = sandbox_settings
    wanted = expected_ids(sandbox)
    sandbox.configure(
        fault_rate=0.5, fault_hang_ms=400, fault_kinds=["504", "slow", "401", "403"], fault_seed=3
    )

    runs = []
    with contract.expect_violations():
        while len(runs) < 5 and not (runs and runs[-1].status == Run.Status.SUCCEEDED):
            runs.append(run_flow(store, client=client_for(sandbox, contract, read_timeout=0.2)))
    sandbox.configure(fault_rate=0.0)

    assert runs[-1].status == Run.Status.SUCCEEDED
    assert sandbox.stats()["faults_total"] > 0
    # Every order imported or (the store's seeded bad ones) an order error, as without faults;
    # none twice, and no error from a fault.
    imported = hub_ids(store)
    assert imported | error_ids(store) == wanted
    assert Order.objects.filter(connection=store).count() == len(imported)
    assert (
        not OrderError.objects.filter(connection=store)
        .exclude(code__in=("missing_sku", "unknown_sku"))
        .exists()
    )


def test_a_lasting_401_fails_the_import_with_what_to_do(store, sandbox_settings, contract):
    sandbox_settings.force_fault("401", count=1000, path="/v2/orders")

    with contract.expect_violations():
        run = run_flow(store, client=client_for(sandbox_settings, contract))

    assert run.status == Run.Status.FAILED
    assert "(401)" in run.error_message and "access token" in run.error_message
    assert not hub_ids(store)
