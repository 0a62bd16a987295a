"""The catalog screens (server-rendered): the tenant's catalog page (products, available
stock, their links per connection, last pushed quantity; filters) and a connection's "Catalog
readiness" tab (the bad data Product Match found, and the product import settings).

Same rules as the CONNECTIONS screens: anonymous users go to the log-in page; another tenant's
connection is a 404; a role that does not allow a change is a 403; changes are POST only.
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

from connections.access import MANAGE, connection_for_user
from connections.models import Connection
from connections.views import _page
from dataflows.services import dataflow_update

from .matching import (
    DEFAULT_OVERWRITE_FIELDS,
    IMPORT_MODES,
    MASTER_LABELS,
    OVERWRITABLE_FIELDS,
    OptionsError,
    match_options_parse,
)
from .models import Product
from .selectors import (
    PRODUCT_FILTERS,
    READINESS_SECTIONS,
    link_is_drifting,
    product_match_dataflow,
    products_filtered,
    products_with_links,
    readiness_links,
    readiness_summary,
)

PRODUCTS_PER_PAGE = 50
READINESS_PER_PAGE = 50


# ----------------------------------------------------------------------------- catalog page


@login_required
@require_GET
def catalog_list(request):
    """The current tenant's products: stock, links per connection, filters."""
    tenant = request.tenancy.tenant
    show = request.GET.get("show", "")
    show = show if show in PRODUCT_FILTERS else ""
    search = request.GET.get("q", "").strip()
    connections = (
        list(Connection.objects.filter(tenant=tenant).order_by("name", "id")) if tenant else []
    )
    connection_id = request.GET.get("connection", "")
    connection = next((c for c in connections if str(c.pk) == connection_id), None)
    products = Product.objects.none()
    if tenant is not None:
        products = products_filtered(
            Product.objects.filter(tenant=tenant), show=show, connection=connection, search=search
        ).order_by("sku", "id")
    page = Paginator(products_with_links(products), PRODUCTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = []
    for product in page.object_list:
        links = [
            {"link": link, "drift": link_is_drifting(link)}
            for link in product.links.all()
            if connection is None or link.connection_id == connection.pk
        ]
        rows.append({"product": product, "links": links})
    query = "&".join(
        f"{k}={v}"
        for k, v in (
            ("q", search),
            ("show", show),
            ("connection", connection_id if connection else ""),
        )
        if v
    )
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
            "filter_query": query,
            "total": page.paginator.count,
        },
    )


# ----------------------------------------------------------------------------- readiness


class ProductImportForm(forms.Form):
    """Product Match's product info import (kept in the Product Match dataflow's options)."""

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


def _import_form(dataflow, data=None) -> ProductImportForm:
    try:
        current = match_options_parse(dataflow.options if dataflow else {})
        initial = {
            "import_mode": current.import_mode,
            "overwrite_fields": list(current.overwrite_fields),
        }
    except OptionsError:
        initial = {"import_mode": "create_only", "overwrite_fields": DEFAULT_OVERWRITE_FIELDS}
    return ProductImportForm(data=data, initial=initial)


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
    dataflow = product_match_dataflow(connection=connection)
    extra = {
        "summary": summary,
        "sections": sections,
        "section": section,
        "current": next((s for s in sections if s["key"] == section), None),
        "page": page,
        "master": master,
        "filter_query": f"section={section}" if section else "",
        "import_form": _import_form(dataflow),
        "options_error": _options_error(dataflow),
    }
    return _page(request, connection, membership, "readiness", "catalog/readiness.html", extra)


def _options_error(dataflow) -> str:
    try:
        match_options_parse(dataflow.options if dataflow else {})
    except OptionsError as exc:
        return str(exc)
    return ""


@login_required
@require_POST
def connection_product_import_save(request, pk: int):
    connection, membership = connection_for_user(request, pk, need=MANAGE)
    back = reverse("catalog-readiness", args=[pk])
    if connection.status == Connection.Status.DELETING:
        messages.error(request, f"“{connection.name}” is being deleted; nothing was changed.")
        return redirect(back)
    dataflow = product_match_dataflow(connection=connection)
    form = _import_form(dataflow, data=request.POST)
    if dataflow is None or not form.is_valid():
        messages.error(request, "Choose how product info is imported.")
        return redirect(back)
    options = dict(dataflow.options or {})
    options["import_mode"] = form.cleaned_data["import_mode"]
    options["overwrite_fields"] = form.cleaned_data["overwrite_fields"]
    try:
        match_options_parse(options)
        dataflow.connection = connection
        dataflow_update(dataflow=dataflow, options=options)
    except (OptionsError, ValidationError) as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(
        request, "Product import settings saved; they apply from the next Product Match."
    )
    return redirect(back)
