"""A new connection's set-up checklist: each step's state and what leads to it. The buttons
post to the existing actions (their own role checks apply); a step's button shows only to a
role that may take it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse_lazy

from catalog.kinds import PRODUCT_MATCH
from connections.access import need_for, role_allows
from connections.alerts.models import Alert
from orders.flows.kinds import ORDER_IMPORT


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    state: str  # what the operator reads next to the step
    action_label: str = ""
    # Lazy: a dashboard ranks all of a tenant's connections by their steps and shows a few,
    # so a URL is only built when a card shows it.
    action_url: str = ""
    post: bool = False  # an action (a form with CSRF), else a link

    @property
    def has_action(self) -> bool:
        return bool(self.action_url)


def _may(membership, action: str) -> bool:
    return role_allows(membership=membership, need=need_for(action))


def _credentials(card, membership) -> Step:
    connection = card.connection
    refused = any(a.condition == Alert.Condition.CREDENTIALS_REFUSED for a in card.alerts)
    done = bool(connection.access_token and connection.store_name) and not refused
    if refused:
        state = "The store refused the credentials: enter a new access token."
    elif done:
        state = f"The store answered: “{connection.store_name}”."
    else:
        state = "Not checked yet: save the store hash and access token."
    url = reverse_lazy("connection-credentials", args=[connection.pk])
    show = not done and _may(membership, "connection.credentials")
    return Step(
        "credentials",
        "Credentials checked",
        done,
        state,
        "Enter credentials" if show else "",
        url if show else "",
    )


def _run_step(
    card, membership, *, key: str, label: str, kind: str, never: str, button: str
) -> Step:
    state = card.flow.get(kind)
    if state is None:
        return Step(key, label, False, "This dataflow does not exist on the connection.")
    if state.last_success is not None:
        return Step(key, label, True, f"Done ({state.last_success.ago}).")
    if state.running is not None:
        return Step(key, label, False, "Running now…")
    if state.queued is not None:
        return Step(key, label, False, "Queued: it starts as soon as a worker is free.")
    text = never
    if state.last_failure is not None:
        text = f"The last run failed: {state.last_failure.error_message[:200]}"
    may = _may(membership, "dataflow.run") and card.connection.is_active
    url = ""
    if may:
        url = reverse_lazy("dataflow-run-now", args=[card.connection.pk, state.dataflow.pk])
    return Step(key, label, False, text, button if may else "", url, post=True)


def _readiness(card, match: Step) -> Step:
    url = reverse_lazy("catalog-readiness", args=[card.connection.pk])
    if not match.done:
        return Step(
            "readiness",
            "Readiness warnings reviewed",
            False,
            "Shown after the first Product Match.",
        )
    n = card.readiness_warnings
    if not n:
        return Step(
            "readiness",
            "Readiness warnings reviewed",
            True,
            "No catalog problems found.",
            "Open",
            url,
        )
    return Step(
        "readiness",
        "Readiness warnings reviewed",
        False,
        f"{n} item{'s' if n != 1 else ''} need attention before orders ship reliably.",
        "Review them",
        url,
    )


def _webhooks(card, membership) -> Step:
    health = card.webhooks
    if health.active:
        return Step(
            "webhooks",
            "Webhooks registered",
            True,
            f"{health.registered} of {health.wanted} active.",
        )
    state = health.error or f"{health.state_label} ({health.registered} of {health.wanted})."
    may = _may(membership, "connection.synchronize") and card.connection.is_active
    url = reverse_lazy("connection-webhooks-register", args=[card.connection.pk]) if may else ""
    return Step(
        "webhooks",
        "Webhooks registered",
        False,
        state,
        "Register webhooks" if may else "",
        url,
        post=True,
    )


def onboarding_steps(*, card, membership) -> list[Step]:
    match = _run_step(
        card,
        membership,
        key="product_match",
        label="Product Match done",
        kind=PRODUCT_MATCH,
        never="Not run yet: it links the store's products to the hub's SKUs.",
        button="Run Product Match",
    )
    first_import = _run_step(
        card,
        membership,
        key="first_import",
        label="First order import",
        kind=ORDER_IMPORT,
        never="No import yet (it waits for the first Product Match).",
        button="Import orders now",
    )
    return [
        _credentials(card, membership),
        match,
        _readiness(card, match),
        first_import,
        _webhooks(card, membership),
    ]
