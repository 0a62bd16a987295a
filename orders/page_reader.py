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
import threading
from collections import deque
from concurrent.futures import Future
from pathlib import Path
from typing import Any, BinaryIO

from connections.bigcommerce.sandbox.process import proc_status_mb

from .normalize import NormalizedPage, consignments_inline, normalize_page

logger = logging.getLogger(__name__)

_FRAME = struct.Struct("!Q")  # the length of the bytes that follow
# What a helper that died or answered garbage raises on the run's side.
_HELPER_FAILED = (OSError, EOFError, ValueError, pickle.UnpicklingError, struct.error)
_ROOT = Path(__file__).resolve().parents[1]


class ReadPage(list):
    """A page the helper read: the orders' ids (as `{"id": …}`) as soon as it parsed them, so
    the next page can be asked for meanwhile, and `normalized` once it is done (or, should the
    helper fail on the way, read here from the answer's body)."""

    def __init__(self, ids: list, normalized: Future, content: bytes):
        super().__init__({"id": order_id} for order_id in ids)
        self._normalized, self._content = normalized, content

    @property
    def normalized(self) -> NormalizedPage:
        try:
            return self._normalized.result()
        except _HELPER_FAILED as exc:
            logger.warning("The page reader process failed (%s); reading the page here", exc)
            return normalize_page(json.loads(self._content))


class PageReader:
    """The run's side: `decode` is called by one thread at a time (the page prefetch's); a
    thread of its own takes the helper's answers, in the order the pages were sent."""

    def __init__(self, *, start_after: int = 1):
        self._process: subprocess.Popen | None = None
        self._start_after = start_after  # pages read here first: a short backfill never waits
        self._calls = 0
        self._waiting: deque[tuple[Future, Future]] = deque()
        self.pages_read = 0  # by the helper
        self.peak_rss_mb: float | None = None  # the helper's, once it ended (Linux)
        self.broken = False

    def decode(self, content: bytes) -> Any:
        """The driver's `decode`: a ReadPage, or the parsed JSON; ValueError when not JSON."""
        self._calls += 1
        if self.broken or self._calls <= self._start_after:
            return json.loads(content)
        ids, normalized = Future(), Future()
        try:
            self._send(content, ids, normalized)
            reply = ids.result()
        except _HELPER_FAILED as exc:
            logger.warning("The page reader process failed (%s); reading pages in the run", exc)
            self.close()
            return json.loads(content)
        if reply[0] == "invalid":
            raise ValueError("the body is not JSON")
        if reply[0] == "ids":
            self.pages_read += 1
            return ReadPage(reply[1], normalized, content)
        return json.loads(content)  # "parse": something the helper leaves to the run

    def _send(self, content: bytes, ids: Future, normalized: Future) -> None:
        if self.broken:  # closed meanwhile
            raise EOFError("the page reader was closed")
        if self._process is None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "orders.page_reader"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=_ROOT,
                env={
                    **os.environ,
                    "PYTHONPATH": os.pathsep.join(
                        filter(None, (str(_ROOT), os.environ.get("PYTHONPATH")))
                    ),
                },
            )
            threading.Thread(
                target=self._answers, args=(self._process.stdout,), daemon=True
            ).start()
        process = self._process  # close() may clear it meanwhile (the run stopping)
        self._waiting.append((ids, normalized))
        process.stdin.write(_FRAME.pack(len(content)) + content)
        process.stdin.flush()

    def _answers(self, stdout: BinaryIO) -> None:
        """Each page's answers in turn: its ids (or why not), then its normalized page."""
        try:
            while True:
                reply = pickle.loads(_read_frame(stdout))
                ids, normalized = self._waiting[0]
                if reply[0] == "page":
                    self._waiting.popleft()
                    normalized.set_result(reply[1])
                    continue
                ids.set_result(reply)
                if reply[0] != "ids":
                    self._waiting.popleft()  # nothing follows
        except BaseException as exc:  # the helper ended or failed: nothing more will come
            while self._waiting:
                for future in self._waiting.popleft():
                    if not future.done():
                        future.set_exception(EOFError(f"the page reader ended ({exc!r})"))
        finally:
            stdout.close()

    def close(self) -> None:
        self.broken = True
        process, self._process = self._process, None
        if process is None:
            return
        self.peak_rss_mb = proc_status_mb("VmHWM", process.pid)
        try:
            process.stdin.close()  # the helper ends at the end of its input
            process.wait(timeout=5)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()


def _read_frame(stream: BinaryIO) -> bytes:
    (size,) = _FRAME.unpack(_read_exactly(stream, _FRAME.size))
    return _read_exactly(stream, size)


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("the other side ended")
    return data


# ----------------------------------------------------------------------------- helper side


def read_page(content: bytes, send) -> None:
    """Send ("ids", ids) then ("page", normalized page); or ("invalid",), or ("parse",) for the
    run to read it itself."""
    try:
        payloads = json.loads(content)
    except ValueError:
        return send(("invalid",))
    if not isinstance(payloads, list) or not all(
        isinstance(p, dict) and (p.get("order_is_digital") or consignments_inline(p))
        for p in payloads
    ):
        return send(("parse",))  # not a page, or orders whose lines must be fetched one by one
    send(("ids", [p.get("id") for p in payloads]))  # the next page can be asked for now
    page = normalize_page(payloads)
    for order in page.orders.values():
        if order.raw_text:
            order.raw = None  # stored as its text; the run parses it again where it needs it
    send(("page", page))


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    sent = []

    def send(reply: tuple) -> None:
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.write(_FRAME.pack(len(data)) + data)
        stdout.flush()
        sent.append(reply[0])

    while True:
        try:
            content = _read_frame(stdin)
        except EOFError:
            return
        sent.clear()
        try:
            read_page(content, send)
        except Exception:  # the run reads the page itself, raising there what it raises here
            if not sent:
                send(("parse",))
            else:
                raise  # its ids went out: the run reads it from the body when this ends


if __name__ == "__main__":
    # The run stops it (end of input); Ctrl-C and SIGTERM are for the run's process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    serve(sys.stdin.buffer, sys.stdout.buffer)
