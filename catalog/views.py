"""The catalog screens (server-rendered): the tenant's catalog page (products, available
stock, their links per connection, last pushed quantity; filters) and a connection's "Catalog
readiness" tab (the bad data Product Match found, and the product import settings).

Same rules as the CONNECTIONS screens (`connections.access`): anonymous users go to the
log-in page; another tenant's connection is a 404; a role that does not allow a change is a
403; changes are POST only.
"""

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
from connections.views.common import connection_page

from .filters import PRODUCT_FILTERS
from .import_options import MASTER_LABELS, OptionsError, match_options_build
from .models import IMPORT_MODES, OVERWRITABLE_FIELDS, Product
from .selectors import (
    READINESS_SECTIONS,
    link_is_drifting,
    product_import_settings_get,
    products_filter,
    products_with_links,
    readiness_links,
    readiness_summary,
)
from .services import product_import_settings_update

PRODUCTS_PER_PAGE = 50
READINESS_PER_PAGE = 50


# ----------------------------------------------------------------------------- catalog page


@login_required
@require_GET
def catalog_list(request):
    """The current tenant's products: stock, links per connection, filters (the same
    parameters as the REST products/ list: show, connection, search)."""
    tenant = request.tenancy.tenant
    connections = (
        list(Connection.objects.filter(tenant=tenant).order_by("name", "id")) if tenant else []
    )
    show = request.GET.get("show", "")
    show = show if show in PRODUCT_FILTERS else ""
    search = request.GET.get("search", "").strip()
    connection = next(
        (c for c in connections if str(c.pk) == request.GET.get("connection", "")), None
    )
    products = Product.objects.none()
    if tenant is not None:
        filters = {
            "show": show,
            "search": search,
            "connection": connection.pk if connection else "",
        }
        products = products_filter(
            queryset=Product.objects.filter(tenant=tenant),
            filters=filters,
            connections=Connection.objects.filter(tenant=tenant),
        ).order_by("sku", "id")
    page = Paginator(
        products_with_links(products.select_related("parent")), PRODUCTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    rows = []
    for product in page.object_list:
        links = [
            {"link": link, "drift": link_is_drifting(link)}
            for link in product.links.all()
            if connection is None or link.connection_id == connection.pk
        ]
        rows.append({"product": product, "links": links})
    return render(
        request,
        "catalog/list.html",
        {
            "tenant": tenant,
            "page": page,
            "rows": rows,
            "show": show,
            "search": search,
            "connections": connections,
            "connection": connection,
            "filters": PRODUCT_FILTERS,
            "filtered": bool(show or search or connection),
            "total": page.paginator.count,
        },
    )


# ----------------------------------------------------------------------------- readiness


class ProductImportForm(forms.Form):
    """Product Match's product info import (the connection's ProductImportSettings)."""

    import_mode = forms.ChoiceField(
        label="Product info import",
        choices=list(IMPORT_MODES.items()),
        widget=forms.RadioSelect,
    )
    overwrite_fields = forms.MultipleChoiceField(
        label="Fields BigCommerce may overwrite (create & overwrite only)",
        choices=list(OVERWRITABLE_FIELDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The SKU is never overwritten. Leave Description off to keep descriptions "
        "edited in the hub.",
    )


def _import_form(connection, data=None) -> ProductImportForm:
    settings = product_import_settings_get(connection=connection)
    initial = {
        "import_mode": settings.import_mode,
        "overwrite_fields": list(settings.overwrite_fields or []),
    }
    return ProductImportForm(data=data, initial=initial)


def _settings_error(connection) -> str:
    try:
        match_options_build(settings=product_import_settings_get(connection=connection))
    except OptionsError as exc:
        return str(exc)
    return ""


@login_required
@require_GET
def connection_readiness(request, pk: int):
    """Catalog readiness tab: counts per problem, and the items of one problem."""
    connection, membership = connection_for_user(request, pk)
    summary = readiness_summary(connection=connection)
    master = MASTER_LABELS.get(connection.master_sku_field, "SKU")
    sections = [
        {
            "key": key,
            "title": title.format(master=master),
            "help": help_text.format(master=master),
            "count": summary.counts[key],
        }
        for key, (title, help_text) in READINESS_SECTIONS.items()
    ]
    section = request.GET.get("section", "")
    if section not in READINESS_SECTIONS:
        section = next((s["key"] for s in sections if s["count"]), "")
    page = None
    if section:
        page = Paginator(
            readiness_links(connection=connection, section=section), READINESS_PER_PAGE
        ).get_page(request.GET.get("page"))
    extra = {
        "summary": summary,
        "sections": sections,
        "section": section,
        "current": next((s for s in sections if s["key"] == section), None),
        "page": page,
        "master": master,
        "import_form": _import_form(connection),
        "options_error": _settings_error(connection),
    }
    return connection_page(
        request, connection, membership, "readiness", "catalog/readiness.html", extra
    )


@login_required
@require_POST
def connection_product_import_save(request, pk: int):
    connection, _ = connection_for_user(request, pk, need=need_for("product_import.settings"))
    back = reverse("catalog-readiness", args=[pk])
    if connection.status == Connection.Status.DELETING:
        messages.error(request, f"“{connection.name}” is being deleted; nothing was changed.")
        return redirect(back)
    form = _import_form(connection, data=request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Nothing was saved: choose how product info is imported (link only, create only, "
            "or create & overwrite) and only fields from the list.",
        )
        return redirect(back)
    try:
        product_import_settings_update(
            connection=connection,
            import_mode=form.cleaned_data["import_mode"],
            overwrite_fields=form.cleaned_data["overwrite_fields"],
        )
    except ValidationError as exc:
        text = " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
        messages.error(request, f"Nothing was saved: {text}")
        return redirect(back)
    messages.success(
        request, "Product import settings saved; they apply from the next Product Match."
    )
    return redirect(back)
