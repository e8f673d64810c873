"""ATS webhooks: verify inbound deliveries, parse them into applications, fetch CVs safely,
and deliver signed results back.

A route stays thin — verify the raw bytes, parse, hand over:

    Greenhouse:  verify_greenhouse_signature(body, headers, secret=...)
                 app = parse_greenhouse(body, headers)
    Lever:       envelope = verify_lever_webhook(body, signature_token=..., replay_guard=...)
                 app = parse_lever(envelope)
    Generic:     verified = verify_standard_webhook(body, headers, secret=...)
                 app = parse_generic(body, event_id=verified.msg_id)

then persist ``app`` (deduplicated by ``(provider, app.event_id)``) and enqueue it; an
:class:`IgnoredEvent` is acknowledged and recorded. The worker calls :func:`resolve_job`,
:func:`obtain_cv`, screens, and sends the result with :func:`deliver_webhook`.
Errors: :mod:`screener.webhooks.errors`.
"""

from screener.webhooks._ats import (
    GREENHOUSE_HARVEST_URL,
    LEVER_API_URL,
    LeverApi,
    greenhouse_note_request,
    lever_note_request,
    obtain_cv,
    post_note,
)
from screener.webhooks._delivery import (
    DeliveryAttempt,
    DeliveryOutcome,
    DeliveryResult,
    OutboundRequest,
    RetryPolicy,
    deliver_request,
    deliver_webhook,
    encode_json,
    new_message_id,
    parse_retry_after,
)
from screener.webhooks._fetch import (
    DEFAULT_CV_CONTENT_TYPES,
    FetchedFile,
    FetchPolicy,
    HttpResponse,
    fetch_cv,
    http_request,
)
from screener.webhooks._mapping import JobMapping, JobResolution, ResolutionStatus, resolve_job
from screener.webhooks._payloads import (
    CvInline,
    CvLeverResume,
    CvSource,
    CvUrl,
    IgnoredEvent,
    InboundApplication,
    Provider,
    parse_generic,
    parse_greenhouse,
    parse_lever,
)
from screener.webhooks._replay import InMemoryReplayGuard, ReplayGuard
from screener.webhooks._signatures import (
    DEFAULT_LEVER_WINDOW_S,
    DEFAULT_TOLERANCE_S,
    LeverEnvelope,
    StandardWebhookSecret,
    VerifiedStandardWebhook,
    sign_standard_webhook,
    standard_webhook_headers,
    verify_greenhouse_signature,
    verify_lever_webhook,
    verify_standard_webhook,
)

__all__ = [
    "DEFAULT_CV_CONTENT_TYPES",
    "DEFAULT_LEVER_WINDOW_S",
    "DEFAULT_TOLERANCE_S",
    "GREENHOUSE_HARVEST_URL",
    "LEVER_API_URL",
    "CvInline",
    "CvLeverResume",
    "CvSource",
    "CvUrl",
    "DeliveryAttempt",
    "DeliveryOutcome",
    "DeliveryResult",
    "FetchPolicy",
    "FetchedFile",
    "HttpResponse",
    "IgnoredEvent",
    "InMemoryReplayGuard",
    "InboundApplication",
    "JobMapping",
    "JobResolution",
    "LeverApi",
    "LeverEnvelope",
    "OutboundRequest",
    "Provider",
    "ReplayGuard",
    "ResolutionStatus",
    "RetryPolicy",
    "StandardWebhookSecret",
    "VerifiedStandardWebhook",
    "deliver_request",
    "deliver_webhook",
    "encode_json",
    "fetch_cv",
    "greenhouse_note_request",
    "http_request",
    "lever_note_request",
    "new_message_id",
    "obtain_cv",
    "parse_generic",
    "parse_greenhouse",
    "parse_lever",
    "parse_retry_after",
    "post_note",
    "resolve_job",
    "sign_standard_webhook",
    "standard_webhook_headers",
    "verify_greenhouse_signature",
    "verify_lever_webhook",
    "verify_standard_webhook",
]
