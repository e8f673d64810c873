"""The screening service's workflows: plain functions with keyword-only arguments.

The API routes, the CLI and the batch workers call these; none of them knows about HTTP.
Heavy objects (model, pipeline, candidate pool, parse workers, database engine) are built once
in a ``Runtime`` and passed in.

Errors raised here, besides the pipeline's own (``DocumentError``, ``UnknownRole``, ...):

    ServiceError
    ├── NotFound            no candidate / screening / batch with that id
    ├── UploadTooLarge      an upload is over a configured limit; names the limit
    ├── InvalidUpload       an upload cannot be used (no file, a broken zip)
    └── Conflict            the request contradicts stored state (a seed role cannot be replaced)
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import logging
import queue
import secrets
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from embeddings import Chunk, EmbeddingCache, EmbeddingModel
from rubrics import (
    Market,
    Role,
    RoleSet,
    RuleSet,
    UnknownRole,
    load_markets,
    load_role_file,
    load_roles,
    load_rules,
    role_from_job_description,
    save_role,
)
from rubrics import forget_recent_texts as forget_texts_of_matchers
from screener._json import to_jsonable
from screener.documents import ParsedDocument, ParsePool
from screener.errors import DocumentError, ScreenerError
from screener.jobs import InProcessWorkers, JobQueue
from screener.matching import CandidatePool, CVVectors, PoolHit
from screener.parsing import ParsedCV, analyse
from screener.pipeline import ScreeningPipeline
from screener.profile import forget_recent_texts as forget_texts_of_profiles
from screener.screening import RANK_COLUMNS, Screening, rubric_version, screen
from screener.sections import Section, SectionKind
from screener.settings import Settings
from screener.store import (
    ApiKey,
    Batch,
    BatchItem,
    Candidate,
    CandidateVectors,
    Decision,
    Document,
    ScreeningRecord,
    append_audit,
    make_engine,
    make_sessions,
    purge_before,
    upgrade,
    utcnow,
)

__all__ = [
    "AI_NOTICE",
    "BatchProgress",
    "BatchRow",
    "Conflict",
    "DecisionKind",
    "InvalidUpload",
    "NotFound",
    "Runtime",
    "Scope",
    "ScreeningObserver",
    "ScreeningOutcome",
    "ServiceError",
    "Upload",
    "UploadTooLarge",
    "authenticate",
    "batch_progress",
    "batch_results",
    "batch_results_csv",
    "create_api_key",
    "create_batch",
    "draft_role",
    "erase_candidate",
    "expand_uploads",
    "get_candidate",
    "get_screening",
    "process_next_item",
    "purge_audit",
    "queue_depth",
    "recent_batches",
    "record_decision",
    "requeue_interrupted",
    "revoke_api_key",
    "save_custom_role",
    "screen_document",
    "screen_upload",
    "search_pool",
]

log = logging.getLogger("screener.service")

AI_NOTICE = (
    "AI-generated assessment: it ranks and notes, it never rejects. A person reviews every "
    "result and decides; candidates may ask for an explanation and a human review."
)
_PII_PROFILE_KEYS = ("contacts",)
_TERMINAL = ("done", "failed", "erased")


# --- errors ------------------------------------------------------------------------------------


class ServiceError(ScreenerError):
    """Base of the service's own errors; ``message`` is safe to show to the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def kind(self) -> str:
        return type(self).__name__


class NotFound(ServiceError, LookupError):
    """No such candidate, screening or batch."""


class UploadTooLarge(ServiceError):
    """An upload is over a configured limit; ``limit`` is that limit."""

    def __init__(self, message: str, *, limit: int | float) -> None:
        super().__init__(message)
        self.limit = limit


class InvalidUpload(ServiceError, ValueError):
    """The upload cannot be used (no file, a zip that cannot be read)."""


class Conflict(ServiceError):
    """The request contradicts stored state."""


# --- small types -------------------------------------------------------------------------------


class Scope(StrEnum):
    """API key scopes: ``screen`` submits CVs, ``read`` reads results (no personal data),
    ``admin`` does everything, sees personal data, erases and exports the audit log."""

    SCREEN = "screen"
    READ = "read"
    ADMIN = "admin"


class DecisionKind(StrEnum):
    ADVANCE = "advance"
    HOLD = "hold"
    REJECT = "reject"
    OVERRIDE = "override"  # a corrected score, with a reason


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ScreeningOutcome:
    candidate_id: str
    screening_id: str
    result: dict[str, Any]
    reused: bool
    # Seconds each step of this call took, in order: parse (the file, in a worker process),
    # profile (sections, profile, personal data blanked), embed (chunked, encoded), score
    # (matching, rules, explanation), store (database, audit record, candidate pool); a reused
    # result has one step, reuse. The API sends them as a Server-Timing header.
    timings: tuple[tuple[str, float], ...] = ()


StoredHook = Callable[[Session, ScreeningOutcome], None]


class ScreeningObserver(Protocol):
    """Receives counts and timings (the API exports them as Prometheus metrics)."""

    def screened(
        self,
        *,
        source: str,
        seconds: float,
        reused: bool,
        steps: Sequence[tuple[str, float]] = (),
    ) -> None: ...

    def failed(self, *, source: str, kind: str) -> None: ...


class _NullObserver:
    def screened(
        self,
        *,
        source: str,
        seconds: float,
        reused: bool,
        steps: Sequence[tuple[str, float]] = (),
    ) -> None:
        return None

    def failed(self, *, source: str, kind: str) -> None:
        return None


