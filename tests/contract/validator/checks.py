"""Shared pieces of the schema compiler: the check and error types, type names, formats."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

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
