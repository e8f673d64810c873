"""Typed inbound events: what the routes hand to the queue after a signature has passed.

Every provider's body becomes one :class:`InboundApplication` (or an :class:`IgnoredEvent` for
events we acknowledge and do nothing with), so the worker has one shape to process.

Generic body (``POST /v1/webhooks/generic``, signed with Standard Webhooks)
-------------------------------------------------------------------------
Any ATS without a dedicated adapter posts this JSON object; unknown fields are refused so that a
misspelt field name fails loudly instead of being ignored::

    {
      "candidate_ref": "cand-8812",              # required: the ATS's candidate/application id
      "job_ref": "job-42",                       # required: the ATS job id (looked up in the
                                                 #   integration's job mapping)
      "role": "ml-engineer",                     # optional: our role id; overrides the mapping
      "market": "de",                            # optional: de | tr | ae | us (or a country name)
      "cv": {"url": "https://ats.example/cv.pdf"},            # either a URL to download ...
      "cv": {"base64": "JVBERi0x...", "filename": "cv.pdf"},  # ... or the file inline
      "callback_url": "https://ats.example/hooks/screening"   # required: where the result goes
    }

The event id (idempotency key) is the ``webhook-id`` header. A complete example lies in
``tests/screener/webhooks/generic-webhook-example.json``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
)

from rubrics import Market, UnknownMarket
from screener.webhooks._signatures import LeverEnvelope, _json_object, get_header
from screener.webhooks.errors import PayloadError

__all__ = [
    "DEFAULT_MAX_INLINE_CV_BYTES",
    "CvInline",
    "CvLeverResume",
    "CvSource",
    "CvUrl",
    "IgnoredEvent",
    "InboundApplication",
    "Provider",
    "parse_generic",
    "parse_greenhouse",
    "parse_lever",
]

DEFAULT_MAX_INLINE_CV_BYTES = 10 * 1024 * 1024
_M = TypeVar("_M", bound=BaseModel)

GREENHOUSE_APPLICATION_EVENT = "new_candidate_application"
LEVER_APPLICATION_EVENT = "applicationCreated"


class Provider(StrEnum):
    """Where an inbound event came from."""

    GREENHOUSE = "greenhouse"
    LEVER = "lever"
    GENERIC = "generic"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL")
    return value


class CvUrl(_Frozen):
    """The CV is downloaded from a URL (through the SSRF-safe fetcher)."""

    kind: Literal["url"] = "url"
    url: str
    filename: str | None = None

    _check_url = field_validator("url")(_http_url)


class CvInline(_Frozen):
    """The CV came inside the request (base64 in JSON; stored as base64 when queued)."""

    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")

    kind: Literal["inline"] = "inline"
    content: bytes = Field(repr=False)
    filename: str


class CvLeverResume(_Frozen):
    """The CV is the opportunity's latest resume in the Lever API."""

    kind: Literal["lever_resume"] = "lever_resume"
    opportunity_id: str


CvSource = Annotated[CvUrl | CvInline | CvLeverResume, Field(discriminator="kind")]


class InboundApplication(_Frozen):
    """A candidate applied: what the worker needs to fetch, screen and report back.

    ``cv`` is None when the application carries no resume (acknowledged, recorded as skipped).
    ``job_refs`` is empty for Lever when the delivery names no posting (look it up with
    :func:`lever_posting_ids`). ``role_id``/``market`` are only set by the generic body.
    """

    provider: Provider
    event_id: str
    event_type: str
    candidate_ref: str
    application_ref: str | None = None
    job_refs: tuple[str, ...] = ()
    cv: CvSource | None = None
    callback_url: str | None = None
    role_id: str | None = None
    market: Market | None = None


class IgnoredEvent(_Frozen):
    """An authentic event we acknowledge (answer 200) but do not screen, e.g. a ping."""

    provider: Provider
    event_id: str
    event_type: str
    reason: str


# --- Greenhouse -----------------------------------------------------------------------------


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _GhAttachment(_Lenient):
    type: str
    url: str
    filename: str | None = None


class _GhCandidate(_Lenient):
    id: int | str
    attachments: list[_GhAttachment] = []


class _GhJob(_Lenient):
    id: int | str


class _GhApplication(_Lenient):
    id: int | str
    candidate: _GhCandidate
    jobs: list[_GhJob] = []


class _GhPayload(_Lenient):
    application: _GhApplication


class _GhBody(_Lenient):
    action: str
    payload: _GhPayload


def parse_greenhouse(body: bytes, headers: Mapping[str, str]) -> InboundApplication | IgnoredEvent:
    """Parse a verified Greenhouse delivery (call :func:`verify_greenhouse_signature` first).

    The event id is the ``Greenhouse-Event-ID`` header; without one, the sha256 of the body, so
    a re-sent identical body still deduplicates.

    Raises:
        PayloadError: not JSON, or a ``new_candidate_application`` lacking ids (message says which).
    """
    raw = _json_object(body, "Greenhouse")
    event_id = get_header(headers, "Greenhouse-Event-ID") or _body_id(body)
    action = raw.get("action")
    if not isinstance(action, str) or not action:
        raise PayloadError("Greenhouse body lacks 'action'")
    if action != GREENHOUSE_APPLICATION_EVENT:
        return IgnoredEvent(
            provider=Provider.GREENHOUSE,
            event_id=event_id,
            event_type=action,
            reason=f"only '{GREENHOUSE_APPLICATION_EVENT}' is screened",
        )
    parsed = _validate(_GhBody, raw, f"Greenhouse {action}")
    application = parsed.payload.application
    resume = next((a for a in application.candidate.attachments if a.type == "resume"), None)
    try:
        cv = CvUrl(url=resume.url, filename=resume.filename) if resume else None
    except ValidationError as exc:
        raise PayloadError(f"Greenhouse resume attachment: {_describe(exc)}") from exc
    return InboundApplication(
        provider=Provider.GREENHOUSE,
        event_id=event_id,
        event_type=action,
        candidate_ref=str(application.candidate.id),
        application_ref=str(application.id),
        job_refs=tuple(str(job.id) for job in application.jobs),
        cv=cv,
    )


