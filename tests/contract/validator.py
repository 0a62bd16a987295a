"""Contract validation of BigCommerce API exchanges against the vendored official OpenAPI specs.

The project's standard: every request the hub's client makes and every response the sandbox
store returns is checked against the specs in ``connections/bigcommerce/specs/``; anything the
specs do not document fails the test with a :class:`ContractViolation`.

Public API
----------
``validate_request(method, url, headers=None, body=None, *, api="store")``
    Route the URL to a documented operation and check path parameters, query parameters
    (types, enums, bounds, required, no unknown ones), required headers (incl. the
    ``X-Auth-Token`` security scheme) and the JSON body against the request schema.
``validate_response(method, url, status, headers=None, body=None, *, api="store")``
    Check that the status is documented for the operation (429 and 5xx are always allowed),
    the content type, documented required headers, and the JSON body against the response
    schema (a 204, or a status documented without content, must have an empty body).
``validate_exchange(response)``
    Both of the above from a ``requests.Response`` and its ``.request``.
``find_operation(method, url, *, api="store")`` -> :class:`Operation` (raises when undocumented).
    An ``Operation`` has ``.name`` ("GET /v2/orders/{order_id}"), ``.operation_id``,
    ``.spec_name``, ``.request_example(name=None)`` / ``.response_example(status=200,
    name=None)`` (the spec's own example, or one synthesized from the schema and its property
    examples when it has none), ``.synthesized(where, status)`` and
    ``.body_problems(value, where="response", status=200)`` (check a parsed body).
``operations()``: every documented operation.
``is_store_api_url(url)``: does the URL look like ``…/stores/{hash}/…`` (the BigCommerce REST API)?
``OVERRIDES``: the explicit list of corrections applied to the specs (see below).

``api="store"`` (default) routes ``{any base}/stores/{store_hash}/v2/...`` to the v2 specs
(orders, store information) and ``.../v3/...`` to the v3 specs (catalog products, variants,
inventory, locations, webhooks, customers). ``api="shipping_provider"`` validates the calls
BigCommerce makes to the hub's Shipping Provider endpoints (``shipping_provider.yml``); the
URL's path is matched by its ending (``…/rate``, ``…/check_connection_options``, a trailing
slash allowed) because the hub mounts them under its own prefix.

Design choices
--------------
* **Own compiled validator instead of openapi-core / jsonschema.** openapi-core 0.23 takes
  ~0.2 s to validate one 250-order ``GET /v2/orders`` page (without consignments), i.e. ~20 s
  for 100 pages, and ~1 s to build its spec object. Plain ``jsonschema`` is in the same league
  on such payloads. So the specs' OpenAPI 3.0 schema objects are compiled, lazily per
  operation and per schema (memoised by identity, recursion-safe), into small Python closures
  that check: ``type``, ``nullable``, ``enum``, ``properties``, ``required``,
  ``additionalProperties``, ``items``, ``min/maxItems``, ``uniqueItems``, ``min/maxLength``,
  ``pattern``, ``minimum``/``maximum`` (+ OAS 3.0 boolean ``exclusive*``), ``multipleOf``,
  ``min/maxProperties``, ``allOf``, ``anyOf``, ``oneOf``, ``not``, ``readOnly``/``writeOnly``,
  and the formats ``int32``, ``int64``, ``date`` and ``date-time`` (RFC 3339). Other formats
  (``email``, ``uuid``, ``url``, ``double``, …), ``discriminator`` and ``x-*`` keywords are
  not checked. Pure type-check leaves are inlined as class sets, ``allOf`` of plain object
  schemas is merged into one object check, and an ``anyOf``/``oneOf`` tries the alternative
  that matched last time first: checking a 250-order page with consignments and line items
  (2 MB of JSON) takes ~15-25 ms, less than ``json.loads`` of it.
* ``integer`` accepts only JSON integers (``1.0`` and ``true`` are not integers); ``number``
  accepts integers and floats, never booleans.
* ``readOnly`` properties must not appear in request bodies and are not ``required`` there;
  ``writeOnly`` properties must not appear in responses and are not ``required`` there -
  except when the very same schema lists the property in ``required`` (BigCommerce's batch
  updates: ``required: [id]`` next to ``id: {readOnly: true}``): the explicit requirement wins.
* ``oneOf`` is checked as "at least one alternative matches" (``anyOf``): the BigCommerce specs
  use ``oneOf`` with overlapping alternatives (e.g. an order's ``consignments`` is a
  ``{url, resource}`` link or a consignment object, neither closed; an empty ``line_items``
  array matches both of its array alternatives), so "exactly one" would reject every real
  response. When nothing matches, the errors of the closest alternative are reported.
* ``x-nullable: true`` (Swagger 2 spelling, left in ``product-variants_catalog.v3.yml``) is
  honoured as ``nullable: true``. BigCommerce's ``x-required: [post]`` / ``[put]`` makes a
  property required in request bodies of that method (it is ignored in responses).
* Header parameters ``Accept`` and ``Content-Type`` (which OpenAPI says to ignore, but which the
  BigCommerce specs declare ``required``) are enforced: ``Accept`` where declared,
  ``Content-Type`` only when a body is sent (several specs declare it on GET operations). A
  sent ``Accept`` must admit one of the operation's documented 2xx media types (v2 answers
  XML to ``Accept: application/xml``).
* Query strings: ``form`` style; arrays with ``explode: false`` are comma-separated, with
  ``explode: true`` repeated. Values are coerced by the parameter's schema type (``integer``:
  ``-?\\d+``, ``number``, ``boolean``: ``true``/``false``) and then validated by its schema.
  A query parameter the operation does not document is a violation, unless listed in
  :data:`EXTRA_QUERY_PARAMETERS` (facts from ``shared/bigcommerce/NOTES.md`` the specs omit).
* Route matching: literal path segments win over templated ones (``/orders/count`` before
  ``/orders/{order_id}``, ``/hooks/admin`` before ``/hooks/{webhook_id}``); a trailing slash is
  not the documented path.
* Specs are parsed once per process (``yaml.CSafeLoader``, ~0.6 s) and the parsed dicts
  pickled into a private directory (``$TMPDIR/bigcommerce-contract-$UID``, or
  ``$BIGCOMMERCE_CONTRACT_CACHE_DIR``), keyed by a hash of the spec files and of this
  module's cache version, so later sessions load them in ~0.1 s. :data:`OVERRIDES` are
  applied after loading; schemas are compiled lazily, per operation, on first use.

Spec corrections (:data:`OVERRIDES`)
-----------------------------------
The vendored spec files are never edited; every correction lives in :data:`OVERRIDES`, each
with its reason. Keep the list short and explicit. A correction either widens the schema
where BigCommerce's own documentation of real behaviour contradicts it (NOTES.md, the
property's or operation's description, the sibling spec of the same resource), or writes
into the schema a limit the documentation states only in prose (2000 inventory items, 250
orders a page, carrier codes), or closes a loose schema whose looseness made validation
vacuous (sub-resource links).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import math
import os
import pickle
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml

__all__ = [
    "ContractViolation",
    "EXTRA_QUERY_PARAMETERS",
    "OVERRIDES",
    "Operation",
    "Override",
    "Problem",
    "find_operation",
    "is_store_api_url",
    "operations",
    "validate_exchange",
    "validate_request",
    "validate_response",
]

SPEC_DIR = Path(__file__).resolve().parents[2] / "connections" / "bigcommerce" / "specs"

#: spec files per API group; paths are unique within a group.
SPEC_FILES: dict[str, tuple[str, ...]] = {
    "v2": ("orders.v2.oas2.yml", "store_information.v2.yml"),
    "v3": (
        "products_catalog.v3.yml",
        "product-variants_catalog.v3.yml",
        "inventory.v3.yml",
        "locations.v3.yml",
        "webhooks.v3.yml",
        "customers.v3.yml",
    ),
    "shipping_provider": ("shipping_provider.yml",),
}

_CACHE_VERSION = "1"
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_STORE_URL_RE = re.compile(r"/stores/(?P<hash>[^/]+)(?P<rest>/.*)?$")
_STORE_API_RE = re.compile(r"/stores/(?P<hash>[^/]+)/(?P<version>v2|v3)(?P<path>/.*)?$")


# --------------------------------------------------------------------------------------------
# Problems and the violation exception
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One way an exchange departs from the contract."""

    where: str  # "route", "path", "query", "header", "request body", "status", "response body", …
    path: str  # JSON path ("$[3].status_id") or parameter name; "" when not applicable
    message: str  # "expected integer, got string '11'"

    def __str__(self) -> str:
        return (
            f"{self.where} {self.path}: {self.message}"
            if self.path
            else f"{self.where}: {self.message}"
        )