# --- runtime -----------------------------------------------------------------------------------


class ParserPool:
    """Single-worker ``ParsePool`` instances checked out one per call, so threads can parse
    concurrently (a ``ParsePool`` runs one call at a time)."""

    def __init__(self, *, settings: Settings, size: int) -> None:
        self._free: queue.Queue[ParsePool] = queue.Queue()
        self._all = [ParsePool(limits=settings.documents, workers=1) for _ in range(size)]
        for pool in self._all:
            self._free.put(pool)

    def parse(self, data: bytes, filename: str) -> ParsedDocument | DocumentError:
        pool = self._free.get()
        try:
            return pool.parse_bytes(data, filename)
        finally:
            self._free.put(pool)

    def close(self) -> None:
        for pool in self._all:
            pool.close()


@dataclass
class Runtime:
    """Everything the workflows need, built once per process (the API lifespan, the CLI)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    pipeline: ScreeningPipeline
    rules: RuleSet
    pool: CandidatePool
    parsers: ParserPool
    observer: ScreeningObserver
    embedding_cache: EmbeddingCache | None = None
    queue: JobQueue | None = None
    pool_lock: threading.Lock = field(default_factory=threading.Lock)
    # the model's tokenizer is not safe to call from several threads at once (measured:
    # "expected sequence of length 63 at dim 1 (got 64)" under 50 concurrent screenings);
    # take it before pool_lock
    model_lock: threading.Lock = field(default_factory=threading.Lock)
    pipeline_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(
        cls,
        settings: Settings,
        *,
        model: EmbeddingModel | None = None,
        observer: ScreeningObserver | None = None,
        start_workers: bool = True,
    ) -> Runtime:
        """Migrate the database, load model, roles and pool, start parse and batch workers.

        Args:
            model: an already loaded model to reuse (tests load one per session); by default
                the pinned model is loaded from ``settings.embeddings``.
        """
        started = time.perf_counter()
        engine = make_engine(settings.database_url)
        if settings.auto_migrate:
            upgrade(engine)
        sessions = make_sessions(engine)
        cache: EmbeddingCache | None = None
        if model is None:
            config = settings.embeddings
            cache = EmbeddingCache(max_items=config.cache_items, path=config.cache_path)
            model = EmbeddingModel(
                config.lock_path,
                device=config.device,
                batch_size=config.batch_size,
                precision=config.precision,
                cache=cache,
            )
        pipeline = ScreeningPipeline.create(settings, model=model, roles=_role_set(settings))
        pool = CandidatePool(pipeline.model)
        with sessions() as session:
            loaded = _load_pool(session, pool, model=pipeline.model)
            requeued = requeue_interrupted(session)
            session.commit()
        runtime = cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            pipeline=pipeline,
            rules=load_rules(),
            pool=pool,
            parsers=ParserPool(settings=settings, size=settings.api_parsers),
            observer=observer or _NullObserver(),
            embedding_cache=cache,
        )
        if start_workers:
            runtime.queue = InProcessWorkers(
                work=lambda: process_next_item(runtime=runtime),
                workers=settings.batch_workers,
            )
            runtime.queue.start()
        log.info(
            "runtime started",
            extra={
                "candidates_in_pool": loaded,
                "items_requeued": requeued,
                "roles": len(pipeline.roles),
                "seconds": round(time.perf_counter() - started, 2),
            },
        )
        return runtime

    def close(self) -> None:
        if self.queue is not None:
            self.queue.stop()
        self.parsers.close()
        self.engine.dispose()

    @property
    def ready(self) -> bool:
        return self.pipeline.model.is_ready

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session


def _role_set(settings: Settings) -> RoleSet:
    seeds = load_roles()
    folder = settings.roles_dir
    custom = [load_role_file(p) for p in sorted(folder.glob("*.yaml"))] if folder.is_dir() else []
    return RoleSet([*seeds, *custom], markets=load_markets())


# --- candidate vectors (the search pool is rebuilt from the database) ---------------------------


def _vectors_layout(parsed: ParsedCV, prepared: CVVectors) -> dict[str, Any]:
    return {
        "text": prepared.text,
        "sections": [
            [s.kind.value, s.heading, s.heading_start, s.start, s.end] for s in prepared.sections
        ],
        "chunks": [[c.start, c.end, c.label, c.token_count] for c in prepared.chunks],
        "pages": [[p.start, p.number] for p in parsed.document.pages],
    }


def _cv_vectors(layout: dict[str, Any], vectors: bytes, dimension: int) -> CVVectors:
    text: str = layout["text"]
    starts = [start for start, _ in layout["pages"]]
    numbers = [number for _, number in layout["pages"]]

    def page_at(offset: int) -> int:
        index = bisect.bisect_right(starts, offset) - 1
        return numbers[max(index, 0)] if numbers else 1

    return CVVectors(
        text=text,
        sections=tuple(
            Section(SectionKind(kind), heading, heading_start, start, end)
            for kind, heading, heading_start, start, end in layout["sections"]
        ),
        chunks=tuple(
            Chunk(text[start:end], start, end, label, tokens)
            for start, end, label, tokens in layout["chunks"]
        ),
        vectors=np.frombuffer(vectors, dtype=np.float32).reshape(-1, dimension),
        page_at=page_at,
    )


def _load_pool(session: Session, pool: CandidatePool, *, model: EmbeddingModel) -> int:
    dimension, model_hash = model.dimension, model.model_hash
    count = 0
    rows = session.execute(
        select(CandidateVectors.candidate_id, CandidateVectors.layout, CandidateVectors.vectors)
        .where(CandidateVectors.model_hash == model_hash)
    )  # fmt: skip
    for candidate_id, layout, vectors in rows:
        pool.add(candidate_id, _cv_vectors(layout, vectors, dimension))
        count += 1
    return count


# --- API keys ----------------------------------------------------------------------------------


def _key_hash(presented: str, pepper: str) -> str:
    # API keys carry 256 random bits, so a peppered sha256 is enough (no password stretching)
    return hashlib.sha256(f"{pepper}:{presented}".encode()).hexdigest()


def create_api_key(
    session: Session,
    *,
    name: str,
    scopes: Sequence[Scope | str],
    pepper: str,
    by: str | None = None,
    source: str = "cli",
) -> tuple[ApiKey, str]:
    """Store a new key (hashed); returns the row and the key text, shown only this once.

    Args:
        by: the admin (web user id) who created it; None from the command line.
        source: where the request came from, for the audit record (``cli`` or ``web``).
    """
    chosen = sorted({Scope(s).value for s in scopes})
    if not chosen:
        raise ValueError(f"give at least one scope: {', '.join(s.value for s in Scope)}")
    key_id = uuid.uuid4().hex[:12]
    presented = f"scr_{key_id}_{secrets.token_urlsafe(32)}"
    row = ApiKey(id=key_id, name=name, key_hash=_key_hash(presented, pepper), scopes=chosen)
    session.add(row)
    session.flush()
    append_audit(
        session, event="api-key-created", source=source, caller_key_id=by,
        details={"key_id": key_id, "name": name, "scopes": chosen},
    )  # fmt: skip
    return row, presented


def revoke_api_key(
    session: Session, *, key_id: str, by: str | None = None, source: str = "cli"
) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        append_audit(
            session, event="api-key-revoked", source=source, caller_key_id=by,
            details={"key_id": key_id, "name": row.name},
        )  # fmt: skip
    return row


def authenticate(session: Session, *, presented: str, pepper: str) -> ApiKey | None:
    """The active key with this text, or None."""
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == _key_hash(presented, pepper)))
    if row is None or row.revoked_at is not None:
        return None
    return row


# --- uploads -----------------------------------------------------------------------------------


def _is_zip_upload(upload: Upload) -> bool:
    return upload.filename.lower().endswith(".zip") and upload.data[:4] == b"PK\x03\x04"


def expand_uploads(uploads: Sequence[Upload], *, settings: Settings) -> list[Upload]:
    """The CV files of an upload: plain files as they are, zip archives unpacked.

    Raises:
        UploadTooLarge: too many files, a file over the size limit, or a zip that inflates
            past the total or ratio limit (zip bombs); the message names the limit.
        InvalidUpload: no file at all, or a zip that cannot be read.
    """
    files: list[Upload] = []
    for upload in uploads:
        if _is_zip_upload(upload):
            files.extend(_unzip(upload, settings=settings))
        else:
            files.append(upload)
        if len(files) > settings.upload_max_files:
            raise UploadTooLarge(
                f"too many files: at most {settings.upload_max_files} per upload",
                limit=settings.upload_max_files,
            )
    if not files:
        raise InvalidUpload("no CV file in the upload")
    for upload in files:
        check_file_size(upload, settings=settings)
    return files


def check_file_size(upload: Upload, *, settings: Settings) -> None:
    limit = settings.documents.max_bytes
    if len(upload.data) > limit:
        raise UploadTooLarge(
            f"{upload.filename or 'the file'} is {len(upload.data)} bytes; the limit is "
            f"{limit} bytes per file",
            limit=limit,
        )


def _unzip(upload: Upload, *, settings: Settings) -> list[Upload]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(upload.data))
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and not m.filename.startswith("__MACOSX/")
            and not Path(m.filename).name.startswith(".")
        ]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidUpload(f"{upload.filename}: not a readable zip archive ({exc})") from exc
    if len(members) > settings.upload_max_files:
        raise UploadTooLarge(
            f"{upload.filename} holds {len(members)} files; at most "
            f"{settings.upload_max_files} per upload",
            limit=settings.upload_max_files,
        )
    total_limit = settings.upload_max_unzipped_bytes
    declared = sum(m.file_size for m in members)
    if declared > total_limit:
        raise UploadTooLarge(
            f"{upload.filename} inflates to {declared} bytes; the limit is {total_limit} bytes",
            limit=total_limit,
        )
    files: list[Upload] = []
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > settings.upload_max_zip_ratio:
            raise UploadTooLarge(
                f"{upload.filename}: {member.filename} inflates {ratio:.0f}-fold; the limit is "
                f"{settings.upload_max_zip_ratio:g}-fold (zip bomb?)",
                limit=settings.upload_max_zip_ratio,
            )
        per_file = settings.documents.max_bytes
        if member.file_size > per_file:
            raise UploadTooLarge(
                f"{member.filename} is {member.file_size} bytes; the limit is {per_file} bytes "
                "per file",
                limit=per_file,
            )
        try:
            with archive.open(member) as stream:
                data = stream.read(member.file_size + 1)  # never more than declared
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise InvalidUpload(f"{upload.filename}: cannot read {member.filename}: {exc}") from exc
        if len(data) > member.file_size:
            raise UploadTooLarge(
                f"{member.filename} inflates past its declared size",
                limit=member.file_size,
            )
        files.append(Upload(Path(member.filename).name, data))
    return files


# --- screening ---------------------------------------------------------------------------------


def screen_document(
    *, parsed: ParsedCV, role: Role, market: Market, pipeline: ScreeningPipeline,
    rules: RuleSet, prepared: CVVectors,
) -> Screening:  # fmt: skip
    """The one place the service calls the screening stage."""
    return screen(parsed, role, market=market, pipeline=pipeline, rules=rules, prepared=prepared)


@dataclass(frozen=True, slots=True)
class _Request:
    role: Role
    market: Market
    rubric_version: str
    pipeline: ScreeningPipeline


def _request(runtime: Runtime, role_id: str, market: str) -> _Request:
    pipeline = runtime.pipeline
    role = pipeline.roles.get(role_id)
    parsed_market = Market.parse(market)
    return _Request(role, parsed_market, rubric_version(role, runtime.rules, pipeline), pipeline)


def _existing_screening(
    session: Session, cv_sha256: str, request: _Request
) -> ScreeningRecord | None:
    return session.scalar(
        select(ScreeningRecord).where(
            ScreeningRecord.cv_sha256 == cv_sha256,
            ScreeningRecord.role_id == request.role.id,
            ScreeningRecord.rubric_version == request.rubric_version,
            ScreeningRecord.market == request.market.value,
        )
    )


@dataclass(frozen=True, slots=True)
class _Computed:
    parsed: ParsedCV
    prepared: CVVectors
    screening: Screening


class _StepClock:
    """Seconds per named step, each from the end of the previous one."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.steps.append((step, now - self._last))
        self._last = now


