"""Forms of the engine's screens (the Dataflows tab). They only validate input; writes go
through the services."""

import copy

from django import forms
from django.core.exceptions import ValidationError

from .models import Dataflow
from .options import dataflow_options_validate
from .registry import flow_spec

INTERVAL_CHOICES = [
    (60, "Every minute"),
    (5 * 60, "Every 5 minutes"),
    (10 * 60, "Every 10 minutes"),
    (15 * 60, "Every 15 minutes"),
    (30 * 60, "Every 30 minutes"),
    (3600, "Every hour"),
    (2 * 3600, "Every 2 hours"),
    (6 * 3600, "Every 6 hours"),
    (12 * 3600, "Every 12 hours"),
    (24 * 3600, "Every day"),
    (7 * 24 * 3600, "Every week"),
]


def interval_label(seconds: int) -> str:
    for value, label in INTERVAL_CHOICES:
        if value == seconds:
            return label
    if seconds % 3600 == 0:
        return f"Every {seconds // 3600} hours"
    if seconds % 60 == 0:
        return f"Every {seconds // 60} minutes"
    return f"Every {seconds} seconds"


def option_fields(kind: str) -> dict[str, forms.Field]:
    """The form fields of a flow's options, as its app registered them in its FlowSpec
    (`extra["option_fields"]`: option key -> a form field; blank means unset)."""
    spec = flow_spec(kind)
    return dict((spec.extra.get("option_fields") or {}) if spec else {})


class DataflowForm(forms.Form):
    """Enabled, schedule, and the flow's own options (e.g. Order Import's "created within")."""

    enabled = forms.BooleanField(required=False)
    interval_seconds = forms.TypedChoiceField(coerce=int, label="Schedule")

    def __init__(self, *args, dataflow: Dataflow, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(INTERVAL_CHOICES)
        if dataflow.interval_seconds not in dict(choices):
            choices.append((dataflow.interval_seconds, interval_label(dataflow.interval_seconds)))
            choices.sort()
        self.fields["interval_seconds"].choices = choices
        self.option_keys = []
        for key, field in option_fields(dataflow.kind).items():
            self.fields[key] = copy.deepcopy(field)
            self.option_keys.append(key)
            self.initial.setdefault(key, (dataflow.options or {}).get(key))
        self.dataflow = dataflow

    @property
    def option_boundfields(self) -> list:
        return [self[key] for key in self.option_keys]

    def clean(self):
        cleaned = super().clean()
        if self.option_keys and not self.errors:
            try:
                self._options = dataflow_options_validate(
                    kind=self.dataflow.kind, options=self._merged_options()
                )
            except ValidationError as exc:
                self.add_error(None, exc.messages)
        return cleaned

    def _merged_options(self) -> dict:
        # A key the form did not send (its input is disabled for roles that may not change
        # options) keeps its stored value; a blank one removes it.
        options = dict(self.dataflow.options or {})
        for key in self.option_keys:
            if self.add_prefix(key) not in self.data:
                continue
            value = self.cleaned_data.get(key)
            if value in (None, ""):
                options.pop(key, None)
            else:
                options[key] = value
        return options

    def options(self) -> dict | None:
        """The dataflow's options with this form's keys set, as the flow validated them; None
        when the flow has no option fields (the stored options stay as they are)."""
        return self._options if self.option_keys else None
