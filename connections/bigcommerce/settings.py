"""The driver's settings: read from Django when it is configured, else the defaults
(the client also runs in scripts without Django)."""

from __future__ import annotations

from typing import Any


def setting(name: str, default: Any) -> Any:
    """A Django setting when settings are configured, else ``default``."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:  # pragma: no cover - Django is a dependency
        return default
    try:
        return getattr(settings, name, default)
    except ImproperlyConfigured:
        return default
