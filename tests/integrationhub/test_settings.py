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
