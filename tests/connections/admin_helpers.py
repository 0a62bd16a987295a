"""What the Django admin tests share: the hub's models, the admin's URLs, the POST a browser
would send back for an admin form, an action on a changelist, the token as stored.

The fixtures `hub_staff`, `staff_client`, `credentials_checks` and `sent` are in conftest.py.
"""

from django.db import connection as db_connection
from django.forms import MultiWidget
from django.urls import reverse

TOKEN = "secret-token-1"  # what tests.fixtures.tenants.make_connection stores

HUB_MODELS = [
    "connections/tenant",
    "connections/membership",
    "connections/connection",
    "dataflows/dataflow",
    "dataflows/run",
    "dataflows/logentry",
]


def stored_ciphertext(connection) -> str:
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token FROM connections_connection WHERE id = %s", [connection.pk]
        )
        return cursor.fetchone()[0]


def form_data(response) -> dict:
    """The POST a browser would send back for the admin form on the page, unchanged."""
    data = {}

    def add(form, name):
        field = form.fields[name]
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{key}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool) or getattr(field.widget, "input_type", "") == "checkbox":
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = value

    form = response.context["adminform"].form
    for name in form.fields:
        add(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.forms:
            for name in inline_form.fields:
                add(inline_form, name)
    return data


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model_path: str) -> str:
    return reverse(f"admin:{model_path.replace('/', '_')}_changelist")


def post_action(client, model_path, action, objects):
    return client.post(
        changelist_url(model_path),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
    )
