"""Who may do what: the one place every screen and API asks (Healthchecks'
`_get_check_for_user` / `_get_rw_check_for_user` pattern).

Visibility first: anything of a tenant the user does not belong to is a 404 (never a 403,
which would tell that the id exists). Then the role of the user in the object's tenant, as
NEEDS says for each action: viewer reads, operator also synchronizes, enables, disables, runs,
schedules and retries, manager also creates, edits, deletes and sets credentials and settings
(a dataflow's options are settings). Staff act as managers everywhere.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Connection, Membership, Tenant
from .selectors import connections_visible_to, membership_for

VIEW, OPERATE, MANAGE = "view", "operate", "manage"

#: The one rule set: the role each write needs, for every screen and API alike
#: (tests/integrationhub/test_roles.py tries each of them with each role). A partial change
#: needs the highest role among the fields it changes ("<object>.<field>").
NEEDS = {
    "connection.create": MANAGE,
    "connection.name": MANAGE,
    "connection.credentials": MANAGE,
    "connection.settings": MANAGE,
    "connection.delete": MANAGE,
    "connection.enable": OPERATE,
    "connection.disable": OPERATE,
    "connection.synchronize": OPERATE,
    "dataflow.enabled": OPERATE,
    "dataflow.interval_seconds": OPERATE,
    "dataflow.options": MANAGE,
    "dataflow.run": OPERATE,
    "order.reimport": OPERATE,
    "order.shipment_create": OPERATE,
    "order_error.retry": OPERATE,
    "order_error.ignore": OPERATE,
    "product.create": OPERATE,
    "product.update": OPERATE,
    "stock.set": OPERATE,
    "product_data.set": OPERATE,
    "listing.publish": OPERATE,
    "listing.pause": OPERATE,
    "listing.unpause": OPERATE,
    "listing.hide": OPERATE,
    "listing.unhide": OPERATE,
    "listing.delist": MANAGE,
    "listing.settings": MANAGE,
    "product_import.settings": MANAGE,
    "tenant.settings": MANAGE,
    "checkout.settings": MANAGE,
    "checkout.key_rotate": MANAGE,
    "checkout.option_create": MANAGE,
    "checkout.option_update": MANAGE,
    "checkout.option_delete": MANAGE,
}
_RANK = {VIEW: 0, OPERATE: 1, MANAGE: 2}

REFUSED = {
    OPERATE: "Your role in this tenant is read-only: ask an operator or a manager.",
    MANAGE: "Only a manager of this tenant can do this.",
}


def need_for(action: str) -> str:
    """The role `action` (a key of NEEDS) needs; an unknown action is a programming error."""
    return NEEDS[action]


def need_for_fields(entity: str, fields: Iterable[str]) -> str:
    """The role changing these fields of `entity` needs: the highest of theirs (VIEW for no
    change at all)."""
    return max((NEEDS[f"{entity}.{field}"] for field in fields), key=_RANK.get, default=VIEW)


def role_allows(*, membership: Membership | None, need: str) -> bool:
    if membership is None:
        return False
    if need == MANAGE:
        return membership.can_manage
    if need == OPERATE:
        return membership.can_operate
    return True


def tenant_membership(request, *, tenant: Tenant) -> Membership | None:
    """The user's membership of the tenant, looked up once per request."""
    cache = request.__dict__.setdefault("_tenant_memberships", {})
    if tenant.pk not in cache:
        cache[tenant.pk] = membership_for(user=request.user, tenant=tenant)
    return cache[tenant.pk]


def tenant_require_role(request, *, tenant: Tenant, need: str) -> Membership:
    """The membership when the role allows `need`; 404 without a membership, else 403."""
    membership = tenant_membership(request, tenant=tenant)
    if membership is None:
        raise Http404
    if not role_allows(membership=membership, need=need):
        raise PermissionDenied(REFUSED[need])
    return membership


def connection_for_user(request, pk: int, *, need: str = VIEW) -> tuple[Connection, Membership]:
    """The connection if the user may see it (else 404) and do `need` with it (else 403).
    Opening a connection of another of the user's tenants makes that tenant current."""
    connection = get_object_or_404(
        connections_visible_to(user=request.user).select_related("tenant"), pk=pk
    )
    membership = tenant_require_role(request, tenant=connection.tenant, need=need)
    tenancy = getattr(request, "tenancy", None)
    if tenancy is not None and tenancy.tenant != connection.tenant:
        tenancy.switch(connection.tenant)
    return connection, membership