class ContractViolation(AssertionError):
    """An exchange does not match the official BigCommerce OpenAPI specs."""

    MAX_LISTED = 40

    def __init__(
        self,
        problems: Iterable[Problem],
        *,
        operation: Operation | None = None,
        method: str = "",
        url: str = "",
        phase: str = "request",
        status: int | None = None,
    ) -> None:
        self.problems = list(problems)
        self.operation = operation
        self.method = method.upper()
        self.url = url
        self.phase = phase
        self.status = status
        super().__init__(self._render())

    def _render(self) -> str:
        if self.operation is not None:
            head = f"{self.operation.name} ({self.operation.label})"
        else:
            head = f"{self.method} {_path_of(self.url)} (undocumented)"
        what = self.phase if self.status is None else f"{self.phase} {self.status}"
        lines = [f"{head} {what} violates the BigCommerce contract [{self.method} {self.url}]:"]
        lines += [f"  - {p}" for p in self.problems[: self.MAX_LISTED]]
        if len(self.problems) > self.MAX_LISTED:
            lines.append(f"  ... and {len(self.problems) - self.MAX_LISTED} more")
        return "\n".join(lines)

    @property
    def paths(self) -> list[str]:
        """The JSON paths / parameter names named by the problems (handy in tests)."""
        return [p.path for p in self.problems]


def _json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p):
            out += f".{p}"
        else:
            out += f"[{json.dumps(p)}]"
    return out


def _path_of(url: str) -> str:
    return urlsplit(url).path or url


# --------------------------------------------------------------------------------------------
# Spec loading (pickled cache) and overrides
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Override:
    """One explicit correction of a vendored spec (the file itself is never edited)."""

    spec: str  # file name in SPEC_DIR
    pointer: str  # JSON pointer of the node changed
    action: str  # "merge" (dict.update), "set" (replace), "append" (list.append)
    value: Any
    reason: str


def _tracking_carriers() -> list[str]:
    """Carrier codes from the vendored tracking_carrier_values.csv (NOTES.md), plus ""."""
    path = SPEC_DIR.parent / "tracking_carrier_values.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    return ["", *dict.fromkeys(row[1].strip() for row in rows if len(row) > 1 and row[1].strip())]


