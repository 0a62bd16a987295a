"""The one HTTP client every dataflow uses to talk to a BigCommerce store.

* Paces itself through a quota gate shared by every client of the store (see
  ``ratelimit.py``); on a 429 it waits the reset BigCommerce names and carries on.
* Retries timeouts, dropped connections and 500/502/503/504 with exponential backoff and
  jitter, bounded by ``max_retries``, only for idempotent requests (GET/PUT/DELETE).
  POST is never retried blindly: ``create_order_shipment`` first looks whether the
  shipment was created after all.
* Lists stream page by page (a page is fetched only when the previous one was consumed).
* Counts every request in ``stats`` (the runs report ``stats.requests`` as API requests).
* Never writes the access token into a message, a repr or a log line; does not follow
  redirects (the token must not travel to another host).

One client (and its ``requests.Session``) per thread; the quota is shared through the gate.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import requests

from .errors import (
    BigCommerceError,
    MalformedResponseError,
    ServerError,
    TransportError,
    build_http_error,
    excerpt,
)
from .ratelimit import (
    QuotaGate,
    _setting,
    parse_rate_limit_headers,
    quota_gate_for,
    reset_ms_from_headers,
)

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.bigcommerce.com"
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_READ_TIMEOUT_S = 60.0
USER_AGENT = "IntegrationHub-BigCommerce/0.1 (fulfilment integration hub; python-requests)"

MAX_PAGE_SIZE = 250
INVENTORY_BATCH_SIZE = 2000
#: Ids per request in ``id:in`` / ``product_id:in`` filters (keeps URLs short).
IDS_PER_REQUEST = 250
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
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
_ID_SEGMENT = re.compile(r"^\d+$")

DateLike = datetime | date | str


@dataclass
class ClientStats:
    """What a client spent. ``requests`` counts every HTTP request sent, retries included."""

    requests: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    http_429: int = 0
    retries: int = 0
    waited_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_endpoint": dict(self.by_endpoint),
            "http_429": self.http_429,
            "retries": self.retries,
            "waited_s": round(self.waited_s, 3),
        }


# Orders with their consignments, line items and shipping addresses in one answer.
CONSIGNMENTS_INLINE = {"include": "consignments.line_items", "consignment_structure": "object"}


def endpoint_key(method: str, path: str) -> str:
    """``"GET /v2/orders/{id}/shipments"``: the path with numeric ids templated."""
    path = path.split("?", 1)[0]
    segments = ["{id}" if _ID_SEGMENT.match(s) else s for s in path.split("/")]
    return f"{method.upper()} {'/'.join(segments)}"


def format_v2_date(value: DateLike) -> str:
    """RFC-2822, as the v2 API writes its own dates (naive datetimes are taken as UTC)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return email.utils.format_datetime(value.astimezone(UTC).replace(microsecond=0))


def format_v3_date(value: DateLike) -> str:
    """ISO-8601 in UTC, seconds precision (naive datetimes are taken as UTC)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    stamp = value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat()
    return stamp + "Z"


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_limit(limit: int) -> int:
    if not 1 <= int(limit) <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, not {limit}")
    return int(limit)


def _normalise_tracking(value: Any) -> str:
    return "".join(str(value or "").split()).upper()


def _items_key(items: Any) -> list[tuple[int, int]] | None:
    if not isinstance(items, list):
        return None
    key = []
    for item in items:
        try:
            key.append((int(item["order_product_id"]), int(item["quantity"])))
        except (KeyError, TypeError, ValueError):
            return None
    return sorted(key)


def shipment_matches(existing: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Whether an existing shipment is the one ``payload`` would create.

    The tracking number decides (compared without spaces, case-insensitively; a payload
    without one only matches a shipment without one); the shipping address and the items
    (order product id and quantity), where both sides give them, must agree too.
    """
    if _normalise_tracking(existing.get("tracking_number")) != _normalise_tracking(
        payload.get("tracking_number")
    ):
        return False
    want_address, have_address = payload.get("order_address_id"), existing.get("order_address_id")
    if want_address is not None and have_address is not None:
        if str(want_address) != str(have_address):
            return False
    want_items, have_items = _items_key(payload.get("items")), _items_key(existing.get("items"))
    if want_items is not None and have_items is not None and want_items != have_items:
        return False
    return True


