"""BigCommerce dates: the one parser and the formatters for query parameters.

v2 writes RFC 2822 (``Tue, 05 Mar 2024 10:00:00 +0000``) and takes it in filters such as
``min_date_modified``; v3 writes and takes ISO 8601 (``2024-03-05T10:00:00Z`` or with an
offset). Naive datetimes are taken as UTC everywhere.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, date, datetime, timedelta
from typing import Any

DateLike = datetime | date | str

_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def _rfc2822_fast(text: str) -> datetime | None:
    """``Tue, 05 Mar 2024 10:00:00 +0000`` (how v2 writes every date) without the general
    parser, which is slow for a 250-order page; None for anything else."""
    if len(text) != 31 or text[3] != "," or text[25] != " " or text[26] not in "+-":
        return None
    try:
        moment = datetime(
            int(text[12:16]),
            _MONTHS[text[8:11]],
            int(text[5:7]),
            int(text[17:19]),
            int(text[20:22]),
            int(text[23:25]),
            tzinfo=UTC,
        )
        offset = int(text[27:29]) * 60 + int(text[29:31])
    except (KeyError, ValueError):
        return None
    if offset:
        moment -= timedelta(minutes=offset if text[26] == "+" else -offset)
    return moment


def parse_date(value: Any) -> datetime | None:
    """An aware datetime from a BigCommerce date: RFC 2822 (v2) or ISO 8601 (v3).

    Naive values are UTC; None, blank and unreadable values give None.
    """
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        return None
    text = value.strip()
    fast = _rfc2822_fast(text)
    if fast is not None:
        return fast
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _utc(value: datetime | date) -> datetime:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def format_v2_date(value: DateLike) -> str:
    """RFC 2822 in UTC, as v2 writes its own dates (for ``min_date_modified`` and the like).

    A string is passed through unchanged (the caller already formatted it).
    """
    if isinstance(value, str):
        return value
    return email.utils.format_datetime(_utc(value))


def format_v3_date(value: DateLike) -> str:
    """ISO 8601 in UTC with seconds precision (``2024-03-05T10:00:00Z``), for v3 filters
    such as ``date_modified:min`` and v3 answers. A string is passed through unchanged."""
    if isinstance(value, str):
        return value
    return _utc(value).replace(tzinfo=None).isoformat() + "Z"
