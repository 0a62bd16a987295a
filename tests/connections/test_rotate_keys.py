"""`manage.py rotate_encryption_keys`: every stored token re-encrypted with the newest key, in
batches, with counts; tokens no key decrypts are counted and left as they are."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from connections.keys import derived_key
from connections.models import Connection
from tests.connections.admin_helpers import TOKEN, stored_ciphertext
from tests.fixtures.tenants import make_connection

OLD, NEW, LOST = (Fernet.generate_key().decode() for _ in range(3))


def rotate(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_encryption_keys", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def stores(tenant, settings):
    """Three connections under the OLD key, one under a LOST key."""
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    old = [make_connection(tenant, name=f"Store {i}", store_hash=f"old{i}") for i in range(3)]
    settings.FIELD_ENCRYPTION_KEYS = [LOST]
    lost = make_connection(tenant, name="Lost", store_hash="lost01")
    return old, lost


def test_every_token_is_re_encrypted_with_the_newest_key_in_batches(stores, settings):
    old, lost = stores
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]

    out, err = rotate(batch_size=2)

    assert "connections.Connection.access_token: 3 re-encrypted with the newest key, 1 not " in out
    assert "1 secret(s) could not be decrypted" in err
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key dropped
    for connection in old:
        assert Connection.objects.get(pk=connection.pk).access_token == TOKEN
        assert Fernet(NEW).decrypt(stored_ciphertext(connection).encode()).decode() == TOKEN


def test_a_token_no_key_decrypts_is_left_as_it_is(stores, settings):
    _, lost = stores
    before = stored_ciphertext(lost)
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]

    rotate()

    assert stored_ciphertext(lost) == before
    settings.FIELD_ENCRYPTION_KEYS = [LOST]
    assert Connection.objects.get(pk=lost.pk).access_token == TOKEN


def test_it_prints_the_key_derived_from_secret_key(settings):
    out, _ = rotate(print_derived_key=True)

    assert out.strip() == derived_key(settings.SECRET_KEY)
