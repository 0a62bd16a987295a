"""Reads for connections and tenants. Everything a user sees goes through these, so that tenant
isolation is enforced in one place."""

from django.db.models import Exists, OuterRef, QuerySet

from .models import Connection, Membership, Tenant


def tenants_for_user(*, user) -> QuerySet[Tenant]:
    if not user.is_authenticated:
        return Tenant.objects.none()
    if user.is_staff:
        return Tenant.objects.all()
    return Tenant.objects.filter(memberships__user=user)


def membership_for(*, user, tenant: Tenant) -> Membership | None:
    """The user's membership of the tenant; staff act as managers of every tenant."""
    if not user.is_authenticated:
        return None
    if user.is_staff:
        return Membership(tenant=tenant, user=user, role=Membership.Role.MANAGER)
    return Membership.objects.filter(user=user, tenant=tenant).first()


def connections_visible_to(*, user) -> QuerySet[Connection]:
    return Connection.objects.filter(tenant__in=tenants_for_user(user=user))


def connections_with_error_flag(*, queryset: QuerySet[Connection]) -> QuerySet[Connection]:
    """Annotate `has_order_errors`: unresolved order errors exist (orders app, once it has them)."""
    from django.apps import apps

    try:
        order_error = apps.get_model("orders", "OrderError")
    except LookupError:
        return queryset.annotate(has_order_errors=Exists(Connection.objects.none()))
    unresolved = order_error.objects.filter(connection=OuterRef("pk"), resolved_at__isnull=True)
    return queryset.annotate(has_order_errors=Exists(unresolved))


def connection_active_for_store(*, store_hash: str, exclude_pk=None) -> Connection | None:
    qs = Connection.objects.filter(store_hash=store_hash, status=Connection.Status.ACTIVE)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("tenant").first()