def _compute(runtime: Runtime, upload: Upload, request: _Request, clock: _StepClock) -> _Computed:
    document = runtime.parsers.parse(upload.data, upload.filename)
    if isinstance(document, DocumentError):
        raise document
    clock.lap("parse")
    parsed = analyse(document, reference_date=date.today())
    clock.lap("profile")
    with runtime.model_lock:
        prepared = request.pipeline.prepare(parsed)
    clock.lap("embed")
    screening = screen_document(
        parsed=parsed, role=request.role, market=request.market, pipeline=request.pipeline,
        rules=runtime.rules, prepared=prepared,
    )  # fmt: skip
    clock.lap("score")
    return _Computed(parsed, prepared, screening)


def _audit_screening(
    session: Session,
    *,
    record: ScreeningRecord,
    text_sha256: str | None,
    caller_key_id: str | None,
    source: str,
    source_event_id: str | None,
    reused: bool,
) -> None:
    result = record.result
    append_audit(
        session,
        event="screening",
        source=source,
        caller_key_id=caller_key_id,
        source_event_id=source_event_id,
        candidate_id=record.candidate_id,
        cv_sha256=record.cv_sha256,
        text_sha256=text_sha256,
        role_id=record.role_id,
        rubric_version=record.rubric_version,
        model_hash=record.model_hash,
        scores={
            "fit": result["fit"],
            "coverage": result["coverage"],
            **{name: dim["score"] for name, dim in result["dimensions"].items()},
        },
        red_flags=record.red_flags,
        details={"screening_id": record.id, "market": record.market, "reused": reused},
    )


