"""EncryptedTextField: tokens encrypted at rest; a token whose key was dropped reads as missing
("credentials need re-entry") on its connection alone, never as a server error."""

import pytest
from cryptography.fernet import Fernet

from connections.fields import UNREADABLE_MESSAGE
from connections.models import Connection
from connections.services import bigcommerce_client_for
from tests.connections.admin_helpers import TOKEN, change_url, stored_ciphertext
from tests.connections.screens import client_for
from tests.fixtures.tenants import api_client_for, make_connection


@pytest.fixture
def lost(tenant, connection, settings):
    """Two connections of the tenant: `lost`'s key is dropped from FIELD_ENCRYPTION_KEYS, while
    `connection` gets a new token under the new key. Returns `lost` and its stored ciphertext."""
    lost = make_connection(tenant, name="Lost store", store_hash="lost01")
    ciphertext = stored_ciphertext(lost)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    connection.access_token = "fresh-token"
    connection.save(update_fields=["access_token"])
    return Connection.objects.get(pk=lost.pk), ciphertext


def test_the_token_is_stored_encrypted_and_read_back_plain(connection):
    assert TOKEN not in stored_ciphertext(connection)
    assert Connection.objects.get(pk=connection.pk).access_token == TOKEN


def test_a_token_whose_key_was_dropped_needs_reentry_on_its_connection_alone(lost, connection):
    lost_connection, _ = lost

    assert lost_connection.access_token_needs_reentry
    assert lost_connection.access_token == ""
    kept = Connection.objects.get(pk=connection.pk)
    assert not kept.access_token_needs_reentry
    assert kept.access_token == "fresh-token"


def test_saving_a_connection_keeps_its_unreadable_token_as_stored(lost):
    lost_connection, ciphertext = lost
    lost_connection.name = "Renamed"
    lost_connection.save()

    assert stored_ciphertext(lost_connection) == ciphertext


def test_a_run_of_it_fails_with_what_to_do(lost):
    lost_connection, _ = lost

    with pytest.raises(ValueError, match="enter the access token again"):
        bigcommerce_client_for(connection=lost_connection)
    assert "cannot be decrypted" in UNREADABLE_MESSAGE


@pytest.mark.parametrize("path", ["/", "/orders/", "/catalog/", "/orders/errors/"])
def test_the_screens_answer_without_a_server_error(lost, manager, path):
    response = client_for(manager).get(path)

    assert response.status_code == 200


def test_the_connection_list_shows_credentials_need_reentry_on_that_row_only(lost, manager):
    html = client_for(manager).get("/connections/").content.decode()

    assert html.count("Credentials need re-entry") == 1


def test_the_connection_page_shows_credentials_need_reentry(lost, manager):
    lost_connection, _ = lost
    response = client_for(manager).get(f"/connections/{lost_connection.pk}/")

    assert response.status_code == 200
    assert "Credentials need re-entry" in response.content.decode()


def test_the_connections_api_answers(lost, manager):
    lost_connection, _ = lost
    api = api_client_for(manager)

    assert api.get("/api/v1/connections/").status_code == 200
    assert api.get(f"/api/v1/connections/{lost_connection.pk}/").status_code == 200


def test_the_admin_answers(lost, staff_client):
    lost_connection, _ = lost

    assert staff_client.get("/admin/connections/connection/").status_code == 200
    assert staff_client.get(change_url(lost_connection)).status_code == 200
