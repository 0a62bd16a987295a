"""The install code, the app's secret, the token and the signed payload never reach the
logs or a page, whatever the callbacks answer."""

import logging

import pytest
from django.test import Client

from connections.models import Connection
from tests.connections.app_helpers import (
    CLIENT_SECRET,
    callback_url,
    client_for,
    install,
    install_url,
    signed_payload,
)


@pytest.mark.sandbox
def test_the_code_secret_token_and_payload_never_reach_the_logs_or_pages(
    bc, tenant, manager, caplog
):
    caplog.set_level(logging.DEBUG)
    bc.register("code-ok-4411")
    client = client_for(manager)
    pages = [
        install(client, install_url("code-wrong-5522")),
        install(client, install_url("code-ok-4411"), follow=True),
        install(client, install_url("code-ok-4411")),  # used twice: refused
    ]
    token = Connection.objects.get().access_token
    payload = signed_payload()
    pages.append(Client().get(callback_url("bigcommerce-load", payload)))
    pages.append(Client().get(callback_url("bigcommerce-uninstall", payload)))
    pages.append(Client().get(callback_url("bigcommerce-remove-user", payload)))
    pages.append(Client().get(callback_url("bigcommerce-load", signed_payload(aud="x"))))

    assert caplog.records, "the install logs what it did"
    assert "BigCommerce app installed on store demo01" in caplog.text
    for secret in (CLIENT_SECRET, token, "code-ok-4411", "code-wrong-5522", payload):
        assert secret not in caplog.text
    for page in pages:
        content = page.content.decode()
        assert CLIENT_SECRET not in content
        assert token not in content
