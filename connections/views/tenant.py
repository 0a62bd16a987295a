"""The tenant's own settings page (every member sees it; managers change it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from .. import services
from ..access import VIEW, need_for, role_allows, tenant_require_role
from ..forms import TenantRetentionForm
from ..models import Tenant

SECTIONS = {"retention": TenantRetentionForm}


@login_required
@require_http_methods(["GET", "POST"])
def tenant_settings(request):
    tenant = request.tenancy.tenant
    if tenant is None:
        raise Http404("You are not a member of any tenant.")
    need = need_for("tenant.settings") if request.method == "POST" else VIEW
    membership = tenant_require_role(request, tenant=tenant, need=need)
    section = request.POST.get("section") or request.GET.get("section") or "retention"
    if section not in SECTIONS:
        raise Http404("No such settings section.")
    form_class = SECTIONS[section]
    if request.method == "POST":
        # A copy: validating a model form writes into its instance, and the service compares.
        form = form_class(request.POST, instance=Tenant.objects.get(pk=tenant.pk))
        if form.is_valid():
            services.tenant_settings_update(
                tenant=tenant, user=request.user,
                **{name: form.cleaned_data[name] for name in form_class.Meta.fields},
            )  # fmt: skip
            messages.success(request, f"{form_class.title} saved.")
            return redirect(f"{reverse('tenant-settings')}?section={section}")
    else:
        form = form_class(instance=tenant)
    context = {
        "form": form,
        "section": section,
        "sections": [(slug, cls.title) for slug, cls in SECTIONS.items()],
        "can_manage": role_allows(membership=membership, need=need_for("tenant.settings")),
        "tenant": tenant,
    }
    return render(request, "connections/tenant_settings.html", context)
