import os
import subprocess
import sys

import pytest
from django.conf import settings


def start_django(**env_overrides):
    env = {**os.environ, **env_overrides}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DATABASE_URL", "not-a-database://x"),
        ("BIGCOMMERCE_API_URL", "ftp://example.com"),
        ("BIGCOMMERCE_LOGIN_URL", "login.bigcommerce.com"),
        ("CELERY_BROKER_URL", "nonsense"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("DEBUG", "maybe-later"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = start_django(**{variable: value})

    assert result.returncode != 0
    assert variable in result.stderr.splitlines()[-1]


def test_good_values_start(tmp_path):
    result = start_django(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        BIGCOMMERCE_API_URL="http://127.0.0.1:8100/",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/1",
        DEBUG="true",
    )

    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ keys: production fails closed

REAL_SECRET = "q8Vx2-" * 10
REAL_FIELD_KEY = "0tGkqDNw7c1Jv7oE6TwSH6m2V8fFq2m7v9ZbH1l2n4A="


def start_outside_debug(tmp_path, code="import django; django.setup()", **env_overrides):
    """Start the hub's own settings as production would: no DEBUG, no development keys."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "HUB_INSECURE_DEV_KEYS", "DEBUG"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="integrationhub.settings",
        HUB_VAR_DIR=str(tmp_path),
        HUB_READ_DEMO_ENV="false",
        **env_overrides,
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "secret_key", [None, "", "dev-only-insecure-secret-key-change-me", "change-me-in-production"]
)
def test_outside_debug_a_missing_or_public_secret_key_stops_start_up(tmp_path, secret_key):
    keys = {"FIELD_ENCRYPTION_KEYS": REAL_FIELD_KEY}
    if secret_key is not None:
        keys["SECRET_KEY"] = secret_key
    result = start_outside_debug(tmp_path, **keys)

    assert result.returncode != 0
    message = result.stderr.splitlines()[-1]
    assert "SECRET_KEY" in message and "secrets.token_urlsafe" in message


def test_outside_debug_tokens_need_a_field_encryption_key_of_their_own(tmp_path):
    result = start_outside_debug(tmp_path, SECRET_KEY=REAL_SECRET)

    assert result.returncode != 0
    message = result.stderr.splitlines()[-1]
    assert "FIELD_ENCRYPTION_KEYS is not set" in message and "Fernet.generate_key()" in message


def test_a_field_encryption_key_derived_from_a_public_value_stops_start_up(tmp_path):
    from connections.keys import DEV_SECRET_KEY, derived_key

    result = start_outside_debug(
        tmp_path, SECRET_KEY=REAL_SECRET, FIELD_ENCRYPTION_KEYS=derived_key(DEV_SECRET_KEY)
    )

    assert result.returncode != 0
    assert "derived from a public value" in result.stderr.splitlines()[-1]


@pytest.mark.parametrize("debug", ["true", "false"])
def test_a_malformed_field_encryption_key_stops_start_up_naming_the_variable(tmp_path, debug):
    result = start_outside_debug(
        tmp_path,
        DEBUG=debug,
        SECRET_KEY=REAL_SECRET,
        FIELD_ENCRYPTION_KEYS=f"{REAL_FIELD_KEY},not-a-key",
    )

    assert result.returncode != 0
    message = result.stderr.splitlines()[-1]
    assert "FIELD_ENCRYPTION_KEYS: key number 2 is not a Fernet key" in message
    assert "not-a-key" not in message  # keys are never echoed


def test_real_keys_start_outside_debug(tmp_path):
    result = start_outside_debug(
        tmp_path, SECRET_KEY=REAL_SECRET, FIELD_ENCRYPTION_KEYS=REAL_FIELD_KEY
    )

    assert result.returncode == 0, result.stderr


def test_debug_starts_on_the_development_keys(tmp_path):
    result = start_outside_debug(tmp_path, DEBUG="true")

    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ mail for password reset

PRINT_MAIL = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.PASSWORD_RESET_ENABLED, s.EMAIL_BACKEND, getattr(s, 'EMAIL_HOST', ''))"
)


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, ["False", "django.core.mail.backends.smtp.EmailBackend", "localhost"]),
        (
            {"EMAIL_URL": "smtp+tls://hub:pw@smtp.example.com:587"},
            ["True", "django.core.mail.backends.smtp.EmailBackend", "smtp.example.com"],
        ),
        (
            {"HUB_INSECURE_DEV_KEYS": "true"},
            ["True", "django.core.mail.backends.console.EmailBackend", "localhost"],
        ),
    ],
    ids=["production without mail", "production with EMAIL_URL", "demo"],
)
def test_password_reset_is_on_only_where_mail_can_be_sent(tmp_path, env, expected):
    result = start_outside_debug(
        tmp_path,
        PRINT_MAIL,
        SECRET_KEY=REAL_SECRET,
        FIELD_ENCRYPTION_KEYS=REAL_FIELD_KEY,
        **env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected
