"""The connection page's own tabs: General (with the panels the layers above add, see
connections.hooks), Credentials and Settings, and renaming. The Dataflows and Runs tabs are
the engine's (dataflows.views, dataflows.views_runs)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import services
from ..access import VIEW, connection_for_user, need_for
from ..drivers import DRIVERS
from ..forms import SETTINGS_SECTIONS, ConnectionNameForm, CredentialsForm
from ..hooks import general_panels
from .common import (
    connection_page,
    error_text,
    form_add_service_errors,
    next_url,
    refuse_when_deleting,
)


@login_required
@require_GET
def connection_detail(request, pk: int):
    """General tab: name, created, status, store; below, the panels of the layers above."""
    connection, membership = connection_for_user(request, pk)
    extra = {"panels": general_panels(request, connection)}
    return connection_page(
        request, connection, membership, "general", "connections/tab_general.html", extra
    )


@login_required
@require_POST
def connection_rename(request, pk: int):
    connection, membership = connection_for_user(request, pk, need=need_for("connection.name"))
    back = next_url(request, reverse("connection-detail", args=[pk]))
    if refuse_when_deleting(request, connection):
        return redirect(back)
    form = ConnectionNameForm(request.POST)
    if form.is_valid():
        try:
            services.connection_update(
                connection=connection, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"Renamed to “{connection.name}”.")
    else:
        messages.error(request, " ".join(form.errors.get("name", ["Invalid name."])))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def connection_credentials(request, pk: int):
    need = need_for("connection.credentials") if request.method == "POST" else VIEW
    connection, membership = connection_for_user(request, pk, need=need)
    form = CredentialsForm(request.POST or None, initial={"store_hash": connection.store_hash})
    if request.method == "POST":
        if refuse_when_deleting(request, connection):
            return redirect("connection-credentials", pk=pk)
        if form.is_valid():
            try:
                services.connection_update(
                    connection=connection,
                    user=request.user,
                    store_hash=form.cleaned_data["store_hash"],
                    access_token=form.cleaned_data["access_token"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
                connection.refresh_from_db()
            else:
                store = (
                    f" The store answered: “{connection.store_name}”."
                    if connection.store_name
                    else ""
                )
                messages.success(request, f"Credentials saved.{store}")
                return redirect("connection-credentials", pk=pk)
    driver = DRIVERS.get(connection.driver)
    extra = {
        "form": form,
        "driver_label": driver.label if driver else connection.driver,
        "token_stored": bool(connection.access_token),
    }
    return connection_page(
        request, connection, membership, "credentials", "connections/tab_credentials.html", extra
    )


@login_required
@require_http_methods(["GET", "POST"])
def connection_settings(request, pk: int):
    need = need_for("connection.settings") if request.method == "POST" else VIEW
    connection, membership = connection_for_user(request, pk, need=need)
    section = request.POST.get("section") or request.GET.get("section") or "variant-option-type"
    if section not in SETTINGS_SECTIONS:
        raise Http404("No such settings section.")
    form_class = SETTINGS_SECTIONS[section]
    here = f"{reverse('connection-settings', args=[pk])}?section={section}"
    if request.method == "POST":
        form = form_class(request.POST, connection=connection)
        if refuse_when_deleting(request, connection):
            return redirect(here)
        if form.is_valid():
            try:
                services.connection_update(
                    connection=connection, user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
                connection.refresh_from_db()
            else:
                messages.success(request, f"{form.title} saved.")
                return redirect(here)
    else:
        form = form_class(initial=form_class.initial_for(connection), connection=connection)
    extra = {
        "form": form,
        "section": section,
        "sections": [(slug, cls.title) for slug, cls in SETTINGS_SECTIONS.items()],
    }
    return connection_page(
        request, connection, membership, "settings", "connections/tab_settings.html", extra
    )
