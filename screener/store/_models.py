"""Tables of the screening service (SQLAlchemy 2 declarative models).

Personal data is kept apart from scoring data so erasure can remove it without touching the
audit trail: ``candidates.profile`` (name, contacts, ...) and ``documents`` (CV bytes and text)
and ``candidate_vectors`` (chunk text and vectors) go on erasure; ``audit_log`` holds hashes,
ids, scores and codes only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ApiKey",
    "AuditHead",
    "AuditRecord",
    "Base",
    "Batch",
    "BatchItem",
    "Candidate",
    "CandidateVectors",
    "Decision",
    "Document",
    "ScreeningRecord",
    "utcnow",
]

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Naive UTC with microseconds: round-trips unchanged through SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Candidate(Base):
    """One CV (by its bytes). ``profile`` is personal data; it goes on erasure."""

    __tablename__ = "candidates"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # NULL once erased, so the same CV uploaded again is a new candidate
    cv_sha256: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


class Document(Base):
    """The CV file and its extracted text."""

    __tablename__ = "documents"

    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    filename: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(Integer)


class CandidateVectors(Base):
    """A CV's chunk vectors and their evidence, so the search pool is rebuilt at start-up."""

    __tablename__ = "candidate_vectors"

    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    model_hash: Mapped[str] = mapped_column(String(64))
    layout: Mapped[dict[str, Any]] = mapped_column(JSON)
    vectors: Mapped[bytes] = mapped_column(LargeBinary)


class ScreeningRecord(Base):
    """A machine screening; ``result`` is the screening JSON. Never changed by a decision."""

    __tablename__ = "screenings"
    __table_args__ = (
        UniqueConstraint(
            "cv_sha256", "role_id", "rubric_version", "market", name="uq_screenings_dedup"
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    cv_sha256: Mapped[str] = mapped_column(String(64))
    role_id: Mapped[str] = mapped_column(String(100))
    rubric_version: Mapped[str] = mapped_column(String(64))
    market: Mapped[str] = mapped_column(String(8))
    model_hash: Mapped[str] = mapped_column(String(64))
    fit: Mapped[float] = mapped_column(Float)
    red_flags: Mapped[list[str]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Decision(Base):
    """A recruiter's decision or score override, with the reason (human oversight)."""

    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    screening_id: Mapped[str | None] = mapped_column(
        ForeignKey("screenings.id", ondelete="CASCADE"), nullable=True
    )
    decision: Mapped[str] = mapped_column(String(32))
    override_fit: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    reviewer_key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Batch(Base):
    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role_id: Mapped[str] = mapped_column(String(100))
    market: Mapped[str] = mapped_column(String(8))
    caller_key_id: Mapped[str] = mapped_column(String(32))
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class BatchItem(Base):
    """One file of a batch. ``data`` holds the upload until the file is screened.

    status: queued → running → done | failed. A claim is the ``queued → running`` transition
    in one transaction; the screening and ``done`` commit together, so a file is screened once.
    """

    __tablename__ = "batch_items"
    __table_args__ = (Index("ix_batch_items_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(500))
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_kind: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    candidate_id: Mapped[str | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="SET NULL"), nullable=True
    )
    screening_id: Mapped[str | None] = mapped_column(
        ForeignKey("screenings.id", ondelete="SET NULL"), nullable=True
    )
    fit: Mapped[float | None] = mapped_column(Float, nullable=True)
    red_flags: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AuditRecord(Base):
    """Append-only, hash-chained log of automated screenings and human actions.

    ``hash = sha256(prev_hash + canonical JSON of the other columns)``; ids and hashes only,
    never CV text, so it survives erasure.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    event: Mapped[str] = mapped_column(String(32))
    caller_key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    source_event_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    candidate_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    cv_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    role_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    rubric_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    model_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    red_flags: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """One row: the chain's last sequence number and hash. Locked to append in order."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