def _store(
    session: Session, *, upload: Upload, computed: _Computed, request: _Request
) -> tuple[ScreeningRecord, str, bool]:
    """Candidate, document, vectors and screening rows; returns (screening, text hash, new)."""
    document = computed.parsed.document
    candidate = session.scalar(select(Candidate).where(Candidate.cv_sha256 == document.sha256))
    new_candidate = candidate is None
    text_sha256 = hashlib.sha256(document.text.encode("utf-8")).hexdigest()
    if candidate is None:
        candidate = Candidate(
            id=uuid.uuid4().hex,
            cv_sha256=document.sha256,
            profile=to_jsonable(computed.parsed.profile),
        )
        session.add(candidate)
        session.add(
            Document(
                candidate_id=candidate.id, filename=upload.filename[:500], size=len(upload.data),
                data=upload.data, text=document.text, text_sha256=text_sha256,
                page_count=document.page_count,
            )
        )  # fmt: skip
        session.add(
            CandidateVectors(
                candidate_id=candidate.id,
                model_hash=request.pipeline.model.model_hash,
                layout=_vectors_layout(computed.parsed, computed.prepared),
                vectors=np.ascontiguousarray(computed.prepared.vectors, np.float32).tobytes(),
            )
        )
    result = to_jsonable(computed.screening)
    record = ScreeningRecord(
        id=uuid.uuid4().hex,
        candidate_id=candidate.id,
        cv_sha256=document.sha256,
        role_id=request.role.id,
        rubric_version=request.rubric_version,
        market=request.market.value,
        model_hash=computed.screening.model_hash,
        fit=computed.screening.fit,
        red_flags=[flag.code for flag in computed.screening.red_flags],
        result=result,
    )
    session.add(record)
    session.flush()
    return record, text_sha256, new_candidate


