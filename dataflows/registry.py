"""The flows the engine runs: each app registers its own, the way apps register with the admin.

An app's `flows.py` (a module or package, found by `autodiscover_modules("flows")` when the
engine's app is ready) calls `register_flow(FlowSpec(...))` for every kind it owns. The engine
knows kinds only through this registry and never imports the apps.

A flow is a function `run(ctx: RunContext) -> None`. It counts through `ctx` and raises only
for errors that stop the whole run (a record that cannot be handled is counted as failed and
logged instead). It must call `ctx.progress(...)` after every page or batch: that saves the
counters for the screens and renews the run's lease.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class FlowSpec:
    kind: str
    label: str
    run: Callable
    description: str = ""
    default_interval_s: int = 5 * 60
    enabled_by_default: bool = True
    #: The Celery queue its runs go to (see CELERY_TASK_ROUTES): orders, shipments, stock,
    #: catalog.
    queue: str = "default"
    #: Kinds that must have succeeded once on a connection before this one may run there
    #: (e.g. Order Import waits for the first Product Match).
    waits_for: tuple[str, ...] = ()
    #: Validates and normalises the dataflow's options when they are saved (raises
    #: django.core.exceptions.ValidationError); None: the flow takes no options.
    options_parser: Callable[[dict], dict] | None = None
    #: Lower runs first when the store's quota is contended.
    priority: int = 5
    #: While the connection's webhooks are healthy, a dataflow left at `default_interval_s`
    #: polls this seldom instead (the webhooks bring the changes; polling is the safety net).
    interval_with_webhooks_s: int | None = None
    extra: dict = field(default_factory=dict)


_FLOWS: dict[str, FlowSpec] = {}


def register_flow(spec: FlowSpec) -> FlowSpec:
    """Register (or, on a module reload, replace) the flow of `spec.kind`."""
    _FLOWS[spec.kind] = spec
    return spec


def discover() -> None:
    autodiscover_modules("flows")


def flow_spec(kind: str) -> FlowSpec | None:
    return _FLOWS.get(str(kind))


def flow_specs() -> list[FlowSpec]:
    """Every registered flow, in registration order (the apps' order in INSTALLED_APPS)."""
    return list(_FLOWS.values())


def kind_choices() -> list[tuple[str, str]]:
    """Choices for `Dataflow.kind` (a callable, so the model needs no list of the apps' kinds)."""
    return [(spec.kind, spec.label) for spec in _FLOWS.values()]


def kind_label(kind: str) -> str:
    spec = flow_spec(kind)
    return spec.label if spec else str(kind).replace("_", " ").title()
