"""Example bodies synthesized from a schema (for tests where a spec gives no example)."""

from __future__ import annotations

import copy
import re
from typing import Any


class Synthesizer:
    """Example synthesis (mixed into the compiler)."""

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
