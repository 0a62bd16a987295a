"""ENABLE, DISABLE and DELETE, from the list's editing toolbar (on the selected rows) and from
the connection page. SYNCHRONIZE is the engine's (dataflows.views_sync), posted to the same
URLs. Each action changes the connection through a service, which tells the layers above."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import services
from ..access import REFUSED, connection_for_user, need_for, role_allows, tenant_membership
from ..models import Connection
from ..selectors import connections_visible_to
from .common import error_text, list_url, names, next_url

ACTIONS = {action: need_for(f"connection.{action}") for action in ("enable", "disable", "delete")}


def connections_selected(request, *, need: str) -> list[Connection]:
    """The toolbar's selected rows (`ids`), each visible (else 404) and allowing `need` (else
    403)."""
    try:
        ids = {int(value) for value in request.POST.getlist("ids")}
    except ValueError as exc:
        raise Http404 from exc
    connections = list(
        connections_visible_to(user=request.user).filter(pk__in=ids).select_related("tenant")
    )
    if len(connections) != len(ids):
        raise Http404
    for connection in connections:
        if not role_allows(
            membership=tenant_membership(request, tenant=connection.tenant), need=need
        ):
            raise PermissionDenied(REFUSED[need])
    return connections


def connections_refuse(
    request, connections: list[Connection], *, action: str, single: bool = False
) -> bool:
    """Say why nothing can be done (none selected, not exactly one, one is being deleted)."""
    if not connections:
        messages.error(request, f"Select a connection to {action}.")
        return True
    if single and len(connections) != 1:
        messages.error(
            request, f"{action.upper()} works on exactly one connection: select only one."
        )
        return True
    deleting = [c for c in connections if c.status == Connection.Status.DELETING]
    if deleting:
        messages.error(request, f"{names(deleting)} is being deleted; nothing was changed.")
        return True
    return False


def _delete(request, connection: Connection, *, back: str):
    if request.POST.get("confirm") != "yes":
        return render(
            request, "connections/confirm_delete.html", {"connection": connection, "back": back}
        )
    services.connection_delete_start(connection=connection, user=request.user)
    messages.success(
        request,
        f"Deleting “{connection.name}”. This can take a while; the list shows it as "
        "Deleting… until it is gone.",
    )
    return redirect(list_url(request.POST.get("qs", "")))


def _set_active(request, connections: list[Connection], *, action: str, back: str):
    active = action == "enable"
    targets = [c for c in connections if c.is_active != active]
    if not targets:
        state = "active" if active else "inactive"
        messages.info(request, f"The selected connections are {state} already.")
        return redirect(back)
    done = []
    for connection in targets:
        try:
            services.connection_set_active(connection=connection, active=active, user=request.user)
        except ValidationError as exc:
            messages.error(request, f"“{connection.name}” not {action}d: {error_text(exc)}")
        else:
            done.append(connection)
    if done:
        if active:
            text = f"Enabled {names(done)}: dataflows run on schedule again."
        else:
            text = f"Disabled {names(done)}: schedules stopped; running runs finish."
        messages.success(request, text)
    return redirect(back)


def _perform(request, action: str, connections: list[Connection], *, back: str):
    if connections_refuse(request, connections, action=action, single=action == "delete"):
        return redirect(back)
    if action == "delete":
        return _delete(request, connections[0], back=back)
    return _set_active(request, connections, action=action, back=back)


@login_required
@require_POST
def connection_bulk_action(request, action: str):
    """The list's editing toolbar: DELETE, DISABLE, ENABLE on the selected rows."""
    if action not in ACTIONS:
        raise Http404
    connections = connections_selected(request, need=ACTIONS[action])
    return _perform(request, action, connections, back=list_url(request.POST.get("qs", "")))


@login_required
@require_POST
def connection_action(request, pk: int, action: str):
    """The same actions from the connection page."""
    if action not in ACTIONS:
        raise Http404
    connection, _ = connection_for_user(request, pk, need=ACTIONS[action])
    back = next_url(request, reverse("connection-detail", args=[pk]))
    return _perform(request, action, [connection], back=back)
