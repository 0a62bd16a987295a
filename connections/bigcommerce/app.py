"""BigCommerce single-click app install: the protocol, without the hub's models.

* ``exchange_code`` trades the one-time ``code`` of the auth callback for the store's permanent
  access token at ``{BIGCOMMERCE_LOGIN_URL}/oauth2/token``.
* ``verify_signed_payload`` checks the ``signed_payload_jwt`` of the load, uninstall and
  remove_user callbacks: HS256 signed with the app's client secret, audience the client id,
  issuer ``bc``, times (whole seconds, never strings) with a small leeway, subject
  ``stores/{hash}``, and a ``jti`` (the hub remembers it until ``exp``: a payload works once).

Nothing here logs or puts into an exception's text the code, the client secret or the token.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from django.conf import settings

logger = logging.getLogger(__name__)

#: ``stores/{hash}``: the context of the auth callback and the ``sub`` of the signed payload.
STORE_CONTEXT = re.compile(r"^stores/([A-Za-z0-9_-]{1,64})$")
#: Clock difference tolerated on ``exp``, ``nbf`` and ``iat``.
JWT_LEEWAY_S = 30
#: A signed payload is a few hundred bytes; anything much longer is refused unread.
MAX_JWT_LENGTH = 8192
#: The token exchange is one small request: no reason to wait as long as for an API page.
TOKEN_READ_TIMEOUT_S = 30.0
_EXCERPT = 200

_RESTART = (
    "start the install again from the store's control panel (Apps › My Apps): an install code "
    "works once and only for a few minutes."
)
REINSTALL_HINT = _RESTART[:1].upper() + _RESTART[1:]


class AppNotConfigured(Exception):
    """BIGCOMMERCE_APP_CLIENT_ID or BIGCOMMERCE_APP_CLIENT_SECRET is not set."""


class InstallError(Exception):
    """The code could not be exchanged. ``message`` says what happened, ``hint`` what to do;
    ``transient`` tells whether the same code may work a moment later."""

    def __init__(self, message: str, *, hint: str = REINSTALL_HINT, transient: bool = False):
        self.message = message
        self.hint = hint
        self.transient = transient
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}"


class InvalidSignedPayload(Exception):
    """The signed payload is missing, malformed, expired, or not signed for this app."""


@dataclass(frozen=True)
class AppCredentials:
    client_id: str
    client_secret: str = field(repr=False)


def app_credentials() -> AppCredentials:
    """The app's credentials from the settings, or AppNotConfigured naming what is missing."""
    client_id = (getattr(settings, "BIGCOMMERCE_APP_CLIENT_ID", "") or "").strip()
    client_secret = (getattr(settings, "BIGCOMMERCE_APP_CLIENT_SECRET", "") or "").strip()
    missing = [
        name
        for name, value in (
            ("BIGCOMMERCE_APP_CLIENT_ID", client_id),
            ("BIGCOMMERCE_APP_CLIENT_SECRET", client_secret),
        )
        if not value
    ]
    if missing:
        raise AppNotConfigured(
            f"The hub's BigCommerce app is not configured: {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set. Set them to the client id and "
            "client secret of the app in the BigCommerce Developer Portal and restart the hub."
        )
    return AppCredentials(client_id=client_id, client_secret=client_secret)


def store_hash_from_context(context: str) -> str:
    """``stores/abc123`` -> ``abc123``; ValueError for anything else."""
    match = STORE_CONTEXT.match(context or "")
    if match is None:
        raise ValueError("not a store context")
    return match.group(1)


# ----------------------------------------------------------------------------- code exchange


@dataclass(frozen=True)
class Grant:
    """What BigCommerce answers for a code: the store's token and who installed the app."""

    store_hash: str
    access_token: str = field(repr=False)
    scope: str = ""
    user: dict[str, Any] = field(default_factory=dict)
    owner: dict[str, Any] = field(default_factory=dict)
    account_uuid: str = ""


