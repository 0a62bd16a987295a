"""Documented operations: routing a method and URL to one, its parameters and bodies."""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import unquote, urlsplit

from .checks import Check
from .compiler import _Compiler
from .overrides import EXTRA_QUERY_PARAMETERS
from .problems import ContractViolation, Problem, _json_path
from .specs import (
    _HTTP_METHODS,
    _STORE_API_RE,
    _STORE_URL_RE,
    SPEC_FILES,
    _apply_overrides,
    _load_raw_specs,
)

# --------------------------------------------------------------------------------------------
# Operations, routing, parameters
# --------------------------------------------------------------------------------------------


@dataclass
class _Param:
    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    style: str
    explode: bool
    check: Check | None


@dataclass(eq=False)
class Operation:
    """One documented operation (method + path template) of one spec."""

    api: str
    spec_name: str
    template: str
    method: str
    raw: dict[str, Any] = field(repr=False)
    path_item: dict[str, Any] = field(repr=False)
    registry: _Registry = field(repr=False)

    @property
    def name(self) -> str:
        prefix = "" if self.api == "shipping_provider" else f"/{self.api}"
        return f"{self.method} {prefix}{self.template}"

    @property
    def operation_id(self) -> str:
        return self.raw.get("operationId") or ""

    @property
    def label(self) -> str:
        oid = self.operation_id
        return f"{oid} in {self.spec_name}" if oid else self.spec_name

    @property
    def spec(self) -> dict[str, Any]:
        return self.registry.specs[self.spec_name]

    def _compiler(self, mode: str) -> _Compiler:
        if mode == "request":
            mode = f"request:{self.method}"
        return self.registry.compiler(self.spec_name, mode)

    def deref(self, node: Any) -> Any:
        return self._compiler("request").deref(node)

    @cached_property
    def parameters(self) -> dict[tuple[str, str], _Param]:
        with self.registry.lock:
            return self._parameters()

    def _parameters(self) -> dict[tuple[str, str], _Param]:
        comp = self._compiler("request")
        out: dict[tuple[str, str], _Param] = {}
        for raw in [*(self.path_item.get("parameters") or ()), *(self.raw.get("parameters") or ())]:
            p = comp.deref(raw)
            loc = p["in"]
            name = p["name"]
            schema = comp.deref(p.get("schema") or {})
            style = p.get("style") or ("form" if loc in ("query", "cookie") else "simple")
            explode = p.get("explode", style == "form")
            key = (loc, name.lower() if loc == "header" else name)
            out[key] = _Param(
                name=name,
                location=loc,
                required=bool(p.get("required")) or loc == "path",
                schema=schema,
                style=style,
                explode=explode,
                check=comp.compile(schema),
            )
        extra = EXTRA_QUERY_PARAMETERS.get((self.api, self.method, self.template), {})
        for name, schema in extra.items():
            out.setdefault(
                ("query", name),
                _Param(name, "query", False, schema, "form", True, comp.compile(schema)),
            )
        return out

    @cached_property
    def security_headers(self) -> list[list[str]]:
        """Alternatives of header names required by the security requirement."""
        reqs = self.raw.get("security", self.spec.get("security"))
        if not reqs:
            return []
        schemes = (self.spec.get("components") or {}).get("securitySchemes") or {}
        alternatives = []
        for req in reqs:
            names = []
            for scheme_name in req or {}:
                scheme = self.deref(schemes.get(scheme_name) or {})
                if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                    names.append(scheme["name"])
            alternatives.append(names)
        return alternatives

    @cached_property
    def request_body(self) -> dict[str, Any] | None:
        body = self.raw.get("requestBody")
        return self.deref(body) if body is not None else None

    def body_check(self, media: dict[str, Any], mode: str) -> Check | None:
        key = (id(media), mode, self.method)
        cache = self.registry.body_checks
        if key not in cache:
            with self.registry.lock:  # compilation is not thread-safe; checks are
                if key not in cache:
                    schema = media.get("schema")
                    check = self._compiler(mode).compile(schema) if schema is not None else None
                    cache[key] = check
        return cache[key]

    @cached_property
    def produces(self) -> list[str]:
        """Media types of the documented 2xx responses."""
        out: list[str] = []
        for status, resp in (self.raw.get("responses") or {}).items():
            if str(status).startswith("2"):
                for media_type in self.deref(resp).get("content") or {}:
                    if media_type.lower() not in out:
                        out.append(media_type.lower())
        return out

    def _media(self, where: str, status: int | str | None) -> tuple[dict[str, Any], str]:
        if where == "request":
            rb = self.request_body
            if rb is None:
                raise LookupError(f"{self.name} takes no request body")
            content, mode = rb.get("content") or {}, "request"
        else:
            found = self.response_for(int(status or 200))
            if found is None:
                raise LookupError(f"{self.name} documents no response {status}")
            content, mode = found[1].get("content") or {}, "response"
        for media_type, media in content.items():
            if _is_json(_media_type(media_type)):
                return self.deref(media), mode
        raise LookupError(f"{self.name} documents no JSON {where} body")

    def _example(self, where: str, status: int | str | None, name: str | None) -> Any:
        media, mode = self._media(where, status)
        examples = {
            k: self.deref(v)["value"]
            for k, v in (media.get("examples") or {}).items()
            if isinstance(self.deref(v), dict) and "value" in self.deref(v)
        }
        if name is not None:
            return copy.deepcopy(examples[name])
        if "example" in media:
            return copy.deepcopy(media["example"])
        if examples:
            return copy.deepcopy(next(iter(examples.values())))
        return self._compiler(mode).synthesize(media.get("schema") or {})

    def request_example(self, name: str | None = None) -> Any:
        """The spec's example request body (``name`` picks one of several), or, when the
        spec has none, one synthesized from the schema and its property examples."""
        return self._example("request", None, name)

    def response_example(self, status: int = 200, name: str | None = None) -> Any:
        """The spec's example response body for ``status``, or a synthesized one."""
        return self._example("response", status, name)

    def body_problems(
        self, value: Any, where: str = "response", status: int = 200
    ) -> list[Problem]:
        """Problems of an already-parsed JSON body (``where``: "request" or "response")."""
        media, mode = self._media(where, status)
        check = self.body_check(media, mode)
        errs = check(value) if check is not None else None
        return [Problem(f"{where} body", _json_path(p), m) for p, m in errs or ()]

    def synthesized(self, where: str = "response", status: int = 200) -> Any:
        """A body synthesized from the schema (all properties set), ignoring examples."""
        media, mode = self._media(where, status)
        return self._compiler(mode).synthesize(media.get("schema") or {})

    def response_for(self, status: int) -> tuple[str, dict[str, Any]] | None:
        responses = self.raw.get("responses") or {}
        for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
            if key in responses:
                return key, self.deref(responses[key])
        return None