def screen_upload(
    *,
    runtime: Runtime,
    upload: Upload,
    role_id: str,
    market: str = "de",
    caller_key_id: str | None,
    source: str = "api",
    source_event_id: str | None = None,
    on_stored: StoredHook | None = None,
) -> ScreeningOutcome:
    """Screen one CV file for one role; the same bytes, role, rubric and market reuse the
    stored result.

    Args:
        on_stored: called inside the transaction that stores the screening (or records its
            reuse) and its audit record, so the caller's own bookkeeping commits with them.

    Raises:
        UnknownRole, UnknownMarket: with the valid choices.
        UploadTooLarge: the file is over ``documents.max_bytes``.
        DocumentError: the file cannot be read (its ``kind`` says why).
    """
    started = time.perf_counter()
    request = _request(runtime, role_id, market)
    check_file_size(upload, settings=runtime.settings)
    cv_sha256 = hashlib.sha256(upload.data).hexdigest()
    reused = _reuse(runtime, cv_sha256, request, caller_key_id, source, source_event_id, on_stored)
    if reused is not None:
        seconds = time.perf_counter() - started
        runtime.observer.screened(source=source, seconds=seconds, reused=True)
        return replace(reused, timings=(("reuse", seconds),))
    clock = _StepClock()
    try:
        computed = _compute(runtime, upload, request, clock)
    except DocumentError as exc:
        runtime.observer.failed(source=source, kind=exc.kind)
        raise
    try:
        with runtime.transaction() as session:
            record, text_sha256, new_candidate = _store(
                session, upload=upload, computed=computed, request=request
            )
            _audit_screening(
                session, record=record, text_sha256=text_sha256, caller_key_id=caller_key_id,
                source=source, source_event_id=source_event_id, reused=False,
            )  # fmt: skip
            outcome = ScreeningOutcome(record.candidate_id, record.id, record.result, reused=False)
            if on_stored is not None:
                on_stored(session, outcome)
    except IntegrityError:
        # the same CV was stored by a concurrent request in the meantime
        reused = _reuse(
            runtime, cv_sha256, request, caller_key_id, source, source_event_id, on_stored
        )
        if reused is None:
            raise
        return replace(reused, timings=(("reuse", time.perf_counter() - started),))
    if new_candidate:
        with runtime.pool_lock:
            runtime.pool.add(record.candidate_id, computed.prepared)
    clock.lap("store")
    outcome = replace(outcome, timings=tuple(clock.steps))
    seconds = time.perf_counter() - started
    runtime.observer.screened(source=source, seconds=seconds, reused=False, steps=outcome.timings)
    log.info(
        "screened",
        extra={"candidate_id": record.candidate_id, "screening_id": record.id,
               "role": record.role_id, "fit": record.fit, "source": source,
               "seconds": round(seconds, 3)},
    )  # fmt: skip
    return outcome


def _reuse(
    runtime: Runtime,
    cv_sha256: str,
    request: _Request,
    caller_key_id: str | None,
    source: str,
    source_event_id: str | None,
    on_stored: StoredHook | None,
) -> ScreeningOutcome | None:
    with runtime.transaction() as session:
        record = _existing_screening(session, cv_sha256, request)
        if record is None:
            return None
        text_sha256 = session.scalar(
            select(Document.text_sha256).where(Document.candidate_id == record.candidate_id)
        )
        _audit_screening(
            session, record=record, text_sha256=text_sha256, caller_key_id=caller_key_id,
            source=source, source_event_id=source_event_id, reused=True,
        )  # fmt: skip
        outcome = ScreeningOutcome(record.candidate_id, record.id, record.result, reused=True)
        if on_stored is not None:
            on_stored(session, outcome)
        return outcome


# --- batches -----------------------------------------------------------------------------------


def create_batch(
    *,
    runtime: Runtime,
    uploads: Sequence[Upload],
    role_id: str,
    market: str = "de",
    caller_key_id: str,
) -> Batch:
    """Store the files of a batch as queued items and wake the workers.

    Raises:
        UnknownRole, UnknownMarket, UploadTooLarge, InvalidUpload.
    """
    request = _request(runtime, role_id, market)
    files = expand_uploads(uploads, settings=runtime.settings)
    with runtime.transaction() as session:
        batch = Batch(
            id=uuid.uuid4().hex,
            role_id=request.role.id,
            market=request.market.value,
            caller_key_id=caller_key_id,
            total=len(files),
        )
        session.add(batch)
        session.flush()
        for position, upload in enumerate(files):
            session.add(
                BatchItem(
                    batch_id=batch.id, position=position, filename=upload.filename[:500],
                    data=upload.data, status="queued", attempts=0,
                )
            )  # fmt: skip
    log.info("batch created", extra={"batch_id": batch.id, "files": len(files)})
    if runtime.queue is not None:
        runtime.queue.notify()
    return batch


