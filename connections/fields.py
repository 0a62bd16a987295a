"""Encrypted model field for secrets (store access tokens).

Fernet (AES-128-CBC + HMAC) from `cryptography`. Keys come from FIELD_ENCRYPTION_KEYS, newest
first (checked at start-up, see connections/keys.py); `manage.py rotate_encryption_keys`
re-encrypts every stored secret with the newest.
"""

import functools
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Cast
from django.dispatch import receiver

UNREADABLE_MESSAGE = (
    "The stored access token cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS (its key "
    "was removed): enter the access token again on the connection's Credentials tab."
)


class UnreadableSecret(str):
    """A stored secret that no configured key decrypts. Reads as "" (no secret), so screens
    and forms show it as missing, and keeps its ciphertext, which a save writes back unchanged
    (it becomes readable again if its key is restored)."""

    def __new__(cls, ciphertext: str = ""):
        value = super().__new__(cls, "")
        value.ciphertext = ciphertext
        return value


@functools.cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


@receiver(setting_changed)
def _keys_changed(*, setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The plain value, or an UnreadableSecret when no key decrypts it."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return UnreadableSecret(token)


def rotate(token: str) -> str | None:
    """`token` re-encrypted with the newest key; None when no key decrypts it."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        return None


def is_unreadable(value) -> bool:
    return isinstance(value, UnreadableSecret)


class EncryptedTextField(models.TextField):
    """Stores ciphertext; Python code sees the plain value. Never shown in forms or the API.

    The model gets `<name>_needs_reentry`: True when the stored value cannot be decrypted.
    """

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        attname = self.attname
        needs_reentry = property(lambda obj: is_unreadable(getattr(obj, attname)))
        setattr(cls, f"{name}_needs_reentry", needs_reentry)

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else decrypt(value)

    def get_prep_value(self, value):
        if is_unreadable(value):
            return value.ciphertext
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(value)

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"widget": forms.PasswordInput(render_value=False), **kwargs})


@dataclass(frozen=True)
class RotationCount:
    label: str  # app_label.Model.field
    rotated: int
    unreadable: int


def encrypted_fields_rotate(*, batch_size: int = 500) -> list[RotationCount]:
    """Re-encrypt every stored secret of every EncryptedTextField with the newest key, a batch
    of rows per transaction. A secret no key decrypts is left as it is, and counted."""
    from django.apps import apps

    counts = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                counts.append(_rotate_field(model, field, batch_size))
    return counts


def _rotate_field(model, field: EncryptedTextField, batch_size: int) -> RotationCount:
    # The ciphertext as stored: a cast to plain text skips the field's decryption.
    stored = (
        model._base_manager.exclude(**{field.attname: ""})
        .exclude(**{f"{field.attname}__isnull": True})
        .annotate(_ciphertext=Cast(field.attname, models.TextField()))
        .order_by("pk")
    )
    rotated = unreadable = 0
    last_pk = None
    while True:
        batch = stored if last_pk is None else stored.filter(pk__gt=last_pk)
        rows = list(batch.values_list("pk", "_ciphertext")[:batch_size])
        if not rows:
            break
        with transaction.atomic():
            for pk, ciphertext in rows:
                new = rotate(ciphertext)
                if new is None:
                    unreadable += 1
                    continue
                # Values are written and compared as they are (no second encryption); a row
                # whose secret changed meanwhile is left alone.
                rotated += model._base_manager.filter(
                    pk=pk, **{field.attname: Value(ciphertext)}
                ).update(**{field.attname: Value(new, output_field=models.TextField())})
        last_pk = rows[-1][0]
    return RotationCount(f"{model._meta.label}.{field.name}", rotated, unreadable)
