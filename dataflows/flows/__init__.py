"""One module per flow kind. A flow is a function `run(ctx: RunContext) -> None` registered
for its kind; it counts through `ctx` and raises only for errors that stop the whole run."""

from collections.abc import Callable

FLOWS: dict[str, Callable] = {}


def register(kind: str):
    def decorator(func):
        FLOWS[kind] = func
        return func

    return decorator


def flow_for(kind: str) -> Callable | None:
    return FLOWS.get(kind)
