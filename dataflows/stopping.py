"""How a process is asked to stop its runs: SIGTERM (docker stop, systemd, kill) interrupts the
run at once, a worker shutting down asks every run to stop at its next heartbeat."""

import logging
import sys
import threading

logger = logging.getLogger(__name__)


class Interrupted(KeyboardInterrupt):  # noqa: N818 - an interrupt, not an error
    """The process was asked to stop (SIGTERM): the run is recorded as interrupted. A
    KeyboardInterrupt, so that a query in flight is cancelled in the server (psycopg does that
    for Ctrl-C) instead of leaving the connection busy, unable to record the run's end."""


_stopping: dict = {}


def stop_requested() -> str | None:
    """Why this process was asked to stop, if it was."""
    return _stopping.get("reason")


def request_stop(reason: str) -> None:
    """Ask every run of this process to stop at its next heartbeat (a worker shutting down)."""
    _stopping.setdefault("reason", reason)


def stop_request_clear() -> None:
    """Let this process's runs go on again (a pool process whose interrupted task has ended)."""
    _stopping.clear()


SIGTERM_REASON = (
    "the process received SIGTERM (docker stop, systemd or kill) before the run finished; the "
    "next run resumes from the last saved cursor."
)


def interrupt_on_sigterm() -> None:
    """SIGTERM (docker stop, systemd, kill) stops this process's run like Ctrl-C does: it is
    recorded as interrupted and its lease released, instead of being left running."""
    import signal

    def stop(signum, frame):
        # Asked at the next heartbeat too: Python drops an exception raised inside a weakref
        # callback or a __del__, where the signal may land (see _redeliver_swallowed).
        request_stop(SIGTERM_REASON)
        raise Interrupted(SIGTERM_REASON)

    if sys.unraisablehook is not _redeliver_swallowed:
        _redeliver_swallowed.previous = sys.unraisablehook
        sys.unraisablehook = _redeliver_swallowed
    signal.signal(signal.SIGTERM, stop)


def _redeliver_swallowed(unraisable) -> None:
    """An interrupt raised where Python cannot pass it on (a weakref callback, a __del__, the
    garbage collector) is delivered again, so a flow blocked in a long request stops now rather
    than at its next heartbeat."""
    if not isinstance(unraisable.exc_value, Interrupted):
        _redeliver_swallowed.previous(unraisable)
        return
    logger.info("SIGTERM landed in a finalizer, where it cannot stop the run: delivering it again")
    # From another thread, a moment later: signalling this thread from here would run the
    # handler inside this hook, which drops exceptions too.
    timer = threading.Timer(REDELIVER_AFTER_S, _sigterm_to_main_thread)
    timer.daemon = True
    timer.start()


_redeliver_swallowed.previous = sys.unraisablehook
REDELIVER_AFTER_S = 0.05


def _sigterm_to_main_thread() -> None:
    import signal

    signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)
