"""REST: a dataflow's options — who may change them (managers) and how they are checked when
saved (400 with the reason, never a failing run later)."""

import pytest

from catalog.models import ProductImportSettings
from dataflows.models import Dataflow
from dataflows.options import MAX_OPTION_KEYS
from tests.dataflows.api.helpers import dataflow_state, dataflows_url
from tests.fixtures.tenants import api_client_for


def patch(user, connection, kind, body):
    return api_client_for(user).patch(dataflows_url(connection, kind), body, format="json")


@pytest.mark.parametrize(
    "kind,options",
    [
        ("product_match", {"import_mode": "create_and_overwrite"}),
        ("order_import", {"created_within_days": 7}),
        ("changed_product_match", {"overlap_seconds": 60}),
    ],
)
def test_an_operator_cannot_change_options_only_a_manager_can(
    connection, operator, manager, kind, options
):
    before = dataflow_state(connection)

    refused = patch(operator, connection, kind, {"options": options})

    assert refused.status_code == 403
    assert "manager" in refused.json()["detail"]
    assert dataflow_state(connection) == before
    assert not ProductImportSettings.objects.filter(connection=connection).exists()
    assert patch(manager, connection, kind, {"options": options}).status_code == 200


def test_an_operator_may_send_the_stored_options_back_unchanged(connection, operator):
    Dataflow.objects.filter(connection=connection, kind="order_import").update(
        options={"created_within_days": 7}
    )

    response = patch(
        operator,
        connection,
        "order_import",
        {"enabled": False, "options": {"created_within_days": 7}},
    )

    assert response.status_code == 200
    assert response.json()["enabled"] is False


@pytest.mark.parametrize(
    "kind,options,reason",
    [
        ("product_match", {"import_mode": "bogus"}, "Import mode 'bogus' is not known"),
        ("product_match", {"overwrite_fields": ["price", "nonsense"]}, "nonsense"),
        ("order_import", {"created_within_days": "x"}, "created_within_days must be"),
        ("order_import", {"created_within_days": 0}, "created_within_days must be"),
        ("order_import", {"created_within_days": True}, "created_within_days must be"),
        ("changed_product_match", {"overlap_seconds": -1}, "overlap_seconds must be"),
        ("changed_stock_update", {"push_on_stock_change": "yes"}, "true or false"),
        ("order_update", {str(n): n for n in range(MAX_OPTION_KEYS + 1)}, "at most 50"),
        ("order_update", {"note": "x" * 11_000}, "10 KB"),
        ("order_update", {"note": "a\u0000b"}, "NUL"),
    ],
)
def test_invalid_options_are_refused_on_save_with_the_reason(
    connection, manager, kind, options, reason
):
    before = dataflow_state(connection)

    response = patch(manager, connection, kind, {"options": options})

    assert response.status_code == 400, response.content
    assert list(response.json()) == ["options"]
    assert reason in " ".join(response.json()["options"])
    assert dataflow_state(connection) == before
    assert not ProductImportSettings.objects.filter(connection=connection).exists()


def test_fifty_thousand_keys_are_refused(connection, manager):
    options = {f"k{n}": n for n in range(50_000)}

    response = patch(manager, connection, "order_import", {"options": options})

    assert response.status_code == 400
    assert "50000 keys" in response.json()["options"][0]


def test_valid_import_settings_go_to_the_connections_product_import_settings(connection, manager):
    response = patch(
        manager, connection, "product_match", {"options": {"import_mode": "create_only"}}
    )

    assert response.status_code == 200
    assert ProductImportSettings.objects.get(connection=connection).import_mode == "create_only"
    assert response.json()["options"] == {}
