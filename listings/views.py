"""The catalog's Listings page (server-rendered): the current tenant's listings per connection
with their state and BigCommerce's last error, filters, and the bulk actions (publish, pause,
unpause, hide, unhide, delist). Same rules as the other screens: another tenant's connection is
a 404, a role that may not act is a 403, changes are POST only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from connections.access import connection_for_user, need_for
from connections.models import Connection

from .models import LONG_POLICIES, PROTECTABLE_FIELDS, UPDATE_MODES, Listing
from .selectors import LISTING_FILTERS, listing_candidates
from .services import ACTIONS, SETTINGS_FIELDS, listing_settings_update, listings_act
from .store_links import settings_for

PER_PAGE = 50


@login_required
@require_GET
def listing_list(request):
    tenant = request.tenancy.tenant
    connections = (
        list(Connection.objects.filter(tenant=tenant).order_by("name", "id")) if tenant else []
    )
    connection = next(
        (c for c in connections if str(c.pk) == request.GET.get("connection", "")),
        connections[0] if connections else None,
    )
    state = request.GET.get("state", "")
    state = state if state in LISTING_FILTERS else ""
    search = request.GET.get("search", "").strip()
    rows = Listing.objects.none()
    if connection is not None:
        rows = listing_candidates(connection=connection, state=state, search=search)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "listings/list.html",
        {
            "tenant": tenant,
            "connections": connections,
            "connection": connection,
            "page": page,
            "state": state,
            "search": search,
            "filters": LISTING_FILTERS,
            "actions": ACTIONS,
            "total": page.paginator.count,
            "settings_form": ListingSettingsForm(initial=listing_settings_initial(connection))
            if connection
            else None,
        },
    )


@login_required
@require_POST
def listing_action(request):
    action = request.POST.get("action", "")
    connection_id = request.POST.get("connection", "")
    if action not in ACTIONS or not connection_id.isdigit():
        messages.error(request, "Choose an action and at least one product.")
        return redirect("listings")
    connection, _ = connection_for_user(
        request, int(connection_id), need=need_for(f"listing.{action}")
    )
    product_ids = [int(x) for x in request.POST.getlist("product") if x.isdigit()]
    try:
        outcome = listings_act(connection=connection, action=action, product_ids=product_ids)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, outcome)
    back = request.POST.get("next", "")
    if not back.startswith(reverse("listings")):
        back = f"{reverse('listings')}?connection={connection.pk}"
    return redirect(back)


class ListingSettingsForm(forms.Form):
    override_names = forms.BooleanField(label="Override product names on update", required=False)
    long_attribute_policy = forms.ChoiceField(
        label="Attribute names or values over 250 characters", choices=list(LONG_POLICIES.items())
    )
    new_listings_paused = forms.BooleanField(
        label="New listings paused (created, not synced until unpaused)", required=False
    )
    update_mode = forms.ChoiceField(label="Updates", choices=list(UPDATE_MODES.items()))
    protected_fields = forms.MultipleChoiceField(
        label="Protected fields (never overwritten by an update)",
        choices=list(PROTECTABLE_FIELDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attribute_mapping = forms.CharField(
        label="Attribute mapping (one 'hub attribute = custom field name' a line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="With 'Offers: only push mapped attributes' on (connection settings), only "
        "these attributes are sent.",
    )

    def clean_attribute_mapping(self):
        mapping = {}
        for number, line in enumerate(self.cleaned_data["attribute_mapping"].splitlines(), 1):
            if not line.strip():
                continue
            hub, sep, field = line.partition("=")
            if not sep or not hub.strip() or not field.strip():
                raise forms.ValidationError(f"Line {number}: write 'hub attribute = field name'.")
            mapping[hub.strip()] = field.strip()
        return mapping


def listing_settings_initial(connection) -> dict:
    settings = settings_for(connection)
    return {
        **{name: getattr(settings, name) for name in SETTINGS_FIELDS},
        "attribute_mapping": "\n".join(f"{k} = {v}" for k, v in settings.attribute_mapping.items()),
    }


@login_required
@require_POST
def listing_settings_save(request, pk: int):
    connection, _ = connection_for_user(request, pk, need=need_for("listing.settings"))
    form = ListingSettingsForm(request.POST)
    if form.is_valid():
        try:
            listing_settings_update(connection=connection, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, "Listing settings saved: the next Sync Listings applies them."
            )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{reverse('listings')}?connection={connection.pk}")
