"""ATS webhook workflows: integrations, receiving a delivery, and the background work after it.

A delivery is answered fast: :func:`receive_webhook` verifies the raw bytes, parses them, stores
one ``webhook_events`` row (unique per integration and provider event id) and returns; the
workers do the rest. Nothing is fetched or screened while the ATS waits.

    receive_webhook          verify → parse → store event (received | skipped) → notify
    process_next_event       claim a received event → resolve the job mapping → fetch the CV
                             (SSRF-safe) → screen (source=webhook, event id in the audit) →
                             event screened + callback / note deliveries queued, one transaction
    send_next_delivery       claim a pending delivery → signed callback (Standard Webhooks, our
                             secret) or ATS note, with backoff and Retry-After → store attempts

Auto-screening never rejects: a callback carries the screening summary and tags, a note carries
the recruiter explanation; neither moves the candidate in the ATS.

Events and deliveries live in the database, like batch items: a claim is a status transition in
one transaction and a restarted process puts interrupted rows back in the queue.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rubrics import Market, UnknownMarket, UnknownRole
from screener.errors import DocumentError
from screener.jobs import InProcessWorkers
from screener.service import (
    AI_NOTICE,
    NotFound,
    Runtime,
    ScreeningOutcome,
    ServiceError,
    Upload,
    screen_upload,
)
from screener.settings import Settings
from screener.store import (
    DatabaseReplayGuard,
    Integration,
    JobMappingRow,
    SecretBox,
    WebhookDelivery,
    WebhookEvent,
    append_audit,
)
from screener.webhooks import (
    CvLeverResume,
    DeliveryResult,
    FetchPolicy,
    IgnoredEvent,
    InboundApplication,
    JobMapping,
    LeverApi,
    Provider,
    RetryPolicy,
    StandardWebhookSecret,
    deliver_webhook,
    greenhouse_note_request,
    lever_note_request,
    new_message_id,
    obtain_cv,
    parse_generic,
    parse_greenhouse,
    parse_lever,
    post_note,
    resolve_job,
    verify_greenhouse_signature,
    verify_lever_webhook,
    verify_standard_webhook,
)
from screener.webhooks.errors import FetchError, FetchTimeout, PayloadError

__all__ = [
    "CreatedIntegration",
    "EventStatus",
    "Receipt",
    "ReceiptStatus",
    "WebhookWorkers",
    "callback_payload",
    "create_integration",
    "fetch_policy_from",
    "get_integration",
    "list_deliveries",
    "list_events",
    "list_integrations",
    "list_job_mappings",
    "process_next_event",
    "receive_webhook",
    "requeue_interrupted_events",
    "retry_policy_from",
    "secret_box",
    "send_next_delivery",
    "set_job_mapping",
]

log = logging.getLogger("screener.webhook_jobs")

_EXPLANATION_EXCERPT_CHARS = 1200
# transient download failures are tried again; an unsafe URL, a wrong type or a file over the
# limit will not change
_TRANSIENT_FETCH = (FetchTimeout,)


class EventStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    SCREENED = "screened"
    SKIPPED = "skipped"
    FAILED = "failed"


class _Outcome(StrEnum):
    PENDING = "pending"
    SENDING = "sending"


# --- settings-derived policies ---------------------------------------------------------------


def secret_box(settings: Settings) -> SecretBox:
    return SecretBox(settings.webhook_secrets_key.get_secret_value())


def fetch_policy_from(settings: Settings) -> FetchPolicy:
    """CV downloads and outbound requests: size and time limits; loopback only when allowed."""
    if settings.webhook_fetch_allow_loopback:
        return FetchPolicy.allowing_loopback(
            max_bytes=settings.webhook_fetch_max_bytes, timeout_s=settings.webhook_fetch_timeout_s
        )
    return FetchPolicy(
        max_bytes=settings.webhook_fetch_max_bytes, timeout_s=settings.webhook_fetch_timeout_s
    )


def retry_policy_from(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        horizon_s=settings.webhook_retry_horizon_s,
        base_delay_s=settings.webhook_retry_base_delay_s,
        max_delay_s=settings.webhook_retry_max_delay_s,
    )


# --- integrations and job mappings -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreatedIntegration:
    """A new integration and its secrets in clear text, shown this once."""

    integration: Integration
    inbound_secret: str
    outbound_secret: str


def create_integration(
    session: Session,
    *,
    box: SecretBox,
    provider: Provider | str,
    name: str,
    callback_url: str | None = None,
    inbound_secret: str | None = None,
    ats_api_key: str | None = None,
    ats_base_url: str | None = None,
    ats_user_id: str | None = None,
    write_back_notes: bool = False,
    by: str | None = None,
    source: str = "cli",
) -> CreatedIntegration:
    """Store an integration with its secrets encrypted, and an audit record of who did it (the
    secrets stay out of the record).

    The inbound secret verifies the ATS's deliveries: Greenhouse takes one we generate (paste it
    into the web hook's "Secret key"), Lever gives its signature token (required), the generic
    endpoint gets a fresh ``whsec_`` secret unless one is given. The outbound ``whsec_`` secret
    signs our callbacks.

    Args:
        by: the web admin's user id or the API key id that asked; None from the command line.
        source: ``cli``, ``api`` or ``web``, for the audit record.

    Raises:
        ValueError: an unknown provider, a Lever integration without its signature token, or an
            inbound generic secret that is not a ``whsec_`` secret.
    """
    chosen = Provider(provider)
    if inbound_secret is None:
        if chosen is Provider.LEVER:
            raise ValueError("a Lever integration needs the webhook's signature token")
        inbound_secret = (
            str(StandardWebhookSecret.generate())
            if chosen is Provider.GENERIC
            else secrets.token_hex(32)
        )
    elif chosen is Provider.GENERIC:
        StandardWebhookSecret.parse(inbound_secret)  # ValueError names the problem
    outbound_secret = str(StandardWebhookSecret.generate())
    row = Integration(
        id=uuid.uuid4().hex,
        name=name,
        provider=chosen.value,
        inbound_secret_enc=box.encrypt(inbound_secret),
        outbound_secret_enc=box.encrypt(outbound_secret),
        callback_url=callback_url,
        ats_api_key_enc=box.encrypt(ats_api_key) if ats_api_key else None,
        ats_base_url=ats_base_url,
        ats_user_id=ats_user_id,
        write_back_notes=write_back_notes,
    )
    session.add(row)
    session.flush()
    append_audit(
        session, event="integration-created", source=source, caller_key_id=by,
        details={"integration_id": row.id, "name": name, "provider": chosen.value,
                 "callback_url": callback_url, "write_back_notes": write_back_notes},
    )  # fmt: skip
    log.info("integration created", extra={"integration_id": row.id, "provider": chosen.value})
    return CreatedIntegration(row, inbound_secret, outbound_secret)


def list_integrations(session: Session) -> list[Integration]:
    return list(session.scalars(select(Integration).order_by(Integration.created_at)))


def get_integration(
    session: Session, *, integration_id: str, provider: Provider | None = None
) -> Integration:
    """Raises NotFound when there is no such integration (of ``provider``, if given)."""
    row = session.get(Integration, integration_id)
    if row is None or (provider is not None and row.provider != provider.value):
        kind = f"{provider.value} " if provider is not None else ""
        raise NotFound(f"no {kind}integration {integration_id!r}")
    return row


def set_job_mapping(
    session: Session,
    *,
    runtime: Runtime,
    integration_id: str,
    ats_job_id: str,
    role_id: str,
    market: str = "de",
    by: str | None = None,
    source: str = "api",
) -> JobMappingRow:
    """Map an ATS job to one of our roles (replacing an earlier mapping of that job).

    Raises:
        NotFound: no such integration. UnknownRole, UnknownMarket: with the valid choices.
    """
    role = runtime.pipeline.roles.get(role_id)
    return save_job_mapping(
        session, integration_id=integration_id, ats_job_id=ats_job_id, role_id=role.id,
        market=Market.parse(market), by=by, source=source,
    )  # fmt: skip


def save_job_mapping(
    session: Session,
    *,
    integration_id: str,
    ats_job_id: str,
    role_id: str,
    market: Market,
    by: str | None = None,
    source: str = "cli",
) -> JobMappingRow:
    """Store the mapping of an ATS job to a role the caller has checked exists, with an audit
    record: which role screens an ATS job's applicants is a decision about automated screening.

    Raises:
        NotFound: no such integration.
    """
    get_integration(session, integration_id=integration_id)
    row = session.get(JobMappingRow, (integration_id, ats_job_id))
    previous = None if row is None else {"role_id": row.role_id, "market": row.market}
    if row is None:
        row = JobMappingRow(integration_id=integration_id, ats_job_id=ats_job_id)
        session.add(row)
    row.role_id = role_id
    row.market = market.value
    session.flush()
    append_audit(
        session, event="job-mapped", source=source, caller_key_id=by, role_id=role_id,
        details={"integration_id": integration_id, "ats_job_id": ats_job_id,
                 "market": market.value, "previous": previous},
    )  # fmt: skip
    return row


def list_job_mappings(session: Session, *, integration_id: str) -> list[JobMappingRow]:
    get_integration(session, integration_id=integration_id)
    return list(
        session.scalars(
            select(JobMappingRow).where(JobMappingRow.integration_id == integration_id)
            .order_by(JobMappingRow.ats_job_id)
        )
    )  # fmt: skip


def list_events(
    session: Session,
    *,
    integration_id: str,
    status: EventStatus | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[WebhookEvent], int]:
    """The integration's events, newest first; returns (page, total)."""
    get_integration(session, integration_id=integration_id)
    where = [WebhookEvent.integration_id == integration_id]
    if status is not None:
        where.append(WebhookEvent.status == status.value)
    total = session.scalar(select(func.count()).select_from(WebhookEvent).where(*where)) or 0
    rows = session.scalars(
        select(WebhookEvent).where(*where)
        .order_by(WebhookEvent.received_at.desc(), WebhookEvent.id).offset(offset).limit(limit)
    )  # fmt: skip
    return list(rows), int(total)


