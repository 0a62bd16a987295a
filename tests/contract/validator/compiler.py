"""Compiling OpenAPI 3.0 schema objects into small checking closures (see the package
docstring for the design); memoised per schema, recursion-safe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .checks import (
    _ANNOTATION_KEYS,
    _INT_RANGES,
    _NONE,
    _TYPE_CLASSES,
    Check,
    Errors,
    _describe,
    _expected,
    _prefixed,
    _semantic,
)
from .keywords import KeywordChecks
from .specs import _pointer_get
from .synthesize import Synthesizer


class _Compiler(KeywordChecks, Synthesizer):
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
