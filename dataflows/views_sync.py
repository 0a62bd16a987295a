"""SYNCHRONIZE: queue every enabled dataflow of one connection now, from the CONNECTIONS
list's toolbar (the selected row) or from the connection page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from connections.access import connection_for_user, need_for
from connections.audit import Action, audit_record
from connections.views.actions import connections_refuse, connections_selected
from connections.views.common import error_text, list_url, next_url, popup_show

from .services import connection_synchronize


def _synchronize(request, connections, *, back: str):
    if connections_refuse(request, connections, action="synchronize", single=True):
        return redirect(back)
    connection = connections[0]
    try:
        runs = connection_synchronize(connection=connection)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    audit_record(
        action=Action.SYNCHRONIZED,
        connection=connection,
        user=request.user,
        details={"runs": [run.pk for run in runs]},
    )
    count = len(runs)
    popup_show(
        request,
        title="Sync triggered",
        text=f"{count} dataflow{'s' if count != 1 else ''} of “{connection.name}” "
        f"{'are' if count != 1 else 'is'} queued and will run now.",
        link=reverse("connection-runs", args=[connection.pk]),
        link_label="Follow the runs",
    )
    return redirect(back)


@login_required
@require_POST
def connections_synchronize(request):
    """The list's toolbar: SYNCHRONIZE the one selected connection."""
    connections = connections_selected(request, need=need_for("connection.synchronize"))
    return _synchronize(request, connections, back=list_url(request.POST.get("qs", "")))


@login_required
@require_POST
def connection_synchronize_view(request, pk: int):
    """The connection page's SYNCHRONIZE; then the Runs tab shows them."""
    connection, _ = connection_for_user(request, pk, need=need_for("connection.synchronize"))
    back = next_url(request, reverse("connection-runs", args=[pk]))
    return _synchronize(request, [connection], back=back)
