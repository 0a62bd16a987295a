"""BigCommerce single-click app install: the callbacks BigCommerce calls (mounted at
/bigcommerce/).

* ``auth``: the install, in connections.app_install (confirmed in the hub before the code is
  spent).
* ``load``: the merchant opens the app in the control panel; a hub user who may see the store's
  connection is taken to it, anyone else is told how to sign in.
* ``uninstall``: the app's connections to the store are disabled (schedules stop) and their
  token, which BigCommerce has revoked, is wiped. ``remove_user``: nothing to do.
  A signed payload works once, at one callback (its ``jti`` is remembered until it expires).

Every callback is limited per client IP (``BIGCOMMERCE_APP_CALLBACK_RATE`` requests a minute).

BigCommerce shows these pages inside its control panel (an iframe), where the hub's session
cookie is usually not sent and the hub's other pages refuse to be framed: there the pages
offer to continue in a new tab instead of redirecting. They may be framed by BigCommerce only.
Never logged: the code, the client secret, the token, the signed payload.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import app_services
from .app_pages import frameable, in_frame, login_url, problem, throttled
from .bigcommerce import app as bc_app
from .models import Connection
from .selectors import connections_visible_to

logger = logging.getLogger(__name__)


def _verified(request, callback: str, *, html: bool):
    """(payload, None) or (None, the refusal response)."""
    try:
        credentials = bc_app.app_credentials()
    except bc_app.AppNotConfigured as exc:
        logger.error("BigCommerce %s callback refused: %s", callback, exc)
        if html:
            return None, problem(
                request,
                status=503,
                title="The hub's BigCommerce app is not set up",
                text=str(exc),
            )
        return None, HttpResponse(str(exc), status=503, content_type="text/plain")
    try:
        payload = bc_app.verify_signed_payload(
            request.GET.get("signed_payload_jwt"), credentials=credentials
        )
        app_services.signed_payload_use(
            jti=payload.jti,
            callback=callback,
            expires_at=datetime.fromtimestamp(payload.expires_at + bc_app.JWT_LEEWAY_S, tz=UTC),
        )
    except (bc_app.InvalidSignedPayload, app_services.SignedPayloadReused) as exc:
        logger.warning("BigCommerce %s callback refused: %s", callback, exc)
        if html:
            return None, problem(
                request,
                status=403,
                title="This request does not come from BigCommerce",
                text=str(exc),
                hints=["Open the app again from the store's control panel (Apps › My Apps)."],
            )
        return None, HttpResponse(
            f"Refused: {exc}", status=403, content_type="text/plain; charset=utf-8"
        )
    return payload, None


@never_cache
@frameable
@throttled("load")
@require_GET
def load_callback(request):
    """``GET /bigcommerce/load?signed_payload_jwt=…``: the merchant opens the app."""
    payload, refusal = _verified(request, "load", html=True)
    if refusal is not None:
        return refusal
    connection = None
    if request.user.is_authenticated:
        current = request.tenancy.tenant
        visible = connections_visible_to(user=request.user).filter(store_hash=payload.store_hash)
        connection = min(
            visible.exclude(status=Connection.Status.DELETING).select_related("tenant"),
            key=lambda c: (current is None or c.tenant_id != current.pk, not c.is_active, c.pk),
            default=None,
        )
    if connection is not None and not in_frame(request):
        return redirect("connection-detail", pk=connection.pk)
    return render(
        request,
        "connections/app_load.html",
        {
            "store_hash": payload.store_hash,
            "connection": connection,
            "login_url": login_url(request),
            "framed": in_frame(request),
        },
    )


@never_cache
@throttled("uninstall")
@require_GET
def uninstall_callback(request):
    """``GET /bigcommerce/uninstall?signed_payload_jwt=…``: answered fast, 200 when done."""
    payload, refusal = _verified(request, "uninstall", html=False)
    if refusal is not None:
        return refusal
    changed = app_services.connections_uninstall_app(
        store_hash=payload.store_hash, client_id=bc_app.app_credentials().client_id
    )
    logger.info(
        "BigCommerce app uninstalled from store %s: connection(s) %s disabled, token wiped",
        payload.store_hash,
        ", ".join(str(c.pk) for c in changed) or "none",
    )
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@throttled("remove_user")
@require_GET
def remove_user_callback(request):
    """``GET /bigcommerce/remove_user?signed_payload_jwt=…``: hub users are not BigCommerce
    users, so there is nothing to remove."""
    payload, refusal = _verified(request, "remove_user", html=False)
    if refusal is not None:
        return refusal
    logger.info(
        "BigCommerce user %s removed from store %s: nothing to do",
        payload.user_id,
        payload.store_hash,
    )
    return HttpResponse("ok", content_type="text/plain")
