"""The hub's keys, checked at start-up (imported by the settings: no Django here).

SECRET_KEY signs sessions and tokens; FIELD_ENCRYPTION_KEYS (Fernet, newest first) encrypt the
stores' access tokens at rest. Outside development both must be real secrets: a key that anyone
can read in the repository, or derive from such a value, protects nothing.
"""

import base64
import hashlib

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

# The repository's development default and docker-compose's former placeholder.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"
PUBLIC_SECRET_KEYS = frozenset({DEV_SECRET_KEY, "change-me-in-production"})

MAKE_SECRET_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'
MAKE_FERNET_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
DEV_HINT = "For local development only, set DEBUG=true (or HUB_INSECURE_DEV_KEYS=true)."


def derived_key(secret_key: str) -> str:
    """The Fernet key that development derives from SECRET_KEY (and older set-ups used)."""
    digest = hashlib.sha256(f"field-encryption:{secret_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


PUBLIC_FIELD_KEYS = frozenset(derived_key(key) for key in PUBLIC_SECRET_KEYS)


def keys_checked(
    *, secret_key: str, field_keys: list[str], insecure_dev_keys: bool
) -> tuple[str, list[str]]:
    """SECRET_KEY and FIELD_ENCRYPTION_KEYS to run with; a key that would be unsafe or unusable
    stops start-up with what to set."""
    for position, key in enumerate(field_keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key number {position} is not a Fernet key (32 url-safe "
                f"base64-encoded bytes). Make one with: {MAKE_FERNET_KEY}"
            ) from None
    if insecure_dev_keys:
        secret_key = secret_key or DEV_SECRET_KEY
        return secret_key, field_keys or [derived_key(secret_key)]
    if not secret_key or secret_key in PUBLIC_SECRET_KEYS:
        raise ImproperlyConfigured(
            "SECRET_KEY is "
            + ("not set" if not secret_key else "a public placeholder")
            + ": outside DEBUG the hub does not start without a secret one. Set SECRET_KEY to a "
            f"long random value, e.g. from: {MAKE_SECRET_KEY}. {DEV_HINT}"
        )
    if not field_keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set: outside DEBUG the stores' access tokens need a key "
            f"of their own. Set FIELD_ENCRYPTION_KEYS to a key made with: {MAKE_FERNET_KEY} "
            "Tokens stored before under the key derived from SECRET_KEY stay readable when that "
            "key follows the new one (`manage.py rotate_encryption_keys --print-derived-key` "
            "prints it); `manage.py rotate_encryption_keys` then re-encrypts them."
        )
    if PUBLIC_FIELD_KEYS.intersection(field_keys):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a key derived from a public value, which anyone can "
            f"compute. Replace it with a key made with: {MAKE_FERNET_KEY}"
        )
    return secret_key, field_keys
