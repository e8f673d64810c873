"""Tables of the ATS integrations: integrations, job mappings, inbound events, replay keys and
outbound deliveries, plus the database-backed replay guard.

Secrets are stored as Fernet tokens (``*_secret`` / ``*_api_key`` columns ending in ``_enc``):
inbound HMAC secrets must be readable to verify signatures, so they are encrypted, not hashed
(:class:`SecretBox`, key from the settings). The API never returns them after creation.

``webhook_events.status``: received → processing → screened | skipped | failed; an event is
unique per ``(integration_id, event_id)``, so a provider's retry of the same delivery is stored
once and screened once. ``webhook_deliveries.outcome``: pending → sending → delivered | failed |
gave_up; ``attempts`` holds every try (status, error, Retry-After, next delay).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from screener.store._models import Base, utcnow

__all__ = [
    "DatabaseReplayGuard",
    "Integration",
    "JobMappingRow",
    "ReplayKey",
    "SecretBox",
    "WebhookDelivery",
    "WebhookEvent",
]


class SecretBox:
    """Encrypts secrets at rest with a Fernet key (``Fernet.generate_key()`` makes one)."""

    def __init__(self, key: str | bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                "the webhook secrets key must be a Fernet key (32 url-safe base64-encoded bytes)"
            ) from exc

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The secret; ValueError when the token was made with another key or altered."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ValueError("a stored secret does not decrypt with the configured key") from exc


class Integration(Base):
    """One ATS connection: how its webhooks are verified and where results go."""

    __tablename__ = "integrations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(16))
    inbound_secret_enc: Mapped[str] = mapped_column(Text)
    outbound_secret_enc: Mapped[str] = mapped_column(Text)
    callback_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    ats_api_key_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    ats_base_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    ats_user_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    write_back_notes: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class JobMappingRow(Base):
    """An ATS job of an integration screened for one of our roles in one market."""

    __tablename__ = "job_mappings"

    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True
    )
    ats_job_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    role_id: Mapped[str] = mapped_column(String(100))
    market: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class WebhookEvent(Base):
    """One authentic inbound delivery; ``application`` is the ``InboundApplication`` JSON."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("integration_id", "event_id", name="uq_webhook_events_dedup"),
        Index("ix_webhook_events_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_kind: Mapped[str | None] = mapped_column(String(64), nullable=True)
    application: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    role_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    market: Mapped[str | None] = mapped_column(String(8), nullable=True)
    candidate_id: Mapped[str | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="SET NULL"), nullable=True
    )
    screening_id: Mapped[str | None] = mapped_column(
        ForeignKey("screenings.id", ondelete="SET NULL"), nullable=True
    )
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ReplayKey(Base):
    """A delivery token already acted on, kept until it would be refused as stale anyway."""

    __tablename__ = "replay_keys"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class WebhookDelivery(Base):
    """One outbound message for an event: the signed callback or an ATS note."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_outcome", "outcome"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    webhook_event_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    msg_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    url: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class DatabaseReplayGuard:
    """A ``ReplayGuard`` (``screener.webhooks``) shared by every process on the database: a row
    per key, unique, with an expiry; expired rows are reused and pruned."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def claim(self, key: str, *, expires_at: float) -> bool:
        until = datetime.fromtimestamp(expires_at, UTC).replace(tzinfo=None)
        now = utcnow()
        try:
            with self._sessions() as session, session.begin():
                session.execute(delete(ReplayKey).where(ReplayKey.expires_at <= now))
                if session.get(ReplayKey, key) is not None:
                    return False
                session.add(ReplayKey(key=key, expires_at=until))
        except IntegrityError:  # claimed by a concurrent request in between
            return False
        return True
