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

Modules
-------
``specs`` (loading, cache, applying overrides), ``overrides`` (the corrections and extra query
parameters), ``checks``/``compiler``/``keywords`` (schemas compiled to closures),
``synthesize`` (example bodies), ``operations`` (routing, parameters), ``validate`` (requests,
responses, exchanges), ``problems`` (``Problem`` and ``ContractViolation``).

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
  ``$BIGCOMMERCE_CONTRACT_CACHE_DIR``), keyed by a hash of the spec files and of the
  cache version in ``specs.py``, so later sessions load them in ~0.1 s. :data:`OVERRIDES` are
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

from .operations import Operation, find_operation, is_store_api_url, operations
from .overrides import EXTRA_QUERY_PARAMETERS, OVERRIDES, Override
from .problems import ContractViolation, Problem
from .specs import SPEC_DIR, SPEC_FILES
from .validate import validate_exchange, validate_request, validate_response

__all__ = [
    "ContractViolation",
    "EXTRA_QUERY_PARAMETERS",
    "OVERRIDES",
    "SPEC_DIR",
    "SPEC_FILES",
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
