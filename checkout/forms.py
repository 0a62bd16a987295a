"""The Checkout tab's forms: text fields for the lists (bands, countries, postcode ranges,
rates, holidays), read into the models' JSON values with messages that say what to fix."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms

from .models import CheckoutSettings, DeliveryOption

WEEKDAYS = [("1", "Mon"), ("2", "Tue"), ("3", "Wed"), ("4", "Thu"), ("5", "Fri"), ("6", "Sat"),
            ("7", "Sun")]  # fmt: skip


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise forms.ValidationError(f"“{text}” is not a number ({what}).") from None
    if value < 0 or not value.is_finite():
        raise forms.ValidationError(f"{what} cannot be negative.")
    return value


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in (text or "").replace(";", "\n").splitlines() if ln.strip()]


def bands_parse(text: str) -> list[list[str]]:
    """'2 = 4.95' per line (up to 2: costs 4.95) -> [["2", "4.95"]], ascending."""
    bands = []
    for line in _lines(text):
        if "=" not in line:
            raise forms.ValidationError(
                f"Write each band as “up to = price”, e.g. “2 = 4.95” (not “{line}”)."
            )  # noqa: E501
        up_to, price = line.split("=", 1)
        bands.append([_decimal(up_to, "band limit"), _decimal(price, "band price")])
    bands.sort()
    return [[str(a), str(b)] for a, b in bands]


def bands_text(bands) -> str:
    return "\n".join(f"{a} = {b}" for a, b in bands)


def countries_parse(text: str) -> list[str]:
    codes = [c.strip().upper() for c in (text or "").replace(",", " ").split()]
    bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
    if bad:
        raise forms.ValidationError(
            f"Use two-letter country codes (ISO 3166), e.g. DE NL BE; not {', '.join(bad)}."
        )  # noqa: E501
    if not codes:
        raise forms.ValidationError("Name at least one country the option delivers to, e.g. DE.")
    return sorted(set(codes))


def ranges_parse(text: str) -> list[list[str]]:
    """'DE 10000-14999' per line -> [["DE", "10000", "14999"]]."""
    ranges = []
    for line in _lines(text):
        parts = line.split(None, 1)
        if len(parts) != 2 or len(parts[0]) != 2 or "-" not in parts[1]:
            raise forms.ValidationError(
                f"Write each range as “country low-high”, e.g. “DE 10000-14999” (not “{line}”)."
            )  # noqa: E501
        low, high = (p.strip() for p in parts[1].split("-", 1))
        ranges.append([parts[0].upper(), low, high])
    return ranges


def ranges_text(ranges) -> str:
    return "\n".join(f"{c} {lo}-{hi}" for c, lo, hi in ranges)


class DeliveryOptionForm(forms.Form):
    code = forms.SlugField(max_length=50, help_text="Sent to BigCommerce, e.g. STANDARD.")
    display_name = forms.CharField(max_length=100, help_text="What shoppers see.")
    carrier = forms.CharField(max_length=100)
    service_level = forms.CharField(max_length=100, required=False)
    pricing = forms.ChoiceField(choices=DeliveryOption.Pricing.choices)
    price = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2, initial=0,
                               required=False, help_text="For a flat price.")  # fmt: skip
    bands = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            help_text="One band a line: “up to = price” (kg or order value).")  # fmt: skip  # noqa: E501
    free_above = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, required=False,
                                    help_text="Free from this order value on.")  # fmt: skip
    countries = forms.CharField(help_text="Two-letter codes, e.g. DE NL BE.")
    postcode_ranges = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                      help_text="Optional, one a line: “DE 10000-14999”.")  # fmt: skip  # noqa: E501
    transit_min = forms.IntegerField(min_value=0, max_value=90, initial=1)
    transit_max = forms.IntegerField(min_value=0, max_value=90, initial=2)
    cutoff = forms.TimeField(
        initial="15:00", help_text="Orders after it ship the next working day."
    )  # noqa: E501
    needs_stock = forms.BooleanField(required=False, label="Needs stock")
    enabled = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, connection=None, option=None, **kwargs):
        self.connection, self.option = connection, option
        if option is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                **{f: getattr(option, f) for f in (
                    "code", "display_name", "carrier", "service_level", "pricing", "price",
                    "free_above", "transit_min", "transit_max", "cutoff", "needs_stock",
                    "enabled")},
                "bands": bands_text(option.bands),
                "countries": " ".join(option.countries),
                "postcode_ranges": ranges_text(option.postcode_ranges),
            }  # fmt: skip
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = self.cleaned_data["code"].upper()
        taken = DeliveryOption.objects.filter(connection=self.connection, code=code)
        if self.option is not None:
            taken = taken.exclude(pk=self.option.pk)
        if taken.exists():
            raise forms.ValidationError(
                f"This connection already has an option {code}; pick another code."
            )  # noqa: E501
        return code

    def clean_bands(self):
        return bands_parse(self.cleaned_data["bands"])

    def clean_countries(self):
        return countries_parse(self.cleaned_data["countries"])

    def clean_postcode_ranges(self):
        return ranges_parse(self.cleaned_data["postcode_ranges"])

    def clean(self):
        data = super().clean()
        if data.get("price") is None:
            data["price"] = Decimal(0)
        if data.get("pricing") in ("weight", "value") and not data.get("bands"):
            self.add_error("bands", "Band pricing needs at least one band, e.g. “2 = 4.95”.")
        low, high = data.get("transit_min"), data.get("transit_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "transit_max", "The longest transit cannot be shorter than the shortest."
            )  # noqa: E501
        return data


class CheckoutSettingsForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Quote in the checkout")
    currency = forms.RegexField(regex=r"^[A-Za-z]{3}$", max_length=3,
                                help_text="The options' prices are in it, e.g. EUR.")  # fmt: skip
    rates = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            help_text="One a line: “USD 1.0850” (1 of your currency buys 1.0850 USD). Quotes in a currency not listed are refused.")  # fmt: skip  # noqa: E501
    stock_mode = forms.ChoiceField(choices=CheckoutSettings.StockMode.choices,
                                   label="When items are not in stock")  # fmt: skip
    backorder_days = forms.IntegerField(
        min_value=0, max_value=60, label="Back-order delay (working days)"
    )  # noqa: E501
    timezone = forms.CharField(max_length=64, label="Warehouse time zone")
    working_days = forms.MultipleChoiceField(choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple)
    holidays = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               help_text="One date a line: 2025-12-25.")  # fmt: skip

    @classmethod
    def for_settings(cls, settings: CheckoutSettings, data=None):
        initial = {
            "enabled": settings.enabled,
            "currency": settings.currency,
            "rates": "\n".join(f"{c} {r}" for c, r in sorted(settings.rates.items())),
            "stock_mode": settings.stock_mode,
            "backorder_days": settings.backorder_days,
            "timezone": settings.timezone,
            "working_days": list(settings.working_days),
            "holidays": "\n".join(settings.holidays),
        }
        return cls(data, initial=initial)

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def clean_rates(self):
        rates = {}
        for line in _lines(self.cleaned_data["rates"]):
            parts = line.split()
            if len(parts) != 2 or len(parts[0]) != 3 or not parts[0].isalpha():
                raise forms.ValidationError(f"Write each rate as “USD 1.0850” (not “{line}”).")
            rate = _decimal(parts[1], f"rate of {parts[0].upper()}")
            if rate == 0:
                raise forms.ValidationError(f"The rate of {parts[0].upper()} cannot be 0.")
            rates[parts[0].upper()] = str(rate)
        return rates

    def clean_timezone(self):
        name = self.cleaned_data["timezone"].strip()
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                f"“{name}” is not a time zone; use e.g. Europe/Amsterdam."
            ) from None  # noqa: E501
        return name

    def clean_working_days(self):
        return "".join(sorted(self.cleaned_data["working_days"]))

    def clean_holidays(self):
        days = []
        for line in _lines(self.cleaned_data["holidays"]):
            try:
                days.append(date.fromisoformat(line).isoformat())
            except ValueError:
                raise forms.ValidationError(f"“{line}” is not a date; write 2025-12-25.") from None
        return sorted(set(days))


class PreviewForm(forms.Form):
    country = forms.CharField(max_length=2, initial="DE")
    postcode = forms.CharField(max_length=20, initial="10115", required=False)
    weight = forms.DecimalField(min_value=0, initial=2, label="Weight (kg)")
    value = forms.DecimalField(min_value=0, initial=50, label="Order value")
    currency = forms.CharField(
        max_length=3, required=False, help_text="Empty: the connection's own."
    )  # noqa: E501
    sku = forms.CharField(max_length=255, required=False, label="SKU (optional)",
                          help_text="Checks the stock setting with one item of it.")  # fmt: skip
