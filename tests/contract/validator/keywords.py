"""The schema keywords of arrays, scalars and compositions, as compiler mixins."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .checks import (
    _DATE_RE,
    _DATE_TIME_RE,
    _INT_RANGES,
    Check,
    Errors,
    _describe,
    _expected,
    _prefixed,
)


class KeywordChecks:
    """Array, scalar and composition keywords (mixed into the compiler)."""

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
