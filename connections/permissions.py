"""Who may do what with a tenant's connections (REST).

The rules are connections.access's NEEDS (one rule set for screens and API); these are their
DRF form: a view names the need of each action in `required_roles`, from `need_for`.
Visibility is the queryset's job (`connections_visible_to`): anything of another tenant is a
404 before a permission is ever checked. These classes then decide, for a visible object, what
the user's role in its tenant allows. Staff act as managers of every tenant.
"""

from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from .access import MANAGE, OPERATE, VIEW, need_for, role_allows, tenant_membership
from .models import Connection, Membership

__all__ = [
    "MANAGE",
    "OPERATE",
    "VIEW",
    "ConnectionRolePermission",
    "check_connection_role",
    "role_allows",
]


def check_connection_role(request, *, connection: Connection, need: str) -> bool:
    """True when the user's role allows `need` on the connection (the rules of
    connections.access). A user with no membership at all cannot see the connection: that is
    a 404, never a 403."""
    if need == VIEW:
        return True
    membership = tenant_membership(request, tenant=connection.tenant)
    if membership is None:
        raise NotFound()
    return role_allows(membership=membership, need=need)


class ConnectionRolePermission(BasePermission):
    """Checks the role the view's `required_roles[action]` names (default: view) on the
    connection the object belongs to (the view's `connection_of(obj)`)."""

    message = "Your role in this tenant does not allow this."

    def has_permission(self, request, view):
        if getattr(view, "action", None) == "create":
            user = request.user
            # Creating needs its role in some tenant; which one is checked once the request
            # names (or implies) it.
            need = need_for("connection.create")
            return user.is_staff or any(
                role_allows(membership=membership, need=need)
                for membership in Membership.objects.filter(user=user)
            )
        return True

    def has_object_permission(self, request, view, obj):
        need = getattr(view, "required_roles", {}).get(view.action, VIEW)
        connection = view.connection_of(obj) if hasattr(view, "connection_of") else obj
        return check_connection_role(request, connection=connection, need=need)
