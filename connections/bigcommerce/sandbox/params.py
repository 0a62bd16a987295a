"""Request parsing shared by the store's parts: query parameters, paging, the clock.

Dates follow what BigCommerce accepts (RFC-2822, ISO-8601 or a Unix timestamp); a bad value is
an `ApiError` 400 naming the field.
"""

from __future__ import annotations

import re
import time

from ..dates import parse_date as parse_bigcommerce_date
from .errors import ApiError

V2_MAX_LIMIT = 250
V3_MAX_LIMIT = 250


def now() -> int:
    return int(time.time())


def parse_date(value: str, name: str) -> int:
    """RFC-2822 or ISO-8601 (date or date-time, naive = UTC) or a Unix timestamp."""
    raw = value.strip()
    if re.fullmatch(r"\d{9,11}", raw):
        return int(raw)
    candidates = [raw]
    # An unencoded '+' in a query string arrives as a space.
    m = re.fullmatch(r"(.*\d) (\d\d:?\d\d)", raw)
    if m:
        candidates.append(f"{m.group(1)}+{m.group(2)}")
    for cand in candidates:
        moment = parse_bigcommerce_date(cand)
        if moment is not None:
            return int(moment.timestamp())
    raise ApiError(400, f"The field '{name}' is invalid: '{value}' is not an RFC-2822 or "
                        "ISO-8601 date.")


def parse_int(value: str, name: str, minimum: int | None = None) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"The field '{name}' is invalid: expected an integer.") from None
    if minimum is not None and n < minimum:
        raise ApiError(400, f"The field '{name}' is invalid: must be at least {minimum}.")
    return n


def parse_bool(value: str, name: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    raise ApiError(400, f"The field '{name}' is invalid: expected true or false.")


def parse_id_list(value: str, name: str) -> set[int]:
    out = set()
    for part in value.split(","):
        part = part.strip()
        if part:
            out.add(parse_int(part, name))
    return out


def opt(params: dict, name: str, parser, default=None):
    """A parsed optional query parameter (absent or blank -> default)."""
    value = params.get(name)
    return parser(value, name) if value else default


def paging(params: dict, default_limit: int, max_limit: int) -> tuple[int, int]:
    page = parse_int(params["page"], "page", 1) if params.get("page") else 1
    limit = parse_int(params["limit"], "limit", 1) if params.get("limit") else default_limit
    return page, min(limit, max_limit)
