"""Signature schemes of inbound and outbound webhooks, checked on the raw request bytes.

- Greenhouse: header ``Signature: sha256 <hex>`` = HMAC-SHA256(secret, raw body). No timestamp:
  deduplicate by the ``Greenhouse-Event-ID`` header instead.
- Lever: the signature is inside the JSON body: hex HMAC-SHA256(signature token,
  ``token + triggeredAt``). The body has to be parsed to find it, but nothing else is read before
  the signature, the timestamp window and the replay guard have passed.
- Standard Webhooks (generic inbound and our outbound callbacks): headers ``webhook-id``,
  ``webhook-timestamp``, ``webhook-signature: v1,<base64> [v1,<base64> ...]`` over
  ``{id}.{timestamp}.{body}`` keyed with the base64 part of a ``whsec_`` secret.

All comparisons are constant-time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from screener.webhooks._replay import ReplayGuard
from screener.webhooks.errors import (
    BadSignature,
    DuplicateDelivery,
    MissingSignature,
    PayloadError,
    StaleTimestamp,
)

__all__ = [
    "DEFAULT_LEVER_WINDOW_S",
    "DEFAULT_TOLERANCE_S",
    "LeverEnvelope",
    "StandardWebhookSecret",
    "VerifiedStandardWebhook",
    "get_header",
    "sign_standard_webhook",
    "standard_webhook_headers",
    "verify_greenhouse_signature",
    "verify_lever_webhook",
    "verify_standard_webhook",
]

DEFAULT_TOLERANCE_S = 5 * 60
"""Standard Webhooks: largest |now - webhook-timestamp| accepted (the reference libraries')."""

DEFAULT_LEVER_WINDOW_S = 15 * 60
"""Lever: largest |now - triggeredAt| accepted. Lever gives no figure; its retries re-send the same
token, which the replay guard refuses anyway, so the window only needs to cover clock skew and
queueing on Lever's side."""

_SECRET_PREFIX = "whsec_"
_SECRET_MIN_BYTES = 24
_SECRET_MAX_BYTES = 64


def get_header(headers: Mapping[str, str], name: str) -> str | None:
    """Header value by case-insensitive name (plain dicts and Starlette ``Headers`` alike)."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if key.lower() == wanted:
            return candidate
    return None


# --- Greenhouse -----------------------------------------------------------------------------


def verify_greenhouse_signature(
    body: bytes, headers: Mapping[str, str], *, secret: str | bytes
) -> None:
    """Check ``Signature: sha256 <hex>`` against HMAC-SHA256(secret, raw body).

    Raises:
        MissingSignature: no ``Signature`` header.
        BadSignature: the header is malformed or the digest does not match.
    """
    header = get_header(headers, "Signature")
    if header is None or not header.strip():
        raise MissingSignature("missing 'Signature' header (expected 'sha256 <hex digest>')")
    algorithm, _, digest = header.strip().partition(" ")
    if algorithm.lower() != "sha256" or not digest.strip():
        raise BadSignature("malformed 'Signature' header (expected 'sha256 <hex digest>')")
    expected = hmac.new(_as_bytes(secret), body, hashlib.sha256).hexdigest()
    if not _digest_equal(expected, digest.strip().lower()):
        raise BadSignature("Greenhouse signature does not match the body")


# --- Lever ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeverEnvelope:
    """A Lever delivery whose signature, timestamp and token have been checked."""

    event: str
    triggered_at_ms: int
    token: str
    data: dict[str, Any]
    delivery_id: str | None = None


def verify_lever_webhook(
    body: bytes,
    *,
    signature_token: str | bytes,
    replay_guard: ReplayGuard,
    window_s: float = DEFAULT_LEVER_WINDOW_S,
    now: float | None = None,
) -> LeverEnvelope:
    """Verify a Lever delivery: signature in the body, ``triggeredAt`` window, one use per token.

    The token is claimed in ``replay_guard`` only after the signature matched, so forged requests
    cannot burn real tokens.

    Raises:
        PayloadError: the body is not a JSON object.
        MissingSignature: ``signature``, ``token`` or ``triggeredAt`` is absent.
        BadSignature: the signature is malformed or does not match.
        StaleTimestamp: ``triggeredAt`` is more than ``window_s`` from now.
        DuplicateDelivery: the token was used before.
    """
    envelope = _json_object(body, "Lever")
    missing = [
        name for name in ("signature", "token", "triggeredAt") if envelope.get(name) in (None, "")
    ]
    if missing:
        raise MissingSignature(f"Lever body lacks {', '.join(missing)}")
    signature, token, triggered = envelope["signature"], envelope["token"], envelope["triggeredAt"]
    if not isinstance(signature, str) or not isinstance(token, str):
        raise BadSignature("Lever 'signature' and 'token' must be strings")
    triggered_ms = _integer_ms(triggered)
    expected = hmac.new(
        _as_bytes(signature_token), f"{token}{triggered}".encode(), hashlib.sha256
    ).hexdigest()
    if not _digest_equal(expected, signature.strip().lower()):
        raise BadSignature("Lever signature does not match token + triggeredAt")

    current = time.time() if now is None else now
    triggered_s = triggered_ms / 1000
    if abs(current - triggered_s) > window_s:
        raise StaleTimestamp(
            f"Lever triggeredAt is {current - triggered_s:.0f} s from now (window {window_s:.0f} s)"
        )
    # Keep the token until the window has passed for it; after that the timestamp refuses it.
    if not replay_guard.claim(f"lever:{token}", expires_at=triggered_s + window_s):
        raise DuplicateDelivery("Lever token already used (replayed or retried delivery)")

    event = envelope.get("event")
    data = envelope.get("data")
    if not isinstance(event, str) or not event:
        raise PayloadError("Lever body lacks 'event'")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PayloadError("Lever 'data' must be a JSON object")
    delivery_id = envelope.get("id")
    return LeverEnvelope(
        event=event,
        triggered_at_ms=triggered_ms,
        token=token,
        data=data,
        delivery_id=str(delivery_id) if delivery_id not in (None, "") else None,
    )


def _integer_ms(value: Any) -> int:
    if isinstance(value, bool):
        raise BadSignature("Lever 'triggeredAt' must be an integer of milliseconds")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise BadSignature("Lever 'triggeredAt' must be an integer of milliseconds")


# --- Standard Webhooks ----------------------------------------------------------------------


@dataclass(frozen=True)
class StandardWebhookSecret:
    """The HMAC key of a ``whsec_<base64>`` secret; ``str()`` gives the ``whsec_`` form back."""

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not _SECRET_MIN_BYTES <= len(self.key) <= _SECRET_MAX_BYTES:
            raise ValueError(
                f"Standard Webhooks secret must be {_SECRET_MIN_BYTES}-{_SECRET_MAX_BYTES} bytes,"
                f" got {len(self.key)}"
            )

    @classmethod
    def parse(cls, secret: str | StandardWebhookSecret) -> StandardWebhookSecret:
        """From ``whsec_<base64>`` (the prefix is optional).

        Raises:
            ValueError: not base64, or the key length is outside 24-64 bytes.
        """
        if isinstance(secret, StandardWebhookSecret):
            return secret
        encoded = secret.strip().removeprefix(_SECRET_PREFIX)
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ValueError("Standard Webhooks secret is not valid base64") from exc
        return cls(key)

    @classmethod
    def generate(cls, n_bytes: int = 32) -> StandardWebhookSecret:
        """A fresh random secret (for a new integration's outbound callbacks)."""
        return cls(secrets.token_bytes(n_bytes))

    def __str__(self) -> str:
        return _SECRET_PREFIX + base64.b64encode(self.key).decode("ascii")


@dataclass(frozen=True)
class VerifiedStandardWebhook:
    """The signed headers of a verified delivery; ``msg_id`` is the idempotency key."""

    msg_id: str
    timestamp: int


def sign_standard_webhook(
    *, secret: str | StandardWebhookSecret, msg_id: str, timestamp: int, body: bytes
) -> str:
    """The ``v1,<base64>`` signature of ``{msg_id}.{timestamp}.{body}``."""
    key = StandardWebhookSecret.parse(secret).key
    digest = hmac.new(key, _signed_content(msg_id, timestamp, body), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def standard_webhook_headers(
    *, secret: str | StandardWebhookSecret, msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers for one outbound request."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_standard_webhook(
            secret=secret, msg_id=msg_id, timestamp=timestamp, body=body
        ),
    }


def verify_standard_webhook(
    body: bytes,
    headers: Mapping[str, str],
    *,
    secret: str | StandardWebhookSecret,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> VerifiedStandardWebhook:
    """Verify a Standard Webhooks delivery; any one matching ``v1`` signature is enough.

    Raises:
        MissingSignature: ``webhook-id``, ``webhook-timestamp`` or ``webhook-signature`` absent.
        BadSignature: malformed timestamp, or no ``v1`` signature matches.
        StaleTimestamp: the timestamp is more than ``tolerance_s`` from now (either side).
    """
    values = {
        name: get_header(headers, name)
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    }
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise MissingSignature(f"missing header(s): {', '.join(missing)}")
    msg_id = str(values["webhook-id"])
    raw_timestamp = str(values["webhook-timestamp"]).strip()
    if not raw_timestamp.isdigit():
        raise BadSignature("'webhook-timestamp' must be integer unix seconds")
    timestamp = int(raw_timestamp)

    expected = sign_standard_webhook(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)
    expected_digest = expected.partition(",")[2]
    offered = [
        candidate.partition(",")[2]
        for candidate in str(values["webhook-signature"]).split()
        if candidate.partition(",")[0] == "v1"
    ]
    # Compare against every offered signature (no early exit) so timing says nothing.
    matched = False
    for digest in offered:
        matched |= _digest_equal(expected_digest, digest)
    if not matched:
        raise BadSignature(
            "no v1 signature in 'webhook-signature' matches"
            if offered
            else "'webhook-signature' has no 'v1,<base64>' entry"
        )

    current = time.time() if now is None else now
    if not math.isfinite(current) or abs(current - timestamp) > tolerance_s:
        raise StaleTimestamp(
            f"webhook-timestamp is {current - timestamp:.0f} s from now"
            f" (tolerance {tolerance_s:.0f} s)"
        )
    return VerifiedStandardWebhook(msg_id=msg_id, timestamp=timestamp)


def _signed_content(msg_id: str, timestamp: int, body: bytes) -> bytes:
    return f"{msg_id}.{timestamp}.".encode() + body


# --- shared ---------------------------------------------------------------------------------


def _digest_equal(expected: str, offered: str) -> bool:
    # Bytes, not str: compare_digest refuses non-ASCII str, and the offered value is untrusted.
    return hmac.compare_digest(expected.encode("ascii"), offered.encode("utf-8", "replace"))


def _as_bytes(secret: str | bytes) -> bytes:
    if not secret:
        raise ValueError("an empty webhook secret verifies nothing; configure one")
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _json_object(body: bytes, provider: str) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"{provider} body is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise PayloadError(f"{provider} body must be a JSON object, got {type(parsed).__name__}")
    return parsed