# --- Lever ----------------------------------------------------------------------------------


class _LeverApplicationData(_Lenient):
    opportunityId: str
    applicationId: str | None = None
    contactId: str | None = None
    candidateId: str | None = None
    postingId: str | None = None


def parse_lever(envelope: LeverEnvelope) -> InboundApplication | IgnoredEvent:
    """Turn a verified Lever envelope (:func:`verify_lever_webhook`) into an application.

    The CV is not in the delivery: it is the opportunity's resume in the Lever API.

    Raises:
        PayloadError: an ``applicationCreated`` without ``data.opportunityId``.
    """
    event_id = envelope.delivery_id or envelope.token
    if envelope.event != LEVER_APPLICATION_EVENT:
        return IgnoredEvent(
            provider=Provider.LEVER,
            event_id=event_id,
            event_type=envelope.event,
            reason=f"only '{LEVER_APPLICATION_EVENT}' is screened",
        )
    data = _validate(_LeverApplicationData, envelope.data, "Lever applicationCreated data")
    return InboundApplication(
        provider=Provider.LEVER,
        event_id=event_id,
        event_type=envelope.event,
        candidate_ref=data.contactId or data.candidateId or data.opportunityId,
        application_ref=data.applicationId or data.opportunityId,
        job_refs=(data.postingId,) if data.postingId else (),
        cv=CvLeverResume(opportunity_id=data.opportunityId),
    )


# --- generic (Standard Webhooks) ------------------------------------------------------------


class _GenericCvUrl(_Frozen):
    url: str

    _check_url = field_validator("url")(_http_url)


class _GenericCvInline(_Frozen):
    base64: str = Field(min_length=1, repr=False)
    filename: str = Field(min_length=1, max_length=255)


def _cv_form(value: Any) -> str | None:
    keys = value.keys() if isinstance(value, dict) else vars(value).keys()
    if "url" in keys:
        return "url"
    if "base64" in keys:
        return "base64"
    return None


class _GenericBody(_Frozen):
    candidate_ref: str = Field(min_length=1, max_length=200)
    job_ref: str = Field(min_length=1, max_length=200)
    role: str | None = Field(None, min_length=1, max_length=100)
    market: str | None = None
    cv: Annotated[
        Annotated[_GenericCvUrl, Tag("url")] | Annotated[_GenericCvInline, Tag("base64")],
        Discriminator(
            _cv_form,
            custom_error_type="cv_form",
            custom_error_message="cv must be {'url': ...} or {'base64': ..., 'filename': ...}",
        ),
    ]
    callback_url: str

    _check_callback = field_validator("callback_url")(_http_url)


def parse_generic(
    body: bytes,
    *,
    event_id: str,
    max_inline_bytes: int = DEFAULT_MAX_INLINE_CV_BYTES,
) -> InboundApplication:
    """Parse the documented generic body (see the module docstring) of a verified delivery.

    Args:
        event_id: the verified ``webhook-id``.
        max_inline_bytes: largest decoded inline CV.

    Raises:
        PayloadError: not JSON, a missing/unknown field, a bad URL, bad base64, an unknown market.
    """
    raw = _json_object(body, "generic webhook")
    parsed = _validate(_GenericBody, raw, "generic webhook body")
    cv: CvSource
    if isinstance(parsed.cv, _GenericCvUrl):
        cv = CvUrl(url=parsed.cv.url)
    else:
        # A generous pre-check on the encoded length avoids decoding a huge string first.
        if len(parsed.cv.base64) > (max_inline_bytes * 4) // 3 + 4:
            raise PayloadError(f"cv.base64: file is larger than {max_inline_bytes} bytes")
        try:
            content = base64.b64decode(parsed.cv.base64, validate=True)
        except binascii.Error as exc:
            raise PayloadError(f"cv.base64: not valid base64 ({exc})") from exc
        if not content:
            raise PayloadError("cv.base64: the file is empty")
        if len(content) > max_inline_bytes:
            raise PayloadError(f"cv.base64: file is larger than {max_inline_bytes} bytes")
        cv = CvInline(content=content, filename=parsed.cv.filename)
    market: Market | None = None
    if parsed.market is not None:
        try:
            market = Market.parse(parsed.market)
        except UnknownMarket as exc:
            raise PayloadError(f"market: {exc}") from exc
    return InboundApplication(
        provider=Provider.GENERIC,
        event_id=event_id,
        event_type="application.created",
        candidate_ref=parsed.candidate_ref,
        job_refs=(parsed.job_ref,),
        cv=cv,
        callback_url=parsed.callback_url,
        role_id=parsed.role,
        market=market,
    )


# --- shared ---------------------------------------------------------------------------------


def _validate(model: type[_M], raw: Any, what: str) -> _M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise PayloadError(f"{what}: {_describe(exc)}") from exc


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in error["loc"]) or "body"
        problems.append(f"{location}: {error['msg']}")
    return "; ".join(problems)


def _body_id(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()
