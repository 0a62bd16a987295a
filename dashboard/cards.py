"""The dashboard's connection cards: each dataflow's state, the last order received, webhook
health and the set-up checklist, read for all of a tenant's connections in a fixed number of
queries (one per kind of row, never one per connection)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from catalog.filters import TRACKING_OFF
from catalog.models import ProductLink
from connections.alerts.models import Alert
from connections.models import Connection
from connections.selectors import connections_visible_to
from connections.webhooks.models import WebhookSubscription
from connections.webhooks.selectors import WebhookHealth, webhook_health_of
from dataflows.models import Dataflow, Run
from dataflows.views import _next_run
from dataflows.views_runs import runs_decorate, span_label
from orders.models import Order

from .onboarding import Step, onboarding_steps


@dataclass
class FlowState:
    dataflow: Dataflow
    last_success: Run | None = None
    last_failure: Run | None = None
    running: Run | None = None
    queued: Run | None = None
    next_run: datetime | None = None
    next_label: str = ""
    eta_label: str = ""  # "about 3 minutes left" while running with a known total

    @property
    def failing(self) -> bool:
        """The last finished run failed (a success since clears it)."""
        if self.last_failure is None:
            return False
        if self.last_success is None:
            return True
        return self.last_failure.finished_at > self.last_success.finished_at


@dataclass
class ConnectionCard:
    connection: Connection
    flows: list[FlowState]
    last_order_at: datetime | None
    webhooks: WebhookHealth
    alerts: list[Alert] = field(default_factory=list)
    readiness_warnings: int = 0
    steps: list[Step] = field(default_factory=list)

    @property
    def flow(self) -> dict[str, FlowState]:
        return {state.dataflow.kind: state for state in self.flows}

    @property
    def set_up(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def needs_attention(self) -> bool:
        """What the dashboard shows first: open alerts, a failing dataflow, set-up not done."""
        return bool(self.alerts) or any(s.failing for s in self.flows) or not self.set_up


def cards_to_show(
    cards: list[ConnectionCard], *, limit: int
) -> tuple[list[ConnectionCard], list[ConnectionCard]]:
    """The dashboard's cards when a tenant has many connections, and those left out: the ones
    that need attention first (by name within each group), at most `limit` shown."""
    ranked = sorted(cards, key=lambda card: not card.needs_attention)  # stable: by name within
    return ranked[:limit], ranked[limit:]


def _latest(status_q: Q):
    runs = Run.objects.filter(status_q, dataflow=OuterRef("pk")).order_by("-finished_at", "-id")
    return Subquery(runs.values("pk")[:1])


def eta_label(run: Run, *, now: datetime) -> str:
    """Time left at the pace so far; empty when the run has no total or no progress yet."""
    if not (run.started_at and run.progress_total and run.progress_done):
        return ""
    left = run.progress_total - run.progress_done
    if left <= 0:
        return "finishing"
    elapsed = max(1.0, (now - run.started_at).total_seconds())
    seconds = int(elapsed / run.progress_done * left)
    return f"about {span_label(max(seconds, 1))} left"


def _flow_states(
    connections: list[Connection], *, now: datetime, detailed: bool = True
) -> dict[int, list[FlowState]]:
    """Each connection's dataflows with their latest runs; `detailed` adds the next run and
    the time left (what a card shows, not what ranks it)."""
    dataflows = Dataflow.objects.filter(connection__in=connections)
    if detailed:
        dataflows = dataflows.select_related("periodic_task")
    else:
        dataflows = dataflows.only("connection_id", "kind", "enabled")
    dataflows = list(
        dataflows.annotate(
            last_success_id=_latest(Q(status=Run.Status.SUCCEEDED)),
            last_failure_id=_latest(Q(status=Run.Status.FAILED)),
            running_id=_latest(Q(status=Run.Status.RUNNING)),
            queued_id=_latest(Q(status=Run.Status.QUEUED)),
        ).order_by("connection_id", "kind")
    )
    wanted = {
        pk
        for df in dataflows
        for pk in (df.last_success_id, df.last_failure_id, df.running_id, df.queued_id)
        if pk is not None
    }
    runs = {run.pk: run for run in runs_decorate(list(Run.objects.filter(pk__in=wanted)))}
    by_connection = {c.pk: c for c in connections}
    states: dict[int, list[FlowState]] = {c.pk: [] for c in connections}
    for df in dataflows:
        df.connection = by_connection[df.connection_id]
        state = FlowState(
            dataflow=df,
            last_success=runs.get(df.last_success_id),
            last_failure=runs.get(df.last_failure_id),
            running=runs.get(df.running_id),
            queued=runs.get(df.queued_id),
        )
        if detailed:
            newest = max(
                (r for r in (state.last_success, state.last_failure) if r),
                key=lambda r: r.finished_at,
                default=None,
            )
            state.next_run, state.next_label = _next_run(
                df, state.running or newest, df.enabled and df.connection.is_active
            )
            if state.running is not None:
                state.eta_label = eta_label(state.running, now=now)
        states[df.connection_id].append(state)
    return states


def _readiness_warnings(connections: list[Connection]) -> dict[int, int]:
    """Items Product Match reported (no master SKU, not found in the hub, tracking off, push
    refused), per connection, in one grouped query. Duplicated and padded SKUs are on the
    connection's Catalog readiness tab."""
    rows = (
        ProductLink.objects.filter(connection__in=connections)
        .values("connection_id")
        .annotate(
            n=Count(
                "id",
                filter=Q(master_key="")
                | Q(product__isnull=True)
                | Q(inventory_tracking=TRACKING_OFF)
                | ~Q(push_error=""),
            )
        )
    )
    return {row["connection_id"]: row["n"] for row in rows}


