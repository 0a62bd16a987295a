"""Writes for tenants and connections (keyword-only, typed, named <entity>_<action>)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from . import signals
from .alerts.models import Alert
from .alerts.services import alert_resolve
from .audit import Action, audit_record
from .bigcommerce import errors as bc_errors
from .fields import UNREADABLE_MESSAGE
from .models import Connection, Membership, Tenant
from .selectors import connection_active_for_store, tenants_for_user

# The OAuth scopes the hub's dataflows use, each with a read that proves it (writes cannot be
# probed harmlessly).
_SCOPE_PROBES = {
    "orders": ("Orders", lambda client: client.count_orders()),
    "products": ("Products", lambda client: next(client.iter_product_pages(limit=1), None)),
    "inventory": ("Store Locations / Inventory", lambda client: client.list_locations()),
}
SCOPES = tuple(_SCOPE_PROBES)


def tenant_create(*, name: str, username: str, password: str) -> tuple[Tenant, str]:
    """A tenant with one manager; returns the tenant and the manager's API token.

    A new user is created with the password; an existing user is attached as manager and gets
    the given password (so that the printed credentials work)."""
    user_model = get_user_model()
    name = name.strip()
    username = username.strip()
    if not name:
        raise ValidationError({"name": "Give the tenant a name."})
    if not password:
        raise ValidationError({"password": "Give the manager a password."})
    with transaction.atomic():
        if Tenant.objects.filter(name=name).exists():
            raise ValidationError({"name": f"A tenant named '{name}' already exists."})
        tenant = Tenant.objects.create(name=name)
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username)
            user.set_password(password)
            user.full_clean()
            user.save()
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.MANAGER)
        token, _ = Token.objects.get_or_create(user=user)
    return tenant, token.key


def bigcommerce_client_for(*, connection: Connection):
    """The BigCommerce client of a connection (the caller closes it)."""
    from .bigcommerce.client import BigCommerceClient

    if connection.access_token_needs_reentry:
        raise ValueError(UNREADABLE_MESSAGE)
    return BigCommerceClient(store_hash=connection.store_hash, access_token=connection.access_token)


def connection_check_credentials(
    *, store_hash: str, access_token: str, scopes: tuple[str, ...] = SCOPES
) -> dict:
    """Call the store; return its info, or raise a ValidationError that says what to fix.
    `scopes` (names of `SCOPES`: orders, products, inventory) are probed; all by default."""
    from .bigcommerce.client import BigCommerceClient

    client = BigCommerceClient(store_hash=store_hash, access_token=access_token, max_retries=2)
    try:
        try:
            store = client.get_store()
        except bc_errors.AuthenticationError as exc:
            raise ValidationError(
                {
                    "access_token": "BigCommerce refused this store hash and access token. "
                    "Check the store hash (the part after 'store-' in the store's URL) and "
                    "copy the access token again from the store's API account."
                }
            ) from exc
        except bc_errors.NotFoundError as exc:
            raise ValidationError(
                {"store_hash": f"BigCommerce knows no store with hash '{store_hash}'."}
            ) from exc
        except bc_errors.BigCommerceError as exc:
            raise ValidationError(
                f"The store could not be reached to check the credentials: {exc}. "
                "Try again in a few minutes."
            ) from exc
        missing = []
        for scope in dict.fromkeys(scopes):
            label, probe = _SCOPE_PROBES[scope]
            try:
                probe(client)
            except bc_errors.AuthenticationError:
                missing.append(label)
            except bc_errors.BigCommerceError as exc:
                raise ValidationError(
                    f"The store answered the credential check with an error: {exc}. "
                    "Nothing was saved; try again in a few minutes."
                ) from exc
        if missing:
            raise ValidationError(
                {
                    "access_token": "The access token lacks the OAuth scopes the enabled "
                    f"dataflows need: {', '.join(missing)}. Edit the store's API account to "
                    "grant them, then save again."
                }
            )
        # The store's own labels for the order status toggles (ids are fixed, labels are not).
        try:
            statuses = client.list_order_statuses()
        except bc_errors.BigCommerceError:
            statuses = []  # labels are a nicety; BigCommerce's defaults remain
        return {**store, "order_statuses": statuses}
    finally:
        client.close()


def connection_ensure_store_free(
    *, user, store_hash: str, exclude_pk=None, known_only: bool = False
) -> None:
    """Refuse a store another connection has active. ``known_only``: only when the user may
    see that connection (before the credentials are checked: the others' stores are told
    only to a caller who proved to hold the store's token)."""
    other = connection_active_for_store(store_hash=store_hash, exclude_pk=exclude_pk)
    if other is None:
        return
    known = user is not None and tenants_for_user(user=user).filter(pk=other.tenant_id).exists()
    if known:
        where = f"'{other.name}' of tenant '{other.tenant.name}'"
    elif known_only:
        return
    else:
        where = "another tenant's connection"
    raise ValidationError(
        {
            "store_hash": f"This store already has an active connection ({where}). Two hubs "
            "pushing stock to one store would overwrite each other: disable that connection "
            "first."
        }
    )


@transaction.atomic
def connection_create(
    *,
    tenant: Tenant,
    name: str,
    store_hash: str,
    access_token: str,
    user=None,
    client_id: str = "",
    check_credentials: bool = True,
    **settings_fields,
) -> Connection:
    store_hash = store_hash.strip()
    access_token = access_token.strip()
    connection = Connection(
        tenant=tenant,
        name=name.strip(),
        store_hash=store_hash,
        access_token=access_token,
        client_id=client_id,
        **settings_fields,
    )
    # Credentials first: only a caller holding the store's token learns it is connected.
    connection_ensure_store_free(user=user, store_hash=store_hash, known_only=True)
    if check_credentials:
        _apply_store_info(
            connection,
            connection_check_credentials(store_hash=store_hash, access_token=access_token),
        )
    connection_ensure_store_free(user=user, store_hash=store_hash)
    try:
        with transaction.atomic():
            connection.save()
    except IntegrityError as exc:  # a concurrent save won the race for this store
        connection_ensure_store_free(user=user, store_hash=store_hash)
        raise ValidationError(
            {"store_hash": "This store already has an active connection."}
        ) from exc
    signals.connection_created.send(sender=Connection, connection=connection)
    audit_record(
        action=Action.CREATED,
        connection=connection,
        user=user,
        details={"store_hash": store_hash, "name": connection.name},
    )
    return connection


def _apply_store_info(connection: Connection, store: dict) -> None:
    store = store or {}
    connection.store_name = (store.get("name") or "")[:200]
    labels = {
        str(status["id"]): status.get("custom_label") or status.get("name") or ""
        for status in store.get("order_statuses") or []
        if "id" in status
    }
    if labels:
        connection.order_status_labels = labels


@transaction.atomic
def connection_update(
    *, connection: Connection, user=None, check_credentials: bool = True, **fields
) -> Connection:
    """Update name, credentials and settings. A blank access token keeps the stored one.

    When refused, the connection object is left as it is in the database."""
    if connection.status == Connection.Status.DELETING:
        raise ValidationError("This connection is being deleted; it can no longer be changed.")
    try:
        return _connection_apply_update(
            connection=connection, user=user, check_credentials=check_credentials, **fields
        )
    except ValidationError:
        connection.refresh_from_db()
        raise


def _connection_apply_update(
    *, connection: Connection, user, check_credentials: bool, **fields
) -> Connection:
    token = (fields.pop("access_token", "") or "").strip()
    changed = {}
    for field, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        old = getattr(connection, field)
        if old != value:
            changed[field] = {"from": old, "to": value}
        setattr(connection, field, value)
    credentials = [f for f in _CREDENTIAL_FIELDS if f in changed]
    if token and token != connection.access_token:
        credentials.append("access_token")
    if token:
        connection.access_token = token
    credentials_changed = bool(token) or "store_hash" in changed
    # Credentials first: only a caller holding the store's token learns it is connected.
    if connection.is_active:
        connection_ensure_store_free(
            user=user, store_hash=connection.store_hash, exclude_pk=connection.pk, known_only=True
        )
    if credentials_changed and check_credentials:
        _apply_store_info(
            connection,
            connection_check_credentials(
                store_hash=connection.store_hash, access_token=connection.access_token
            ),
        )
    if connection.is_active:
        connection_ensure_store_free(
            user=user, store_hash=connection.store_hash, exclude_pk=connection.pk
        )
    connection.save()
    if credentials_changed:  # new credentials: the schedules the old ones paused resume
        alert_resolve(connection=connection, condition=Alert.Condition.CREDENTIALS_REFUSED)
    if credentials:
        audit_record(
            action=Action.CREDENTIALS_CHANGED,
            connection=connection,
            user=user,
            details={"changed": credentials, "store_hash": connection.store_hash},
        )
    settings_changed = {f: c for f, c in changed.items() if f not in _CREDENTIAL_FIELDS}
    if settings_changed:
        audit_record(
            action=Action.SETTINGS_CHANGED,
            connection=connection,
            user=user,
            details=settings_changed,
        )
    return connection


# Changes to these are recorded as credentials (by name: the token's value never is).
_CREDENTIAL_FIELDS = ("store_hash", "client_id")


def connection_set_active(*, connection: Connection, active: bool, user=None) -> Connection:
    """ENABLE / DISABLE: the layers above react to the signal (schedules follow the status;
    running runs finish, runs that have not started yet are cancelled on DISABLE)."""
    if connection.status == Connection.Status.DELETING:
        raise ValidationError("This connection is being deleted.")
    target = Connection.Status.ACTIVE if active else Connection.Status.INACTIVE
    if connection.status == target:
        return connection
    with transaction.atomic():
        if active:
            connection_ensure_store_free(
                user=user, store_hash=connection.store_hash, exclude_pk=connection.pk
            )
        connection.status = target
        connection.save(update_fields=["status", "updated_at"])
        signal = signals.connection_enabled if active else signals.connection_disabled
        signal.send(sender=Connection, connection=connection)
        audit_record(
            action=Action.ENABLED if active else Action.DISABLED, connection=connection, user=user
        )
    return connection


def connection_delete_start(*, connection: Connection, user=None) -> None:
    """Mark the connection Deleting… and remove it in the background, in batches."""
    from .tasks import connection_delete_task

    with transaction.atomic():
        connection.status = Connection.Status.DELETING
        connection.save(update_fields=["status", "updated_at"])
        signals.connection_deleting.send(sender=Connection, connection=connection)
        audit_record(
            action=Action.DELETED,
            connection=connection,
            user=user,
            details={"store_hash": connection.store_hash},
        )
        transaction.on_commit(lambda: connection_delete_task.delay(connection.pk))


DELETE_BATCH_SIZE = 2000


def connection_delete(*, connection_id: int, batch_size: int = DELETE_BATCH_SIZE) -> None:
    """Delete a connection and all that belongs to it: each layer above deletes its rows in
    batches (so no transaction is huge) in its `connection_purge` receiver, then the row goes."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        return
    signals.connection_purge.send(sender=Connection, connection=connection, batch_size=batch_size)
    connection.delete()


TENANT_SETTINGS = ("log_retention_days", "pii_retention_days")


def tenant_settings_update(*, tenant: Tenant, user=None, **fields) -> Tenant:
    """Change the tenant's own settings (retention); validated, audited with what changed."""
    unknown = set(fields) - set(TENANT_SETTINGS)
    if unknown:
        raise ValueError(f"not tenant settings: {sorted(unknown)}")
    changed = {k: v for k, v in fields.items() if getattr(tenant, k) != v}
    if not changed:
        return tenant
    for key, value in changed.items():
        setattr(tenant, key, value)
    tenant.full_clean(exclude=["name"])
    tenant.save(update_fields=list(changed))
    audit_record(
        action=Action.TENANT_SETTINGS_CHANGED, tenant=tenant, user=user,
        details=changed,
    )  # fmt: skip
    return tenant