def list_deliveries(
    session: Session, *, integration_id: str, offset: int = 0, limit: int = 50
) -> tuple[list[WebhookDelivery], int]:
    """The integration's callbacks and notes with every attempt, newest first."""
    get_integration(session, integration_id=integration_id)
    where = WebhookDelivery.integration_id == integration_id
    total = session.scalar(select(func.count()).select_from(WebhookDelivery).where(where)) or 0
    rows = session.scalars(
        select(WebhookDelivery).where(where)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id).offset(offset)
        .limit(limit)
    )  # fmt: skip
    return list(rows), int(total)


# --- receiving -------------------------------------------------------------------------------


class ReceiptStatus(StrEnum):
    ACCEPTED = "accepted"
    """Stored and queued for screening."""
    IGNORED = "ignored"
    """Authentic, stored as skipped (a ping, another event type)."""
    DUPLICATE = "duplicate"
    """This event id was stored before; nothing new is done."""


@dataclass(frozen=True, slots=True)
class Receipt:
    status: ReceiptStatus
    event_id: str
    id: str
    """Our ``webhook_events`` id."""


def receive_webhook(
    *,
    runtime: Runtime,
    provider: Provider,
    integration_id: str,
    body: bytes,
    headers: Mapping[str, str],
) -> Receipt:
    """Verify a delivery on its raw bytes, then parse and store it; no fetching, no screening.

    Raises:
        NotFound: no integration of this provider with this id.
        SignatureError (401), StaleTimestamp (401): not authentic or too old; nothing stored.
        DuplicateDelivery (409): a Lever token used before (stored nowhere again).
        PayloadError (400): authentic but malformed.
    """
    settings = runtime.settings
    with runtime.sessions() as session:
        integration = get_integration(session, integration_id=integration_id, provider=provider)
        secret = secret_box(settings).decrypt(integration.inbound_secret_enc)
    parsed: InboundApplication | IgnoredEvent
    if provider is Provider.GREENHOUSE:
        verify_greenhouse_signature(body, headers, secret=secret)
        parsed = parse_greenhouse(body, headers)
    elif provider is Provider.LEVER:
        envelope = verify_lever_webhook(
            body, signature_token=secret, replay_guard=DatabaseReplayGuard(runtime.sessions),
            window_s=settings.webhook_lever_window_s,
        )  # fmt: skip
        parsed = parse_lever(envelope)
    else:
        verified = verify_standard_webhook(body, headers, secret=secret)
        inline_limit = min(settings.documents.max_bytes, settings.webhook_body_max_bytes)
        parsed = parse_generic(body, event_id=verified.msg_id, max_inline_bytes=inline_limit)
    if len(parsed.event_id) > 200:
        raise PayloadError("the event id is longer than 200 characters")
    return _store_event(runtime, integration_id=integration_id, parsed=parsed)


