"""Reads for connections and tenants. Everything a user sees goes through these, so that tenant
isolation is enforced in one place."""

import operator
from functools import reduce

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value

from .filters import ConnectionFilter
from .hooks import error_flags
from .models import Connection, Membership, Tenant


def tenants_for_user(*, user) -> QuerySet[Tenant]:
    if not user.is_authenticated:
        return Tenant.objects.none()
    if user.is_staff:
        return Tenant.objects.all()
    return Tenant.objects.filter(memberships__user=user)


def tenant_visible_filter(*, user, tenant_field: str = "tenant"):
    """A filter for rows whose tenant (`tenant_field`, a path from the row to it) is one of the
    user's: a correlated EXISTS rather than `IN (the user's tenants)`, so that a list's index on
    (tenant, ordering…) still gives its rows in order (SQLite sorts every row after an IN)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_staff:
        return Q()
    return Exists(Membership.objects.filter(user=user, tenant_id=OuterRef(tenant_field)))


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
    """Annotate `has_order_errors`: a flag registered by an app above is raised (for orders:
    unresolved order errors exist; see connections.hooks)."""
    flags = error_flags()
    if not flags:
        return queryset.annotate(has_order_errors=Value(False, output_field=BooleanField()))
    if len(flags) > 1:
        flags = [ExpressionWrapper(reduce(operator.or_, flags), BooleanField())]
    return queryset.annotate(has_order_errors=flags[0])


def connection_active_for_store(*, store_hash: str, exclude_pk=None) -> Connection | None:
    qs = Connection.objects.filter(store_hash=store_hash, status=Connection.Status.ACTIVE)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("tenant").first()


def connection_list(
    *, user, tenant: Tenant | None = None, filters=None, strict: bool = False
) -> QuerySet[Connection]:
    """The connections the user may see (of `tenant` when given), with the error flag,
    filtered by `ConnectionFilter`: invalid filter values are ignored, or with `strict` (the
    REST list) refused with a ValidationError naming them."""
    queryset = connections_visible_to(user=user).select_related("tenant")
    if tenant is not None:
        queryset = queryset.filter(tenant=tenant)
    queryset = connections_with_error_flag(queryset=queryset)
    return filtered(ConnectionFilter, filters, queryset, strict=strict)


def filtered(filterset_class, filters, queryset: QuerySet, *, strict: bool = False) -> QuerySet:
    """`queryset` filtered by the FilterSet (HackSoft's `user_list(filters=...)`)."""
    filterset = filterset_class(filters or {}, queryset=queryset)
    if strict and not filterset.is_valid():
        raise ValidationError({field: list(errors) for field, errors in filterset.errors.items()})
    return filterset.qs
