"""The audit log: append-only records chained by hash (EU AI Act Art. 12 record-keeping).

Each record stores ``hash = sha256(prev_hash + canonical JSON of its other columns)`` where
``prev_hash`` is the previous record's hash (64 zeros for the first). Changing, inserting or
deleting a record breaks the chain at that point, which ``verify_chain`` reports.

Appends lock the one ``audit_head`` row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
transactions are serialised by ``BEGIN IMMEDIATE``), so concurrent writers keep one order.

Retention: ``purge_before`` deletes the oldest records and appends a ``audit.purged`` record
naming the last purged sequence number and hash; the chain then verifies from that anchor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from screener.store._models import AuditHead, AuditRecord, utcnow

__all__ = [
    "GENESIS_HASH",
    "ChainReport",
    "append_audit",
    "audit_record_json",
    "iter_audit",
    "purge_before",
    "record_hash",
    "verify_chain",
]

GENESIS_HASH = "0" * 64
PURGE_EVENT = "audit.purged"
_HASHED_COLUMNS = (
    "seq",
    "created_at",
    "event",
    "caller_key_id",
    "source",
    "source_event_id",
    "candidate_id",
    "cv_sha256",
    "text_sha256",
    "role_id",
    "rubric_version",
    "model_hash",
    "scores",
    "red_flags",
    "details",
)


def _canonical(values: dict[str, Any]) -> str:
    def default(value: Any) -> str:
        if isinstance(value, datetime):
            return value.isoformat(timespec="microseconds")
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")

    return json.dumps(
        values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default
    )


def record_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """sha256 hex of the previous hash followed by the record's canonical JSON."""
    payload = prev_hash + _canonical({k: values.get(k) for k in _HASHED_COLUMNS})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _values(record: AuditRecord) -> dict[str, Any]:
    return {k: getattr(record, k) for k in _HASHED_COLUMNS}


def append_audit(
    session: Session,
    *,
    event: str,
    source: str,
    caller_key_id: str | None = None,
    source_event_id: str | None = None,
    candidate_id: str | None = None,
    cv_sha256: str | None = None,
    text_sha256: str | None = None,
    role_id: str | None = None,
    rubric_version: str | None = None,
    model_hash: str | None = None,
    scores: dict[str, Any] | None = None,
    red_flags: Sequence[str] | None = None,
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record in the caller's transaction (it commits with the caller's work)."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    values: dict[str, Any] = {
        "seq": head.last_seq + 1,
        "created_at": utcnow(),
        "event": event,
        "caller_key_id": caller_key_id,
        "source": source,
        "source_event_id": source_event_id,
        "candidate_id": candidate_id,
        "cv_sha256": cv_sha256,
        "text_sha256": text_sha256,
        "role_id": role_id,
        "rubric_version": rubric_version,
        "model_hash": model_hash,
        "scores": scores,
        "red_flags": list(red_flags) if red_flags is not None else None,
        "details": details,
    }
    digest = record_hash(head.last_hash, values)
    record = AuditRecord(**values, prev_hash=head.last_hash, hash=digest)
    session.add(record)
    head.last_seq = values["seq"]
    head.last_hash = digest
    session.flush()
    return record


def iter_audit(
    session: Session, *, since_seq: int = 0, batch_size: int = 500
) -> Iterator[AuditRecord]:
    """Records in chain order, read in pages."""
    last = since_seq
    while True:
        page = session.scalars(
            select(AuditRecord).where(AuditRecord.seq > last).order_by(AuditRecord.seq)
            .limit(batch_size)
        ).all()  # fmt: skip
        if not page:
            return
        yield from page
        last = page[-1].seq


def audit_record_json(record: AuditRecord) -> dict[str, Any]:
    """The record as exported (JSON lines): every column, the time in ISO 8601 UTC."""
    data = _values(record)
    data["created_at"] = record.created_at.isoformat(timespec="microseconds") + "Z"
    data["prev_hash"] = record.prev_hash
    data["hash"] = record.hash
    return data


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Result of ``verify_chain``: ``ok`` or the first broken record and why."""

    ok: bool
    records: int
    first_seq: int | None
    last_seq: int | None
    broken_seq: int | None = None
    problem: str | None = None


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash and link; report the first record that does not verify."""
    head = session.get(AuditHead, 1)
    anchor = _purge_anchor(session)
    expected_prev = anchor[1] if anchor else GENESIS_HASH
    expected_seq = anchor[0] + 1 if anchor else 1
    count = 0
    first: int | None = None
    last: AuditRecord | None = None
    for record in iter_audit(session):
        count += 1
        first = record.seq if first is None else first
        if record.seq != expected_seq:
            return _broken(count, first, record, f"expected record {expected_seq} next")
        if record.prev_hash != expected_prev:
            return _broken(count, first, record, "prev_hash does not match the record before")
        if record_hash(record.prev_hash, _values(record)) != record.hash:
            return _broken(count, first, record, "content does not match its hash")
        expected_prev, expected_seq, last = record.hash, record.seq + 1, record
    if (
        head is not None
        and last is not None
        and (head.last_seq, head.last_hash)
        != (
            last.seq,
            last.hash,
        )
    ):
        return ChainReport(
            False, count, first, last.seq, last.seq + 1, "records after this are missing"
        )
    return ChainReport(True, count, first, last.seq if last else None)


def _broken(count: int, first: int | None, record: AuditRecord, problem: str) -> ChainReport:
    return ChainReport(False, count, first, record.seq, record.seq, problem)


def _purge_anchor(session: Session) -> tuple[int, str] | None:
    """(last purged seq, its hash) from the newest purge record, if any."""
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.event == PURGE_EVENT)
        .order_by(AuditRecord.seq.desc()).limit(1)
    ).first()  # fmt: skip
    if record is None or not record.details:
        return None
    return int(record.details["through_seq"]), str(record.details["through_hash"])


def purge_before(session: Session, *, cutoff: datetime, caller_key_id: str | None = None) -> int:
    """Delete records older than ``cutoff`` (naive UTC); returns how many went.

    The newest purge record (appended here) anchors the chain's new start.
    """
    through_seq = session.scalar(
        select(func.max(AuditRecord.seq)).where(AuditRecord.created_at < cutoff)
    )
    if through_seq is None:
        return 0
    through_hash = session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == through_seq))
    result = session.execute(delete(AuditRecord).where(AuditRecord.seq <= through_seq))
    deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
    append_audit(
        session,
        event=PURGE_EVENT,
        source="cli",
        caller_key_id=caller_key_id,
        details={
            "through_seq": through_seq,
            "through_hash": through_hash,
            "cutoff": cutoff.isoformat(timespec="seconds") + "Z",
            "deleted": deleted,
        },
    )
    return deleted