def requeue_interrupted(session: Session) -> int:
    """Items left ``running`` by a process that died go back to the queue.

    The embedded default runs one service process per database, so at start-up nothing else
    can be working on them; a distributed queue would use leases instead.
    """
    result = session.execute(
        update(BatchItem).where(BatchItem.status == "running").values(status="queued")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _claim(session: Session, *, max_attempts: int) -> BatchItem | None:
    statement = (
        select(BatchItem).where(BatchItem.status == "queued").order_by(BatchItem.id).limit(1)
        .with_for_update(skip_locked=True)
    )  # fmt: skip
    item = session.scalar(statement)
    if item is None:
        return None
    if item.attempts >= max_attempts:
        _finish_item(session, item, status="failed", error_kind="Abandoned",
                     error=f"gave up after {item.attempts} attempts")  # fmt: skip
        return None
    item.status = "running"
    item.attempts += 1
    return item


def _finish_item(session: Session, item: BatchItem, *, status: str, **values: Any) -> None:
    item.status = status
    item.data = None
    for name, value in values.items():
        setattr(item, name, value)
    session.flush()
    remaining = session.scalar(
        select(func.count()).select_from(BatchItem)
        .where(BatchItem.batch_id == item.batch_id, BatchItem.status.not_in(_TERMINAL))
    )  # fmt: skip
    if remaining == 0:
        session.execute(
            update(Batch).where(Batch.id == item.batch_id, Batch.finished_at.is_(None))
            .values(finished_at=utcnow())
        )  # fmt: skip


def process_next_item(*, runtime: Runtime) -> bool:
    """Claim one queued batch file, screen it and store the result; False when none waits.

    The claim (``queued → running``) is its own transaction; the screening, its audit record
    and ``done`` commit together, so a crash in between leaves the item to be screened again
    and a finished item is never screened twice.
    """
    with runtime.transaction() as session:
        item = _claim(session, max_attempts=runtime.settings.batch_max_attempts)
        if item is None:
            # an abandoned item was finished; report work done so the loop looks again
            return session.scalar(
                select(func.count()).select_from(BatchItem).where(BatchItem.status == "queued")
            ) not in (0, None)
        item_id, attempts = item.id, item.attempts
        batch = session.get(Batch, item.batch_id)
        assert batch is not None and item.data is not None
        upload = Upload(item.filename, item.data)
        batch_id, role_id, market, caller = (
            batch.id,
            batch.role_id,
            batch.market,
            batch.caller_key_id,
        )
    event_id = f"{batch_id}:{item_id}"

    def mark_done(session: Session, outcome: ScreeningOutcome) -> None:
        item = session.get(BatchItem, item_id)
        if item is None or item.status != "running" or item.attempts != attempts:
            raise _Superseded  # erased or taken over meanwhile: store nothing
        _finish_item(
            session, item, status="done", candidate_id=outcome.candidate_id,
            screening_id=outcome.screening_id, fit=outcome.result["fit"],
            red_flags=[flag["code"] for flag in outcome.result["red_flags"]],
        )  # fmt: skip

    try:
        screen_upload(
            runtime=runtime, upload=upload, role_id=role_id, market=market,
            caller_key_id=caller, source="batch", source_event_id=event_id, on_stored=mark_done,
        )  # fmt: skip
        return True
    except _Superseded:
        return True
    except DocumentError as exc:
        failure: tuple[str, str] | None = (exc.kind, exc.message)
    except UnknownRole as exc:  # a custom role removed after the batch was queued
        failure = (exc.kind, str(exc))
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the worker
        log.exception("batch item failed", extra={"batch_id": batch_id, "item_id": item_id})
        failure = None
        error = f"screening failed ({type(exc).__name__})"
    with runtime.transaction() as session:
        item = session.get(BatchItem, item_id)
        if item is None or item.status != "running" or item.attempts != attempts:
            return True
        if failure is not None:
            _finish_item(session, item, status="failed", error_kind=failure[0], error=failure[1])
        elif item.attempts >= runtime.settings.batch_max_attempts:
            _finish_item(session, item, status="failed", error_kind="InternalError", error=error)
        else:
            item.status = "queued"
    return True


class _Superseded(Exception):
    """The batch item changed hands while it was screened; its result is not stored."""


@dataclass(frozen=True, slots=True)
class BatchProgress:
    batch: Batch
    done: int
    failed: int
    queued: int
    running: int

    @property
    def status(self) -> str:
        if self.batch.finished_at is not None:
            return "completed"
        return "running" if self.done + self.failed + self.running else "queued"


def queue_depth(session: Session) -> int:
    """Batch files waiting or being screened."""
    return int(
        session.scalar(
            select(func.count()).select_from(BatchItem)
            .where(BatchItem.status.in_(("queued", "running")))
        ) or 0
    )  # fmt: skip


def _progress(batch: Batch, counts: dict[str, int]) -> BatchProgress:
    """A batch's progress from its items counted by status."""
    return BatchProgress(
        batch,
        done=counts.get("done", 0) + counts.get("erased", 0),
        failed=counts.get("failed", 0),
        queued=counts.get("queued", 0),
        running=counts.get("running", 0),
    )


def _status_counts(session: Session, batch_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Items per status for each batch, in one query."""
    counts: dict[str, dict[str, int]] = {batch_id: {} for batch_id in batch_ids}
    for batch_id, status, count in session.execute(
        select(BatchItem.batch_id, BatchItem.status, func.count())
        .where(BatchItem.batch_id.in_(batch_ids))
        .group_by(BatchItem.batch_id, BatchItem.status)
    ):  # fmt: skip
        counts[batch_id][status] = count
    return counts


def batch_progress(session: Session, *, batch_id: str) -> BatchProgress:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(f"no batch {batch_id!r}")
    return _progress(batch, _status_counts(session, [batch_id])[batch_id])


def recent_batches(session: Session, *, limit: int = 50) -> list[BatchProgress]:
    """The newest batches first, each with its progress (two queries, whatever ``limit``)."""
    batches = session.scalars(
        select(Batch).order_by(Batch.created_at.desc(), Batch.id).limit(limit)
    ).all()
    counts = _status_counts(session, [batch.id for batch in batches])
    return [_progress(batch, counts[batch.id]) for batch in batches]


@dataclass(frozen=True, slots=True)
class BatchRow:
    rank: int | None
    file: str
    status: str
    candidate_id: str | None
    screening_id: str | None
    fit: float | None
    mathematical_foundation: float | None
    engineering_maturity: float | None
    domain_application: float | None
    coverage: float | None
    red_flags: tuple[str, ...]
    error_kind: str | None
    error: str | None


def _ranked_rows(session: Session, batch_id: str) -> list[BatchRow]:
    if session.get(Batch, batch_id) is None:
        raise NotFound(f"no batch {batch_id!r}")
    rows = session.execute(
        select(BatchItem, ScreeningRecord.result)
        .outerjoin(ScreeningRecord, ScreeningRecord.id == BatchItem.screening_id)
        .where(BatchItem.batch_id == batch_id)
    ).all()  # fmt: skip
    done = sorted(
        ((i, r) for i, r in rows if i.status == "done" and r is not None),
        key=lambda pair: (-(pair[0].fit or 0.0), pair[0].filename, pair[0].position),
    )
    out: list[BatchRow] = []
    previous: tuple[float | None, int] = (None, 0)
    for index, (item, result) in enumerate(done, start=1):
        rank = previous[1] if item.fit == previous[0] else index  # ties share a rank
        previous = (item.fit, rank)
        dims = result["dimensions"]
        out.append(
            BatchRow(
                rank, item.filename, item.status, item.candidate_id, item.screening_id, item.fit,
                dims["mathematical_foundation"]["score"], dims["engineering_maturity"]["score"],
                dims["domain_application"]["score"], result["coverage"],
                tuple(item.red_flags or ()), None, None,
            )
        )  # fmt: skip
    rest = sorted(
        (i for i, r in rows if not (i.status == "done" and r is not None)),
        key=lambda i: i.position,
    )
    for item in rest:
        out.append(
            BatchRow(None, item.filename, item.status, item.candidate_id, None, None, None, None,
                     None, None, (), item.error_kind, item.error)
        )  # fmt: skip
    return out


def batch_results(
    session: Session,
    *,
    batch_id: str,
    min_fit: float | None = None,
    red_flag: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[BatchRow], int]:
    """Ranked rows (failed files last), filtered; returns (page, total after filtering)."""
    rows = _ranked_rows(session, batch_id)
    if min_fit is not None:
        rows = [r for r in rows if r.fit is not None and r.fit >= min_fit]
    if red_flag is not None:
        rows = [r for r in rows if red_flag in r.red_flags]
    return rows[offset : offset + limit], len(rows)


def batch_results_csv(
    session: Session, *, batch_id: str, min_fit: float | None = None, red_flag: str | None = None
) -> str:
    rows, _ = batch_results(
        session, batch_id=batch_id, min_fit=min_fit, red_flag=red_flag, limit=1_000_000
    )
    columns = [c for c in RANK_COLUMNS if c != "percentile"] + ["candidate_id", "status"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                "rank": row.rank, "file": _csv_safe(row.file), "fit": row.fit,
                "mathematical_foundation": row.mathematical_foundation,
                "engineering_maturity": row.engineering_maturity,
                "domain_application": row.domain_application, "coverage": row.coverage,
                "red_flags": "; ".join(row.red_flags),
                "error": _csv_safe(f"{row.error_kind}: {row.error}" if row.error_kind else ""),
                "candidate_id": row.candidate_id, "status": row.status,
            }
        )  # fmt: skip
    return buffer.getvalue()


def _csv_safe(value: str) -> str:
    """Keep spreadsheets from running a file name as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# --- candidates, decisions, erasure --------------------------------------------------------------


def _candidate(session: Session, candidate_id: str) -> Candidate:
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or candidate.erased:
        raise NotFound(f"no candidate {candidate_id!r}")
    return candidate


def get_candidate(
    session: Session, *, candidate_id: str, include_personal_data: bool
) -> tuple[Candidate, dict[str, Any], list[ScreeningRecord], list[Decision]]:
    """The candidate, their profile (contacts only when ``include_personal_data``), screenings
    and decisions, oldest first."""
    candidate = _candidate(session, candidate_id)
    profile = dict(candidate.profile or {})
    if not include_personal_data:
        for key in _PII_PROFILE_KEYS:
            profile.pop(key, None)
    screenings = list(
        session.scalars(
            select(ScreeningRecord).where(ScreeningRecord.candidate_id == candidate_id)
            .order_by(ScreeningRecord.created_at, ScreeningRecord.id)
        )
    )  # fmt: skip
    decisions = list(
        session.scalars(
            select(Decision).where(Decision.candidate_id == candidate_id)
            .order_by(Decision.created_at, Decision.id)
        )
    )  # fmt: skip
    return candidate, profile, screenings, decisions


def get_screening(session: Session, *, candidate_id: str, screening_id: str) -> ScreeningRecord:
    _candidate(session, candidate_id)
    record = session.get(ScreeningRecord, screening_id)
    if record is None or record.candidate_id != candidate_id:
        raise NotFound(f"candidate {candidate_id!r} has no screening {screening_id!r}")
    return record


def record_decision(
    session: Session,
    *,
    candidate_id: str,
    decision: DecisionKind,
    reason: str,
    reviewer_key_id: str,
    screening_id: str | None = None,
    override_fit: float | None = None,
) -> Decision:
    """Store a recruiter's decision next to the machine score (which stays as it was)."""
    _candidate(session, candidate_id)
    if screening_id is not None:
        get_screening(session, candidate_id=candidate_id, screening_id=screening_id)
    row = Decision(
        id=uuid.uuid4().hex, candidate_id=candidate_id, screening_id=screening_id,
        decision=decision.value, override_fit=override_fit, reason=reason,
        reviewer_key_id=reviewer_key_id,
    )  # fmt: skip
    session.add(row)
    session.flush()
    append_audit(
        session, event="decision", source="api", caller_key_id=reviewer_key_id,
        candidate_id=candidate_id,
        details={"decision_id": row.id, "decision": row.decision, "screening_id": screening_id,
                 "override_fit": override_fit},
    )  # fmt: skip
    return row


def erase_candidate(*, runtime: Runtime, candidate_id: str, caller_key_id: str) -> bool:
    """Erase a candidate: CV bytes, text, profile, screenings, decisions and vectors (search
    pool included). The audit log keeps its hashes and scores; an erasure record is appended.

    Returns False when the candidate was already erased.

    Raises:
        NotFound: no such candidate.
    """
    chunk_texts: list[str] = []
    with runtime.transaction() as session:
        candidate = session.get(Candidate, candidate_id)
        if candidate is None:
            raise NotFound(f"no candidate {candidate_id!r}")
        if candidate.erased:
            return False
        vectors = session.get(CandidateVectors, candidate_id)
        if vectors is not None:
            text = vectors.layout["text"]
            chunk_texts = [text[start:end] for start, end, *_ in vectors.layout["chunks"]]
        cv_sha256 = candidate.cv_sha256
        session.execute(
            update(BatchItem).where(BatchItem.candidate_id == candidate_id)
            .values(filename="[erased]", data=None, status="erased", candidate_id=None,
                    screening_id=None, fit=None, red_flags=None)
        )  # fmt: skip
        for model in (Decision, ScreeningRecord, Document, CandidateVectors):
            session.query(model).filter(model.candidate_id == candidate_id).delete()
        candidate.profile = None
        candidate.cv_sha256 = None
        candidate.erased_at = utcnow()
        append_audit(
            session, event="erasure", source="api", caller_key_id=caller_key_id,
            candidate_id=candidate_id, cv_sha256=cv_sha256,
        )  # fmt: skip
    with runtime.pool_lock:
        runtime.pool.remove(candidate_id)
    if runtime.embedding_cache is not None and chunk_texts:
        runtime.embedding_cache.discard(runtime.pipeline.model.cache_namespace, chunk_texts)
    # the profile and the alias matchers keep their last few texts for the next reader
    forget_texts_of_profiles()
    forget_texts_of_matchers()
    log.info("candidate erased", extra={"candidate_id": candidate_id})
    return True


# --- search and roles ----------------------------------------------------------------------------


def search_pool(
    *, runtime: Runtime, query: str | None = None, role_id: str | None = None, k: int = 20
) -> list[PoolHit]:
    """Stored candidates ranked for a free-text query or a role (exactly one of them)."""
    if (query is None) == (role_id is None):
        raise ValueError("give either a query or a role_id")
    role = runtime.pipeline.roles.get(role_id) if role_id is not None else None
    with runtime.model_lock, runtime.pool_lock:
        if role is not None:
            return runtime.pool.search_role(role, k)
        assert query is not None
        return runtime.pool.search_text(query, k)


def draft_role(*, runtime: Runtime, text: str, role_id: str, name: str | None = None) -> Role:
    """A custom role drafted from a job description (not saved)."""
    return role_from_job_description(text, role_id=role_id, name=name, roles=runtime.pipeline.roles)


def save_custom_role(
    *, runtime: Runtime, role: Role, by: str | None = None, source: str = "api"
) -> Role:
    """Save a reviewed custom role and make it screenable (the pipeline is rebuilt with it).
    The audit log records who saved which role version (``by``: API key or web user id).

    Raises:
        Conflict: ``role.id`` is a packaged seed role.
    """
    seeds = load_roles()
    if role.id in seeds:
        raise Conflict(f"{role.id!r} is a packaged role and cannot be replaced; choose a new id")
    with runtime.pipeline_lock:
        current = runtime.pipeline
        roles = RoleSet(
            [*(r for r in current.roles if r.id != role.id), role], markets=current.roles.markets
        )
        with runtime.model_lock:
            pipeline = ScreeningPipeline.create(runtime.settings, model=current.model, roles=roles)
        save_role(role, runtime.settings.roles_dir, overwrite=True)
        runtime.pipeline = pipeline  # one reference swap: requests in flight keep the old one
    with runtime.transaction() as session:
        append_audit(
            session, event="role-saved", source=source, caller_key_id=by, role_id=role.id,
            details={"version": role.version, "name": role.name, "skills": len(role.skills),
                     "based_on": role.based_on},
        )  # fmt: skip
    log.info("custom role saved", extra={"role": role.id, "version": role.version})
    return role


# --- audit ---------------------------------------------------------------------------------------


def purge_audit(session: Session, *, retention_days: int, now: datetime | None = None) -> int:
    """Delete audit records older than the retention period; returns how many went."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    return purge_before(session, cutoff=cutoff)
