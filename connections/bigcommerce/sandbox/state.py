"""The sandbox's state: config, stores, rate-limit windows, forced faults, stats, OAuth."""

from __future__ import annotations

import gc
import random
import re
import threading
import time
from dataclasses import asdict, dataclass, field

from .store import Store
from .webhook_delivery import Outbox

FAULT_KINDS = ("500", "502", "503", "504", "429", "timeout", "slow", "malformed",
               "lost_response", "401", "403")
#: The random draw's default mix (`fault_kinds` chooses another; lost_response is drawn
#: only for shipment POSTs).
RANDOM_FAULT_KINDS = ("500", "502", "503", "429", "timeout", "malformed")
FAULT_LOG_MAX = 2000


def parse_stores(spec) -> list[tuple[str, str]]:
    """``"HASH:TOKEN,HASH:TOKEN"`` or a list of ``{"hash", "token"}`` -> [(hash, token)]."""
    out = []
    if isinstance(spec, str):
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            store_hash, sep, token = part.partition(":")
            if not sep or not store_hash or not token:
                raise ValueError(f"store {part!r} is not HASH:TOKEN")
            out.append((store_hash, token))
    elif isinstance(spec, list):
        for item in spec:
            out.append((str(item["hash"]), str(item["token"])))
    if not out:
        raise ValueError("at least one store is needed")
    return out


@dataclass
class Config:
    stores: list = field(default_factory=lambda: [("demo01", "demo-token-01")])
    orders: int = 500
    products: int = 100
    variants: int = 3
    quota: int = 150
    window_ms: int = 30000
    latency_ms: int = 0
    fault_rate: float = 0.0
    fault_hang_ms: int = 10000
    #: The kinds the random draw picks from; the draws are seeded per store and endpoint by
    #: `fault_seed` (None: `seed`), so one flow's faults do not depend on another's requests.
    fault_kinds: list = field(default_factory=lambda: list(RANDOM_FAULT_KINDS))
    fault_seed: int | None = None
    seed: int = 1
    webhook_https_only: bool = True
    #: Deliveries: sent by a background thread (else only by POST /_sandbox/webhooks/flush),
    #: to this base URL instead of the hook's scheme and host when set, retry delays scaled.
    webhook_auto_send: bool = True
    webhook_base_url: str = ""
    webhook_retry_scale: float = 1.0
    webhook_timeout_ms: int = 5000

    RUNTIME = ("quota", "window_ms", "latency_ms", "fault_rate", "fault_hang_ms",
               "fault_kinds", "fault_seed",
               "webhook_https_only", "webhook_auto_send", "webhook_base_url",
               "webhook_retry_scale", "webhook_timeout_ms")
    SEEDING = ("orders", "products", "variants", "seed")

    def public(self) -> dict:
        d = asdict(self)
        d["stores"] = [{"hash": h, "token": t} for h, t in self.stores]
        return d

    def apply(self, body: dict, keys) -> None:
        for key in keys:
            if key not in body:
                continue
            val = body[key]
            if key == "stores":
                self.stores = parse_stores(val)
            elif key in ("webhook_https_only", "webhook_auto_send"):
                if not isinstance(val, bool):
                    raise ValueError(f"{key} must be true or false")
                setattr(self, key, val)
            elif key == "webhook_base_url":
                if not isinstance(val, str) or (val and not re.match(r"^https?://[^/?#]+", val)):
                    raise ValueError("webhook_base_url must be an http(s) URL or empty")
                self.webhook_base_url = val
            elif key == "webhook_retry_scale":
                val = float(val)
                if val < 0:
                    raise ValueError("webhook_retry_scale must be 0 or more")
                self.webhook_retry_scale = val
            elif key == "fault_kinds":
                kinds = val.split(",") if isinstance(val, str) else val
                if not isinstance(kinds, list) or not kinds or any(
                        k not in FAULT_KINDS for k in kinds):
                    raise ValueError(f"fault_kinds must be a non-empty list of {FAULT_KINDS}")
                self.fault_kinds = [str(k) for k in kinds]
            elif key == "fault_seed":
                self.fault_seed = None if val is None else int(val)
            elif key == "fault_rate":
                val = float(val)
                if not 0 <= val <= 1:
                    raise ValueError("fault_rate must be between 0 and 1")
                self.fault_rate = val
            else:
                val = int(val)
                if val < (1 if key in ("quota", "window_ms") else 0):
                    raise ValueError(f"{key} is out of range")
                setattr(self, key, val)



