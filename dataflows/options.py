"""Saving a dataflow: which role the change needs (connections.access's rule set) and whether
its options are valid. The API and the Dataflows tab both call these, so they refuse the same
things the same way."""

import json

from django.core.exceptions import ValidationError

from connections.access import need_for_fields

from .models import Dataflow
from .registry import flow_spec

#: Bounds of an options document: a flow's options are a handful of settings.
MAX_OPTION_KEYS = 50
MAX_OPTIONS_BYTES = 10 * 1024


def _refuse(message: str):
    raise ValidationError({"options": message})


def dataflow_options_validate(*, kind: str, options) -> dict:
    """The options as the flow's `options_parser` normalises them; ValidationError (under
    "options") saying what is wrong: not an object, too big, or refused by the flow."""
    if not isinstance(options, dict):
        _refuse("The dataflow's options must be a JSON object.")
    if len(options) > MAX_OPTION_KEYS:
        _refuse(
            f"The options have {len(options)} keys: at most {MAX_OPTION_KEYS} are allowed. "
            "Keep only the settings the flow uses."
        )
    try:
        text = json.dumps(options, ensure_ascii=False)
    except (TypeError, ValueError):
        _refuse("The options must contain only JSON values (text, numbers, true/false, lists).")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_OPTIONS_BYTES:
        _refuse(
            f"The options take more than {MAX_OPTIONS_BYTES // 1024} KB as JSON: keep only "
            "the settings the flow uses."
        )
    if "\x00" in text or "\\u0000" in text:
        _refuse("The options must not contain NUL characters.")
    spec = flow_spec(kind)
    if spec is not None and spec.options_parser is not None:
        options = spec.options_parser(options)
    return options


def dataflow_update_need(
    *,
    dataflow: Dataflow,
    enabled: bool | None = None,
    interval_seconds: int | None = None,
    options: dict | None = None,
) -> str:
    """The role saving these values needs: only the fields that change count (a form that
    sends back the stored options unchanged is not a change of settings)."""
    changes = {"enabled": enabled, "interval_seconds": interval_seconds, "options": options}
    changed = [
        field
        for field, value in changes.items()
        if value is not None and value != getattr(dataflow, field)
    ]
    return need_for_fields("dataflow", changed)
