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

from dataflows.registry import FlowSpec, register_flow

FLOWS: dict[str, Callable] = {}

_discovered = False
_discover_lock = threading.Lock()


# Until each app registers its own flows (orders/flows, catalog/flows), the flows of this
# package register here with these specs.
_SPECS = {}


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
    return FLOWS.get(str(kind))


# Imported by the registry's autodiscovery: register every flow of this package now.
discover()