def tenant_connections(*, user, tenant) -> QuerySet[Connection]:
    """The tenant's connections the user may see (being deleted ones aside), with their last
    order's import time and their webhook subscription."""
    newest = Order.objects.filter(connection=OuterRef("pk")).order_by("-imported_at")
    return (
        connections_visible_to(user=user)
        .filter(tenant=tenant)
        .exclude(status=Connection.Status.DELETING)
        .select_related("tenant", "webhook_subscription")
        .annotate(last_order_at=Subquery(newest.values("imported_at")[:1]))
        .order_by("name", "pk")
    )


def dashboard_cards(
    *, connections: list[Connection], alerts: list[Alert], membership, limit: int
) -> tuple[list[ConnectionCard], list[ConnectionCard]]:
    """The cards a dashboard shows (at most `limit`, those that need attention first) and
    those it leaves out. They are ranked on plain cards first (no next run, no time left: most
    of a card's cost at 1,000 connections), then only the shown ones are read in full: the
    same queries whatever the number of connections."""
    plain = connection_cards(
        connections=connections, alerts=alerts, membership=membership, detailed=False
    )
    shown, hidden = cards_to_show(plain, limit=limit)
    states = _flow_states([card.connection for card in shown], now=timezone.now())
    for card in shown:
        card.flows = states[card.connection.pk]
        card.steps = onboarding_steps(card=card, membership=membership)
    return shown, hidden


def connection_cards(
    *, connections: list[Connection], alerts: list[Alert], membership, detailed: bool = True
) -> list[ConnectionCard]:
    """The cards of these connections (from `tenant_connections`), `alerts` the tenant's open
    ones; `membership` decides which set-up buttons show."""
    now = timezone.now()
    states = _flow_states(connections, now=now, detailed=detailed)
    warnings = _readiness_warnings(connections)
    cards = []
    for connection in connections:
        try:
            subscription = connection.webhook_subscription
        except WebhookSubscription.DoesNotExist:
            subscription = WebhookSubscription(connection=connection)
        card = ConnectionCard(
            connection=connection,
            flows=states[connection.pk],
            last_order_at=connection.last_order_at,
            webhooks=webhook_health_of(subscription=subscription),
            alerts=[a for a in alerts if a.connection_id == connection.pk],
            readiness_warnings=warnings.get(connection.pk, 0),
        )
        card.steps = onboarding_steps(card=card, membership=membership)
        cards.append(card)
    return cards
