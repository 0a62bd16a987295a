"""Writes of the BigCommerce app's callbacks: install a store into a tenant, uninstall, and
remember each signed payload used (so that none works twice)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .alerts.models import Alert
from .alerts.services import alert_raise
from .audit import Action, audit_record
from .models import Connection, SignedPayloadUse, Tenant
from .services import connection_create, connection_set_active, connection_update


def connection_install_from_app(
    *, tenant: Tenant, user, store_hash: str, access_token: str, client_id: str
) -> tuple[Connection, bool]:
    """The tenant's connection to the store with the app's token: a new one named after the
    store, or the existing one (active first) with the new token, enabled again. The token is
    checked with the store as on SAVE; on any refusal nothing is saved. Returns (connection,
    created)."""
    candidates = sorted(
        Connection.objects.filter(tenant=tenant, store_hash=store_hash).exclude(
            status=Connection.Status.DELETING
        ),
        key=lambda c: (not c.is_active, -c.updated_at.timestamp()),
    )
    with transaction.atomic():
        if not candidates:
            connection = connection_create(
                tenant=tenant,
                name=f"BigCommerce store {store_hash}",
                store_hash=store_hash,
                access_token=access_token,
                client_id=client_id,
                user=user,
                check_credentials=True,
            )
            if connection.store_name:
                connection.name = connection.store_name
                connection.save(update_fields=["name", "updated_at"])
            created = True
        else:
            connection = candidates[0]
            if not connection.is_active:
                connection_set_active(connection=connection, active=True, user=user)
            connection_update(
                connection=connection,
                user=user,
                access_token=access_token,
                client_id=client_id,
                check_credentials=True,
            )
            created = False
        audit_record(
            action=Action.APP_INSTALLED,
            connection=connection,
            user=user,
            details={"store_hash": store_hash, "created": created},
        )
        return connection, created


def connections_uninstall_app(*, store_hash: str, client_id: str) -> list[Connection]:
    """The app was uninstalled from the store: its connections there (those holding the app's
    token, i.e. its client id) are disabled, which stops their schedules, and their revoked
    token is wiped so that they show they need new credentials. Connections made with a store
    API account keep working: uninstalling the app does not revoke their token."""
    changed = []
    for connection in Connection.objects.filter(store_hash=store_hash, client_id=client_id):
        with transaction.atomic():
            if connection.is_active:
                connection_set_active(connection=connection, active=False)
            if connection.access_token:
                connection.access_token = ""
                connection.save(update_fields=["access_token", "updated_at"])
            alert_raise(
                connection=connection,
                condition=Alert.Condition.CREDENTIALS_REFUSED,
                message="The BigCommerce app was uninstalled from the store: its access token "
                "is revoked and the connection was disabled.",
                action="Install the app again from the store's control panel (or enter an API "
                "account's access token on the Credentials tab), then ENABLE the connection.",
            )
            audit_record(
                action=Action.APP_UNINSTALLED,
                connection=connection,
                details={"store_hash": store_hash, "credentials": "wiped (revoked by BigCommerce)"},
            )
        changed.append(connection)
    return changed


class SignedPayloadReused(Exception):
    """The signed payload was used before (at this callback or another)."""


def signed_payload_use(*, jti: str, callback: str, expires_at: datetime) -> None:
    """Remember a signed payload's ``jti`` until it expires; SignedPayloadReused when it was
    remembered already (by any process: the database's unique index decides)."""
    SignedPayloadUse.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            SignedPayloadUse.objects.create(jti=jti, callback=callback, expires_at=expires_at)
    except IntegrityError as exc:
        used_at = (
            SignedPayloadUse.objects.filter(jti=jti).values_list("callback", flat=True).first()
        )
        if used_at and used_at != callback:
            raise SignedPayloadReused(
                f"This signed payload was made for the {used_at} callback, not this one."
            ) from exc
        raise SignedPayloadReused("This signed payload was already used.") from exc
