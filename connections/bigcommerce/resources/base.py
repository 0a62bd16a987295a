"""What every resource mixin builds on: endpoint keys, paging, answers of the right shape."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..errors import MalformedResponseError

#: Reads an answer's body (bytes) into what `json.loads` would give, or raises ValueError.
Decoder = Callable[[bytes], Any]

MAX_PAGE_SIZE = 250
#: Ids per request in ``id:in`` / ``product_id:in`` filters (keeps URLs short).
IDS_PER_REQUEST = 250

_ID_SEGMENT = re.compile(r"^\d+$")


def endpoint_key(method: str, path: str) -> str:
    """``"GET /v2/orders/{id}/shipments"``: the path with numeric ids templated."""
    path = path.split("?", 1)[0]
    segments = ["{id}" if _ID_SEGMENT.match(s) else s for s in path.split("/")]
    return f"{method.upper()} {'/'.join(segments)}"


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def check_limit(limit: int) -> int:
    if not 1 <= int(limit) <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, not {limit}")
    return int(limit)


class ResourceBase:
    """Paging and answer checks over the transport's ``_request`` (see ``client.py``)."""

    store_hash: str
    max_retries: int

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        decode: Decoder | None = None,
    ) -> Any:
        raise NotImplementedError  # the transport's (BigCommerceClient)

    def _backoff(self, attempt: int, reason: str, key: str) -> None:
        raise NotImplementedError  # the transport's (BigCommerceClient)

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

    def _get_list(self, path: str) -> list[dict[str, Any]]:
        """An unpaged v2 list (204 or an empty answer is an empty list)."""
        payload = self._request("GET", path)
        if payload is None:
            return []
        if not isinstance(payload, list):
            raise self._malformed(endpoint_key("GET", path), "a list", payload)
        return payload

    def _iter_v2_pages(
        self,
        path: str,
        params: dict[str, Any],
        *,
        limit: int,
        start_page: int = 1,
        decode: Decoder | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """v2 lists: page by page until a 204, an empty page or a short page. `decode`: what
        reads an answer's body instead of `json.loads` (it returns a list, or raises
        ValueError for a body that is not JSON)."""
        limit = check_limit(limit)
        page = max(1, int(start_page))
        while True:
            payload = self._request(
                "GET", path, params={**params, "limit": limit, "page": page}, decode=decode
            )
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
        limit = check_limit(limit)
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
