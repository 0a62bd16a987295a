"""Readers for the settings: each turns one environment variable into a value, or stops
start-up with a message that names the variable and says how to fix it."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured


class EnvReaders:
    """The settings' readers over one django-environ ``Env`` (which .env files it has read)."""

    def __init__(self, env: environ.Env):
        self.env = env

    def read(self, name, reader, **kwargs):
        """Read one variable; a bad value stops start-up with a message naming the variable."""
        try:
            return reader(name, **kwargs)
        except (ImproperlyConfigured, ValueError, KeyError) as exc:
            raise ImproperlyConfigured(
                f"Environment variable {name} has an invalid value ({exc}). "
                f"Fix or unset {name} and start again."
            ) from exc

    def url(self, name, default, schemes):
        value = self.read(name, self.env.str, default=default)
        parts = urlsplit(value)
        if parts.scheme not in schemes or not (parts.netloc or parts.path):
            raise ImproperlyConfigured(
                f"Environment variable {name}={value!r} is not a valid URL; "
                f"expected a scheme among {', '.join(sorted(schemes))}."
            )
        return value.rstrip("/")

    def boolean(self, name, default):
        raw = self.env.str(name, default=str(default)).strip().lower()
        if raw in {"1", "true", "yes", "on"}:
            return True
        if raw in {"0", "false", "no", "off", ""}:
            return False
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not a boolean; use true or false."
        )

    def database(self, name, default):
        value = self.read(name, self.env.str, default=default)
        scheme = urlsplit(value).scheme
        if scheme not in environ.Env.DB_SCHEMES:
            raise ImproperlyConfigured(
                f"Environment variable {name}={value.split('@')[-1]!r} names no database engine "
                "Django knows; use e.g. postgres://user@host:5432/db or sqlite:///path."
            )
        return self.read(name, self.env.db_url, default=default)


def demo_env_is_live(path: Path) -> bool:
    """True when `path` exists and the demo that wrote it (HUB_DEMO_PID) is still running, so a
    file left behind by a killed demo is ignored."""
    try:
        match = re.search(r"^HUB_DEMO_PID=(\d+)$", path.read_text(), re.MULTILINE)
    except OSError:
        return False
    if match is None:
        return False
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    return True
