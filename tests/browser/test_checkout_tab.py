"""The Checkout tab in a real browser: a manager adds delivery options, previews a cart's
quotes and copies the URLs BigCommerce needs."""

import pytest

from checkout.models import DeliveryOption

pytestmark = pytest.mark.django_db(transaction=True)


def add_option(page, **fields):
    page.locator("[data-new-option] summary").click()
    form = page.locator("form[data-option-form]")
    for name, value in fields.items():
        if name == "pricing":
            form.locator("[name=pricing]").select_option(value)
        else:
            form.locator(f"[name={name}]").fill(value)
    form.get_by_role("button", name="ADD OPTION").click()
    page.wait_for_load_state()


def test_a_manager_creates_options_previews_quotes_and_copies_the_urls(
    page, live_server, login, manager, connection
):
    login("alice")
    page.goto(f"{live_server.url}/connections/{connection.pk}/")
    page.get_by_role("link", name="Checkout").click()
    page.wait_for_url(f"**/checkout/connections/{connection.pk}/")

    add_option(page, code="standard", display_name="Standard", carrier="DHL",
               pricing="weight", bands="2 = 4.95\n10 = 8.95", countries="DE NL")  # fmt: skip
    add_option(page, code="express", display_name="Express", carrier="UPS", price="12.50",
               countries="DE", cutoff="23:59", transit_max="1")  # fmt: skip
    assert set(DeliveryOption.objects.values_list("code", flat=True)) == {"STANDARD", "EXPRESS"}
    assert page.locator("table[data-options] tr[data-option]").count() == 2

    preview = page.locator("form[data-preview-form]")
    preview.locator("[name=country]").fill("DE")
    preview.locator("[name=weight]").fill("2")
    preview.get_by_role("button", name="PREVIEW").click()
    page.wait_for_url("**country=DE**")
    quotes = page.locator("[data-preview-quotes] tr[data-quote]")
    assert quotes.count() == 2
    assert "4.95 EUR" in page.locator('tr[data-quote="STANDARD"]').inner_text()

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    rate_url = f"{live_server.url}/checkout/bigcommerce/rate"
    assert page.locator("#rate-url").inner_text() == rate_url
    page.locator('[data-copy="rate-url"]').click()
    page.wait_for_selector('[data-copy="rate-url"][data-copied]')
    assert page.evaluate("navigator.clipboard.readText()") == rate_url
    page.locator('[data-copy="check-url"]').click()
    page.wait_for_selector('[data-copy="check-url"][data-copied]')
    assert page.evaluate("navigator.clipboard.readText()").endswith(
        "/checkout/bigcommerce/check_connection_options"
    )