def _redact(text: str, *secrets: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def exchange_code(
    *,
    code: str,
    scope: str,
    context: str,
    redirect_uri: str,
    credentials: AppCredentials,
    session: requests.Session | None = None,
) -> Grant:
    """POST the code to ``{BIGCOMMERCE_LOGIN_URL}/oauth2/token``; the grant or InstallError."""
    store_hash = store_hash_from_context(context)
    url = f"{settings.BIGCOMMERCE_LOGIN_URL.rstrip('/')}/oauth2/token"
    timeout = (
        float(settings.BIGCOMMERCE_CONNECT_TIMEOUT_S),
        min(float(settings.BIGCOMMERCE_READ_TIMEOUT_S), TOKEN_READ_TIMEOUT_S),
    )
    body = {
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "code": code,
        "context": context,
        "scope": scope,
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
    }
    secrets = (code, credentials.client_secret)
    http = session or requests.Session()
    try:
        response = http.post(
            url,
            json=body,
            headers={"Accept": "application/json"},
            timeout=timeout,
            allow_redirects=False,  # the secret must not travel to another host
        )
    except requests.Timeout as exc:
        raise InstallError(
            "BigCommerce's login server did not answer in time.",
            hint=f"Reload this page in a minute to try again; if BigCommerce then refuses the "
            f"code, {_RESTART}",
            transient=True,
        ) from exc
    except requests.RequestException as exc:
        raise InstallError(
            f"BigCommerce's login server could not be reached ({type(exc).__name__}).",
            hint="Check the hub's network connection and BIGCOMMERCE_LOGIN_URL, then reload "
            f"this page; if BigCommerce then refuses the code, {_RESTART}",
            transient=True,
        ) from exc
    finally:
        if session is None:
            http.close()

    status = response.status_code
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if status != 200:
        error, description = "", ""
        if isinstance(answer, dict):
            error = str(answer.get("error") or answer.get("title") or "")
            description = str(answer.get("error_description") or answer.get("detail") or "")
        said = _redact(": ".join(p for p in (error, description) if p), *secrets)
        suffix = f" ({said})" if said else ""
        logger.warning(
            "BigCommerce refused the install code of store %s: HTTP %s %s",
            store_hash,
            status,
            _redact(error, *secrets) or "-",
        )
        if status >= 500:
            raise InstallError(
                f"BigCommerce's login server failed ({status}){suffix}.",
                hint=f"Reload this page in a minute to try again; if it keeps failing, {_RESTART}",
                transient=True,
            )
        if 300 <= status < 400:
            raise InstallError(
                f"BigCommerce's login server answered with a redirect ({status}).",
                hint="Check that BIGCOMMERCE_LOGIN_URL is the login server's address "
                "(https://login.bigcommerce.com).",
            )
        if error == "invalid_client":
            raise InstallError(
                f"BigCommerce refused the hub's app credentials{suffix}.",
                hint="The hub's administrator must set BIGCOMMERCE_APP_CLIENT_ID and "
                "BIGCOMMERCE_APP_CLIENT_SECRET to the app's values in the BigCommerce "
                "Developer Portal; then install the app again.",
            )
        raise InstallError(f"BigCommerce refused the install code ({status}){suffix}.")

    if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
        raise InstallError(
            "BigCommerce's login server sent an answer without an access token.",
            hint=f"Check that BIGCOMMERCE_LOGIN_URL is the login server's address; then {_RESTART}",
        )
    token = answer["access_token"].strip()
    answered_context = answer.get("context") or context
    if not token or answered_context != context:
        raise InstallError(
            "BigCommerce's answer does not match the store being installed.",
        )
    return Grant(
        store_hash=store_hash,
        access_token=token,
        scope=str(answer.get("scope") or scope or ""),
        user=answer.get("user") if isinstance(answer.get("user"), dict) else {},
        owner=answer.get("owner") if isinstance(answer.get("owner"), dict) else {},
        account_uuid=str(answer.get("account_uuid") or ""),
    )


# ----------------------------------------------------------------------------- signed payload


@dataclass(frozen=True)
class SignedPayload:
    """The verified claims of a load / uninstall / remove_user callback."""

    store_hash: str
    user: dict[str, Any]
    owner: dict[str, Any]
    url: str
    channel_id: int | None
    jti: str
    expires_at: float  # the ``exp`` claim, seconds since the epoch
    claims: dict[str, Any] = field(repr=False)

    @property
    def user_id(self) -> Any:
        return self.user.get("id")


_JWT_REASONS: list[tuple[type[Exception], str]] = [
    (jwt.ExpiredSignatureError, "The signed payload has expired."),
    (
        jwt.ImmatureSignatureError,
        "The signed payload is not valid yet (check the hub server's clock).",
    ),
    (
        jwt.InvalidAudienceError,
        "The signed payload is meant for another app (its audience is not this hub's "
        "BIGCOMMERCE_APP_CLIENT_ID).",
    ),
    (jwt.InvalidIssuerError, "The signed payload was not issued by BigCommerce."),
    (
        jwt.InvalidSignatureError,
        "The signed payload's signature is not valid for this hub's app (check "
        "BIGCOMMERCE_APP_CLIENT_SECRET).",
    ),
    (jwt.InvalidAlgorithmError, "The signed payload is not signed with HS256."),
    (jwt.DecodeError, "The signed payload is not a valid JWT."),
]


def verify_signed_payload(
    token: str | None, *, credentials: AppCredentials, leeway: float = JWT_LEEWAY_S
) -> SignedPayload:
    """The payload's claims, or InvalidSignedPayload saying what is wrong with it."""
    token = (token or "").strip()
    if not token:
        raise InvalidSignedPayload("The request carries no signed_payload_jwt.")
    if len(token) > MAX_JWT_LENGTH:
        raise InvalidSignedPayload("The signed payload is too long to be BigCommerce's.")
    try:
        claims = jwt.decode(
            token,
            credentials.client_secret,
            algorithms=["HS256"],
            audience=credentials.client_id,
            issuer="bc",
            leeway=leeway,
            options={"require": ["exp", "iat", "nbf", "aud", "iss", "sub", "jti"]},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidSignedPayload(f"The signed payload lacks the '{exc.claim}' claim.") from exc
    except jwt.PyJWTError as exc:
        for kind, reason in _JWT_REASONS:
            if isinstance(exc, kind):
                raise InvalidSignedPayload(reason) from exc
        raise InvalidSignedPayload("The signed payload is not valid.") from exc
    # PyJWT reads "exp": "9999999999" as a number; BigCommerce sends numbers only.
    for claim in ("exp", "nbf", "iat"):
        value = claims[claim]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidSignedPayload(f"The signed payload's '{claim}' claim is not a number.")
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti.strip() or len(jti) > 200:
        raise InvalidSignedPayload("The signed payload's 'jti' claim is not a valid id.")
    try:
        store_hash = store_hash_from_context(claims.get("sub"))
    except ValueError as exc:
        raise InvalidSignedPayload("The signed payload does not name a store.") from exc
    user = claims.get("user")
    owner = claims.get("owner")
    channel_id = claims.get("channel_id")
    return SignedPayload(
        store_hash=store_hash,
        user=user if isinstance(user, dict) else {},
        owner=owner if isinstance(owner, dict) else {},
        url=str(claims.get("url") or ""),
        channel_id=channel_id if isinstance(channel_id, int) else None,
        jti=jti,
        expires_at=float(claims["exp"]),
        claims=claims,
    )
