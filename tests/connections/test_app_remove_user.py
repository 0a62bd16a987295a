"""The remove user callback (/bigcommerce/remove_user): acknowledged, nothing changes."""

import logging

from django.test import Client

from tests.connections.app_helpers import (
    app_connection,
    callback_url,
    signed_payload,
)


def test_remove_user_answers_200_and_changes_nothing(app_settings, tenant, caplog):
    caplog.set_level(logging.INFO, logger="connections.app_views")
    connection = app_connection(tenant)

    response = Client().get(callback_url("bigcommerce-remove-user", signed_payload()))

    assert response.status_code == 200
    connection.refresh_from_db()
    assert connection.is_active and connection.access_token == "secret-token-1"
    assert "BigCommerce user 9876 removed from store demo01: nothing to do" in caplog.text
