"""Outbound requests with retries: our signed screening callbacks and ATS write-back notes.

Callbacks follow Standard Webhooks: one ``webhook-id`` for all attempts of a message, a fresh
``webhook-timestamp`` and signature per attempt (receivers refuse timestamps older than 5 min).
Retries: network errors, 408, 429 and 5xx, with exponential backoff and jitter, or exactly the
server's ``Retry-After`` (seconds or HTTP-date) when it sends one; stop at the first 2xx, at any
other status (410 means the endpoint is gone), or when the next attempt would fall past the
horizon. The clock, sleep and random generator are injectable so tests run in milliseconds.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from screener.webhooks._fetch import FetchPolicy, http_request
from screener.webhooks._signatures import StandardWebhookSecret, standard_webhook_headers
from screener.webhooks.errors import FetchError, UnsafeUrl

__all__ = [
    "DeliveryAttempt",
    "DeliveryOutcome",
    "DeliveryResult",
    "OutboundRequest",
    "RetryPolicy",
    "deliver_request",
    "deliver_webhook",
    "encode_json",
    "new_message_id",
    "parse_retry_after",
]

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class RetryPolicy(BaseModel):
    """When to try again, and when to stop.

    The n-th retry waits ``min(max_delay_s, base_delay_s * multiplier**(n-1))`` scaled by a
    uniform factor in ``[1 - jitter, 1]``, unless the server sent ``Retry-After``.
    """

    model_config = ConfigDict(frozen=True)

    horizon_s: float = Field(24 * 3600.0, gt=0, description="No attempt starts later than this.")
    base_delay_s: float = Field(5.0, gt=0)
    multiplier: float = Field(2.0, ge=1)
    max_delay_s: float = Field(3600.0, gt=0)
    jitter: float = Field(0.5, ge=0, le=1)
    max_attempts: int | None = Field(None, ge=1)

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """Delay before retry ``retry_number`` (1 = the first retry), without Retry-After."""
        ceiling = min(self.max_delay_s, self.base_delay_s * self.multiplier ** (retry_number - 1))
        return ceiling * (1 - self.jitter * rng.random())


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    """Refused in a way retrying cannot fix (4xx, 410 gone, unsafe URL)."""
    GAVE_UP = "gave_up"
    """Still failing when the horizon (or attempt limit) was reached."""


class DeliveryAttempt(BaseModel):
    """One try; times are epoch seconds from the injected clock."""

    model_config = ConfigDict(frozen=True)

    number: int
    started_at: float
    duration_s: float
    status_code: int | None = None
    error: str | None = None
    retry_after_s: float | None = None
    next_delay_s: float | None = None
    """Wait before the next attempt; None on the last one."""


class DeliveryResult(BaseModel):
    """Everything the API stores and shows for one message (``model_dump(mode="json")``)."""

    model_config = ConfigDict(frozen=True)

    msg_id: str | None
    """The ``webhook-id`` of a callback; None for a write-back note."""
    url: str
    outcome: DeliveryOutcome
    reason: str | None = None
    attempts: tuple[DeliveryAttempt, ...]

    @property
    def delivered(self) -> bool:
        return self.outcome is DeliveryOutcome.DELIVERED


class OutboundRequest(BaseModel):
    """A request ready to send; built by the callback signer or the note builders."""

    model_config = ConfigDict(frozen=True)

    method: str = "POST"
    url: str
    headers: dict[str, str] = {}
    body: bytes = Field(b"", repr=False)


def new_message_id() -> str:
    """A fresh ``webhook-id`` (``msg_`` + 128 random bits)."""
    return "msg_" + secrets.token_urlsafe(16)


def encode_json(payload: Mapping[str, Any] | BaseModel) -> bytes:
    """The exact bytes sent (and signed) for a JSON payload."""
    if isinstance(payload, BaseModel):
        return payload.model_dump_json().encode("utf-8")
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP-date); None if absent
    or unreadable. A date in the past gives 0."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def deliver_webhook(
    url: str,
    payload: Mapping[str, Any] | BaseModel,
    *,
    secret: str | StandardWebhookSecret,
    policy: FetchPolicy,
    retry: RetryPolicy,
    msg_id: str | None = None,
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    rng: random.Random | None = None,
) -> DeliveryResult:
    """POST ``payload`` as JSON to ``url``, signed with Standard Webhooks, retrying per ``retry``.

    Args:
        secret: the integration's outbound ``whsec_`` secret.
        policy: SSRF and timeout rules for each attempt (the callback URL is untrusted too).
        msg_id: the ``webhook-id``; keep it when re-queuing the same message so receivers dedupe.
        clock, sleep, rng: injectable for tests.
    """
    body = encode_json(payload)
    message_id = msg_id or new_message_id()
    signing_key = StandardWebhookSecret.parse(secret)

    def build(now: float) -> OutboundRequest:
        headers = {"Content-Type": "application/json"}
        headers.update(
            standard_webhook_headers(
                secret=signing_key, msg_id=message_id, timestamp=int(now), body=body
            )
        )
        return OutboundRequest(method="POST", url=url, headers=headers, body=body)

    return deliver_request(
        build, msg_id=message_id, policy=policy, retry=retry, clock=clock, sleep=sleep, rng=rng
    )


def deliver_request(
    build: OutboundRequest | Callable[[float], OutboundRequest],
    *,
    policy: FetchPolicy,
    retry: RetryPolicy,
    msg_id: str | None = None,
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    rng: random.Random | None = None,
) -> DeliveryResult:
    """Send a request until it succeeds, is refused for good, or the horizon is reached.

    Args:
        build: the request, or a function of the attempt's clock time that builds it (for
            per-attempt signatures).

    Returns:
        The outcome and every attempt. Never raises for a failed delivery.
    """
    random_source = rng if rng is not None else random.Random()
    first_start = clock()
    attempts: list[DeliveryAttempt] = []
    url = ""
    while True:
        number = len(attempts) + 1
        started = clock()
        request = build(started) if callable(build) else build
        url = request.url
        status: int | None = None
        error: str | None = None
        retry_after: float | None = None
        retryable = False
        try:
            response = http_request(
                request.method,
                request.url,
                policy=policy,
                headers=request.headers,
                body=request.body,
                max_response_bytes=4096,
            )
        except UnsafeUrl as exc:
            error = f"{exc.kind}: {exc}"
        except FetchError as exc:
            error = f"{exc.kind}: {exc}"
            retryable = True
        else:
            status = response.status
            retryable = status in (408, 429) or status >= 500
            if retryable:
                retry_after = parse_retry_after(response.headers.get("retry-after"), now=clock())
        duration = max(0.0, clock() - started)

        outcome: DeliveryOutcome | None = None
        reason: str | None = None
        delay: float | None = None
        if status is not None and 200 <= status < 300:
            outcome = DeliveryOutcome.DELIVERED
        elif not retryable:
            outcome = DeliveryOutcome.FAILED
            reason = error or (
                "endpoint gone (HTTP 410)" if status == 410 else f"HTTP {status}, not retried"
            )
        elif retry.max_attempts is not None and number >= retry.max_attempts:
            outcome, reason = DeliveryOutcome.GAVE_UP, f"{number} attempts, last: {error or status}"
        else:
            delay = retry_after if retry_after is not None else retry.backoff(number, random_source)
            if clock() + delay - first_start > retry.horizon_s:
                outcome = DeliveryOutcome.GAVE_UP
                reason = (
                    f"next attempt would start past the {retry.horizon_s:g} s horizon"
                    f" (after {number} attempts, last: {error or f'HTTP {status}'})"
                )
                delay = None
        attempts.append(
            DeliveryAttempt(
                number=number,
                started_at=started,
                duration_s=duration,
                status_code=status,
                error=error,
                retry_after_s=retry_after,
                next_delay_s=delay,
            )
        )
        if outcome is not None:
            return DeliveryResult(
                msg_id=msg_id, url=url, outcome=outcome, reason=reason, attempts=tuple(attempts)
            )
        assert delay is not None
        sleep(delay)