class ForcedFault:
    def __init__(self, kind, count, method, path, store, hang_ms, skip=0):
        self.kind = kind
        self.count = count
        self.skip = skip  # matching requests let through first
        self.method = method.upper() if method else None
        self.path = path
        self.store = store
        self.hang_ms = hang_ms
        self.regex = None
        if path:
            parts = [re.escape(seg) if seg not in ("{id}", "*") else "[^/]+"
                     for seg in path.split("/")]
            self.regex = re.compile("/".join(parts))

    def matches(self, method, store_hash, rel_path, full_path) -> bool:
        if self.method and self.method != method:
            return False
        if self.store and self.store != store_hash:
            return False
        if self.regex is not None:
            target = full_path if self.path.startswith("/stores/") else rel_path
            if not self.regex.match(target):
                return False
        return True

    def public(self) -> dict:
        return {"kind": self.kind, "count": self.count, "method": self.method,
                "path": self.path, "store": self.store, "hang_ms": self.hang_ms,
                "skip": self.skip}


def new_stats() -> dict:
    return {"requests": 0, "by_store": {}, "endpoints": {}, "status_codes": {},
            "http_429": 0, "faults": dict.fromkeys(FAULT_KINDS, 0), "faults_total": 0,
            "cpu_ms": {}, "fault_log": []}



