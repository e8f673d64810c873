"""Web user accounts: argon2id password hashes, signed-in sessions with their CSRF token, and
the run-time preferences an admin sets from the web pages (audit retention).

API keys (``screener.service``) stay the way integrators authenticate; these accounts are for
people using the recruiter pages. A ``recruiter`` screens, reads and records decisions; an
``admin`` also manages users, API keys, integrations, retention and the audit export.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from screener.errors import ScreenerError
from screener.settings import MIN_AUDIT_RETENTION_DAYS, Settings
from screener.store import Preference, User, WebSession, append_audit, utcnow

__all__ = [
    "AccountError",
    "SESSION_LIFETIME",
    "SignedIn",
    "UserRole",
    "audit_retention_days",
    "create_user",
    "disable_user",
    "end_session",
    "list_users",
    "set_audit_retention_days",
    "set_password",
    "sign_in",
    "signed_in",
]

#: A signed-in session lasts a working day; signing in again starts a new one.
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,99}$")
_RETENTION_KEY = "audit_retention_days"

# argon2id with the library's defaults (RFC 9106 "second recommended" profile: 64 MiB, t=3).
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user is unknown, so sign-in takes the same time either way
    (made on first use: an argon2 hash is 64 MiB of work no import should pay for)."""
    return _hasher.hash(secrets.token_urlsafe(16))


class UserRole(StrEnum):
    RECRUITER = "recruiter"
    ADMIN = "admin"


class AccountError(ScreenerError, ValueError):
    """A user or password that cannot be accepted; ``message`` is safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def kind(self) -> str:
        return "invalid-account"


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The person behind a session cookie."""

    user_id: str
    username: str
    role: UserRole
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role is UserRole.ADMIN


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: UserRole | str = UserRole.RECRUITER,
    by_user_id: str | None = None,
) -> User:
    """Store a new user with an argon2id hash of ``password``; ``by_user_id`` is the admin who
    did it from the web page (None from the command line)."""
    username = username.strip()
    if not _USERNAME.match(username):
        raise AccountError(
            "a username is 2-100 letters, digits, dots, dashes, underscores or @, "
            "starting with a letter or digit"
        )
    _check_password(password)
    try:
        chosen = UserRole(role)
    except ValueError:
        raise AccountError(f"a role is one of: {', '.join(r.value for r in UserRole)}") from None
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise AccountError(f"the username {username!r} is taken")
    user = User(
        id=f"u{uuid.uuid4().hex[:11]}",
        username=username,
        password_hash=_hasher.hash(password),
        role=chosen.value,
    )
    session.add(user)
    session.flush()
    append_audit(
        session, event="user-created", source="web" if by_user_id else "cli",
        caller_key_id=by_user_id,
        details={"user_id": user.id, "username": username, "role": chosen.value},
    )  # fmt: skip
    return user


def set_password(session: Session, *, username: str, password: str) -> User:
    user = _user(session, username)
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return user


def disable_user(session: Session, *, username: str, by_user_id: str | None = None) -> User:
    """Stop a user signing in and end their sessions; their decisions stay on record."""
    user = _user(session, username)
    if user.disabled_at is None:
        user.disabled_at = utcnow()
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        append_audit(
            session, event="user-disabled", source="web" if by_user_id else "cli",
            caller_key_id=by_user_id,
            details={"user_id": user.id, "username": user.username},
        )  # fmt: skip
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(
    session: Session, *, username: str, password: str, now: datetime | None = None
) -> tuple[str, SignedIn] | None:
    """Check the password; on success store a new session and return (cookie token, who).

    None for an unknown user, a wrong password or a disabled account alike, so the page
    cannot tell which usernames exist.
    """
    user = session.scalar(select(User).where(User.username == username.strip()))
    try:
        _hasher.verify(user.password_hash if user is not None else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled_at is not None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    now = now or utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=_token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
        created_at=now, expires_at=now + SESSION_LIFETIME,
    )  # fmt: skip
    session.add(row)
    append_audit(
        session, event="sign-in", source="web", caller_key_id=user.id,
        details={"username": user.username},
    )  # fmt: skip
    return token, SignedIn(user.id, user.username, UserRole(user.role), row.csrf_token)


def signed_in(session: Session, *, token: str, now: datetime | None = None) -> SignedIn | None:
    """The active user behind a session cookie, or None when it is unknown or expired."""
    row = session.get(WebSession, _token_hash(token))
    if row is None or row.expires_at <= (now or utcnow()):
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return SignedIn(user.id, user.username, UserRole(user.role), row.csrf_token)


def end_session(session: Session, *, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _token_hash(token)))


def audit_retention_days(session: Session, settings: Settings) -> int:
    """Days the audit log is kept: the admin's setting when one was saved, else the
    environment's (``SCREENER_AUDIT_RETENTION_DAYS``)."""
    row = session.get(Preference, _RETENTION_KEY)
    return int(row.value) if row is not None else settings.audit_retention_days


def set_audit_retention_days(session: Session, *, days: int, by_user_id: str) -> None:
    # the same floor as the environment setting: the EU AI Act asks for six months of logs
    if days < MIN_AUDIT_RETENTION_DAYS:
        raise AccountError(
            f"audit records are kept at least {MIN_AUDIT_RETENTION_DAYS} days (six months)"
        )
    if days > 36_500:
        raise AccountError("give a retention of at most 36,500 days")
    row = session.get(Preference, _RETENTION_KEY)
    if row is None:
        session.add(Preference(key=_RETENTION_KEY, value=str(days)))
    else:
        row.value = str(days)
    append_audit(
        session, event="retention-changed", source="web", caller_key_id=by_user_id,
        details={"audit_retention_days": days},
    )  # fmt: skip
