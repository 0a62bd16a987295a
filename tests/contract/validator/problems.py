"""Problems found in an exchange and the ContractViolation that lists them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .operations import Operation

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
