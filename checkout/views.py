"""The connection page's Checkout tab: delivery options, the quoting settings, the checkout key
and the URLs the merchant copies into BigCommerce, a live preview, and the quotes served.

Same rules as every connection screen (`connections.access`): another tenant's connection is a
404; only a manager changes anything (403 otherwise); changes are POST only."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connections.access import VIEW, connection_for_user, need_for
from connections.views.common import connection_page, refuse_when_deleting

from .counters import quotes_served_flush
from .forms import CheckoutSettingsForm, DeliveryOptionForm, PreviewForm
from .payloads import KEY_OPTION, Cart, CartLine
from .quoting import quotes_for_cart
from .rules.dates import calendar_build, warehouse_now
from .selectors import QuoteSettings, options_for_connection, quotes_served_table
from .services import (
    checkout_key_rotate,
    checkout_settings_ensure,
    checkout_settings_update,
    delivery_option_create,
    delivery_option_delete,
    delivery_option_update,
)


def _tab(request, connection, membership, *, option_form=None, settings_form=None, status=200):
    settings = checkout_settings_ensure(connection=connection)
    quotes_served_flush()
    calendar = calendar_build(
        timezone=settings.timezone, working_days=settings.working_days, holidays=settings.holidays
    )
    now = timezone.now()
    preview_form = PreviewForm(request.GET if "country" in request.GET else None)
    extra = {
        "settings": settings,
        "options": options_for_connection(connection=connection),
        "option_form": option_form or DeliveryOptionForm(connection=connection),
        "settings_form": settings_form or CheckoutSettingsForm.for_settings(settings),
        "preview_form": preview_form,
        "preview": _preview(settings, preview_form, now),
        "served": quotes_served_table(
            connection=connection, today=warehouse_now(calendar, now).date()
        ),
        "rate_url": request.build_absolute_uri(reverse("checkout-rate")),
        "check_url": request.build_absolute_uri(reverse("checkout-check-connection-options")),
        "key_option": KEY_OPTION,
    }
    return connection_page(
        request, connection, membership, "checkout", "checkout/tab.html", extra, status=status
    )


def _preview(settings, form, now: datetime):
    """The quotes a cart of the form's weight and value to its destination gets, ordered now."""
    if form.is_bound:
        if not form.is_valid():
            return None
        data = form.cleaned_data
    else:
        data = {f: form.fields[f].initial for f in form.fields}
    sku = (data.get("sku") or "").strip()
    cart = Cart(
        country=(data["country"] or "").upper(),
        postcode=data.get("postcode") or "",
        lines=(CartLine(sku=sku, quantity=1),) if sku else (),
        weight=data["weight"],
        value=data["value"],
        currency=(data.get("currency") or "").upper() or None,
    )
    answer = quotes_for_cart(settings=QuoteSettings.of(settings), cart=cart, now=now, count=False)
    return {"cart": cart, "answer": answer}


@login_required
@require_GET
def checkout_tab(request, pk: int):
    connection, membership = connection_for_user(request, pk)
    return _tab(request, connection, membership)


@login_required
@require_POST
def settings_save(request, pk: int):
    connection, membership = connection_for_user(request, pk, need=need_for("checkout.settings"))
    if refuse_when_deleting(request, connection):
        return redirect("checkout-tab", pk)
    settings = checkout_settings_ensure(connection=connection)
    form = CheckoutSettingsForm.for_settings(settings, data=request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was saved: fix the checkout settings marked below.")
        return _tab(request, connection, membership, settings_form=form, status=400)
    checkout_settings_update(connection=connection, **form.cleaned_data)
    messages.success(request, "Checkout settings saved; quotes use them from now on.")
    return redirect("checkout-tab", pk)


@login_required
@require_POST
def key_rotate(request, pk: int):
    connection, _ = connection_for_user(request, pk, need=need_for("checkout.key_rotate"))
    if refuse_when_deleting(request, connection):
        return redirect("checkout-tab", pk)
    checkout_key_rotate(connection=connection)
    messages.success(
        request,
        "A new checkout key was made; the old one no longer gets quotes. Paste the new key "
        "into the carrier's connection settings in BigCommerce.",
    )
    return redirect("checkout-tab", pk)


@login_required
@require_POST
def option_create(request, pk: int):
    need = need_for("checkout.option_create")
    connection, membership = connection_for_user(request, pk, need=need)
    if refuse_when_deleting(request, connection):
        return redirect("checkout-tab", pk)
    form = DeliveryOptionForm(request.POST, connection=connection)
    if not form.is_valid():
        messages.error(request, "The delivery option was not added: fix the fields marked below.")
        return _tab(request, connection, membership, option_form=form, status=400)
    option = delivery_option_create(connection=connection, **form.cleaned_data)
    messages.success(request, f"Delivery option {option.code} added; checkout quotes offer it now.")
    return redirect("checkout-tab", pk)


@login_required
@require_http_methods(["GET", "POST"])
def option_edit(request, pk: int, option_id: int):
    need = need_for("checkout.option_update") if request.method == "POST" else VIEW
    connection, membership = connection_for_user(request, pk, need=need)
    option = get_object_or_404(options_for_connection(connection=connection), pk=option_id)
    form = DeliveryOptionForm(
        request.POST if request.method == "POST" else None, connection=connection, option=option
    )
    if request.method == "POST":
        if refuse_when_deleting(request, connection):
            return redirect("checkout-tab", pk)
        if form.is_valid():
            delivery_option_update(option=option, **form.cleaned_data)
            messages.success(request, f"Delivery option {option.code} saved.")
            return redirect("checkout-tab", pk)
        messages.error(request, "Nothing was saved: fix the fields marked below.")
    return connection_page(
        request, connection, membership, "checkout", "checkout/option_edit.html",
        {"option": option, "option_form": form},
        status=400 if form.is_bound else 200,
    )  # fmt: skip


@login_required
@require_POST
def option_delete(request, pk: int, option_id: int):
    connection, _ = connection_for_user(request, pk, need=need_for("checkout.option_delete"))
    option = get_object_or_404(options_for_connection(connection=connection), pk=option_id)
    if refuse_when_deleting(request, connection):
        return redirect("checkout-tab", pk)
    code = option.code
    delivery_option_delete(option=option)
    messages.success(request, f"Delivery option {code} deleted; checkout no longer offers it.")
    return redirect(reverse("checkout-tab", args=[pk]))
