"""Errors of the BigCommerce client. Each says what went wrong and what the operator can do.

``str(error)`` is the message followed by the hint. ``details`` holds BigCommerce's own
error details as ``[{"field": str | None, "message": str}]`` (parsed from v2 bodies
``[{"status", "message"}]`` and v3 bodies ``{"title", "errors": {...}}``). ``transient``
tells whether trying again later can help. No error ever carries the access token.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Longest excerpt of a response body kept in a message.
BODY_EXCERPT = 300


class BigCommerceError(Exception):
    """Base of every error raised by the BigCommerce client."""

    transient = False
    default_hint = "See the run log for the request and BigCommerce's answer."

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        hint: str | None = None,
        details: list[dict[str, Any]] | None = None,
        method: str | None = None,
        endpoint: str | None = None,
        store_hash: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        self.message = message
        self.status = status
        self.hint = hint if hint is not None else self.default_hint
        self.details = list(details or [])
        self.method = method
        self.endpoint = endpoint
        self.store_hash = store_hash
        self.request_id = request_id
        self.body = body
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"

    def redact(self, secret: str) -> BigCommerceError:
        """Remove ``secret`` from every text of the error (defence in depth)."""
        if secret:
            mask = "[redacted]"
            self.message = self.message.replace(secret, mask)
            self.hint = self.hint.replace(secret, mask)
            self.details = _redacted(self.details, secret, mask)
            self.body = _redacted(self.body, secret, mask)
            self.args = (self.message,)
        return self


def _redacted(value: Any, secret: str, mask: str) -> Any:
    """`value` with `secret` masked in every string of it (keys included). Strings, never the
    JSON text: a short secret ("0") must not corrupt numbers or the syntax."""
    if isinstance(value, str):
        return value.replace(secret, mask)
    if isinstance(value, dict):
        return {_redacted(k, secret, mask): _redacted(v, secret, mask) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item, secret, mask) for item in value]
    return value


class AuthenticationError(BigCommerceError):
    """401/403: wrong access token, wrong store hash, or a missing OAuth scope."""

    default_hint = (
        "Check the connection's store hash and access token; if the app was uninstalled, "
        "install it again."
    )


class NotFoundError(BigCommerceError):
    """404: the record (or the store) does not exist."""

    default_hint = "The record may have been deleted in BigCommerce; check its id."


class ValidationError(BigCommerceError):
    """400/409/413/422: BigCommerce refused the request's content."""

    default_hint = "Correct the data named in the details and try again."


class RateLimitedError(BigCommerceError):
    """429 still answered after the allowed retries."""

    transient = True
    default_hint = (
        "The store's API quota is exhausted (it is shared by every app on the store); the "
        "run can be resumed later, or run fewer dataflows of this store at the same time."
    )


class ServerError(BigCommerceError):
    """5xx from BigCommerce (after the allowed retries, for idempotent requests)."""

    transient = True
    default_hint = (
        "BigCommerce had a server problem; try again later and check "
        "https://status.bigcommerce.com if it persists."
    )


class MalformedResponseError(BigCommerceError):
    """A success answer whose body is not JSON or not of the expected shape."""

    transient = True
    default_hint = (
        "BigCommerce (or a proxy in between) sent an unreadable answer; try again later. "
        "If it persists, check BIGCOMMERCE_API_URL points at the BigCommerce API."
    )


class TransportError(BigCommerceError):
    """Timeout or connection failure (after the allowed retries)."""

    transient = True
    default_hint = (
        "Check the network connection to the BigCommerce API and BIGCOMMERCE_API_URL; "
        "try again later."
    )


# ------------------------------------------------------------------------- parsing


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    return json.dumps(value, default=str, sort_keys=True)


