"""Condition checks the layers above plug in (a registry, like connections.hooks): a check
looks at one connection and returns what is wrong now; the alerts follow. Each app registers
from its AppConfig.ready(); the engine runs a connection's checks after a run of one of the
check's kinds ends (`after_kinds`), the periodic alerts task runs the `periodic` ones.

A check returns a list of `Finding` (one per key, e.g. per location): an open alert of its
condition on the connection whose key is not found any more resolves.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from connections.models import Connection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    message: str
    action: str = ""
    key: str = ""


@dataclass(frozen=True)
class ConditionCheck:
    condition: str
    name: str  # unique, e.g. "orders.blocking_errors"
    check: Callable[[Connection], list[Finding]]
    after_kinds: tuple[str, ...] = ()
    periodic: bool = False
    # Keys this check owns; None: every key of its condition on the connection.
    owns_key: Callable[[str], bool] | None = field(default=None, compare=False)


_checks: dict[str, ConditionCheck] = {}


def check_register(check: ConditionCheck) -> None:
    _checks[check.name] = check


def registered_checks() -> list[ConditionCheck]:
    return list(_checks.values())


def checks_run(
    *, connection: Connection, after_kind: str | None = None, periodic: bool = False
) -> int:
    """Run the connection's checks that apply; returns how many findings are open. A check
    that fails is logged and skipped: it never fails the run or task that called it."""
    from .models import Alert
    from .services import alert_raise, alert_resolve

    found = 0
    for check in _checks.values():
        if not ((after_kind and after_kind in check.after_kinds) or (periodic and check.periodic)):
            continue
        try:
            findings = check.check(connection)
        except Exception:
            logger.exception("Alert check %s failed on connection %s", check.name, connection.pk)
            continue
        keys = set()
        for finding in findings:
            keys.add(finding.key)
            alert_raise(
                connection=connection,
                condition=check.condition,
                key=finding.key,
                message=finding.message,
                action=finding.action,
            )
        found += len(findings)
        open_keys: Iterable[str] = Alert.objects.filter(
            connection=connection, condition=check.condition, state=Alert.State.OPEN
        ).values_list("key", flat=True)
        for key in set(open_keys) - keys:
            if check.owns_key is None or check.owns_key(key):
                alert_resolve(connection=connection, condition=check.condition, key=key)
    return found


def checks_run_periodic() -> dict:
    """The periodic checks of every active connection (the alerts' maintenance task)."""
    connections = Connection.objects.filter(status=Connection.Status.ACTIVE).select_related(
        "tenant"
    )
    total = checked = 0
    for connection in connections.iterator():
        total += checks_run(connection=connection, periodic=True)
        checked += 1
    return {"connections": checked, "findings": total}
