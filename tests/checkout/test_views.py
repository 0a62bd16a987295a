import pytest
from django.urls import reverse

from checkout.models import CheckoutSettings, DeliveryOption
from tests.checkout.helpers import option

pytestmark = pytest.mark.django_db

NEW_OPTION = {
    "code": "standard", "display_name": "Standard", "carrier": "DHL", "pricing": "weight",
    "price": "", "bands": "2 = 4.95\n10 = 8.95", "countries": "de nl",
    "postcode_ranges": "DE 10000-14999", "transit_min": "1", "transit_max": "2",
    "cutoff": "15:00", "enabled": "on",
}  # fmt: skip


def tab(connection):
    return reverse("checkout-tab", args=[connection.pk])


def test_the_connection_page_shows_a_checkout_tab(client, manager, connection):
    client.force_login(manager)
    page = client.get(reverse("connection-detail", args=[connection.pk])).content.decode()
    assert f'href="{tab(connection)}"' in page


def test_the_tab_shows_the_urls_to_copy_the_key_and_a_preview(client, manager, connection):
    option(connection, "STANDARD")
    client.force_login(manager)
    page = client.get(tab(connection) + "?country=DE&postcode=10115&weight=2&value=50")
    text = page.content.decode()
    key = CheckoutSettings.objects.get(connection=connection).key
    assert "http://testserver/checkout/bigcommerce/rate" in text
    assert "http://testserver/checkout/bigcommerce/check_connection_options" in text
    assert key in text
    assert 'data-quote="STANDARD"' in text


def test_a_viewer_reads_the_tab_without_the_key_and_cannot_add_options(client, viewer, connection):
    client.force_login(viewer)
    text = client.get(tab(connection)).content.decode()
    assert CheckoutSettings.objects.get(connection=connection).key not in text
    url = reverse("checkout-option-create", args=[connection.pk])
    assert client.post(url, NEW_OPTION).status_code == 403
    assert not DeliveryOption.objects.exists()


def test_a_manager_adds_edits_and_deletes_an_option(client, manager, connection):
    client.force_login(manager)
    response = client.post(reverse("checkout-option-create", args=[connection.pk]), NEW_OPTION)
    assert response.status_code == 302
    created = DeliveryOption.objects.get()
    assert created.code == "STANDARD"
    assert created.bands == [["2", "4.95"], ["10", "8.95"]]
    assert created.countries == ["DE", "NL"]
    assert created.postcode_ranges == [["DE", "10000", "14999"]]
    edit = reverse("checkout-option-edit", args=[connection.pk, created.pk])
    assert client.post(edit, {**NEW_OPTION, "display_name": "Parcel"}).status_code == 302
    created.refresh_from_db()
    assert created.display_name == "Parcel"
    delete = reverse("checkout-option-delete", args=[connection.pk, created.pk])
    assert client.post(delete).status_code == 302
    assert not DeliveryOption.objects.exists()


def test_a_bad_option_form_says_what_to_fix(client, manager, connection):
    client.force_login(manager)
    bad = {**NEW_OPTION, "bands": "two kilos", "countries": "Germany"}
    response = client.post(reverse("checkout-option-create", args=[connection.pk]), bad)
    assert response.status_code == 400
    text = response.content.decode()
    assert "up to = price" in text and "two-letter country codes" in text


def test_a_manager_saves_the_settings_and_a_new_key(client, manager, connection):
    client.force_login(manager)
    data = {
        "enabled": "on", "currency": "eur", "rates": "USD 1.08\nGBP 0.85",
        "stock_mode": "hide_flagged", "backorder_days": "4", "timezone": "Europe/Berlin",
        "working_days": ["1", "2", "3", "4", "5", "6"], "holidays": "2025-12-25",
    }  # fmt: skip
    assert client.post(reverse("checkout-settings", args=[connection.pk]), data).status_code == 302
    settings = CheckoutSettings.objects.get(connection=connection)
    assert settings.rates == {"USD": "1.08", "GBP": "0.85"}
    assert (settings.working_days, settings.holidays) == ("123456", ["2025-12-25"])
    old_key = settings.key
    client.post(reverse("checkout-key-rotate", args=[connection.pk]))
    settings.refresh_from_db()
    assert settings.key != old_key


def test_a_bad_time_zone_is_refused(client, manager, connection):
    client.force_login(manager)
    data = {"currency": "EUR", "stock_mode": "quote", "backorder_days": "1",
            "timezone": "Mars/Olympus", "working_days": ["1"]}  # fmt: skip
    response = client.post(reverse("checkout-settings", args=[connection.pk]), data)
    assert response.status_code == 400
    assert "is not a time zone" in response.content.decode()


def test_another_tenants_user_gets_404_on_the_tab_and_its_forms(client, outsider, connection):
    opt = option(connection, "STANDARD")
    client.force_login(outsider)
    pk = connection.pk
    assert client.get(tab(connection)).status_code == 404
    assert client.get(reverse("checkout-option-edit", args=[pk, opt.pk])).status_code == 404
    for name, args in [
        ("checkout-option-create", [pk]),
        ("checkout-option-edit", [pk, opt.pk]),
        ("checkout-option-delete", [pk, opt.pk]),
        ("checkout-settings", [pk]),
        ("checkout-key-rotate", [pk]),
    ]:
        assert client.post(reverse(name, args=args), NEW_OPTION).status_code == 404, name
    assert DeliveryOption.objects.get().display_name == "Standard delivery"


def test_an_option_of_another_connection_is_a_404(client, manager, connection, other_connection):
    theirs = option(other_connection, "BOBS")
    client.force_login(manager)
    url = reverse("checkout-option-delete", args=[connection.pk, theirs.pk])
    assert client.post(url).status_code == 404
    assert DeliveryOption.objects.filter(pk=theirs.pk).exists()
