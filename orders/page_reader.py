"""Order Import's pages read (JSON parsed, orders normalized) in a helper process, so that the
run's own process spends its one interpreter lock on writing pages, not on reading the next.

A backfill's second page on starts the helper (`python -m orders.page_reader`); the client
hands it each answer's body (`PageReader.decode`, the driver's `decode` hook) and gets back
the page's order ids and what `normalize_page` made of it, without the payloads' parsed form
(the hub stores their JSON text). Whatever the helper cannot do (a body that is not a list of
orders with their consignments inline) the run's process reads itself, as it would without
the helper; a helper that fails is left for the rest of the run.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any, BinaryIO

from .normalize import NormalizedPage, consignments_inline, normalize_page

logger = logging.getLogger(__name__)

_FRAME = struct.Struct("!Q")  # the length of the bytes that follow
_ROOT = Path(__file__).resolve().parents[1]


class ReadPage(list):
    """A page the helper read: the orders' ids (as `{"id": …}`), and `normalized`."""

    def __init__(self, ids: list, normalized: NormalizedPage):
        super().__init__({"id": order_id} for order_id in ids)
        self.normalized = normalized


class PageReader:
    """The run's side. Used by one thread at a time (the page prefetch's)."""

    def __init__(self, *, start_after: int = 1):
        self._process: subprocess.Popen | None = None
        self._start_after = start_after  # pages read here first: a short backfill never waits
        self._calls = 0
        self.pages_read = 0  # by the helper
        self.broken = False

    def decode(self, content: bytes) -> Any:
        """The driver's `decode`: a ReadPage, or the parsed JSON; ValueError when not JSON."""
        self._calls += 1
        if self.broken or self._calls <= self._start_after:
            return json.loads(content)
        try:
            reply = self._ask(content)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError, struct.error) as exc:
            logger.warning("The page reader process failed (%s); reading pages in the run", exc)
            self.close()
            return json.loads(content)
        if reply[0] == "invalid":
            raise ValueError("the body is not JSON")
        if reply[0] == "page":
            self.pages_read += 1
            return ReadPage(reply[1], reply[2])
        return json.loads(content)  # "parse": something the helper leaves to the run

    def _ask(self, content: bytes) -> tuple:
        if self._process is None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "orders.page_reader"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=_ROOT,
                env={**os.environ, "PYTHONPATH": str(_ROOT)},
            )
        process = self._process
        process.stdin.write(_FRAME.pack(len(content)) + content)
        process.stdin.flush()
        return pickle.loads(_read_frame(process.stdout))

    def close(self) -> None:
        self.broken = True
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.stdin.close()  # the helper ends at the end of its input
            process.wait(timeout=5)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            process.stdout.close()


def _read_frame(stream: BinaryIO) -> bytes:
    (size,) = _FRAME.unpack(_read_exactly(stream, _FRAME.size))
    return _read_exactly(stream, size)


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("the other side ended")
    return data


# ----------------------------------------------------------------------------- helper side


def read_page(content: bytes) -> tuple:
    """("page", ids, normalized page), ("invalid",) or ("parse",) for the run to do it."""
    try:
        payloads = json.loads(content)
    except ValueError:
        return ("invalid",)
    if not isinstance(payloads, list) or not all(
        isinstance(p, dict) and (p.get("order_is_digital") or consignments_inline(p))
        for p in payloads
    ):
        return ("parse",)  # not a page, or orders whose lines must be fetched one by one
    page = normalize_page(payloads)
    for order in page.orders.values():
        if order.raw_text:
            order.raw = None  # stored as its text; the run parses it again where it needs it
    return ("page", [p.get("id") for p in payloads], page)


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    while True:
        try:
            content = _read_frame(stdin)
        except EOFError:
            return
        try:
            reply = read_page(content)
        except Exception:  # a page the run reads itself, raising there what it raises here
            reply = ("parse",)
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.write(_FRAME.pack(len(data)) + data)
        stdout.flush()


if __name__ == "__main__":
    # The run stops it (end of input); Ctrl-C and SIGTERM are for the run's process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    serve(sys.stdin.buffer, sys.stdout.buffer)