class _Route:
    __slots__ = ("api", "template", "segments", "score", "path_item", "spec_name", "ops")

    def __init__(self, api: str, spec_name: str, template: str, path_item: dict[str, Any]):
        self.api = api
        self.spec_name = spec_name
        self.template = template
        self.path_item = path_item
        self.segments = template.strip("/").split("/") if template.strip("/") else []
        self.score = tuple(1 if "{" in s else 0 for s in self.segments)
        self.ops: dict[str, Operation] = {}

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for seg, part in zip(self.segments, parts, strict=True):
            if "{" in seg:
                m = re.fullmatch(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(seg)), part)
                if not m:
                    return None
                params.update({k: unquote(v) for k, v in m.groupdict().items()})
            elif seg != part:
                return None
        return params


class _Registry:
    def __init__(self) -> None:
        self.specs = _load_raw_specs()
        _apply_overrides(self.specs)
        self.routes: dict[str, list[_Route]] = {}
        self._compilers: dict[tuple[str, str], _Compiler] = {}
        self.body_checks: dict[tuple[int, str, str], Check | None] = {}
        self.lock = threading.RLock()
        for api, names in SPEC_FILES.items():
            routes = []
            for name in names:
                for template, item in (self.specs[name].get("paths") or {}).items():
                    route = _Route(api, name, template, item)
                    for method in _HTTP_METHODS:
                        if method in item:
                            route.ops[method.upper()] = Operation(
                                api, name, template, method.upper(), item[method], item, self
                            )
                    routes.append(route)
            routes.sort(key=lambda r: r.score)
            self.routes[api] = routes

    def compiler(self, spec_name: str, mode: str) -> _Compiler:
        key = (spec_name, mode)
        comp = self._compilers.get(key)
        if comp is None:
            with self.lock:
                comp = self._compilers.get(key)
                if comp is None:
                    comp = self._compilers[key] = _Compiler(self.specs[spec_name], mode)
        return comp