def _store_event(
    runtime: Runtime, *, integration_id: str, parsed: InboundApplication | IgnoredEvent
) -> Receipt:
    if isinstance(parsed, IgnoredEvent):
        status, reason, application = EventStatus.SKIPPED, parsed.reason, None
    else:
        status, reason = EventStatus.RECEIVED, None
        application = json.loads(parsed.model_dump_json())
    event_id = parsed.event_id
    try:
        with runtime.transaction() as session:
            existing = session.scalar(
                select(WebhookEvent.id).where(
                    WebhookEvent.integration_id == integration_id,
                    WebhookEvent.event_id == event_id,
                )
            )
            if existing is not None:
                return Receipt(ReceiptStatus.DUPLICATE, event_id, existing)
            row = WebhookEvent(
                id=uuid.uuid4().hex, integration_id=integration_id, provider=parsed.provider.value,
                event_id=event_id, event_type=parsed.event_type[:100], status=status.value,
                attempts=0, reason=reason, application=application,
            )  # fmt: skip
            session.add(row)
            row_id = row.id
    except IntegrityError:
        # the same delivery arrived twice at once; the other request stored it
        with runtime.sessions() as session:
            stored = session.scalar(
                select(WebhookEvent.id).where(
                    WebhookEvent.integration_id == integration_id,
                    WebhookEvent.event_id == event_id,
                )
            )
        if stored is None:
            raise
        return Receipt(ReceiptStatus.DUPLICATE, event_id, stored)
    log.info(
        "webhook received",
        extra={"integration_id": integration_id, "event_id": event_id, "status": status.value},
    )
    if status is EventStatus.SKIPPED:
        return Receipt(ReceiptStatus.IGNORED, event_id, row_id)
    return Receipt(ReceiptStatus.ACCEPTED, event_id, row_id)


