"""Validating requests, responses and whole exchanges against their operation."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .operations import Operation, _is_json, _media_type, _Param, _resolve
from .problems import ContractViolation, Problem, _json_path

# --------------------------------------------------------------------------------------------
# Values, headers, bodies
# --------------------------------------------------------------------------------------------

_INT_TEXT = re.compile(r"[+-]?\d+")


def _schema_type(op: Operation, schema: dict[str, Any]) -> str | None:
    schema = op.deref(schema)
    if "type" in schema:
        return schema["type"]
    for kw in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(kw) or ():
            t = _schema_type(op, sub)
            if t:
                return t
    return None


def _coerce_scalar(op: Operation, raw: str, schema: dict[str, Any]) -> Any:
    typ = _schema_type(op, schema)
    if typ == "integer":
        return int(raw) if _INT_TEXT.fullmatch(raw) else raw
    if typ == "number":
        if _INT_TEXT.fullmatch(raw):
            return int(raw)
        try:
            value = float(raw)
        except ValueError:
            return raw
        return value if math.isfinite(value) else raw
    if typ == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def _coerce_param(op: Operation, param: _Param, values: list[str]) -> tuple[Any, str | None]:
    schema = param.schema
    if _schema_type(op, schema) == "array":
        items = op.deref(schema.get("items") or {})
        if param.explode and param.style == "form":
            raw_items = values
        elif len(values) > 1:
            return None, f"given {len(values)} times; send one comma-separated value"
        else:
            sep = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(param.style, ",")
            raw_items = values[0].split(sep) if values[0] != "" else []
        return [_coerce_scalar(op, v, items) for v in raw_items], None
    if len(values) > 1:
        return None, f"given {len(values)} times, documented as a single value"
    return _coerce_scalar(op, values[0], schema), None


def _norm_headers(headers: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> dict[str, str]:
    if not headers:
        return {}
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {str(k).lower(): "" if v is None else str(v) for k, v in items}


def _as_bytes(body: Any) -> bytes | None:
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return None  # a stream / generator: cannot be inspected


def _match_media(media_type: str, content: Mapping[str, Any]) -> str | None:
    if media_type in content:
        return media_type
    lowered = {k.lower(): k for k in content}
    if media_type in lowered:
        return lowered[media_type]
    major = media_type.split("/", 1)[0]
    for candidate in (f"{major}/*", "*/*"):
        if candidate in lowered:
            return lowered[candidate]
    return None


def _accepts(accept: str, produced: list[str]) -> bool:
    """Does an Accept header admit one of the produced media types?"""
    for part in accept.split(","):
        media_range, *params = (x.strip() for x in part.split(";"))
        media_range = media_range.lower()
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 1.0
        if q <= 0 or not media_range:
            continue
        major, _, minor = media_range.partition("/")
        for media_type in produced:
            p_major, _, p_minor = media_type.partition("/")
            if major == "*" or (major == p_major and minor in ("*", p_minor)):
                return True
    return False


def _check_body(
    op: Operation,
    where: str,
    media_type: str,
    content: Mapping[str, Any],
    raw: bytes,
    mode: str,
    problems: list[Problem],
) -> None:
    key = _match_media(media_type, content)
    if key is None:
        got = media_type or "no Content-Type"
        problems.append(
            Problem(
                where, "Content-Type", f"{got} is not documented (documented: {', '.join(content)})"
            )
        )
        return
    if not _is_json(media_type):
        return
    try:
        data = json.loads(raw)
    except ValueError as exc:
        problems.append(Problem(where, "$", f"not valid JSON: {exc}"))
        return
    media = op.deref(content[key]) or {}
    check = op.body_check(media, mode)
    if check is None:
        return
    errs = check(data)
    if errs:
        problems.extend(Problem(where, _json_path(p), m) for p, m in errs)


# --------------------------------------------------------------------------------------------
# Public validation functions
# --------------------------------------------------------------------------------------------


def validate_request(
    method: str,
    url: str,
    headers: Mapping[str, Any] | None = None,
    body: bytes | str | None = None,
    *,
    api: str = "store",
) -> Operation:
    """Validate one request; return its operation or raise ContractViolation."""
    op, path_params = _resolve(method, url, api)
    hdrs = _norm_headers(headers)
    problems: list[Problem] = []
    params = op.parameters

    # path
    for name, raw in path_params.items():
        param = params.get(("path", name))
        if param is None or param.check is None:
            continue
        value = _coerce_scalar(op, raw, param.schema)
        for p, m in param.check(value) or ():
            problems.append(Problem("path", name + _json_path(p)[1:], m))

    # query
    given: dict[str, list[str]] = {}
    for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        given.setdefault(k, []).append(v)
    for name, values in given.items():
        param = params.get(("query", name))
        if param is None:
            documented = sorted(n for (loc, n) in params if loc == "query")
            problems.append(
                Problem(
                    "query",
                    name,
                    "parameter not documented for this operation"
                    + (f" (documented: {', '.join(documented)})" if documented else ""),
                )
            )
            continue
        value, err = _coerce_param(op, param, values)
        if err:
            problems.append(Problem("query", name, err))
            continue
        if param.check is not None:
            for p, m in param.check(value) or ():
                problems.append(Problem("query", name + _json_path(p)[1:], m))
    for (loc, name), param in params.items():
        if loc == "query" and param.required and name not in given:
            problems.append(Problem("query", name, "required parameter is missing"))

    # body (decides whether Content-Type is required)
    raw = _as_bytes(body)
    has_body = raw is None or len(raw) > 0

    # headers
    for (loc, name), param in params.items():
        if loc != "header":
            continue
        if name not in hdrs:
            if param.required and (name != "content-type" or has_body):
                problems.append(Problem("header", param.name, "required header is missing"))
            continue
        if name in ("accept", "content-type"):
            continue  # value checked against the documented media types below
        if param.check is not None:
            value = _coerce_scalar(op, hdrs[name], param.schema)
            for p, m in param.check(value) or ():
                problems.append(Problem("header", param.name + _json_path(p)[1:], m))
    if "accept" in hdrs and op.produces and not _accepts(hdrs["accept"], op.produces):
        problems.append(
            Problem(
                "header",
                "Accept",
                f"{hdrs['accept']!r} admits none of the documented response types "
                f"({', '.join(op.produces)})",
            )
        )
    alternatives = op.security_headers
    if alternatives and not any(all(h.lower() in hdrs for h in alt) for alt in alternatives):
        wanted = " or ".join(" + ".join(alt) or "(none)" for alt in alternatives)
        problems.append(Problem("header", wanted, "authentication header is missing (security)"))

    # body
    rb = op.request_body
    if raw is None:
        problems.append(Problem("request body", "", "streamed body cannot be validated"))
    elif rb is None:
        if has_body:
            problems.append(Problem("request body", "", "this operation takes no request body"))
    elif not has_body:
        if rb.get("required"):
            problems.append(Problem("request body", "", "request body is required"))
    else:
        content = rb.get("content") or {}
        _check_body(
            op,
            "request body",
            _media_type(hdrs.get("content-type")),
            content,
            raw,
            "request",
            problems,
        )

    if problems:
        raise ContractViolation(problems, operation=op, method=method, url=url, phase="request")
    return op


#: Client errors BigCommerce answers on any operation whether its spec lists them or not
#: (a refused token, an unknown id, invalid input), with its error body.
ERROR_STATUSES = frozenset({400, 401, 403, 404, 405, 409, 413, 422})


def _is_error_body(api: str, raw: bytes) -> bool:
    """BigCommerce's error shape: v2 ``[{"status", "message"}]``, v3 ``{"status", "title"}``."""
    try:
        body = json.loads(raw)
    except ValueError:
        return False
    if api == "v2":
        return (
            isinstance(body, list)
            and bool(body)
            and all(isinstance(e, dict) and "status" in e and "message" in e for e in body)
        )
    return isinstance(body, dict) and "status" in body and "title" in body


