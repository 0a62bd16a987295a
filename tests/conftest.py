import pytest

pytest_plugins = [
    "tests.fixtures.contract",
    "tests.fixtures.sandbox",
    "tests.fixtures.tenants",
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default PBKDF2 costs ~100 ms a user; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
