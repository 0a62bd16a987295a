"""Fixtures of the webhook tests: a connection to the sandbox store (with the hub's public
address set) and a contract-checked client of it."""

import pytest

from tests.orders.helpers import client_for, make_products_for_sandbox, make_store_connection


@pytest.fixture
def store(sandbox_settings, tenant, public_url):
    make_products_for_sandbox(tenant, sandbox_settings)
    return make_store_connection(tenant, sandbox_settings)


@pytest.fixture
def bc_client(sandbox_settings, contract):
    """A client of the sandbox store whose exchanges (the /v3/hooks ones too) are checked
    against the official specs."""
    c = client_for(sandbox_settings, contract)
    yield c
    c.close()
