"""The one HTTP client every dataflow uses to talk to a BigCommerce store.

* Paces itself through a quota gate shared by every client of the store (see
  ``ratelimit.py``); on a 429 it waits the reset BigCommerce names and carries on.
* Retries timeouts, dropped connections and 500/502/503/504 with exponential backoff and
  jitter, bounded by ``max_retries``, only for idempotent requests (GET/PUT/DELETE); a
  401/403 (nothing done) ``AUTH_RETRIES`` times for any request.
  POST is never retried blindly: ``create_order_shipment`` first looks whether the
  shipment was created after all.
* Lists stream page by page (a page is fetched only when the previous one was consumed).
* Counts every request in ``stats`` (the runs report ``stats.requests`` as API requests).
* Never writes the access token into a message, a repr or a log line; does not follow
  redirects (the token must not travel to another host).

One client (and its ``requests.Session``) per thread; the quota is shared through the gate.

This module is the transport (session, pacing, retries, error mapping); what the client can
ask of a store is in ``resources/`` (orders, shipments, catalog, listings, inventory, store,
webhooks), mixed into ``BigCommerceClient``.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from .errors import (
    AuthenticationError,
    BigCommerceError,
    MalformedResponseError,
    TransportError,
    build_http_error,
    excerpt,
)
from .quota.gate import DEFAULT_PRIORITY
from .ratelimit import (
    QuotaGate,
    parse_rate_limit_headers,
    quota_gate_for,
    reset_ms_from_headers,
)
from .resources.base import Decoder, endpoint_key
from .resources.catalog import CatalogAPI
from .resources.inventory import InventoryAPI
from .resources.listings import ListingsAPI
from .resources.orders import OrdersAPI
from .resources.shipments import ShipmentsAPI
from .resources.store import StoreAPI
from .resources.webhooks import WebhooksAPI
from .settings import setting

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.bigcommerce.com"
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_READ_TIMEOUT_S = 60.0
USER_AGENT = "IntegrationHub-BigCommerce/0.1 (fulfilment integration hub; python-requests)"

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
#: A 401/403 is asked again this many times before it is the connection's credentials.
AUTH_RETRIES = 2
#: A GET answered with unreadable JSON is asked again this many times.
MALFORMED_RETRIES = 2
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0

_RETRYABLE_TRANSPORT: tuple[type[Exception], ...] = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


@dataclass
class ClientStats:
    """What a client spent. ``requests`` counts every HTTP request sent, retries included."""

    requests: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    http_429: int = 0
    retries: int = 0
    waited_s: float = 0.0
    #: The store's quota as its last answer told (requests per window of window_ms).
    quota: int | None = None
    window_ms: float | None = None

    @property
    def quota_per_hour(self) -> int | None:
        if not (self.quota and self.window_ms):
            return None
        return int(self.quota * 3_600_000 / self.window_ms)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_endpoint": dict(self.by_endpoint),
            "http_429": self.http_429,
            "retries": self.retries,
            "waited_s": round(self.waited_s, 3),
        }


class BigCommerceClient(
    StoreAPI, OrdersAPI, ShipmentsAPI, CatalogAPI, InventoryAPI, WebhooksAPI, ListingsAPI
):
    """Client of one store. Use as a context manager or call ``close()``."""

    def __init__(
        self,
        *,
        store_hash: str,
        access_token: str,
        api_url: str | None = None,
        quota_gate: QuotaGate | None = None,
        quota_priority: int = DEFAULT_PRIORITY,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not store_hash or not re.fullmatch(r"[A-Za-z0-9_-]+", store_hash):
            raise ValueError(
                "store_hash must be the store's hash (letters and digits, the part after "
                "'store-' in the store's address)"
            )
        if not access_token:
            raise ValueError("access_token is empty: set the connection's access token")
        if not re.fullmatch(r"[\x21-\x7e]+", access_token):
            # requests cannot send it in a header (UnicodeEncodeError): refuse it before.
            raise AuthenticationError(
                "The access token has characters no HTTP header can carry (spaces or non-ASCII).",
                hint="Enter the connection's access token again, copied from the store's API "
                "account.",
                store_hash=store_hash,
            )
        self.store_hash = store_hash
        self._access_token = access_token
        self.api_url = (api_url or setting("BIGCOMMERCE_API_URL", DEFAULT_API_URL)).rstrip("/")
        self.base_url = f"{self.api_url}/stores/{store_hash}"
        self.timeout = (
            float(
                connect_timeout
                if connect_timeout is not None
                else setting("BIGCOMMERCE_CONNECT_TIMEOUT_S", DEFAULT_CONNECT_TIMEOUT_S)
            ),
            float(
                read_timeout
                if read_timeout is not None
                else setting("BIGCOMMERCE_READ_TIMEOUT_S", DEFAULT_READ_TIMEOUT_S)
            ),
        )
        self.max_retries = max(0, int(max_retries))
        self.quota_gate: QuotaGate = quota_gate or quota_gate_for(store_hash)
        # Its class when requests wait for the store's quota (the run's flow, e.g. orders 1).
        self.quota_priority = int(quota_priority)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._owns_session = session is None
        self.session = session or requests.Session()
        self.session.headers.update(
            {
                "X-Auth-Token": access_token,
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            }
        )
        self.stats = ClientStats()

    def __repr__(self) -> str:
        return f"BigCommerceClient(store_hash={self.store_hash!r}, api_url={self.api_url!r})"

    def sibling(self) -> BigCommerceClient:
        """A client of the same store for another thread: its own session (with this one's
        response hooks) and stats; the same quota gate, timeouts, retries and sleep."""
        other = BigCommerceClient(
            store_hash=self.store_hash,
            access_token=self._access_token,
            api_url=self.api_url,
            quota_gate=self.quota_gate,
            connect_timeout=self.timeout[0],
            read_timeout=self.timeout[1],
            max_retries=self.max_retries,
            sleep=self._sleep,
        )
        other.session.hooks["response"] = list(self.session.hooks.get("response") or [])
        return other

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> BigCommerceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transport

    def _scrub(self, text: str) -> str:
        return text.replace(self._access_token, "[redacted]")

    def _backoff(self, attempt: int, reason: str, key: str) -> None:
        """Sleep base * 2**(attempt-1), capped, plus up to 25 % jitter."""
        delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))
        delay *= 1 + 0.25 * self._rng.random()
        self.stats.retries += 1
        self.stats.waited_s += delay
        logger.info(
            "BigCommerce store %s: %s after %s; retry %d/%d in %.2f s",
            self.store_hash,
            key,
            reason,
            attempt,
            self.max_retries,
            delay,
        )
        self._sleep(delay)

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        decode: Decoder | None = None,
    ) -> Any:
        """Send one logical request (with its retries); the decoded JSON (by `decode`, which
        raises ValueError for a body it cannot read), or None on 204."""
        method = method.upper()
        key = endpoint_key(method, path)
        url = f"{self.base_url}{path}"
        idempotent = method in IDEMPOTENT_METHODS
        headers = {}
        data = None
        if json_body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(json_body, default=str)
        failures = 0  # 5xx, transport errors: bounded by max_retries
        limited = 0  # 429s: bounded by max_retries
        malformed = 0
        refused = 0  # 401/403s
        while True:
            reservation = self.quota_gate.acquire(priority=self.quota_priority)
            self.stats.waited_s += reservation.waited_s
            self.stats.requests += 1
            self.stats.by_endpoint[key] += 1
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except _RETRYABLE_TRANSPORT as exc:
                self.quota_gate.release(reservation)
                reason = type(exc).__name__
                if idempotent and failures < self.max_retries:
                    failures += 1
                    self._backoff(failures, reason, key)
                    continue
                raise self._transport_error(method, key, exc, failures + 1) from None
            except requests.RequestException as exc:  # bad URL and the like: not retried
                self.quota_gate.release(reservation)
                raise self._transport_error(method, key, exc, 1) from None
            elapsed_ms = (time.monotonic() - started) * 1000
            status = response.status_code
            info = parse_rate_limit_headers(response.headers)
            logger.debug(
                "BigCommerce store %s: %s -> %d in %.0f ms (left %s)",
                self.store_hash,
                key,
                status,
                elapsed_ms,
                info.left if info else "?",
            )

            if status == 429:
                self.stats.http_429 += 1
                reset_ms = info.reset_ms if info else reset_ms_from_headers(response.headers)
                self.quota_gate.on_429(reset_ms, reservation=reservation)
                if limited < self.max_retries:
                    limited += 1
                    self.stats.retries += 1
                    logger.warning(
                        "BigCommerce store %s: 429 on %s; %s (retry %d/%d)",
                        self.store_hash,
                        key,
                        f"waiting the reset of {reset_ms:.0f} ms"
                        if reset_ms is not None
                        else "no reset given (platform load), backing off",
                        limited,
                        self.max_retries,
                    )
                    continue
                raise self._http_error(response, method, key)

            if info is not None:
                if info.quota and info.window_ms:
                    self.stats.quota, self.stats.window_ms = info.quota, info.window_ms
                self.quota_gate.observe(
                    info.left, info.reset_ms, info.quota, info.window_ms, reservation=reservation
                )
            else:
                self.quota_gate.release(reservation)

            if status in (401, 403) and refused < AUTH_RETRIES:
                # A refusal that comes and goes (BigCommerce's auth service): asked again
                # before it is reported as the connection's credentials; nothing was done.
                refused += 1
                self._backoff(refused, f"HTTP {status}", key)
                continue
            if status >= 500 or status in RETRY_STATUSES:
                if status in RETRY_STATUSES and idempotent and failures < self.max_retries:
                    failures += 1
                    self._backoff(failures, f"HTTP {status}", key)
                    continue
                raise self._http_error(response, method, key)
            if status >= 300:
                raise self._http_error(response, method, key)
            if status == 204 or not response.content.strip():
                return None
            try:
                return (decode or json.loads)(response.content)
            except ValueError:
                if method == "GET" and malformed < MALFORMED_RETRIES:
                    malformed += 1
                    self._backoff(malformed, "an unreadable (non-JSON) answer", key)
                    continue
                raise MalformedResponseError(
                    self._scrub(
                        f"BigCommerce answered {key} on store {self.store_hash} with a body "
                        f"that is not valid JSON ({status}, {len(response.content)} bytes): "
                        f"{excerpt(response.text, 120)!r}"
                    ),
                    hint=(
                        "The change was probably applied; check it in BigCommerce before "
                        "repeating it."
                        if method != "GET"
                        else MalformedResponseError.default_hint
                    ),
                    status=status,
                    method=method,
                    endpoint=key,
                    store_hash=self.store_hash,
                ) from None

    def _transport_error(
        self, method: str, key: str, exc: Exception, attempts: int
    ) -> TransportError:
        kind = "timed out" if isinstance(exc, requests.Timeout) else "failed"
        return TransportError(
            self._scrub(
                f"{key} to BigCommerce store {self.store_hash} {kind} "
                f"({attempts} attempt{'s' if attempts != 1 else ''}): "
                f"{type(exc).__name__}: {excerpt(str(exc), 200)}"
            ),
            hint=(
                f"Check the network connection to {self.api_url} (BIGCOMMERCE_API_URL) and "
                "BigCommerce's status; the run can be retried later."
            ),
            method=method,
            endpoint=key,
            store_hash=self.store_hash,
        )

    def _http_error(self, response: requests.Response, method: str, key: str) -> BigCommerceError:
        try:
            body: Any = json.loads(response.content) if response.content.strip() else None
        except ValueError:
            body = excerpt(response.text)
        error = build_http_error(
            response.status_code,
            body,
            method=method,
            endpoint=key,
            store_hash=self.store_hash,
            request_id=response.headers.get("X-Request-Id"),
        )
        logger.info("BigCommerce store %s: %s", self.store_hash, self._scrub(error.message))
        return error.redact(self._access_token)
