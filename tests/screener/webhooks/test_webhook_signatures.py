"""Signature checks on raw bytes: spec test vectors, Greenhouse, Lever replay, Standard Webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from screener.webhooks import (
    InMemoryReplayGuard,
    StandardWebhookSecret,
    parse_greenhouse,
    sign_standard_webhook,
    standard_webhook_headers,
    verify_greenhouse_signature,
    verify_lever_webhook,
    verify_standard_webhook,
)
from screener.webhooks.errors import (
    BadSignature,
    DuplicateDelivery,
    MissingSignature,
    PayloadError,
    SignatureError,
    StaleTimestamp,
)

from .conftest import PAYLOADS

# Verbatim from ../shared/specs/signature-test-vectors.md (Standard Webhooks v1).
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SW_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SW_TIMESTAMP = 1674087231
SW_BODY = b'{"test": 2432232314}'
SW_SIGNATURE = "v1,AQG81rX2n4rTN1fkXoqILSHO9gAOcwya9dP41rhrQDI="

GREENHOUSE_SECRET = "greenhouse-test-secret"
LEVER_TOKEN = "lever-signature-token"


def _sw_headers(signature: str = SW_SIGNATURE) -> dict[str, str]:
    return {
        "webhook-id": SW_ID,
        "webhook-timestamp": str(SW_TIMESTAMP),
        "webhook-signature": signature,
    }


# --- Standard Webhooks -------------------------------------------------------------------


def test_sign_standard_webhook_matches_spec_vector() -> None:
    signature = sign_standard_webhook(
        secret=SW_SECRET, msg_id=SW_ID, timestamp=SW_TIMESTAMP, body=SW_BODY
    )
    assert signature == SW_SIGNATURE


def test_verify_standard_webhook_accepts_spec_vector_at_its_time() -> None:
    verified = verify_standard_webhook(
        SW_BODY, _sw_headers(), secret=SW_SECRET, now=SW_TIMESTAMP + 299
    )
    assert (verified.msg_id, verified.timestamp) == (SW_ID, SW_TIMESTAMP)


def test_verify_standard_webhook_accepts_any_matching_signature_of_several() -> None:
    rotated = f"v1,{'A' * 43}= v1a,ed25519sig {SW_SIGNATURE}"
    verified = verify_standard_webhook(
        SW_BODY, _sw_headers(rotated), secret=SW_SECRET, now=SW_TIMESTAMP
    )
    assert verified.msg_id == SW_ID


def test_verify_standard_webhook_header_names_are_case_insensitive() -> None:
    headers = {name.title(): value for name, value in _sw_headers().items()}
    assert verify_standard_webhook(SW_BODY, headers, secret=SW_SECRET, now=SW_TIMESTAMP)


@pytest.mark.parametrize("offset", [301, -301])
def test_verify_standard_webhook_rejects_timestamp_outside_five_minutes(offset: int) -> None:
    with pytest.raises(StaleTimestamp):
        verify_standard_webhook(SW_BODY, _sw_headers(), secret=SW_SECRET, now=SW_TIMESTAMP + offset)


def test_verify_standard_webhook_rejects_changed_body() -> None:
    with pytest.raises(BadSignature, match="no v1 signature"):
        verify_standard_webhook(
            b'{"test": 2432232315}', _sw_headers(), secret=SW_SECRET, now=SW_TIMESTAMP
        )


def test_verify_standard_webhook_rejects_other_secret() -> None:
    other = str(StandardWebhookSecret.generate())
    with pytest.raises(BadSignature):
        verify_standard_webhook(SW_BODY, _sw_headers(), secret=other, now=SW_TIMESTAMP)


def test_verify_standard_webhook_rejects_header_without_v1_entry() -> None:
    with pytest.raises(BadSignature, match="no 'v1,<base64>'"):
        verify_standard_webhook(
            SW_BODY, _sw_headers("v1a,abc v2,xyz"), secret=SW_SECRET, now=SW_TIMESTAMP
        )


def test_verify_standard_webhook_rejects_non_ascii_signature_without_crashing() -> None:
    with pytest.raises(BadSignature):
        verify_standard_webhook(
            SW_BODY, _sw_headers("v1,ümlaut"), secret=SW_SECRET, now=SW_TIMESTAMP
        )


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_verify_standard_webhook_missing_header_is_missing_signature(missing: str) -> None:
    headers = _sw_headers()
    del headers[missing]
    with pytest.raises(MissingSignature, match=missing):
        verify_standard_webhook(SW_BODY, headers, secret=SW_SECRET, now=SW_TIMESTAMP)


def test_verify_standard_webhook_with_real_clock_accepts_fresh_signature() -> None:
    secret = StandardWebhookSecret.generate()
    headers = standard_webhook_headers(
        secret=secret, msg_id="msg_1", timestamp=int(time.time()), body=b"{}"
    )
    assert verify_standard_webhook(b"{}", headers, secret=str(secret)).msg_id == "msg_1"


def test_standard_webhook_secret_round_trips_and_refuses_bad_values() -> None:
    secret = StandardWebhookSecret.generate()
    assert str(secret).startswith("whsec_")
    assert StandardWebhookSecret.parse(str(secret)) == secret
    assert secret.key.hex() not in repr(secret)
    with pytest.raises(ValueError, match="base64"):
        StandardWebhookSecret.parse("whsec_not base64!")
    with pytest.raises(ValueError, match="24-64 bytes"):
        StandardWebhookSecret.parse("whsec_c2hvcnQ=")


# --- Greenhouse ----------------------------------------------------------------------------


def _greenhouse_signature(body: bytes, secret: str = GREENHOUSE_SECRET) -> str:
    return "sha256 " + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_verbatim_greenhouse_example_is_accepted_when_signed() -> None:
    body = (PAYLOADS / "greenhouse-new_candidate_application.json").read_bytes()
    headers = {"Signature": _greenhouse_signature(body), "Greenhouse-Event-ID": "evt-1"}
    verify_greenhouse_signature(body, headers, secret=GREENHOUSE_SECRET)
    application = parse_greenhouse(body, headers)
    assert application.event_id == "evt-1"


def test_greenhouse_signature_is_checked_on_raw_bytes_not_reparsed_json() -> None:
    body = (PAYLOADS / "greenhouse-new_candidate_application.json").read_bytes()
    signature = _greenhouse_signature(body)
    reserialised = json.dumps(json.loads(body)).encode()  # same JSON, other bytes
    with pytest.raises(BadSignature):
        verify_greenhouse_signature(
            reserialised, {"Signature": signature}, secret=GREENHOUSE_SECRET
        )


def test_greenhouse_signature_accepts_upper_case_hex_and_lower_case_header() -> None:
    body = b'{"action":"ping"}'
    signature = "SHA256 " + hmac.new(GREENHOUSE_SECRET.encode(), body, "sha256").hexdigest().upper()
    verify_greenhouse_signature(body, {"signature": signature}, secret=GREENHOUSE_SECRET)


@pytest.mark.parametrize(
    ("header", "error"),
    [
        (None, MissingSignature),
        ("", MissingSignature),
        ("sha256", BadSignature),
        ("sha1 " + "0" * 40, BadSignature),
        ("sha256 " + "0" * 64, BadSignature),
        ("sha256 ünïcode", BadSignature),
    ],
)
def test_greenhouse_signature_rejects_missing_or_wrong_header(
    header: str | None, error: type[SignatureError]
) -> None:
    headers = {} if header is None else {"Signature": header}
    with pytest.raises(error):
        verify_greenhouse_signature(b'{"action":"ping"}', headers, secret=GREENHOUSE_SECRET)


def test_greenhouse_signature_with_other_secret_is_rejected() -> None:
    body = b'{"action":"ping"}'
    headers = {"Signature": _greenhouse_signature(body, "someone-else")}
    with pytest.raises(BadSignature):
        verify_greenhouse_signature(body, headers, secret=GREENHOUSE_SECRET)


# --- Lever ---------------------------------------------------------------------------------


def lever_body(
    *,
    token: str = "tok-1",
    triggered_ms: int,
    key: str = LEVER_TOKEN,
    event: str = "applicationCreated",
) -> bytes:
    signature = hmac.new(key.encode(), f"{token}{triggered_ms}".encode(), "sha256").hexdigest()
    envelope = {
        "id": "evt-lever-1",
        "triggeredAt": triggered_ms,
        "event": event,
        "data": {"opportunityId": "opp-1", "contactId": "contact-1", "applicationId": "app-1"},
        "signature": signature,
        "token": token,
    }
    return json.dumps(envelope).encode()


NOW = 1_760_000_000.0


def test_lever_valid_delivery_is_accepted_once_then_replay_is_rejected() -> None:
    guard = InMemoryReplayGuard(clock=lambda: NOW)
    body = lever_body(triggered_ms=int(NOW * 1000) - 2000)
    envelope = verify_lever_webhook(body, signature_token=LEVER_TOKEN, replay_guard=guard, now=NOW)
    assert (envelope.event, envelope.token, envelope.delivery_id) == (
        "applicationCreated",
        "tok-1",
        "evt-lever-1",
    )
    assert envelope.data["opportunityId"] == "opp-1"
    with pytest.raises(DuplicateDelivery):
        verify_lever_webhook(body, signature_token=LEVER_TOKEN, replay_guard=guard, now=NOW + 1)


def test_lever_stale_triggered_at_is_rejected_and_token_not_remembered() -> None:
    guard = InMemoryReplayGuard(clock=lambda: NOW)
    stale = lever_body(triggered_ms=int((NOW - 901) * 1000))
    with pytest.raises(StaleTimestamp):
        verify_lever_webhook(stale, signature_token=LEVER_TOKEN, replay_guard=guard, now=NOW)
    assert len(guard) == 0


def test_lever_window_is_configurable() -> None:
    guard = InMemoryReplayGuard(clock=lambda: NOW)
    body = lever_body(triggered_ms=int((NOW - 90) * 1000))
    with pytest.raises(StaleTimestamp):
        verify_lever_webhook(
            body, signature_token=LEVER_TOKEN, replay_guard=guard, window_s=60, now=NOW
        )
    assert verify_lever_webhook(
        body, signature_token=LEVER_TOKEN, replay_guard=guard, window_s=120, now=NOW
    )


def test_lever_forged_signature_does_not_burn_the_token() -> None:
    guard = InMemoryReplayGuard(clock=lambda: NOW)
    triggered = int(NOW * 1000)
    forged = lever_body(triggered_ms=triggered, key="attacker-guess")
    with pytest.raises(BadSignature):
        verify_lever_webhook(forged, signature_token=LEVER_TOKEN, replay_guard=guard, now=NOW)
    genuine = lever_body(triggered_ms=triggered)
    assert verify_lever_webhook(genuine, signature_token=LEVER_TOKEN, replay_guard=guard, now=NOW)


def test_lever_documentation_sample_signature_does_not_verify() -> None:
    # The docs' sample is illustrative (non-hex characters): it must fail as a bad signature.
    body = (PAYLOADS / "lever-candidateHired-test.json").read_bytes()
    with pytest.raises(BadSignature):
        verify_lever_webhook(
            body,
            signature_token=LEVER_TOKEN,
            replay_guard=InMemoryReplayGuard(),
            now=1431458021.951,
        )


def test_lever_verbatim_stage_change_example_is_malformed_json() -> None:
    body = (PAYLOADS / "lever-candidateStageChange.json").read_bytes()
    with pytest.raises(PayloadError, match="not valid JSON"):
        verify_lever_webhook(body, signature_token=LEVER_TOKEN, replay_guard=InMemoryReplayGuard())


@pytest.mark.parametrize("field", ["signature", "token", "triggeredAt"])
def test_lever_missing_signed_field_is_missing_signature(field: str) -> None:
    envelope = json.loads(lever_body(triggered_ms=int(NOW * 1000)))
    del envelope[field]
    with pytest.raises(MissingSignature, match=field):
        verify_lever_webhook(
            json.dumps(envelope).encode(),
            signature_token=LEVER_TOKEN,
            replay_guard=InMemoryReplayGuard(),
            now=NOW,
        )


def test_in_memory_replay_guard_forgets_expired_keys() -> None:
    now = [100.0]
    guard = InMemoryReplayGuard(clock=lambda: now[0])
    assert guard.claim("a", expires_at=110.0)
    assert not guard.claim("a", expires_at=110.0)
    now[0] = 111.0
    assert guard.claim("a", expires_at=120.0)
