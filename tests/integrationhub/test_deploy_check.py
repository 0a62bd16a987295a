"""`manage.py check --deploy` is clean with the settings of the compose stack's production
profile (web-production in docker-compose.yml) and real keys."""

import os
import re
import subprocess
import sys

import yaml
from django.conf import settings

from tests.integrationhub.test_settings import REAL_FIELD_KEY, REAL_SECRET

# ${NAME:-default} and ${NAME:?error}, as docker compose reads them.
VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}")
REQUIRED = {"SECRET_KEY": REAL_SECRET, "FIELD_ENCRYPTION_KEYS": REAL_FIELD_KEY}


def production_profile_env() -> dict[str, str]:
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    service = compose["services"]["web-production"]
    assert service["profiles"] == ["production"]

    def resolve(match):
        name, default = match.group(1), match.group(2)
        return REQUIRED.get(name, default or "")

    return {
        name: VARIABLE.sub(resolve, str(value)) for name, value in service["environment"].items()
    }


def test_the_production_profile_passes_check_deploy_without_a_warning(tmp_path):
    env = {
        name: value
        for name, value in os.environ.items()
        # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is no production setting either.
        if not name.startswith(("SECURE_", "SESSION_", "CSRF_", "HUB_", "DEBUG", "DJANGO_ALLOW"))
    }
    env.update(production_profile_env())
    env.update(
        DJANGO_SETTINGS_MODULE="integrationhub.settings",
        # The checks read no database or broker: stand-ins on this machine.
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        HUB_VAR_DIR=str(tmp_path),
        HUB_READ_DEMO_ENV="false",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
    assert env["HUB_BEHIND_TLS_PROXY"] == "true"


def test_without_the_https_settings_check_deploy_warns(tmp_path):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("HUB_", "DJANGO_ALLOW"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="integrationhub.settings",
        DEBUG="false",
        SECRET_KEY=REAL_SECRET,
        FIELD_ENCRYPTION_KEYS=REAL_FIELD_KEY,
        HUB_VAR_DIR=str(tmp_path),
        HUB_READ_DEMO_ENV="false",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    for warning in ("W004", "W008", "W012", "W016"):
        assert f"security.{warning}" in result.stderr + result.stdout