def validate_response(
    method: str,
    url: str,
    status: int,
    headers: Mapping[str, Any] | None = None,
    body: bytes | str | None = None,
    *,
    api: str = "store",
) -> Operation:
    """Validate one response to a request; return its operation or raise ContractViolation."""
    op, _ = _resolve(method, url, api)
    hdrs = _norm_headers(headers)
    raw = _as_bytes(body) or b""
    problems: list[Problem] = []
    found = op.response_for(status)
    if found is None:
        if status == 429 or status >= 500:
            return op  # rate limiting and server errors are always possible
        if status in ERROR_STATUSES and _is_error_body(op.api, raw):
            return op  # BigCommerce's refusals (bad token, bad input) are possible anywhere
        documented = ", ".join(str(k) for k in (op.raw.get("responses") or {}))
        problems.append(
            Problem("status", str(status), f"not documented (documented: {documented})")
        )
        raise ContractViolation(
            problems, operation=op, method=method, url=url, phase="response", status=status
        )
    _key, resp = found

    for name, header in (resp.get("headers") or {}).items():
        header = op.deref(header)
        if header.get("required") and name.lower() not in hdrs:
            problems.append(Problem("response header", name, "required header is missing"))

    content = resp.get("content") or {}
    if status == 204 or status == 304 or not content:
        if raw.strip():
            why = (
                f"a {status} response" if status in (204, 304) else f"status {status} as documented"
            )
            problems.append(
                Problem("response body", "", f"must be empty for {why}, got {len(raw)} bytes")
            )
    elif not raw.strip():
        problems.append(Problem("response body", "", f"is empty; documented: {', '.join(content)}"))
    else:
        _check_body(
            op,
            "response body",
            _media_type(hdrs.get("content-type")),
            content,
            raw,
            "response",
            problems,
        )
    if problems:
        raise ContractViolation(
            problems, operation=op, method=method, url=url, phase="response", status=status
        )
    return op


def validate_exchange(response: Any, *, api: str = "store") -> Operation:
    """Validate a ``requests.Response`` and the ``PreparedRequest`` that produced it.

    The request is checked first; both raise :class:`ContractViolation`. When both sides
    are wrong, the violation carries the problems of both.
    """
    request = response.request
    method = request.method or "GET"
    url = request.url or response.url
    try:
        validate_request(method, url, request.headers, request.body, api=api)
        request_error = None
    except ContractViolation as exc:
        if exc.operation is None:  # undocumented route: nothing more to say about the response
            raise
        request_error = exc
    try:
        op = validate_response(
            method, url, response.status_code, response.headers, response.content, api=api
        )
    except ContractViolation as exc:
        if request_error is None:
            raise
        problems = [
            Problem(f"request {p.where}", p.path, p.message) for p in request_error.problems
        ]
        problems += [Problem(f"{p.where}", p.path, p.message) for p in exc.problems]
        raise ContractViolation(
            problems,
            operation=exc.operation,
            method=method,
            url=url,
            phase="exchange",
            status=response.status_code,
        ) from None
    if request_error is not None:
        raise request_error
    return op
