"""One module per flow kind. A flow is a function `run(ctx: RunContext) -> None` registered
for its kind with `@register(Kind.X)`; it counts through `ctx` and raises only for errors that
stop the whole run (a record that cannot be handled is counted as failed and logged instead).

Modules of this package are imported the first time a flow is looked up, so a new flow kind
only needs its module here (e.g. `dataflows/flows/order_import.py`).

A flow must call `ctx.progress(...)` at least every few minutes (in practice: after every
page or batch). That saves the counters for the screens and renews the run's lease; a lease
not renewed within DATAFLOW_LEASE_SECONDS counts as a dead worker, and the flow is then stopped
at its next `ctx.progress()` / `ctx.save_cursor()` with `LeaseLost`.
"""

import importlib
import pkgutil
import threading
from collections.abc import Callable

from dataflows.registry import FlowSpec, flow_spec, register_flow

FLOWS: dict[str, Callable] = {}

_discovered = False
_discover_lock = threading.Lock()


# Until each app registers its own flows (orders/flows, catalog/flows), the flows of this
# package register here with these specs.
_SPECS = {
    "order_import": dict(
        label="Order Import",
        queue="orders",
        default_interval_s=5 * 60,
        priority=1,
        waits_for=("product_match",),
        description="Imports orders in the chosen statuses from BigCommerce.",
    ),
    "order_update": dict(
        label="Order Update",
        queue="shipments",
        default_interval_s=5 * 60,
        priority=2,
        description="Sends shipments with tracking back and marks orders shipped.",
    ),
}


def register(kind: str):
    def decorator(func):
        FLOWS[str(kind)] = func
        register_flow(FlowSpec(kind=str(kind), run=func, **_SPECS[str(kind)]))
        return func

    return decorator


def discover() -> None:
    """Import every flow module of this package once (they register themselves)."""
    global _discovered
    if _discovered:
        return
    with _discover_lock:
        if _discovered:
            return
        for module in pkgutil.iter_modules(__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"{__name__}.{module.name}")
        _discovered = True


def flow_for(kind: str) -> Callable | None:
    discover()
    func = FLOWS.get(str(kind))  # this package's flows (tests swap them in FLOWS)
    if func is not None or str(kind) in _SPECS:
        return func
    spec = flow_spec(kind)  # the apps' flows (catalog/flows) register there only
    return spec.run if spec else None


# Imported by the registry's autodiscovery: register every flow of this package now.
discover()