class BigCommerceClient:
    """Client of one store. Use as a context manager or call ``close()``."""

    def __init__(
        self,
        *,
        store_hash: str,
        access_token: str,
        api_url: str | None = None,
        quota_gate: QuotaGate | None = None,
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
        self.store_hash = store_hash
        self._access_token = access_token
        self.api_url = (api_url or _setting("BIGCOMMERCE_API_URL", DEFAULT_API_URL)).rstrip("/")
        self.base_url = f"{self.api_url}/stores/{store_hash}"
        self.timeout = (
            float(
                connect_timeout
                if connect_timeout is not None
                else _setting("BIGCOMMERCE_CONNECT_TIMEOUT_S", DEFAULT_CONNECT_TIMEOUT_S)
            ),
            float(
                read_timeout
                if read_timeout is not None
                else _setting("BIGCOMMERCE_READ_TIMEOUT_S", DEFAULT_READ_TIMEOUT_S)
            ),
        )
        self.max_retries = max(0, int(max_retries))
        self.quota_gate: QuotaGate = quota_gate or quota_gate_for(store_hash)
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
    ) -> Any:
        """Send one logical request (with its retries); the decoded JSON, or None on 204."""
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
        while True:
            reservation = self.quota_gate.acquire()
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
                self.quota_gate.observe(
                    info.left, info.reset_ms, info.quota, info.window_ms, reservation=reservation
                )
            else:
                self.quota_gate.release(reservation)

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
                return json.loads(response.content)
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

    def _malformed(self, key: str, expected: str, payload: Any) -> MalformedResponseError:
        got = type(payload).__name__ if payload is not None else "an empty answer"
        return MalformedResponseError(
            f"BigCommerce answered {key} on store {self.store_hash} with {got} where "
            f"{expected} was expected.",
            method=key.split(" ", 1)[0],
            endpoint=key,
            store_hash=self.store_hash,
        )

    def _get_dict(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        payload = self._request("GET", path, params=params)
        if not isinstance(payload, dict):
            raise self._malformed(endpoint_key("GET", path), "an object", payload)
        return payload

    def _send_dict(self, method: str, path: str, payload: Any) -> dict[str, Any]:
        answer = self._request(method, path, json_body=payload)
        if not isinstance(answer, dict):
            raise self._malformed(endpoint_key(method, path), "an object", answer)
        return answer

    def _v3_data(self, method: str, path: str, answer: Any) -> dict[str, Any]:
        if not isinstance(answer, dict) or not isinstance(answer.get("data"), dict):
            raise self._malformed(endpoint_key(method, path), "an object with 'data'", answer)
        return answer["data"]

    # ------------------------------------------------------------------ paging

    def _iter_v2_pages(
        self, path: str, params: dict[str, Any], *, limit: int, start_page: int = 1
    ) -> Iterator[list[dict[str, Any]]]:
        """v2 lists: page by page until a 204, an empty page or a short page."""
        limit = _check_limit(limit)
        page = max(1, int(start_page))
        while True:
            payload = self._request("GET", path, params={**params, "limit": limit, "page": page})
            if payload is None:
                return
            if not isinstance(payload, list):
                raise self._malformed(endpoint_key("GET", path), "a list", payload)
            if not payload:
                return
            yield payload
            if len(payload) < limit:
                return
            page += 1

    def _iter_v3_pages(
        self, path: str, params: dict[str, Any], *, limit: int
    ) -> Iterator[list[dict[str, Any]]]:
        """v3 lists: ``{data, meta: {pagination}}`` until the last page."""
        limit = _check_limit(limit)
        page = 1
        while True:
            payload = self._request("GET", path, params={**params, "limit": limit, "page": page})
            if payload is None:
                return
            if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
                raise self._malformed(endpoint_key("GET", path), "an object with 'data'", payload)
            data = payload["data"]
            if not data:
                return
            yield data
            meta = payload.get("meta")
            pagination = meta.get("pagination") if isinstance(meta, dict) else None
            total_pages = pagination.get("total_pages") if isinstance(pagination, dict) else None
            if isinstance(total_pages, int):
                current = pagination.get("current_page")
                current = current if isinstance(current, int) else page
                if current >= total_pages:
                    return
                page = current + 1
            else:
                if len(data) < limit:
                    return
                page += 1

    def _all_v2(self, path: str) -> list[dict[str, Any]]:
        return [
            item for page in self._iter_v2_pages(path, {}, limit=MAX_PAGE_SIZE) for item in page
        ]

    def _all_v3(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        pages = self._iter_v3_pages(path, params or {}, limit=MAX_PAGE_SIZE)
        return [item for page in pages for item in page]

    # ------------------------------------------------------------------ store

    def get_store(self) -> dict[str, Any]:
        """``GET /v2/store``: the store's profile (also a cheap credentials check)."""
        return self._get_dict("/v2/store")

    def list_order_statuses(self) -> list[dict[str, Any]]:
        payload = self._request("GET", "/v2/order_statuses")
        if payload is None:
            return []
        if not isinstance(payload, list):
            raise self._malformed("GET /v2/order_statuses", "a list", payload)
        return payload

    # ------------------------------------------------------------------ orders

    @staticmethod
    def _order_filters(
        *,
        status_id: int | None = None,
        min_id: int | None = None,
        max_id: int | None = None,
        min_date_created: DateLike | None = None,
        max_date_created: DateLike | None = None,
        min_date_modified: DateLike | None = None,
        max_date_modified: DateLike | None = None,
        is_deleted: bool | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for name, value in (("status_id", status_id), ("min_id", min_id), ("max_id", max_id)):
            if value is not None:
                params[name] = int(value)
        for name, value in (
            ("min_date_created", min_date_created),
            ("max_date_created", max_date_created),
            ("min_date_modified", min_date_modified),
            ("max_date_modified", max_date_modified),
        ):
            if value is not None:
                params[name] = format_v2_date(value)
        if is_deleted is not None:
            params["is_deleted"] = "true" if is_deleted else "false"
        return params

    def iter_order_pages(
        self,
        *,
        sort: str | None = None,
        include_consignments: bool = True,
        limit: int = MAX_PAGE_SIZE,
        start_page: int = 1,
        **filters: Any,
    ) -> Iterator[list[dict[str, Any]]]:
        """``GET /v2/orders`` page by page (each page fetched when the previous is consumed).

        ``filters`` are those of ``_order_filters`` (status_id, min_id, max_id, min/max
        date_created, min/max date_modified, is_deleted). With ``include_consignments`` each
        order carries its consignments, line items and shipping addresses.
        """
        params = self._order_filters(**filters)
        if sort:
            params["sort"] = sort
        if include_consignments:
            params.update(CONSIGNMENTS_INLINE)
        return self._iter_v2_pages("/v2/orders", params, limit=limit, start_page=start_page)

    def iter_orders(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """The orders of ``iter_order_pages`` (same keywords), one by one."""
        for page in self.iter_order_pages(**filters):
            yield from page

    def count_orders(self, **filters: Any) -> int:
        """``GET /v2/orders/count`` with the same filters as the listing."""
        params = self._order_filters(**filters)
        payload = self._get_dict("/v2/orders/count", params)
        count = payload.get("count")
        if isinstance(count, bool) or not isinstance(count, int | float):
            raise self._malformed("GET /v2/orders/count", "an object with 'count'", payload)
        return int(count)

    def get_order(self, order_id: int, *, include_consignments: bool = True) -> dict[str, Any]:
        params = dict(CONSIGNMENTS_INLINE) if include_consignments else None
        return self._get_dict(f"/v2/orders/{int(order_id)}", params)

    def update_order(self, order_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        """``PUT /v2/orders/{id}`` (idempotent: retried like a GET)."""
        return self._send_dict("PUT", f"/v2/orders/{int(order_id)}", payload)

    def update_order_status(self, order_id: int, status_id: int) -> dict[str, Any]:
        return self.update_order(order_id, {"status_id": int(status_id)})

    def list_order_products(self, order_id: int) -> list[dict[str, Any]]:
        return self._all_v2(f"/v2/orders/{int(order_id)}/products")

    def list_order_shipping_addresses(self, order_id: int) -> list[dict[str, Any]]:
        return self._all_v2(f"/v2/orders/{int(order_id)}/shipping_addresses")

    def list_order_shipments(self, order_id: int) -> list[dict[str, Any]]:
        return self._all_v2(f"/v2/orders/{int(order_id)}/shipments")

    def find_order_shipment(self, order_id: int, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The order's existing shipment matching ``payload`` (see ``shipment_matches``).

        With several matches, the newest (highest id) one.
        """
        matches = [s for s in self.list_order_shipments(order_id) if shipment_matches(s, payload)]
        if not matches:
            return None
        return max(matches, key=lambda s: int(s.get("id") or 0))

    def create_order_shipment(
        self, order_id: int, payload: dict[str, Any], *, check_first: bool = False
    ) -> dict[str, Any]:
        """``POST /v2/orders/{id}/shipments``, never creating the shipment twice.

        A POST is not repeated blindly. When its outcome is unclear (timeout, dropped
        connection, 5xx, unreadable answer) BigCommerce may have created the shipment all the
        same, so the order's shipments are listed:
          * a shipment matching the payload (tracking number, address, items) is there:
            it is returned, nothing is posted again;
          * it is clearly absent: the POST is sent again, at most ``max_retries`` times
            (with backoff);
          * the listing itself fails: the POST's error is raised with
            ``shipment_may_exist = True`` (a later retry should pass ``check_first=True``).
        ``check_first`` looks for the shipment before the first POST (for a caller retrying
        an earlier unclear attempt). 4xx answers are clear and raised at once; 429 is retried
        inside the request (BigCommerce rejects it before doing anything).
        """
        order_id = int(order_id)
        path = f"/v2/orders/{order_id}/shipments"
        if check_first:
            existing = self.find_order_shipment(order_id, payload)
            if existing is not None:
                return existing
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._send_dict("POST", path, payload)
            except (ServerError, TransportError, MalformedResponseError) as exc:
                unclear = exc
            logger.warning(
                "BigCommerce store %s: creating a shipment on order %d had an unclear outcome "
                "(%s); checking whether it exists before posting again",
                self.store_hash,
                order_id,
                type(unclear).__name__,
            )
            try:
                existing = self.find_order_shipment(order_id, payload)
            except BigCommerceError as listing_failed:
                unclear.hint = (
                    f"BigCommerce may have created the shipment on order {order_id} without "
                    "confirming it, and the order's shipments could not be listed "
                    f"({type(listing_failed).__name__}): check the order's shipments in "
                    "BigCommerce before retrying."
                )
                unclear.shipment_may_exist = True  # type: ignore[attr-defined]
                raise unclear from listing_failed
            if existing is not None:
                logger.info(
                    "BigCommerce store %s: shipment %s of order %d was created after all",
                    self.store_hash,
                    existing.get("id"),
                    order_id,
                )
                return existing
            if attempt > self.max_retries:
                raise unclear
            self._backoff(attempt, "a shipment POST that was not applied", f"POST {path}")

    # ------------------------------------------------------------------ catalog

    def iter_product_pages(
        self,
        *,
        include_variants: bool = True,
        date_modified_min: DateLike | None = None,
        ids: Sequence[int] | None = None,
        limit: int = MAX_PAGE_SIZE,
    ) -> Iterator[list[dict[str, Any]]]:
        """``GET /v3/catalog/products`` page by page (``include=variants`` by default).

        ``ids`` are asked in groups of at most 250 per request sequence.
        """
        params: dict[str, Any] = {}
        if include_variants:
            params["include"] = "variants"
        if date_modified_min is not None:
            params["date_modified:min"] = format_v3_date(date_modified_min)
        if ids is None:
            yield from self._iter_v3_pages("/v3/catalog/products", params, limit=limit)
            return
        for group in _chunks(dict.fromkeys(int(i) for i in ids), IDS_PER_REQUEST):
            group_params = {**params, "id:in": ",".join(str(i) for i in group)}
            yield from self._iter_v3_pages("/v3/catalog/products", group_params, limit=limit)

    def iter_variant_pages(
        self, *, limit: int = MAX_PAGE_SIZE, product_ids: Sequence[int] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """``GET /v3/catalog/variants`` page by page (all variants of the store)."""
        if product_ids is None:
            yield from self._iter_v3_pages("/v3/catalog/variants", {}, limit=limit)
            return
        for group in _chunks(dict.fromkeys(int(i) for i in product_ids), IDS_PER_REQUEST):
            params = {"product_id:in": ",".join(str(i) for i in group)}
            yield from self._iter_v3_pages("/v3/catalog/variants", params, limit=limit)

    # ------------------------------------------------------------------ inventory

    def list_locations(self) -> list[dict[str, Any]]:
        return self._all_v3("/v3/inventory/locations")

    def set_inventory_absolute(
        self, items: Iterable[dict[str, Any]], *, reason: str | None = None
    ) -> list[dict[str, Any]]:
        """``PUT /v3/inventory/adjustments/absolute`` in chunks of at most 2000 items.

        Chunks go one after the other, each after the previous answer; the answers (each
        with a ``transaction_id``) are returned in order. If a chunk fails, the error carries
        ``items_applied``: how many items the earlier chunks set.
        """
        answers: list[dict[str, Any]] = []
        applied = 0
        path = "/v3/inventory/adjustments/absolute"
        for chunk in _chunks(items, INVENTORY_BATCH_SIZE):
            body: dict[str, Any] = {"items": chunk}
            if reason:
                body["reason"] = reason
            try:
                answer = self._request("PUT", path, json_body=body)
            except BigCommerceError as exc:
                exc.items_applied = applied  # type: ignore[attr-defined]
                raise
            if answer is not None and not isinstance(answer, dict):
                raise self._malformed(endpoint_key("PUT", path), "an object", answer)
            answers.append(answer or {})
            applied += len(chunk)
        return answers

    # ------------------------------------------------------------------ webhooks

    def list_webhooks(self) -> list[dict[str, Any]]:
        return self._all_v3("/v3/hooks")

    def create_webhook(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``POST /v3/hooks`` (not retried on an unclear outcome: list the hooks to check)."""
        return self._v3_data(
            "POST", "/v3/hooks", self._request("POST", "/v3/hooks", json_body=payload)
        )

    def update_webhook(self, hook_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        path = f"/v3/hooks/{int(hook_id)}"
        return self._v3_data("PUT", path, self._request("PUT", path, json_body=payload))

    def delete_webhook(self, hook_id: int) -> None:
        self._request("DELETE", f"/v3/hooks/{int(hook_id)}")
