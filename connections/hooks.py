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
"""

from collections.abc import Callable

from django.db.models import Expression

_error_flags: list[Callable[[], Expression]] = []
_general_panels: list[Callable] = []
_live_parts: list[Callable] = []


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
