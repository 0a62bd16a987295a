"""The General tab's "Webhooks" panel (health, what went wrong, what to do) and its two
buttons: Register webhooks (operators) and New secret (managers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from ..access import connection_for_user, need_for, role_allows, tenant_membership
from .registration import webhook_secret_rotate
from .selectors import webhook_health
from .tasks import webhooks_sync_enqueue


def webhooks_panel(request, connection) -> str:
    membership = tenant_membership(request, tenant=connection.tenant)
    context = {
        "connection": connection,
        "health": webhook_health(connection=connection),
        "can_register": role_allows(membership=membership, need=need_for("connection.synchronize")),
        "can_rotate": role_allows(membership=membership, need=need_for("connection.credentials")),
    }
    return render_to_string("connections/_webhooks_panel.html", context, request=request)


@login_required
@require_POST
def webhooks_register_view(request, pk: int):
    connection, _ = connection_for_user(request, pk, need=need_for("connection.synchronize"))
    if not connection.is_active:
        messages.error(request, "Enable the connection first: its webhooks follow it.")
    else:
        from .models import WebhookSubscription
        from .registration import subscription_for

        sub = subscription_for(connection=connection)
        WebhookSubscription.objects.filter(pk=sub.pk).update(
            state=WebhookSubscription.State.PENDING
        )
        webhooks_sync_enqueue(connection_id=connection.pk)
        messages.success(request, "Registering the webhooks in the store…")
    return redirect("connection-detail", pk=pk)


@login_required
@require_POST
def webhooks_rotate_view(request, pk: int):
    connection, _ = connection_for_user(request, pk, need=need_for("connection.credentials"))
    webhook_secret_rotate(connection=connection)
    messages.success(request, "New webhook secret: the store's webhooks are updated with it.")
    return redirect("connection-detail", pk=pk)