# --- processing events -----------------------------------------------------------------------


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class _Context:
    fetch_policy: FetchPolicy
    retry: RetryPolicy
    box: SecretBox
    deliveries_queued: Callable[[], None] = _nothing
    """Wakes the delivery threads."""


@dataclass(frozen=True)
class _IntegrationView:
    """What a worker needs of an integration, read inside the claim transaction."""

    id: str
    provider: Provider
    callback_url: str | None
    ats_api_key: str | None
    ats_base_url: str | None
    ats_user_id: str | None
    write_back_notes: bool
    mappings: tuple[JobMapping, ...]


def _integration_view(
    session: Session, integration: Integration, box: SecretBox
) -> _IntegrationView:
    mappings = session.scalars(
        select(JobMappingRow).where(JobMappingRow.integration_id == integration.id)
    )
    return _IntegrationView(
        id=integration.id,
        provider=Provider(integration.provider),
        callback_url=integration.callback_url,
        ats_api_key=box.decrypt(integration.ats_api_key_enc)
        if integration.ats_api_key_enc
        else None,
        ats_base_url=integration.ats_base_url,
        ats_user_id=integration.ats_user_id,
        write_back_notes=integration.write_back_notes,
        mappings=tuple(
            JobMapping(ats_job_id=m.ats_job_id, role_id=m.role_id, market=Market(m.market))
            for m in mappings
        ),
    )


def requeue_interrupted_events(session: Session) -> tuple[int, int]:
    """Events and deliveries a dead process left in hand go back to the queue (one process
    per database, as for batch items). Returns (events, deliveries)."""
    events = session.execute(
        update(WebhookEvent).where(WebhookEvent.status == EventStatus.PROCESSING.value)
        .values(status=EventStatus.RECEIVED.value)
    )  # fmt: skip
    deliveries = session.execute(
        update(WebhookDelivery).where(WebhookDelivery.outcome == _Outcome.SENDING.value)
        .values(outcome=_Outcome.PENDING.value)
    )  # fmt: skip
    return int(events.rowcount or 0), int(deliveries.rowcount or 0)  # type: ignore[attr-defined]


class _Superseded(Exception):
    """The event changed hands while it was screened; nothing is stored for this attempt."""


