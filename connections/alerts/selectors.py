"""Reads of alerts, always through a tenant the caller may see."""

from datetime import timedelta

from django.db.models import QuerySet

from connections.models import Connection, Membership, Tenant
from connections.selectors import tenants_for_user

from .models import Alert, AlertSettings


def alerts_open(*, tenant: Tenant, connection: Connection | None = None) -> QuerySet[Alert]:
    """The tenant's open alerts (of one connection when given), newest first."""
    queryset = Alert.objects.filter(tenant=tenant, state=Alert.State.OPEN)
    if connection is not None:
        queryset = queryset.filter(connection=connection)
    return queryset.select_related("connection", "acknowledged_by")


def alert_list(*, user, tenant: Tenant | None = None, state: str = "") -> QuerySet[Alert]:
    """The alerts of the tenants the user belongs to (of `tenant` when given), open first."""
    queryset = Alert.objects.filter(tenant__in=tenants_for_user(user=user))
    if tenant is not None:
        queryset = queryset.filter(tenant=tenant)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.select_related("connection", "tenant", "acknowledged_by").order_by(
        "-state", "-last_seen_at", "-id"
    )  # "resolved" > "open": descending puts open first


def alert_settings_for(*, tenant: Tenant) -> AlertSettings:
    """The tenant's settings; the defaults (unsaved) when it never changed them."""
    found = AlertSettings.objects.filter(tenant=tenant).first()
    return found or AlertSettings(tenant=tenant)


def alert_recipients(*, tenant: Tenant) -> list[str]:
    """The e-mail addresses of the tenant's active managers (never other roles or tenants)."""
    memberships = Membership.objects.filter(
        tenant=tenant, role=Membership.Role.MANAGER, user__is_active=True
    ).exclude(user__email="")
    return sorted(set(memberships.values_list("user__email", flat=True)))


def alert_notified_recently(
    *, tenant: Tenant, connection: Connection | None, condition: str, key: str, now, minutes: int
) -> bool:
    """Whether this subject's "raised" notice went out within the last `minutes`."""
    return Alert.objects.filter(
        tenant=tenant,
        connection=connection,
        condition=condition,
        key=key,
        notified_at__gt=now - timedelta(minutes=minutes),
    ).exists()


def connection_credentials_refused(*, connection: Connection) -> bool:
    """The connection's flag: the store refused its credentials and no working ones came yet."""
    return Alert.objects.filter(
        connection=connection,
        condition=Alert.Condition.CREDENTIALS_REFUSED,
        state=Alert.State.OPEN,
    ).exists()