_ORDER_SORT_FIELDS = (
    "id",
    "customer_id",
    "date_created",
    "date_modified",
    "status_id",
    "channel_id",
    "external_id",
)
_RESOURCE_LINK = {"required": ["url", "resource"], "additionalProperties": False}
_RESOURCE_LINK_REASON = (
    "Sub-resource links are always exactly {url, resource} in BigCommerce answers. The spec "
    "leaves this object open and optional, so it matched ANY object: orderProducts-valued "
    "`line_items` and consignment objects passed through the link alternative of their "
    "oneOf unvalidated. Closing the link makes the alternatives mean something."
)

#: Every correction applied to the vendored specs, with its reason.
OVERRIDES: tuple[Override, ...] = (
    Override(
        "orders.v2.oas2.yml",
        "/components/parameters/sort/schema/enum",
        "set",
        [*_ORDER_SORT_FIELDS, *(f"{f}:{d}" for f in _ORDER_SORT_FIELDS for d in ("asc", "desc"))],
        "GET /v2/orders `sort`: the enum lists bare field names, but the parameter's own "
        "description (and NOTES.md) says to append `:asc` or `:desc`, e.g. "
        "`sort=date_created:desc`. The suffixed forms are added to the enum.",
    ),
    Override(
        "orders.v2.oas2.yml",
        "/paths/~1orders/get/parameters",
        "append",
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "number", "maximum": 250, "default": 50},
        },
        "GET /v2/orders `limit`: the spec gives no bound; BigCommerce returns at most 250 "
        "orders a page (NOTES.md) and silently caps a larger limit, which would make a "
        "client's page arithmetic skip orders. The operation-level parameter (which "
        "overrides the shared `limit`) adds maximum 250.",
    ),
    Override(
        "orders.v2.oas2.yml",
        "/paths/~1orders/get/responses",
        "merge",
        {"204": {"description": "No orders match the filter (NOTES.md)."}},
        "GET /v2/orders: BigCommerce answers an empty result with `204 No Content` "
        "(NOTES.md); the spec documents only 200.",
    ),
    Override(
        "orders.v2.oas2.yml",
        "/components/schemas/orderShipment_Post/properties/items/items",
        "merge",
        {"required": ["order_product_id", "quantity"]},
        "POST /v2/orders/{id}/shipments: the `items` description says 'order_product_id "
        "(required), quantity (required)'; the item schema lists no required members.",
    ),
    *(
        Override(
            "orders.v2.oas2.yml",
            f"/components/schemas/{schema}/properties/tracking_carrier",
            "merge",
            {"enum": _tracking_carriers()},
            f"{schema}.tracking_carrier is a free string; its description says acceptable "
            "values are '' or one of the tracking-carrier values, which NOTES.md vendors as "
            "tracking_carrier_values.csv. The enum is that list plus ''.",
        )
        for schema in ("orderShipment_Post", "orderShipment_Put")
    ),
    Override(
        "inventory.v3.yml",
        "/components/schemas/AdjustmentsAbsoluteRequest/properties/items",
        "merge",
        {"maxItems": 2000},
        "PUT /v3/inventory/adjustments/absolute: the operation's description says 'Limit of "
        "2000 items for payload length' (NOTES.md: up to 2000 items a request); the schema "
        "has no maxItems.",
    ),
    Override(
        "products_catalog.v3.yml",
        "/components/schemas/product_Full/allOf/2/properties/base_variant_id",
        "merge",
        {"nullable": True},
        "GET /v3/catalog/products: `base_variant_id` is `type: integer` but its description "
        "says 'This value is `null` for complex products' (products with variants).",
    ),
    Override(
        "products_catalog.v3.yml",
        "/components/schemas/product_Full/allOf/2/properties/variants",
        "set",
        {"type": "array", "items": {"$ref": "#/components/schemas/productVariant_Full"}},
        "GET /v3/catalog/products?include=variants: the `include` enum offers `variants` but "
        "product_Full does not declare the property, so the variants (whose SKUs the hub "
        "matches on) would pass unvalidated. Declared with the spec's own productVariant_Full.",
    ),
    *(
        Override(
            "products_catalog.v3.yml",
            f"/components/schemas/{schema}/properties/{prop}",
            "merge",
            {"nullable": True},
            "products_catalog.v3.yml's copy of productVariant_Full (used for include=variants) "
            f"says `{prop}` is not nullable; product-variants_catalog.v3.yml, the variants "
            f"API's own spec, {why}.",
        )
        for schema, prop, why in (
            (
                "productVariant_Full/allOf/1",
                "sku_id",
                "declares it nullable (`null` for a base variant, as inventory.v3.yml also says)",
            ),
            ("productVariant_Base", "upc", "declares it nullable"),
            ("productVariant_Base", "mpn", "declares it nullable"),
            ("productVariant_Base", "gtin", "declares it nullable"),
            (
                "productVariant_Base",
                "map_price",
                "does not declare it and its examples show an absent MAP price as null "
                "(rendered `map_price: {}`, as the orders spec renders null `credit_card_type`)",
            ),
        )
    ),
    Override(
        "webhooks.v3.yml",
        "/components/responses/webhooks_Resp/content/application~1json/schema/properties/data",
        "merge",
        {"minItems": 0},
        "GET /v3/hooks: `data` has minItems 1, but the operation lists the app's hooks (and "
        "filters them by scope/destination/is_active): with none it answers `data: []`, "
        "like every v3 list. The hub lists its hooks before it registers any.",
    ),
    Override(
        "inventory.v3.yml",
        "/components/schemas/ItemResponse/properties/identity/properties/sku_id",
        "merge",
        {"nullable": True},
        "GET /v3/inventory/items: `sku_id` is `type: integer`, its description says '`null` "
        "if the item is a base variant'.",
    ),
    Override(
        "orders.v2.oas2.yml",
        "/components/schemas/orderTaxes_Base/properties/order_product_id",
        "merge",
        {"nullable": True},
        "GET /v2/orders/{id}/taxes: `order_product_id` is `type: string`, its description "
        "says it 'will return as null' for other line item types.",
    ),
    *(
        Override(
            "orders.v2.oas2.yml",
            f"/components/schemas/{name}",
            "merge",
            _RESOURCE_LINK,
            _RESOURCE_LINK_REASON,
        )
        for name in (
            "products_Resource",
            "shippingAddresses_Resource",
            "coupons_Resource",
            "orderConsignments_Resource",
            "orderFees_Resource",
        )
    ),
)

