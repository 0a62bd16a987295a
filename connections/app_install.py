"""The BigCommerce app's install callback (``/bigcommerce/auth``), in two steps.

The GET (a link anyone can make a signed-in user open) only keeps the one-time code in the
user's session, bound to the user, for a few minutes, and shows a page naming the store and
the tenant it will go into (a choice when the user manages several). Only the POST of that page
(CSRF token, the same store, single use) spends the code: it is exchanged for the store's token
and the tenant's connection to the store is created (or, when the tenant already has one, gets
the new token and is enabled again). Everything that can refuse the install without spending
the code (sign-in, role, settings, another tenant's active connection) is checked before the
exchange; after it, the connection is saved whole or not at all. Never logged: the code, the
client secret, the token.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import app_services
from . import services as connection_services
from .app_pages import frameable, in_frame, login_url, problem, throttled
from .bigcommerce import app as bc_app
from .models import Connection
from .selectors import connection_active_for_store, membership_for

#: Where the install link's code waits for the user's confirmation, and for how long
#: (BigCommerce's codes live a few minutes).
PENDING_INSTALL_KEY = "bigcommerce_install"
PENDING_INSTALL_TTL_S = 300

logger = logging.getLogger(__name__)


def _install_problem(request, exc: ValidationError, *, spent: bool) -> HttpResponse:
    hints = []
    if spent:
        hints.append(
            "BigCommerce has issued the token, but the hub discarded it. Once the cause is "
            "fixed, uninstall the app in the store's control panel (Apps › My Apps) and "
            "install it again."
        )
    else:
        hints.append("Once the cause is fixed, reload this page or install the app again.")
    return problem(
        request,
        status=409,
        title="The store was not connected",
        text=" ".join(exc.messages),
        hints=hints,
    )


def _managed_tenants(request) -> list:
    user = request.user
    return [
        t
        for t in request.tenancy.tenants
        if (m := membership_for(user=user, tenant=t)) is not None and m.can_manage
    ]


def _store_taken(request, *, tenant, store_hash: str) -> HttpResponse | None:
    """The refusal, before the code is spent, of a store another tenant has active."""
    other = connection_active_for_store(store_hash=store_hash)
    if other is None or other.tenant_id == tenant.pk:
        return None
    try:
        connection_services.connection_ensure_store_free(user=request.user, store_hash=store_hash)
    except ValidationError as exc:
        return _install_problem(request, exc, spent=False)
    return None


def _app_not_configured(request, exc) -> HttpResponse:
    logger.error("BigCommerce app install refused: %s", exc)
    return problem(
        request,
        status=503,
        title="The hub's BigCommerce app is not set up",
        text=str(exc),
        hints=["Ask the hub's administrator to set them, then install the app again."],
    )


@never_cache
@frameable
@throttled("auth")
@require_http_methods(["GET", "POST"])
def auth_callback(request):
    """``GET /bigcommerce/auth?code=…&scope=…&context=stores/{hash}&account_uuid=…`` shows the
    confirmation; its POST (``confirm``) installs. A POST with only ``tenant`` (from the
    refusal page) makes another of the user's tenants current and comes back to the link."""
    user = request.user
    if not user.is_authenticated:
        if in_frame(request):
            return render(
                request,
                "connections/app_signin.html",
                {"login_url": login_url(request), "installing": True},
            )
        return redirect_to_login(request.get_full_path())

    tenancy = request.tenancy
    if request.method == "POST" and "confirm" in request.POST:
        return _install_confirmed(request)
    if request.method == "POST":
        wanted = request.POST.get("tenant", "")
        tenant = next((t for t in tenancy.tenants if str(t.pk) == wanted), None)
        if tenant is None:
            raise Http404("No such tenant.")
        tenancy.switch(tenant)
        return redirect(request.get_full_path())

    code = request.GET.get("code", "").strip()
    scope = request.GET.get("scope", "").strip()
    context = request.GET.get("context", "").strip()
    try:
        store_hash = bc_app.store_hash_from_context(context)
    except ValueError:
        store_hash = ""
    if not code or not store_hash:
        return problem(
            request,
            status=400,
            title="This install link is incomplete",
            text="BigCommerce opens this page with a code and the store (context=stores/…); "
            "this link lacks them.",
            hints=["Install the app from the store's control panel (Apps › My Apps)."],
        )

    tenant = tenancy.tenant
    if tenant is None:
        return problem(
            request,
            status=403,
            title="You belong to no tenant",
            text="A store is connected to a tenant of the hub, and your user belongs to none.",
            hints=["Ask a manager of your tenant to add you, or to install the app."],
        )
    managed = _managed_tenants(request)
    if not tenancy.can_manage:
        return problem(
            request,
            status=403,
            title="Only a manager can connect a store",
            text=f"Your role in tenant “{tenant.name}” does not allow connecting stores.",
            hints=[
                "Ask a manager of this tenant to install the app."
                if not managed
                else "Install into another tenant that you manage:"
            ],
            managed_tenants=managed,
        )

    try:
        bc_app.app_credentials()
    except bc_app.AppNotConfigured as exc:
        return _app_not_configured(request, exc)
    if (refusal := _store_taken(request, tenant=tenant, store_hash=store_hash)) is not None:
        return refusal

    # The code waits in the session (bound to this user, single use) for the confirmation.
    request.session[PENDING_INSTALL_KEY] = {
        "code": code,
        "scope": scope,
        "context": context,
        "store_hash": store_hash,
        "user": user.pk,
        "expires": time.time() + PENDING_INSTALL_TTL_S,
    }
    return render(
        request,
        "connections/app_confirm.html",
        {
            "store_hash": store_hash,
            "tenant": tenant,
            "managed_tenants": managed,
            "existing": Connection.objects.filter(tenant=tenant, store_hash=store_hash)
            .exclude(status=Connection.Status.DELETING)
            .first(),
            "framed": in_frame(request),
        },
    )


