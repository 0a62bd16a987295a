"""Create connection: name, driver, store hash and access token (checked with the store)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import services
from ..access import REFUSED, need_for, role_allows
from ..drivers import DRIVERS
from ..forms import ConnectionCreateForm
from .common import form_add_service_errors


@login_required
@require_http_methods(["GET", "POST"])
def connection_create(request):
    tenancy = request.tenancy
    if tenancy.tenant is None:
        raise PermissionDenied("You belong to no tenant yet: ask a manager to add you.")
    need = need_for("connection.create")
    if not role_allows(membership=tenancy.membership, need=need):
        raise PermissionDenied(REFUSED[need])
    form = ConnectionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            connection = services.connection_create(
                tenant=tenancy.tenant,
                name=data["name"],
                driver=data["driver"],
                store_hash=data["store_hash"],
                access_token=data["access_token"],
                user=request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            store = f" to store “{connection.store_name}”" if connection.store_name else ""
            messages.success(
                request,
                f"Connection “{connection.name}” created{store}. Its dataflows are scheduled.",
            )
            return redirect("connection-detail", pk=connection.pk)
    return render(
        request,
        "connections/create.html",
        {"form": form, "drivers": DRIVERS, "tenant": tenancy.tenant},
    )