#: Query parameters real BigCommerce accepts that the specs omit: (api, METHOD, path
#: template) -> {name: schema}. Only facts recorded in shared/bigcommerce/NOTES.md.
EXTRA_QUERY_PARAMETERS: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {
    # NOTES.md: archived orders have is_deleted: true; listing them needs is_deleted=true.
    ("v2", "GET", "/orders"): {"is_deleted": {"type": "boolean"}},
}


def _spec_digest() -> str:
    h = hashlib.sha256(_CACHE_VERSION.encode())
    for group in SPEC_FILES.values():
        for name in group:
            h.update(name.encode())
            h.update((SPEC_DIR / name).read_bytes())
    return h.hexdigest()[:20]


def _cache_dir() -> Path | None:
    """A private directory for the pickled specs (never load a pickle others can write)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = Path(
        os.environ.get("BIGCOMMERCE_CONTRACT_CACHE_DIR")
        or Path(tempfile.gettempdir()) / f"bigcommerce-contract-{uid}"
    )
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
    except OSError:
        return None
    if hasattr(os, "getuid") and (st.st_uid != uid or st.st_mode & 0o022):
        return None
    return path


def _load_raw_specs() -> dict[str, dict[str, Any]]:
    digest = _spec_digest()
    directory = _cache_dir()
    cache = directory / f"specs-{digest}.pickle" if directory is not None else None
    if cache is not None:
        try:
            with cache.open("rb") as fh:
                specs = pickle.load(fh)
            if isinstance(specs, dict):
                return specs
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError):
            pass
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    specs = {}
    for group in SPEC_FILES.values():
        for name in group:
            with (SPEC_DIR / name).open(encoding="utf-8") as fh:
                specs[name] = yaml.load(fh, Loader=loader)
    if cache is not None:
        try:
            tmp = cache.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(specs, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
        except OSError:
            pass
    return specs


def _pointer_get(doc: Any, pointer: str) -> Any:
    node = doc
    for raw in pointer.lstrip("#").lstrip("/").split("/"):
        if raw == "":
            continue
        key = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def _apply_overrides(specs: dict[str, dict[str, Any]]) -> None:
    for ov in OVERRIDES:
        parent_ptr, _, last = ov.pointer.rpartition("/")
        key = last.replace("~1", "/").replace("~0", "~")
        parent = _pointer_get(specs[ov.spec], parent_ptr)
        if ov.action == "set":
            parent[key] = copy.deepcopy(ov.value)
        elif ov.action == "merge":
            parent.setdefault(key, {}).update(copy.deepcopy(ov.value))
        elif ov.action == "append":
            parent.setdefault(key, []).append(copy.deepcopy(ov.value))
        else:  # pragma: no cover - programming error
            raise ValueError(f"unknown override action {ov.action!r}")


# --------------------------------------------------------------------------------------------
# Schema compiler
# --------------------------------------------------------------------------------------------

Errors = list[tuple[tuple[Any, ...], str]]
Check = Callable[[Any], Errors | None]

_NAMES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
    list: "array",
    dict: "object",
}
_TYPE_CLASSES: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "integer": frozenset({int}),
    "number": frozenset({int, float}),
    "boolean": frozenset({bool}),
    "array": frozenset({list}),
    "object": frozenset({dict}),
}
_NONE = type(None)
_ANNOTATION_KEYS = frozenset(
    {
        "description",
        "title",
        "example",
        "examples",
        "default",
        "deprecated",
        "externalDocs",
        "xml",
        "discriminator",
        "format",  # only some formats are checked: see _Compiler._scalar_checks
    }
)
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})"
)


def _describe(x: Any) -> str:
    name = _NAMES.get(x.__class__, x.__class__.__name__)
    if x is None or isinstance(x, dict | list):
        return name
    text = json.dumps(x, default=str)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{name} {text}"


def _expected(classes: frozenset[type], nullable: bool) -> str:
    names = []
    for key, cls in _TYPE_CLASSES.items():
        if cls <= classes and not (key == "integer" and float in classes):
            names.append(key)
    if nullable or _NONE in classes:
        names.append("null")
    return " or ".join(names) if names else "nothing"


def _semantic(schema: Any) -> Any:
    """A schema without its annotations (two copies differing only in descriptions or
    examples are the same check)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _semantic(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = _semantic(value)
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            out[key] = [_semantic(sub) for sub in value]
        elif key in ("format", "x-nullable", "x-required"):
            out[key] = value
        elif key not in _ANNOTATION_KEYS and not key.startswith("x-"):
            out[key] = value
    return out


def _prefixed(key: Any, errs: Errors) -> Errors:
    return [((key, *p), m) for p, m in errs]


class _Compiler:
    """Compiles OpenAPI 3.0 schema objects of one spec into checks, for one direction."""

    def __init__(self, spec: dict[str, Any], mode: str) -> None:
        # mode: "response", or "request:<METHOD>" (BigCommerce's ``x-required: [post]``
        # makes a property required in the requests of that method only)
        direction, _, method = mode.partition(":")
        assert direction in ("request", "response")
        self.spec = spec
        self.mode = direction
        self.method = method.lower()
        self._memo: dict[int, Check | None] = {}
        self._building: dict[int, list[Check | None]] = {}
        self._leaf_memo: dict[int, frozenset[type] | None | bool] = {}
        self._keep: list[Any] = []  # keep merged schemas alive (ids are memo keys)

    # -- helpers ---------------------------------------------------------------------------

    def deref(self, schema: Any) -> Any:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#"):
                raise ValueError(f"unsupported $ref {ref!r}")
            schema = _pointer_get(self.spec, ref)
            seen += 1
            if seen > 50:
                raise ValueError(f"$ref loop at {ref}")
        return schema

    @staticmethod
    def _nullable(schema: dict[str, Any]) -> bool:
        return bool(schema.get("nullable") or schema.get("x-nullable"))

    def _is_hidden(self, prop_schema: Any) -> bool:
        """readOnly in requests / writeOnly in responses."""
        s = self.deref(prop_schema)
        if not isinstance(s, dict):
            return False
        return bool(s.get("readOnly") if self.mode == "request" else s.get("writeOnly"))

    def leaf(self, schema: Any) -> frozenset[type] | None | bool:
        """Class set when the schema is a pure type check, True when it accepts anything,
        None when a full check is needed."""
        schema = self.deref(schema)
        key = id(schema)
        if key in self._leaf_memo:
            return self._leaf_memo[key]
        result: frozenset[type] | None | bool = None
        if isinstance(schema, dict):
            keys = {k for k in schema if not k.startswith("x-") or k == "x-nullable"}
            keys -= _ANNOTATION_KEYS
            keys -= {"nullable", "x-nullable", "readOnly", "writeOnly"}
            fmt = schema.get("format")
            checked_format = fmt in _INT_RANGES or fmt in ("date", "date-time")
            nullable = self._nullable(schema)
            if not checked_format:
                if keys == {"type"} and schema["type"] in _TYPE_CLASSES:
                    classes = _TYPE_CLASSES[schema["type"]]
                    result = classes | {_NONE} if nullable else classes
                elif not keys:
                    result = True
                elif keys in ({"oneOf"}, {"anyOf"}):
                    parts = [self.leaf(s) for s in schema[next(iter(keys))]]
                    if parts and all(isinstance(p, frozenset) for p in parts):
                        union: frozenset[type] = frozenset().union(*parts)  # type: ignore[arg-type]
                        result = union | {_NONE} if nullable else union
        self._leaf_memo[key] = result
        return result

    # -- entry point -----------------------------------------------------------------------

    def compile(self, schema: Any) -> Check | None:
        """A check returning a list of (path, message) or None; None means "accept all"."""
        schema = self.deref(schema)
        if not isinstance(schema, dict):
            return None
        key = id(schema)
        if key in self._memo:
            return self._memo[key]
        if key in self._building:  # recursive schema: forward to the finished check
            cell = self._building[key]

            def forward(x: Any, _cell: list[Check | None] = cell) -> Errors | None:
                fn = _cell[0]
                return fn(x) if fn is not None else None

            return forward
        cell: list[Check | None] = [None]
        self._building[key] = cell
        try:
            fn = self._build(schema)
        finally:
            del self._building[key]
        cell[0] = fn
        self._memo[key] = fn
        return fn

    # -- builders --------------------------------------------------------------------------

    def _merge_all_of(self, schema: dict[str, Any]) -> dict[str, Any] | None:
        """allOf of plain object schemas -> one object schema (faster, same meaning)."""
        allowed_part = {"type", "properties", "required", "nullable"} | _ANNOTATION_KEYS
        parts: list[dict[str, Any]] = []

        def collect(s: Any) -> bool:
            s = self.deref(s)
            if not isinstance(s, dict):
                return False
            own_keys = {k for k in s if not k.startswith("x-")} - {"allOf"} - _ANNOTATION_KEYS
            if "allOf" in s and own_keys <= {"type"}:
                if s.get("type", "object") != "object":
                    return False
                return all(collect(p) for p in s["allOf"])
            extra = {k for k in s if not k.startswith("x-")} - allowed_part
            if extra or s.get("type", "object") != "object" or s.get("nullable"):
                return False
            parts.append(s)
            return True

        if not all(collect(p) for p in schema["allOf"]):
            return None
        own = {k: v for k, v in schema.items() if k != "allOf"}
        if {k for k in own if not k.startswith("x-")} - allowed_part - {"x-nullable"}:
            return None
        if own.get("type", "object") != "object":
            return None
        parts.append({k: v for k, v in own.items() if k in ("properties", "required")})
        props: dict[str, Any] = {}
        required: list[str] = []
        for part in parts:
            for name, sub in (part.get("properties") or {}).items():
                if name in props and _semantic(self.deref(props[name])) != _semantic(
                    self.deref(sub)
                ):
                    props[name] = {"allOf": [props[name], sub]}
                else:
                    props[name] = sub
            for name in part.get("required") or ():
                if name not in required:
                    required.append(name)
        merged: dict[str, Any] = {"type": "object", "properties": props}
        if required:
            merged["required"] = required
        if self._nullable(schema):
            merged["nullable"] = True
        self._keep.append(merged)
        return merged

    def _build(self, schema: dict[str, Any]) -> Check | None:
        if "allOf" in schema:
            merged = self._merge_all_of(schema)
            if merged is not None:
                schema = merged
        leaf = self.leaf(schema)
        if leaf is True:
            return None
        nullable = self._nullable(schema)
        if isinstance(leaf, frozenset):
            expected = _expected(leaf, False)

            def leaf_check(x: Any, _c: frozenset[type] = leaf, _e: str = expected) -> Errors | None:
                if x.__class__ in _c:
                    return None
                return [((), f"expected {_e}, got {_describe(x)}")]

            return leaf_check

        typ = schema.get("type")
        if typ is not None and typ not in _TYPE_CLASSES:
            raise ValueError(f"unsupported schema type {typ!r}")
        objectish = typ == "object" or (
            typ is None and ("properties" in schema or "required" in schema)
        )
        arrayish = typ == "array" or (typ is None and "items" in schema)
        rest = self._scalar_checks(schema) + self._composition_checks(schema)
        if objectish and typ == "object" and not rest:
            # the common case: one closure doing type, nullable and properties
            return self._object_check(schema, typed=True, nullable=nullable)
        body: list[Check] = []
        if objectish:
            body.append(self._object_check(schema, typed=False, nullable=nullable))
        elif arrayish:
            body += self._array_checks(schema)
        body += rest
        classes = _TYPE_CLASSES.get(typ) if typ else None
        if not body and classes is None:
            return None  # no type, no constraint: anything (null included) is fine
        type_msg = f"expected {_expected(classes, nullable)}" if classes else ""

        def check(
            x: Any,
            _classes: frozenset[type] | None = classes,
            _nullable: bool = nullable,
            _body: list[Check] = body,
            _msg: str = type_msg,
        ) -> Errors | None:
            if x is None and _nullable:
                return None
            if _classes is not None and x.__class__ not in _classes:
                return [((), f"{_msg}, got {_describe(x)}")]
            errs: Errors | None = None
            for fn in _body:
                e = fn(x)
                if e:
                    errs = e if errs is None else errs + e
            return errs

        return check

    def _object_check(self, schema: dict[str, Any], *, typed: bool, nullable: bool) -> Check:
        """Properties, required, additionalProperties; with ``typed`` also type + nullable
        (otherwise non-objects are left to the caller / pass, for typeless schemas)."""
        props: dict[str, Any] = schema.get("properties") or {}
        simple: dict[str, frozenset[type]] = {}
        simple_msg: dict[str, str] = {}
        complex_: dict[str, Check] = {}
        anything: set[str] = set()
        hidden: set[str] = set()
        declared_required = list(schema.get("required") or ())
        if self.mode == "request" and self.method:
            for name, sub in props.items():
                xr = (
                    self.deref(sub).get("x-required") if isinstance(self.deref(sub), dict) else None
                )
                if isinstance(xr, list) and self.method in xr and name not in declared_required:
                    declared_required.append(name)
        for name, sub in props.items():
            # readOnly (in requests) / writeOnly (in responses) properties must not be sent,
            # unless this very schema also lists them as required (BigCommerce's batch
            # updates: ``required: [id]`` next to ``id: {readOnly: true}``): then the
            # explicit requirement wins.
            if self._is_hidden(sub) and name not in declared_required:
                hidden.add(name)
                continue
            leaf = self.leaf(sub)
            if leaf is True:
                anything.add(name)
            elif isinstance(leaf, frozenset):
                simple[name] = leaf
                simple_msg[name] = _expected(leaf, False)
            else:
                fn = self.compile(sub)
                if fn is None:
                    anything.add(name)
                else:
                    complex_[name] = fn
        required = tuple(r for r in declared_required if r not in hidden)
        addl = schema.get("additionalProperties", True)
        addl_fn: Check | None = None
        closed = addl is False
        if isinstance(addl, dict):
            leaf = self.leaf(addl)
            addl_fn = None if leaf is True else self.compile(addl)
        hidden_msg = (
            "read-only property must not be sent in a request"
            if self.mode == "request"
            else "write-only property must not appear in a response"
        )
        min_p = schema.get("minProperties")
        max_p = schema.get("maxProperties")

        type_msg = f"expected {_expected(_TYPE_CLASSES['object'], nullable)}"

        def obj(
            x: Any,
            _simple_get: Callable[[str], frozenset[type] | None] = simple.get,
            _complex_get: Callable[[str], Check | None] = complex_.get,
            _dict: type = dict,
        ) -> Errors | None:
            if x.__class__ is not _dict:
                if not typed or (x is None and nullable):
                    return None
                return [((), f"{type_msg}, got {_describe(x)}")]
            errs: Errors | None = None
            for k, val in x.items():
                ts = _simple_get(k)
                if ts is not None:
                    if val.__class__ not in ts:
                        if errs is None:
                            errs = []
                        errs.append(((k,), f"expected {simple_msg[k]}, got {_describe(val)}"))
                    continue
                fn = _complex_get(k)
                if fn is not None:
                    e = fn(val)
                    if e:
                        if errs is None:
                            errs = []
                        errs.extend(_prefixed(k, e))
                    continue
                if k in anything:
                    continue
                if k in hidden:
                    if errs is None:
                        errs = []
                    errs.append(((k,), hidden_msg))
                elif closed:
                    if errs is None:
                        errs = []
                    errs.append(((k,), "property not allowed (additionalProperties: false)"))
                elif addl_fn is not None:
                    e = addl_fn(val)
                    if e:
                        if errs is None:
                            errs = []
                        errs.extend(_prefixed(k, e))
            for r in required:
                if r not in x:
                    if errs is None:
                        errs = []
                    errs.append(((r,), "required property is missing"))
            if min_p is not None and len(x) < min_p:
                errs = (errs or []) + [((), f"object has {len(x)} properties, fewer than {min_p}")]
            if max_p is not None and len(x) > max_p:
                errs = (errs or []) + [((), f"object has {len(x)} properties, more than {max_p}")]
            return errs

        return obj

    def _array_checks(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        min_i, max_i = schema.get("minItems"), schema.get("maxItems")
        if min_i is not None or max_i is not None:

            def size(x: Any) -> Errors | None:
                if x.__class__ is not list:
                    return None
                if min_i is not None and len(x) < min_i:
                    return [((), f"array has {len(x)} items, fewer than the minItems of {min_i}")]
                if max_i is not None and len(x) > max_i:
                    return [((), f"array has {len(x)} items, more than the maxItems of {max_i}")]
                return None

            checks.append(size)
        if schema.get("uniqueItems"):

            def unique(x: Any) -> Errors | None:
                if x.__class__ is not list:
                    return None
                seen: dict[str, int] = {}
                for i, it in enumerate(x):
                    k = json.dumps(it, sort_keys=True, default=str)
                    if k in seen:
                        return [((i,), f"duplicate of item {seen[k]} (uniqueItems)")]
                    seen[k] = i
                return None

            checks.append(unique)
        if "items" in schema:
            leaf = self.leaf(schema["items"])
            if isinstance(leaf, frozenset):
                exp = _expected(leaf, False)

                def items_leaf(x: Any, _c: frozenset[type] = leaf, _e: str = exp) -> Errors | None:
                    if x.__class__ is not list:
                        return None
                    errs = None
                    for i, it in enumerate(x):
                        if it.__class__ not in _c:
                            errs = (errs or []) + [((i,), f"expected {_e}, got {_describe(it)}")]
                    return errs

                checks.append(items_leaf)
            elif leaf is not True:
                fn = self.compile(schema["items"])
                if fn is not None:

                    def items(x: Any, _fn: Check = fn) -> Errors | None:
                        if x.__class__ is not list:
                            return None
                        errs = None
                        for i, it in enumerate(x):
                            e = _fn(it)
                            if e:
                                errs = (errs or []) + _prefixed(i, e)
                        return errs

                    checks.append(items)
        return checks

    def _scalar_checks(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "enum" in schema:
            values = schema["enum"]
            allowed: set[tuple[type, Any]] = set()
            for v in values:
                if isinstance(v, dict | list):
                    allowed.add((str, json.dumps(v, sort_keys=True)))
                    continue
                allowed.add((v.__class__, v))
                if v.__class__ in (int, float) and not isinstance(v, bool):
                    allowed.add((int, int(v)) if float(v).is_integer() else (float, v))
                    allowed.add((float, float(v)))
            shown = ", ".join(json.dumps(v) for v in values[:12])
            if len(values) > 12:
                shown += f", ... ({len(values)} values)"

            def enum(x: Any) -> Errors | None:
                if x is None:
                    return None  # handled by the type / nullable check
                key = (
                    (str, json.dumps(x, sort_keys=True))
                    if isinstance(x, dict | list)
                    else (x.__class__, x)
                )
                if key in allowed:
                    return None
                return [((), f"expected one of [{shown}], got {_describe(x)}")]

            checks.append(enum)
        min_l, max_l, pattern = (
            schema.get("minLength"),
            schema.get("maxLength"),
            schema.get("pattern"),
        )
        if min_l is not None or max_l is not None or pattern is not None:
            rx = re.compile(pattern) if pattern is not None else None

            def string(x: Any) -> Errors | None:
                if x.__class__ is not str:
                    return None
                if min_l is not None and len(x) < min_l:
                    return [((), f"string of length {len(x)} is shorter than minLength {min_l}")]
                if max_l is not None and len(x) > max_l:
                    return [((), f"string of length {len(x)} is longer than maxLength {max_l}")]
                if rx is not None and not rx.search(x):
                    return [((), f"{_describe(x)} does not match pattern {pattern!r}")]
                return None

            checks.append(string)
        fmt = schema.get("format")
        if fmt in _INT_RANGES:
            lo, hi = _INT_RANGES[fmt]

            def int_range(x: Any) -> Errors | None:
                if x.__class__ is int and not lo <= x <= hi:
                    return [((), f"{x} is out of the {fmt} range")]
                return None

            checks.append(int_range)
        elif fmt in ("date", "date-time"):
            rx_fmt = _DATE_RE if fmt == "date" else _DATE_TIME_RE

            def date_fmt(x: Any) -> Errors | None:
                if x.__class__ is str and not rx_fmt.fullmatch(x):
                    return [((), f"{_describe(x)} is not a valid {fmt} (RFC 3339)")]
                return None

            checks.append(date_fmt)
        minimum, maximum = schema.get("minimum"), schema.get("maximum")
        ex_min, ex_max = (
            schema.get("exclusiveMinimum") is True,
            schema.get("exclusiveMaximum") is True,
        )
        multiple = schema.get("multipleOf")
        if minimum is not None or maximum is not None or multiple is not None:

            def number(x: Any) -> Errors | None:
                if x.__class__ not in (int, float):
                    return None
                if minimum is not None and (x <= minimum if ex_min else x < minimum):
                    rel = "less than or equal to" if ex_min else "less than"
                    return [((), f"{x} is {rel} the minimum of {minimum}")]
                if maximum is not None and (x >= maximum if ex_max else x > maximum):
                    rel = "greater than or equal to" if ex_max else "greater than"
                    return [((), f"{x} is {rel} the maximum of {maximum}")]
                if multiple is not None:
                    q = x / multiple
                    if not math.isclose(q, round(q), rel_tol=0, abs_tol=1e-9):
                        return [((), f"{x} is not a multiple of {multiple}")]
                return None

            checks.append(number)
        return checks

    def _composition_checks(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        for sub in schema.get("allOf") or ():
            fn = self.compile(sub)
            if fn is not None:
                checks.append(fn)
        for kw in ("anyOf", "oneOf"):
            if kw not in schema:
                continue
            branches = [self.compile(s) for s in schema[kw]]
            if any(b is None for b in branches):
                continue  # one alternative accepts everything
            checks.append(self._any_of(kw, branches))  # type: ignore[arg-type]
        if "not" in schema:
            neg = self.compile(schema["not"])

            def negate(x: Any) -> Errors | None:
                if neg is None or not neg(x):
                    return [((), f"{_describe(x)} must not match the 'not' schema")]
                return None

            checks.append(negate)
        return checks

    # -- example synthesis -----------------------------------------------------------------

    def synthesize(self, schema: Any, _depth: int = 0) -> Any:
        """A value valid for ``schema``, built from the spec's own ``example``s where they are
        valid, else from ``enum``/``default``/bounds/type. Every declared property is set
        (all of them, so that tests exercise the whole schema); readOnly properties are left
        out of request values and writeOnly ones out of response values."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or _depth > 12:
            return None
        if "example" in schema:
            fn = self.compile(schema)
            if fn is None or not fn(schema["example"]):
                return copy.deepcopy(schema["example"])
        if "allOf" in schema:
            merged = self._merge_all_of(schema)
            if merged is not None:
                return self.synthesize(merged, _depth)
            out: Any = None
            for sub in schema["allOf"]:
                part = self.synthesize(sub, _depth + 1)
                if isinstance(part, dict) and isinstance(out, dict):
                    out.update(part)
                elif out is None:
                    out = part
            return out
        for kw in ("oneOf", "anyOf"):
            if schema.get(kw):
                return self.synthesize(schema[kw][0], _depth + 1)
        if "enum" in schema and schema["enum"]:
            return copy.deepcopy(schema["enum"][0])
        if "default" in schema and (
            self.compile(schema) is None or not self.compile(schema)(schema["default"])
        ):
            return copy.deepcopy(schema["default"])
        typ = schema.get("type") or ("object" if "properties" in schema else None)
        if typ == "object":
            obj: dict[str, Any] = {}
            required = set(schema.get("required") or ())
            for name, sub in (schema.get("properties") or {}).items():
                if self._is_hidden(sub) and name not in required:
                    continue
                obj[name] = self.synthesize(sub, _depth + 1)
            return obj
        if typ == "array":
            count = max(1, schema.get("minItems") or 0)
            return [self.synthesize(schema.get("items") or {}, _depth + 1) for _ in range(count)]
        if typ in ("integer", "number"):
            low = schema.get("minimum")
            high = schema.get("maximum")
            value = 1 if low is None else low + (1 if schema.get("exclusiveMinimum") is True else 0)
            if high is not None and value > high:
                value = high
            return int(value) if typ == "integer" else value
        if typ == "boolean":
            return True
        if typ == "string":
            fmt = schema.get("format")
            if fmt == "date-time":
                return "2024-01-02T03:04:05+00:00"
            if fmt == "date":
                return "2024-01-02"
            min_l, max_l = schema.get("minLength") or 0, schema.get("maxLength")
            candidates = ("text", "USD", "US", "1", "a", "text@example.com", "https://example.com")
            rx = re.compile(schema["pattern"]) if "pattern" in schema else None
            for text in candidates:
                text = text.ljust(min_l, "x")
                text = text[:max_l] if max_l is not None else text
                if rx is None or rx.search(text):
                    return text
            return text
        return None

    @staticmethod
    def _any_of(kw: str, branches: list[Check]) -> Check:
        n = len(branches)
        last = [0]  # the alternative that matched last time is tried first (speed only)

        def any_of(x: Any) -> Errors | None:
            first = last[0]
            e = branches[first](x)
            if not e:
                return None
            failed = {first: e}
            for i, fn in enumerate(branches):
                if i == first:
                    continue
                e = fn(x)
                if not e:
                    last[0] = i
                    return None
                failed[i] = e
            results = [failed[i] for i in sorted(failed)]  # report independent of try order
            if all(
                len(e) == 1 and e[0][0] == () and e[0][1].startswith("expected ") for e in results
            ):
                wanted = []
                for e in results:
                    w = e[0][1][len("expected ") :].rsplit(", got ", 1)[0]
                    if w not in wanted:
                        wanted.append(w)
                return [((), f"expected {' or '.join(wanted)} ({kw}), got {_describe(x)}")]
            best = max(results, key=lambda e: (max(len(p) for p, _ in e), -len(e)))
            note = f" (no {kw} alternative of {n} matched; closest shown)"
            return [(p, m + note) for p, m in best]

        return any_of


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
    """True for ``{any base}/stores/{hash}/...`` URLs (the BigCommerce REST API)."""
    return bool(_STORE_URL_RE.search(urlsplit(url).path))


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


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


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


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


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