_registry_lock = threading.Lock()
_registry_instance: _Registry | None = None


def _registry() -> _Registry:
    global _registry_instance
    if _registry_instance is None:
        with _registry_lock:
            if _registry_instance is None:
                _registry_instance = _Registry()
    return _registry_instance


def operations() -> list[Operation]:
    """Every documented operation, all specs."""
    return [op for routes in _registry().routes.values() for r in routes for op in r.ops.values()]


def is_store_api_url(url: str) -> bool:
    """True for ``{any base}/stores/{hash}/...`` URLs (the BigCommerce REST API); the
    sandbox's control API (``/_sandbox/stores/...``) is not one."""
    path = urlsplit(url).path
    return not path.startswith("/_sandbox/") and bool(_STORE_URL_RE.search(path))


def _resolve(method: str, url: str, api: str) -> tuple[Operation, dict[str, str]]:
    method = method.upper()
    path = urlsplit(url).path
    if api == "store":
        m = _STORE_API_RE.search(path)
        if not m:
            raise ContractViolation(
                [
                    Problem(
                        "route",
                        path,
                        "not a BigCommerce REST URL ({base}/stores/{store_hash}/v2|v3/...)",
                    )
                ],
                method=method,
                url=url,
            )
        group, rest = m.group("version"), m.group("path") or "/"
        candidates = _match_routes(group, rest)
    elif api == "shipping_provider":
        group = api
        candidates = []
        trimmed = path.rstrip("/") or "/"
        for route in _registry().routes[group]:
            n = len(route.segments)
            parts = trimmed.strip("/").split("/")
            if n and len(parts) >= n:
                params = route.match(parts[-n:])
                if params is not None:
                    candidates.append((route, params))
        rest = path
    else:
        raise ValueError(f"unknown api {api!r}")
    if not candidates:
        raise ContractViolation(
            [Problem("route", rest, f"no {group} spec documents this path")], method=method, url=url
        )
    allowed: list[str] = []
    for route, params in candidates:
        op = route.ops.get(method)
        if op is not None:
            return op, params
        allowed += [m for m in route.ops if m not in allowed]
    route = candidates[0][0]
    prefix = "" if group == "shipping_provider" else f"/{group}"
    raise ContractViolation(
        [
            Problem(
                "route",
                f"{prefix}{route.template}",
                f"method {method} is not documented (documented: {', '.join(allowed)})",
            )
        ],
        method=method,
        url=url,
    )


def _match_routes(group: str, rest: str) -> list[tuple[_Route, dict[str, str]]]:
    parts = rest.strip("/").split("/") if rest.strip("/") else []
    if rest.endswith("/") and rest != "/":
        return []  # a trailing slash is not the documented path
    out = []
    for route in _registry().routes[group]:  # sorted: literal segments first
        params = route.match(parts)
        if params is not None:
            out.append((route, params))
    return out


def find_operation(method: str, url: str, *, api: str = "store") -> Operation:
    """The documented operation for a request, or a ContractViolation."""
    return _resolve(method, url, api)[0]


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")
