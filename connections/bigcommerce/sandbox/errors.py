"""The sandbox's error answer: raised by the store's rules, turned into a BigCommerce error
body by the HTTP layer (`server.py`)."""

from __future__ import annotations


class ApiError(Exception):
    """An error answer. `errors` is the v3 `errors` object; v2 answers use `message`."""

    def __init__(self, status: int, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}
