"""Persistence of the screening service: tables, migrations and the audit chain.

SQLAlchemy 2 models (``_models``), engines for the embedded SQLite file or PostgreSQL
(``_engine``), Alembic migrations configured in code (``_migrate``) and the hash-chained audit
log (``_audit``); ATS integrations, inbound webhook events and outbound deliveries
(``_webhooks``); web user accounts, sessions and admin preferences (``_accounts``). The
workflow functions that use them live in ``screener.service`` and ``screener.accounts``.
"""

from screener.store._accounts import Preference, User, WebSession
from screener.store._audit import (
    GENESIS_HASH,
    ChainReport,
    append_audit,
    audit_record_json,
    iter_audit,
    purge_before,
    verify_chain,
)
from screener.store._engine import make_engine, make_sessions
from screener.store._migrate import current_revision, head_revision, upgrade
from screener.store._models import (
    ApiKey,
    AuditHead,
    AuditRecord,
    Base,
    Batch,
    BatchItem,
    Candidate,
    CandidateVectors,
    Decision,
    Document,
    ScreeningRecord,
    utcnow,
)
from screener.store._webhooks import (
    DatabaseReplayGuard,
    Integration,
    JobMappingRow,
    ReplayKey,
    SecretBox,
    WebhookDelivery,
    WebhookEvent,
)

__all__ = [
    "GENESIS_HASH",
    "ChainReport",
    "append_audit",
    "audit_record_json",
    "iter_audit",
    "purge_before",
    "verify_chain",
    "Preference",
    "User",
    "WebSession",
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
    "current_revision",
    "head_revision",
    "make_engine",
    "make_sessions",
    "upgrade",
    "utcnow",
    "DatabaseReplayGuard",
    "Integration",
    "JobMappingRow",
    "ReplayKey",
    "SecretBox",
    "WebhookDelivery",
    "WebhookEvent",
]
