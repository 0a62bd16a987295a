"""The sandbox's webhook deliveries: events of a store become BigCommerce-shaped callbacks
POSTed to its active hooks' destinations, with BigCommerce's retries and deactivation.

A store method records an event (`Store.emit`, under the sandbox lock); the outbox turns it
into one delivery per matching active hook. A sender thread posts the due ones (config
`webhook_auto_send`); tests turn it off and call `POST /_sandbox/webhooks/flush`, which posts
the pending ones in the request, so a test knows exactly what was delivered when.

BigCommerce retries a failed callback after 60, 180, ... 86400 s and then deactivates the hook
(`is_active: false`); here the delays are multiplied by `webhook_retry_scale` (0: a failed
delivery is due again at once), and the hook is deactivated once the last retry failed.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

RETRY_DELAYS_S = (60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400)
LOG_SIZE = 200


@dataclass
class Delivery:
    id: int
    store_hash: str
    hook_id: int
    destination: str
    headers: dict
    body: bytes
    hash: str
    scope: str
    attempts: int = 0
    due_at: float = 0.0
    last_status: int | str | None = None
    meta: dict = field(default_factory=dict)

    def public(self) -> dict:
        return {"id": self.id, "store": self.store_hash, "hook_id": self.hook_id,
                "scope": self.scope, "hash": self.hash, "destination": self.destination,
                "attempts": self.attempts, "last_status": self.last_status}


def _scope_matches(hook_scope: str, scope: str) -> bool:
    if hook_scope.endswith("/*"):
        return scope.startswith(hook_scope[:-1])
    return hook_scope == scope


def destination_for(hook_destination: str, base_url: str) -> str:
    """Where a callback goes: the hook's destination, or its path under `base_url` when one is
    set (the hub registers its public https URL; the sandbox reaches it on loopback)."""
    if not base_url:
        return hook_destination
    parts = urlsplit(hook_destination)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return base_url.rstrip("/") + path


class Outbox:
    """Pending deliveries of every store of one sandbox, and the counts of what happened."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.cond = threading.Condition()
        self.pending: list[Delivery] = []
        self.next_id = 1
        self.events = 0
        self.counts = {"sent": 0, "delivered": 0, "failed": 0, "deactivated": 0}
        self.log: list[dict] = []
        self.sending = 0
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ events (under sb.lock)

    def event(self, store, scope: str, data: dict) -> int:
        """Queue one delivery per active hook of `store` whose scope covers `scope`."""
        self.events += 1
        created = int(time.time())
        event_hash = hashlib.sha1(
            f"{store.hash}:{scope}:{self.events}:{json.dumps(data, sort_keys=True)}".encode()
        ).hexdigest()
        base = self.sandbox.config.webhook_base_url
        queued = 0
        with self.cond:
            for hook in sorted(store.hooks.values(), key=lambda h: h["id"]):
                if not hook["is_active"] or not _scope_matches(hook["scope"], scope):
                    continue
                body = {"scope": scope, "store_id": str(store.store_id), "data": data,
                        "hash": event_hash, "created_at": created,
                        "producer": f"stores/{store.hash}"}
                self.pending.append(Delivery(
                    self.next_id, store.hash, hook["id"],
                    destination_for(hook["destination"], base), dict(hook["headers"] or {}),
                    json.dumps(body).encode(), event_hash, scope, due_at=time.monotonic()))
                self.next_id += 1
                queued += 1
            if queued:
                self.cond.notify_all()
        return queued

    def clear(self) -> None:
        with self.cond:
            self.pending = []
            self.events = 0
            self.counts = dict.fromkeys(self.counts, 0)
            self.log = []

    # ------------------------------------------------------------ sending (no sb.lock held)

    def _take_due(self, now: float, ignore_delays: bool) -> list[Delivery]:
        with self.cond:
            due = [d for d in self.pending if ignore_delays or d.due_at <= now]
            for d in due:
                self.pending.remove(d)
            self.sending += len(due)
            return due

    def _post(self, d: Delivery) -> int | str:
        timeout = self.sandbox.config.webhook_timeout_ms / 1000
        request = urllib.request.Request(
            d.destination, data=d.body, method="POST",
            headers={**d.headers, "Content-Type": "application/json",
                     "User-Agent": "BigCommerceSandbox-Webhooks/1.0"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (OSError, ValueError) as exc:
            return type(exc).__name__

    def _attempt(self, d: Delivery) -> None:
        status = self._post(d)
        ok = isinstance(status, int) and 200 <= status < 300
        d.attempts += 1
        d.last_status = status
        deactivate = False
        with self.cond:
            self.sending -= 1
            self.counts["sent"] += 1
            self.counts["delivered" if ok else "failed"] += 1
            if not ok:
                if d.attempts > len(RETRY_DELAYS_S):
                    deactivate = True
                else:
                    scale = self.sandbox.config.webhook_retry_scale
                    d.due_at = time.monotonic() + RETRY_DELAYS_S[d.attempts - 1] * scale
                    self.pending.append(d)
            self.log.append({**d.public(), "ok": ok})
            del self.log[:-LOG_SIZE]
            self.cond.notify_all()
        if deactivate:
            self._deactivate(d)

    def _deactivate(self, d: Delivery) -> None:
        """The last retry failed: BigCommerce turns the hook off and drops its deliveries."""
        with self.sandbox.lock:
            store = self.sandbox.stores.get(d.store_hash)
            hook = store.hooks.get(d.hook_id) if store is not None else None
            if hook is not None and hook["is_active"]:
                hook["is_active"] = False
                with self.cond:
                    self.counts["deactivated"] += 1
        with self.cond:
            self.pending = [p for p in self.pending if p.hook_id != d.hook_id
                            or p.store_hash != d.store_hash]

    def flush(self, *, ignore_delays: bool = False, rounds: int = 1) -> dict:
        """Send what is due now (every pending delivery with `ignore_delays`), `rounds` times
        (a failure rescheduled in a round is sent again in the next one)."""
        results = []
        for _ in range(max(1, rounds)):
            due = self._take_due(time.monotonic(), ignore_delays)
            if not due:
                break
            for d in due:
                self._attempt(d)
                results.append(d.public())
        return {**self.status(), "attempted": results}

    def status(self) -> dict:
        with self.cond:
            return {"pending": [d.public() for d in self.pending], "events": self.events,
                    **self.counts}

    # ------------------------------------------------------------ the sender thread

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="sandbox-webhooks",
                                            daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            with self.cond:
                while True:
                    if self.sandbox.config.webhook_auto_send and self.pending:
                        now = time.monotonic()
                        soonest = min(d.due_at for d in self.pending)
                        if soonest <= now:
                            break
                        self.cond.wait(timeout=min(soonest - now, 1.0))
                    else:
                        self.cond.wait(timeout=1.0)
            for d in self._take_due(time.monotonic(), False):
                try:
                    self._attempt(d)
                except Exception:  # pragma: no cover - never kill the sender
                    with self.cond:
                        self.sending = max(0, self.sending - 1)