def _install_confirmed(request) -> HttpResponse:
    """The POST of the confirmation page: spend the pending code and connect the store."""
    user = request.user
    pending = request.session.pop(PENDING_INSTALL_KEY, None)
    if (
        not isinstance(pending, dict)
        or pending.get("user") != user.pk
        or pending.get("expires", 0) < time.time()
        or pending.get("store_hash") != request.POST.get("store_hash", "")
    ):
        return problem(
            request,
            status=400,
            title="This install is no longer waiting for you",
            text="The hub has no install of this store waiting for your confirmation: it was "
            "confirmed already, it is more than a few minutes old, or another install "
            "link was opened since.",
            hints=[bc_app.REINSTALL_HINT],
        )
    store_hash = pending["store_hash"]
    tenant = next(
        (t for t in _managed_tenants(request) if str(t.pk) == request.POST.get("tenant", "")),
        None,
    )
    if tenant is None:
        return problem(
            request,
            status=403,
            title="Only a manager can connect a store",
            text="You do not manage the tenant chosen for this store.",
            hints=["Open the install link again and choose a tenant you manage."],
        )
    try:
        credentials = bc_app.app_credentials()
    except bc_app.AppNotConfigured as exc:
        return _app_not_configured(request, exc)
    if (refusal := _store_taken(request, tenant=tenant, store_hash=store_hash)) is not None:
        return refusal

    redirect_uri = settings.BIGCOMMERCE_APP_CALLBACK_URL or request.build_absolute_uri(request.path)
    try:
        grant = bc_app.exchange_code(
            code=pending["code"],
            scope=pending["scope"],
            context=pending["context"],
            redirect_uri=redirect_uri,
            credentials=credentials,
        )
    except bc_app.InstallError as exc:
        logger.warning("BigCommerce app install on store %s failed: %s", store_hash, exc.message)
        if exc.transient:  # the same code may work a moment later: keep it for a retry
            request.session[PENDING_INSTALL_KEY] = pending
        return problem(
            request,
            status=502 if exc.transient else 400,
            title="BigCommerce did not give the hub access to the store",
            text=exc.message,
            hints=[exc.hint, "Nothing was saved."],
        )

    try:
        connection, created = app_services.connection_install_from_app(
            tenant=tenant,
            user=user,
            store_hash=grant.store_hash,
            access_token=grant.access_token,
            client_id=credentials.client_id,
        )
    except ValidationError as exc:
        logger.warning(
            "BigCommerce app install on store %s for tenant %s refused: %s",
            store_hash,
            tenant.pk,
            " ".join(exc.messages),
        )
        return _install_problem(request, exc, spent=True)

    logger.info(
        "BigCommerce app installed on store %s by user %s: connection %s %s in tenant %s",
        store_hash,
        user.pk,
        connection.pk,
        "created" if created else "updated",
        tenant.pk,
    )
    if request.tenancy.tenant is None or request.tenancy.tenant.pk != tenant.pk:
        request.tenancy.switch(tenant)
    text = (
        f"Store “{connection.store_name or store_hash}” is connected to tenant “{tenant.name}” "
        f"as “{connection.name}”"
        + (". Its dataflows are scheduled." if created else ", with the new token; it is active.")
    )
    if in_frame(request):
        return render(
            request,
            "connections/app_installed.html",
            {"connection": connection, "created": created, "text": text},
        )
    messages.success(request, text)
    return redirect("connection-detail", pk=connection.pk)