def process_next_event(*, runtime: Runtime, context: _Context) -> bool:
    """Claim one received event and take it to screened, skipped or failed; False when none
    waits. The screening, its audit record, the event's status and its queued deliveries commit
    in one transaction."""
    max_attempts = runtime.settings.webhook_max_attempts
    with runtime.transaction() as session:
        event = session.scalar(
            select(WebhookEvent).where(WebhookEvent.status == EventStatus.RECEIVED.value)
            .order_by(WebhookEvent.received_at, WebhookEvent.id).limit(1)
            .with_for_update(skip_locked=True)
        )  # fmt: skip
        if event is None:
            return False
        if event.attempts >= max_attempts:
            _finish(event, EventStatus.FAILED, error_kind="Abandoned",
                    reason=f"gave up after {event.attempts} attempts")  # fmt: skip
            return True
        event.status = EventStatus.PROCESSING.value
        event.attempts += 1
        row_id, attempts = event.id, event.attempts
        integration = session.get(Integration, event.integration_id)
        assert integration is not None and event.application is not None
        view = _integration_view(session, integration, context.box)
        application = InboundApplication.model_validate_json(json.dumps(event.application))

    def finish(status: EventStatus, **values: Any) -> None:
        with runtime.transaction() as session:
            event = session.get(WebhookEvent, row_id)
            if event is None or event.status != EventStatus.PROCESSING.value:
                return
            if event.attempts != attempts:
                return
            _finish(event, status, **values)

    lever = (
        LeverApi(view.ats_api_key, view.ats_base_url or runtime.settings.lever_api_url)
        if view.provider is Provider.LEVER and view.ats_api_key
        else None
    )
    try:
        if (
            lever is not None
            and not application.job_refs
            and isinstance(application.cv, CvLeverResume)
        ):
            postings = lever.posting_ids(application.cv.opportunity_id, policy=context.fetch_policy)
            application = application.model_copy(update={"job_refs": postings})
        resolution = resolve_job(application, view.mappings)
        if not resolution.mapped or resolution.role_id is None or application.cv is None:
            finish(EventStatus.SKIPPED, reason=resolution.reason or "skipped")
            return True
        fetched = obtain_cv(application.cv, policy=context.fetch_policy, lever=lever)
        filename = getattr(application.cv, "filename", None) or fetched.filename

        def mark_screened(session: Session, outcome: ScreeningOutcome) -> None:
            event = session.get(WebhookEvent, row_id)
            if event is None or event.status != EventStatus.PROCESSING.value:
                raise _Superseded
            if event.attempts != attempts:
                raise _Superseded
            _finish(
                event, EventStatus.SCREENED, candidate_id=outcome.candidate_id,
                screening_id=outcome.screening_id, role_id=resolution.role_id,
                market=resolution.market.value if resolution.market else None,
            )  # fmt: skip
            _queue_deliveries(session, event=event, view=view, application=application,
                              outcome=outcome, ats_job_id=resolution.ats_job_id)  # fmt: skip

        screen_upload(
            runtime=runtime, upload=Upload(filename, fetched.content),
            role_id=resolution.role_id,
            market=(resolution.market or Market.DE).value, caller_key_id=None,
            source="webhook", source_event_id=f"{view.provider.value}:{application.event_id}"[:200],
            on_stored=mark_screened,
        )  # fmt: skip
    except _Superseded:
        return True
    except _TRANSIENT_FETCH as exc:
        if attempts >= max_attempts:
            finish(EventStatus.FAILED, error_kind=exc.kind, reason=f"{exc.kind}: {exc}")
        else:
            finish(EventStatus.RECEIVED, error_kind=exc.kind, reason=f"{exc.kind}: {exc}")
        return True
    except FetchError as exc:
        finish(EventStatus.FAILED, error_kind=exc.kind, reason=f"{exc.kind}: {exc}")
        return True
    except DocumentError as exc:
        finish(EventStatus.FAILED, error_kind=exc.kind, reason=exc.message)
        return True
    except (UnknownRole, UnknownMarket) as exc:
        finish(EventStatus.FAILED, error_kind=type(exc).__name__, reason=str(exc))
        return True
    except ServiceError as exc:  # e.g. the CV is over the document size limit
        finish(EventStatus.FAILED, error_kind=exc.kind, reason=exc.message)
        return True
    except Exception as exc:  # noqa: BLE001 - one event's failure must not stop the worker
        log.exception("webhook event failed", extra={"webhook_event_id": row_id})
        reason = f"processing failed ({type(exc).__name__})"
        retry = attempts < max_attempts
        finish(EventStatus.RECEIVED if retry else EventStatus.FAILED,
               error_kind="InternalError", reason=reason)  # fmt: skip
        return True
    log.info("webhook event screened", extra={"webhook_event_id": row_id})
    context.deliveries_queued()
    return True


def _finish(event: WebhookEvent, status: EventStatus, **values: Any) -> None:
    event.status = status.value
    for name, value in values.items():
        setattr(event, name, value)


