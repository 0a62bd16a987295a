"""Webhook handlers by scope prefix: the apps above plug in, connections never import them.

A handler is `fn(*, connection, scope, data) -> None`, called inside the receiving transaction:
it records what to fetch and queues work after commit (never calls BigCommerce itself).
"""

from __future__ import annotations

from collections.abc import Callable

Handler = Callable[..., None]
_HANDLERS: list[tuple[str, Handler]] = []


def webhook_handler_register(scope_prefix: str, fn: Handler) -> Handler:
    """Call `fn` for every delivery whose scope starts with `scope_prefix` (registering the
    same pair again, e.g. on a reload, replaces it)."""
    name = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', fn)}"
    _HANDLERS[:] = [
        (p, f)
        for p, f in _HANDLERS
        if not (p == scope_prefix and f"{f.__module__}.{f.__qualname__}" == name)
    ]
    _HANDLERS.append((scope_prefix, fn))
    return fn


def webhook_handlers_for(scope: str) -> list[Handler]:
    return [fn for prefix, fn in _HANDLERS if scope.startswith(prefix)]