class Sandbox:
    """All state of the server: config, stores, rate-limit windows, stats, faults, OAuth."""

    def __init__(self, config: Config):
        self.lock = threading.RLock()
        self.base_config = config
        self.stores: dict[str, Store] = {}
        self.outbox = Outbox(self)
        self.reset({})

    # ------------------------------------------------------------ state

    def reset(self, overrides: dict) -> None:
        """Re-seed from the start-up config plus `overrides`; requests wait meanwhile."""
        cfg = Config(**asdict(self.base_config))
        cfg.apply(overrides, ("stores",) + Config.SEEDING + Config.RUNTIME)
        with self.lock:
            # Drop the old stores first (peak memory), and seed without the cyclic GC, which
            # would otherwise rescan the growing heap many times.
            self.stores = {}
            gc.unfreeze()
            gc.collect()
            gc.disable()
            try:
                stores = {}
                for index, (store_hash, token) in enumerate(cfg.stores):
                    client_id = f"sandbox-client-{store_hash}"
                    if store_hash in stores:
                        stores[store_hash].tokens[token] = client_id
                        continue
                    stores[store_hash] = Store(
                        store_hash, {token: client_id}, index, seed=cfg.seed,
                        orders=cfg.orders, products=cfg.products, variants=cfg.variants)
            finally:
                gc.enable()
            for store in stores.values():
                store.outbox = self.outbox
            self.outbox.clear()
            self.config = cfg
            self.stores = stores
            self.windows: dict[str, list] = {}
            self.stats = new_stats()
            self.forced: list[ForcedFault] = []
            self.fault_rngs: dict[tuple[str, str], random.Random] = {}
            self.oauth_clients: dict[str, dict] = {}
            # The seeded records live until the next reset: keep them out of the cyclic GC's
            # scans (a full collection over a big store would stall responses).
            gc.collect()
            gc.freeze()

    # ------------------------------------------------------------ rate limit

    def take_quota(self, store_hash: str) -> tuple[bool, dict]:
        """Count one request; (allowed, rate-limit headers)."""
        cfg = self.config
        t = time.monotonic() * 1000
        win = self.windows.get(store_hash)
        if win is None or t - win[0] >= cfg.window_ms:
            win = [t, 0]
            self.windows[store_hash] = win
        reset_ms = max(0, int(win[0] + cfg.window_ms - t))
        allowed = win[1] < cfg.quota
        if allowed:
            win[1] += 1
        headers = {
            "X-Rate-Limit-Time-Window-Ms": str(cfg.window_ms),
            "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
            "X-Rate-Limit-Requests-Quota": str(cfg.quota),
            "X-Rate-Limit-Requests-Left": str(max(0, cfg.quota - win[1])),
        }
        return allowed, headers

    # ------------------------------------------------------------ faults

    def fault_rng(self, store_hash: str, endpoint: str) -> random.Random:
        """The random draws of one store's endpoint (e.g. `POST /v2/orders/{id}/shipments`):
        the same seed gives each flow the same faults, whatever other flows ask meanwhile."""
        key = (store_hash, endpoint)
        rng = self.fault_rngs.get(key)
        if rng is None:
            seed = self.config.seed if self.config.fault_seed is None else self.config.fault_seed
            rng = self.fault_rngs[key] = random.Random(f"{seed}|{store_hash}|{endpoint}")
        return rng

    def pick_fault(self, method, store_hash, rel_path, full_path, is_shipment_post,
                   endpoint=None):
        """(kind, hang_ms) or None; forced faults first, then the random draw."""
        for ff in self.forced:
            if ff.matches(method, store_hash, rel_path, full_path):
                if ff.skip > 0:
                    ff.skip -= 1
                    continue
                ff.count -= 1
                if ff.count <= 0:
                    self.forced.remove(ff)
                return ff.kind, ff.hang_ms if ff.hang_ms is not None else self.config.fault_hang_ms
        rate = self.config.fault_rate
        if rate <= 0:
            return None
        rng = self.fault_rng(store_hash, endpoint or f"{method} {rel_path}")
        if rng.random() >= rate:
            return None
        kinds = [k for k in self.config.fault_kinds if k != "lost_response"]
        default_mix = list(self.config.fault_kinds) == list(RANDOM_FAULT_KINDS)
        if is_shipment_post and (default_mix or "lost_response" in self.config.fault_kinds):
            kinds.append("lost_response")
        if not kinds:
            return None
        return rng.choice(kinds), self.config.fault_hang_ms

    # ------------------------------------------------------------ stats

    def time(self, endpoint: str, cpu_ms: float) -> None:
        t = self.stats["cpu_ms"].setdefault(endpoint, {"n": 0, "total": 0.0, "max": 0.0})
        t["n"] += 1
        t["total"] = round(t["total"] + cpu_ms, 3)
        t["max"] = round(max(t["max"], cpu_ms), 3)

    def count(self, store_hash, endpoint, status, fault=None) -> None:
        st = self.stats
        st["requests"] += 1
        st["endpoints"][endpoint] = st["endpoints"].get(endpoint, 0) + 1
        code = str(status)
        st["status_codes"][code] = st["status_codes"].get(code, 0) + 1
        if store_hash is not None:
            per = st["by_store"].setdefault(
                store_hash, {"requests": 0, "http_429": 0, "faults": 0, "endpoints": {}})
            per["requests"] += 1
            per["endpoints"][endpoint] = per["endpoints"].get(endpoint, 0) + 1
            if status == 429 and fault is None:
                per["http_429"] += 1
            if fault is not None:
                per["faults"] += 1
        if status == 429 and fault is None:
            st["http_429"] += 1
        if fault is not None:
            st["faults"][fault] += 1
            st["faults_total"] += 1
            if len(st["fault_log"]) < FAULT_LOG_MAX:
                st["fault_log"].append([store_hash, endpoint, fault])