def callback_payload(
    *,
    integration_id: str,
    application: InboundApplication,
    outcome: ScreeningOutcome,
    ats_job_id: str | None,
    market: str,
) -> dict[str, Any]:
    """The body of our ``screening.completed`` callback (Standard Webhooks ``type``/``data``).

    A summary and tags only: nothing in it rejects or moves the candidate.
    """
    result = outcome.result
    red_flags = [
        {"code": flag["code"], "severity": flag["severity"], "note": flag["note"]}
        for flag in result["red_flags"]
    ]
    explanation = str(result.get("explanation", ""))
    excerpt = explanation[:_EXPLANATION_EXCERPT_CHARS]
    if len(explanation) > len(excerpt):
        excerpt = excerpt.rsplit(" ", 1)[0] + " …"
    tags = ["ai-screened", f"role:{result['role']['id']}"]
    tags += [f"red-flag:{flag['code']}" for flag in red_flags]
    return {
        "type": "screening.completed",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "data": {
            "integration_id": integration_id,
            "provider": application.provider.value,
            "event_id": application.event_id,
            "candidate_ref": application.candidate_ref,
            "application_ref": application.application_ref,
            "ats_job_id": ats_job_id,
            "candidate_id": outcome.candidate_id,
            "screening_id": outcome.screening_id,
            "role": result["role"],
            "market": market,
            "fit": result["fit"],
            "coverage": result["coverage"],
            "dimensions": {name: dim["score"] for name, dim in result["dimensions"].items()},
            "red_flags": red_flags,
            "explanation_excerpt": excerpt,
            "tags": tags,
            "notice": AI_NOTICE,
        },
    }


def _queue_deliveries(
    session: Session,
    *,
    event: WebhookEvent,
    view: _IntegrationView,
    application: InboundApplication,
    outcome: ScreeningOutcome,
    ats_job_id: str | None,
) -> None:
    callback_url = application.callback_url or view.callback_url
    if callback_url:
        session.add(
            WebhookDelivery(
                id=uuid.uuid4().hex, integration_id=view.id, webhook_event_id=event.id,
                kind="callback", msg_id=new_message_id(), url=callback_url[:2000],
                payload=callback_payload(
                    integration_id=view.id, application=application, outcome=outcome,
                    ats_job_id=ats_job_id, market=event.market or Market.DE.value,
                ),
                outcome=_Outcome.PENDING.value, attempts=[],
            )
        )  # fmt: skip
    note_target = _note_target(view, application)
    if view.write_back_notes and view.ats_api_key and note_target is not None:
        note = f"{outcome.result.get('explanation', '')}\n\n{AI_NOTICE}".strip()
        session.add(
            WebhookDelivery(
                id=uuid.uuid4().hex, integration_id=view.id, webhook_event_id=event.id,
                kind="note", msg_id=None, url=note_target, payload={"note": note},
                outcome=_Outcome.PENDING.value, attempts=[],
            )
        )  # fmt: skip


def _note_target(view: _IntegrationView, application: InboundApplication) -> str | None:
    """The ATS record a note goes to: a Greenhouse candidate id (with an acting user) or a
    Lever opportunity id; the request itself is built when it is sent."""
    if view.provider is Provider.GREENHOUSE and view.ats_user_id:
        return f"greenhouse:{application.candidate_ref}"
    if view.provider is Provider.LEVER and isinstance(application.cv, CvLeverResume):
        return f"lever:{application.cv.opportunity_id}"
    return None


# --- sending deliveries ----------------------------------------------------------------------


class _Stopping(Exception):
    """The service is shutting down during a retry wait; the delivery goes back to the queue."""


