"""Errors of the ATS webhook domain: inbound verification and parsing, CV fetching, callbacks.

Every failure is one of these; third-party and stdlib exceptions (``OSError``, ``ssl``,
``http.client``, ``json``, pydantic) are translated where they are raised
(``raise FetchTimeout(...) from exc``). The API maps them to RFC 9457 problem+json in one handler;
the suggested status is on each class as ``http_status``.

    ScreenerError (screener.errors)
    └── WebhookError
        ├── SignatureError            the request is not authentic → 401; store nothing
        │   ├── MissingSignature      no signature header / field, or missing webhook-id/-timestamp
        │   └── BadSignature          present but malformed or not matching any secret
        ├── ReplayError               authentic but must not be acted on again → 401/409
        │   ├── StaleTimestamp        signed timestamp outside the tolerance window (401)
        │   └── DuplicateDelivery     token / id already seen (409, or 200 if treated as idempotent)
        ├── PayloadError              authentic but the body is malformed or incomplete → 400
        ├── FetchError                the CV could not be downloaded (worker-side, per event)
        │   ├── UnsafeUrl             scheme, host or resolved address refused (SSRF guard)
        │   ├── FetchTooLarge         body (or Content-Length) above the byte limit
        │   ├── FetchTimeout          the total time budget ran out
        │   └── BadContentType        content type outside the allow-list
        └── DeliveryError             an outbound request (callback, ATS note) was refused
"""

from __future__ import annotations

from screener.errors import ScreenerError

__all__ = [
    "BadContentType",
    "BadSignature",
    "DeliveryError",
    "DuplicateDelivery",
    "FetchError",
    "FetchTimeout",
    "FetchTooLarge",
    "MissingSignature",
    "PayloadError",
    "ReplayError",
    "SignatureError",
    "StaleTimestamp",
    "UnsafeUrl",
    "WebhookError",
]


class WebhookError(ScreenerError):
    """Base of every error of the webhook domain."""

    http_status: int = 500

    @property
    def kind(self) -> str:
        """Stable machine-readable name of the error class, e.g. ``BadSignature``."""
        return type(self).__name__


class SignatureError(WebhookError):
    """The request could not be shown to come from the configured sender."""

    http_status = 401


class MissingSignature(SignatureError):
    """No signature (or a required signed header) was sent."""


class BadSignature(SignatureError):
    """A signature was sent but is malformed or matches no configured secret."""


class ReplayError(WebhookError):
    """An authentic delivery that must not be processed (again)."""

    http_status = 409


class StaleTimestamp(ReplayError):
    """The signed timestamp is further from now than the tolerance allows."""

    http_status = 401


class DuplicateDelivery(ReplayError):
    """The delivery's token or id was seen before."""


class PayloadError(WebhookError):
    """The (authentic) body is not valid JSON or lacks what we need; the message says what."""

    http_status = 400


class FetchError(WebhookError):
    """The CV could not be downloaded."""

    http_status = 502


class UnsafeUrl(FetchError):
    """The URL's scheme, host or resolved address is not allowed by the fetch policy."""

    http_status = 400


class FetchTooLarge(FetchError):
    """The response body is larger than the policy allows."""


class FetchTimeout(FetchError):
    """The total time budget of the download ran out."""

    http_status = 504


class BadContentType(FetchError):
    """The response's content type is not one the document stage reads."""


class DeliveryError(WebhookError):
    """An outbound request (signed callback or ATS write-back) was not accepted."""

    http_status = 502