def excerpt(text: str, limit: int = BODY_EXCERPT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_error_body(body: Any) -> tuple[str | None, list[dict[str, Any]]]:
    """``(title, details)`` from a BigCommerce error body (v2 list, v3 object, or text)."""
    details: list[dict[str, Any]] = []
    title: str | None = None
    if isinstance(body, list):  # v2: [{"status": 400, "message": "...", "details": {...}}]
        for item in body:
            if isinstance(item, dict):
                message = _text(item.get("message") or item.get("error") or item)
                extra = item.get("details")
                if isinstance(extra, dict) and extra.get("invalid_reason"):
                    message = f"{message} ({_text(extra['invalid_reason'])})"
                details.append({"field": None, "message": message})
            else:
                details.append({"field": None, "message": _text(item)})
    elif isinstance(body, dict):  # v3: {"status", "title", "type", "errors": {...}, "detail"}
        title = body.get("title") or body.get("message") or body.get("error")
        title = _text(title) if title is not None else None
        errors = body.get("errors")
        if isinstance(errors, dict):
            for field, value in errors.items():
                values = value if isinstance(value, list) else [value]
                for one in values:
                    details.append({"field": str(field), "message": _text(one)})
        elif isinstance(errors, list):
            for one in errors:
                if isinstance(one, dict):
                    field = one.get("field") or one.get("path")
                    message = one.get("message") or one.get("title") or one
                    details.append({"field": field, "message": _text(message)})
                else:
                    details.append({"field": None, "message": _text(one)})
        if body.get("detail"):
            details.append({"field": None, "message": _text(body["detail"])})
        batch = body.get("batch_errors")  # PUT /v3/catalog/variants: one error per item
        if isinstance(batch, list):
            for one in batch:
                one_title, one_details = parse_error_body(one)
                if one_title:
                    details.append({"field": None, "message": one_title})
                details.extend(one_details)
    elif isinstance(body, str) and body.strip():
        title = excerpt(body)
    return title, details


def describe_details(details: list[dict[str, Any]], limit: int = 5) -> str:
    parts = []
    for item in details[:limit]:
        field, message = item.get("field"), item.get("message", "")
        parts.append(f"{field}: {message}" if field else str(message))
    if len(details) > limit:
        parts.append(f"and {len(details) - limit} more")
    return "; ".join(parts)


# OAuth scope each API area needs (name in the control panel, scope string).
_SCOPES: list[tuple[str, str, str]] = [
    ("/v2/orders", "Orders", "store_v2_orders"),
    ("/v2/order_statuses", "Orders", "store_v2_orders"),
    ("/v3/catalog", "Products", "store_v2_products"),
    ("/v3/inventory", "Products/Inventory", "store_inventory"),
    ("/v2/store", "Information & Settings", "store_v2_information"),
    ("/v3/hooks", "the resources the webhook subscribes to", "store_v2_orders"),
]

_SCOPE_IN_BODY = re.compile(r"\b(store_[a-z0-9_]+)\b")


def _needed_scope(endpoint: str | None) -> tuple[str, str] | None:
    path = (endpoint or "").split(" ", 1)[-1]
    for prefix, label, scope in _SCOPES:
        if path.startswith(prefix):
            return label, scope
    return None


def build_http_error(
    status: int,
    body: Any,
    *,
    method: str,
    endpoint: str,
    store_hash: str,
    request_id: str | None = None,
) -> BigCommerceError:
    """The error for a non-success answer (``endpoint`` is the templated path)."""
    title, details = parse_error_body(body)
    said = title or describe_details(details)
    path = endpoint.split(" ", 1)[-1]  # the client passes "METHOD /path"
    where = f"{method} {path} on store {store_hash}"
    common: dict[str, Any] = {
        "status": status,
        "details": details,
        "method": method,
        "endpoint": endpoint,
        "store_hash": store_hash,
        "request_id": request_id,
        "body": body,
    }
    suffix = f": {excerpt(said)}" if said else "."
    if status == 401:
        return AuthenticationError(
            f"BigCommerce refused the access token for store {store_hash} (401){suffix}",
            hint=(
                "The access token or the store hash of this connection is wrong, or the app "
                "was uninstalled: correct them in the connection settings (or install the app "
                "again) and try again."
            ),
            **common,
        )
    if status == 403:
        body_text = _text(body) if body is not None else ""
        named = _SCOPE_IN_BODY.search(body_text)
        needed = _needed_scope(endpoint)
        if named:
            scope_hint = f"the OAuth scope {named.group(1)}"
        elif needed:
            scope_hint = f"the '{needed[0]}' OAuth scope ({needed[1]}, modify)"
        else:
            scope_hint = "the OAuth scope this request needs"
        return AuthenticationError(
            f"BigCommerce denied {where} (403){suffix}",
            hint=(
                f"The API account (or app) of this connection lacks {scope_hint}: grant it in "
                "the BigCommerce control panel (Settings > API accounts) or re-install the app "
                "with that scope; if the scope is there, check the store hash."
            ),
            **common,
        )
    if status == 404:
        store_missing = "store" in (said or "").lower() and endpoint.startswith("GET /v2/store")
        hint = (
            f"Check the store hash '{store_hash}' of this connection."
            if store_missing
            else (
                "The record does not exist in BigCommerce (deleted, archived, or a wrong id); "
                f"check it in the control panel of store {store_hash}."
            )
        )
        return NotFoundError(
            f"BigCommerce found nothing for {where} (404){suffix}", hint=hint, **common
        )
    if status in (400, 409, 413, 422):
        detail_text = describe_details(details)
        text = "; ".join(part for part in (title, detail_text) if part)
        hint = (
            "The request is too large; send fewer items per request."
            if status == 413
            else "Correct the data named in the details (in the hub or in BigCommerce) and "
            "retry the record."
        )
        return ValidationError(
            f"BigCommerce rejected {where} ({status}): {excerpt(text) if text else 'no reason'}",
            hint=hint,
            **common,
        )
    if status == 429:
        return RateLimitedError(f"BigCommerce kept rate-limiting {where} (429).", **common)
    if status >= 500:
        return ServerError(f"BigCommerce failed on {where} ({status}){suffix}", **common)
    if 300 <= status < 400:
        return BigCommerceError(
            f"BigCommerce answered {where} with an unexpected redirect ({status}).",
            hint="Check that BIGCOMMERCE_API_URL is the API's address (redirects are not "
            "followed, so the access token never leaves for another host).",
            **common,
        )
    return BigCommerceError(f"BigCommerce answered {where} with {status}{suffix}", **common)