def send_next_delivery(
    *, runtime: Runtime, context: _Context, stopping: threading.Event | None = None
) -> bool:
    """Claim one pending callback or note and send it with retries; False when none waits.

    The wait between attempts ends early when ``stopping`` is set: the delivery is put back as
    pending (same ``webhook-id``) and sent again after a restart.
    """
    with runtime.transaction() as session:
        row = session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.outcome == _Outcome.PENDING.value)
            .order_by(WebhookDelivery.created_at, WebhookDelivery.id).limit(1)
            .with_for_update(skip_locked=True)
        )  # fmt: skip
        if row is None:
            return False
        row.outcome = _Outcome.SENDING.value
        integration = session.get(Integration, row.integration_id)
        assert integration is not None
        delivery_id, kind, url, msg_id = row.id, row.kind, row.url, row.msg_id
        payload = dict(row.payload or {})
        outbound = context.box.decrypt(integration.outbound_secret_enc)
        view = _integration_view(session, integration, context.box)

    def wait(seconds: float) -> None:
        if stopping is not None:
            if stopping.wait(seconds):
                raise _Stopping
        else:
            time.sleep(seconds)

    try:
        if kind == "callback":
            result = deliver_webhook(
                url, payload, secret=outbound, policy=context.fetch_policy, retry=context.retry,
                msg_id=msg_id, sleep=wait,
            )  # fmt: skip
        else:
            result = post_note(
                _note_request(view, url, str(payload.get("note", "")), runtime.settings),
                policy=context.fetch_policy, retry=context.retry, sleep=wait,
            )  # fmt: skip
    except _Stopping:
        with runtime.transaction() as session:
            session.execute(
                update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                .values(outcome=_Outcome.PENDING.value)
            )  # fmt: skip
        return False
    _store_result(runtime, delivery_id, result)
    return True


def _note_request(view: _IntegrationView, target: str, note: str, settings: Settings) -> Any:
    system, _, record = target.partition(":")
    assert view.ats_api_key is not None
    if system == "greenhouse":
        assert view.ats_user_id is not None
        return greenhouse_note_request(
            candidate_id=record, user_id=view.ats_user_id, note=note, api_key=view.ats_api_key,
            base_url=view.ats_base_url or settings.greenhouse_harvest_url,
        )  # fmt: skip
    return lever_note_request(
        opportunity_id=record, note=note, api_key=view.ats_api_key, perform_as=view.ats_user_id,
        base_url=view.ats_base_url or settings.lever_api_url,
    )  # fmt: skip


def _store_result(runtime: Runtime, delivery_id: str, result: DeliveryResult) -> None:
    with runtime.transaction() as session:
        row = session.get(WebhookDelivery, delivery_id)
        if row is None:
            return
        row.outcome = result.outcome.value
        row.reason = result.reason
        row.url = result.url or row.url
        row.attempts = [attempt.model_dump(mode="json") for attempt in result.attempts]
        row.finished_at = datetime.now(UTC).replace(tzinfo=None)
    log.info(
        "webhook delivery finished",
        extra={"delivery_id": delivery_id, "outcome": result.outcome.value,
               "attempts": len(result.attempts)},
    )  # fmt: skip


# --- the workers -----------------------------------------------------------------------------


class WebhookWorkers:
    """Event threads (fetch and screen) and delivery threads (callbacks and notes), started in
    the API lifespan next to the batch workers.

    Args:
        fetch_policy: default from the settings (:func:`fetch_policy_from`); tests pass one with
            their own resolver or TLS trust.
    """

    def __init__(self, *, runtime: Runtime, fetch_policy: FetchPolicy | None = None) -> None:
        settings = runtime.settings
        self._runtime = runtime
        self._context = _Context(
            fetch_policy=fetch_policy or fetch_policy_from(settings),
            retry=retry_policy_from(settings),
            box=secret_box(settings),
        )
        self._stopping = threading.Event()
        self._context = dataclasses.replace(
            self._context, deliveries_queued=lambda: self._deliveries.notify()
        )
        self._events = InProcessWorkers(
            work=lambda: process_next_event(runtime=runtime, context=self._context),
            workers=settings.webhook_workers, name="webhook",
        )  # fmt: skip
        self._deliveries = InProcessWorkers(
            work=lambda: send_next_delivery(
                runtime=runtime, context=self._context, stopping=self._stopping
            ),
            workers=settings.webhook_delivery_workers, name="delivery",
        )  # fmt: skip

    @classmethod
    def start(cls, runtime: Runtime, *, fetch_policy: FetchPolicy | None = None) -> WebhookWorkers:
        workers = cls(runtime=runtime, fetch_policy=fetch_policy)
        with runtime.transaction() as session:
            events, deliveries = requeue_interrupted_events(session)
        if events or deliveries:
            log.info("webhook work requeued", extra={"events": events, "deliveries": deliveries})
        workers._events.start()
        workers._deliveries.start()
        return workers

    def notify(self) -> None:
        """An event was stored; idle event threads look now."""
        self._events.notify()

    def stop(self) -> None:
        self._stopping.set()
        self._events.stop()
        self._deliveries.stop()
