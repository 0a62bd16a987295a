"""What the layers above add to the CONNECTIONS screens without connections knowing them, the
way apps register with the Django admin: each registers from its AppConfig.ready().

- An error flag: a function returning a boolean expression over the connection's rows
  (`Exists(... connection=OuterRef("pk") ...)`); the list's ERRORS column and filter, and the
  REST `has_order_errors`, are true when any registered flag is.
- A General-tab panel: a function `(request, connection) -> str` (rendered HTML), shown below
  the connection's details (e.g. the engine's latest runs).
- A live part: a function `(request, connection) -> str`, the HTML of one element of the
  connection page (with an `id` and `data-live-part`) outside the live fragments, that every
  live refresh of the page brings along (e.g. the Orders tab's count of open errors).
- A tab: a label, the URL name of its page (taking the connection's pk), the key its views
  pass as `tab` to `connection_page`, and an order; shown after the connection's own tabs.
- A retention step: a function `(*, tenant, now) -> dict[str, int]` (what it removed, by
  kind) that the nightly retention task runs for every tenant after purging its run logs
  (e.g. orders anonymises old personal data).
"""

from collections.abc import Callable

from django.db.models import Expression
from django.urls import reverse

_error_flags: list[Callable[[], Expression]] = []
_general_panels: list[Callable] = []
_live_parts: list[Callable] = []
_tabs: dict[str, tuple[int, str, str]] = {}  # tab_key -> (order, label, url_name)
_retention_steps: list[Callable] = []


def error_flag_register(flag: Callable[[], Expression]) -> None:
    if flag not in _error_flags:
        _error_flags.append(flag)


def error_flags() -> list[Expression]:
    return [flag() for flag in _error_flags]


def general_panel_register(panel: Callable) -> None:
    if panel not in _general_panels:
        _general_panels.append(panel)


def general_panels(request, connection) -> list[str]:
    return [panel(request, connection) for panel in _general_panels]


def live_part_register(part: Callable) -> None:
    if part not in _live_parts:
        _live_parts.append(part)


def live_parts(request, connection) -> list[str]:
    return [part(request, connection) for part in _live_parts]


def retention_step_register(step: Callable) -> None:
    if step not in _retention_steps:
        _retention_steps.append(step)


def retention_steps() -> list[Callable]:
    return list(_retention_steps)


def tab_register(label: str, url_name: str, tab_key: str, order: int) -> None:
    _tabs[tab_key] = (order, label, url_name)


def tabs(request, connection) -> list[dict]:
    """The registered tabs of a connection page, in order: label, url, key."""
    return [
        {"label": label, "url": reverse(url_name, args=[connection.pk]), "key": key}
        for key, (order, label, url_name) in sorted(_tabs.items(), key=lambda kv: kv[1][0])
    ]
