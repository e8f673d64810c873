"""Signed callbacks with retries, ATS notes, and the whole inbound → fetch → callback loop."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from email.utils import formatdate

import pytest

from rubrics import Market
from screener.webhooks import (
    DeliveryOutcome,
    FetchPolicy,
    InboundApplication,
    JobMapping,
    RetryPolicy,
    StandardWebhookSecret,
    deliver_webhook,
    greenhouse_note_request,
    lever_note_request,
    obtain_cv,
    parse_greenhouse,
    parse_retry_after,
    post_note,
    resolve_job,
    verify_greenhouse_signature,
    verify_standard_webhook,
)

from .conftest import PAYLOADS, FakeAts, FakeClock, Reply

POLICY = FetchPolicy.allowing_loopback(timeout_s=5.0)
SECRET = StandardWebhookSecret.generate()
RESULT = {"candidate_ref": "60304594", "role": "data-scientist", "fit_score": 0.71}
RETRY = RetryPolicy(horizon_s=3600, base_delay_s=10, multiplier=2, max_delay_s=600, jitter=0.5)


def _deliver(url: str, clock: FakeClock, retry: RetryPolicy = RETRY, seed: int = 7):
    return deliver_webhook(
        url,
        RESULT,
        secret=SECRET,
        policy=POLICY,
        retry=retry,
        msg_id="msg_result_1",
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(seed),
    )


def test_callback_retries_after_503_then_delivers_signed_json(
    fake_ats: FakeAts, clock: FakeClock
) -> None:
    start = clock.now
    fake_ats.on("/hooks/screening", Reply(status=503), Reply(status=200))
    result = _deliver(fake_ats.url("/hooks/screening"), clock)

    assert result.outcome is DeliveryOutcome.DELIVERED and result.delivered
    assert [a.status_code for a in result.attempts] == [503, 200]
    expected_delay = RETRY.backoff(1, random.Random(7))
    assert 5.0 <= expected_delay <= 10.0  # 10 s scaled by a jitter factor in [0.5, 1]
    assert clock.sleeps == [expected_delay]
    assert result.attempts[0].next_delay_s == expected_delay
    assert result.attempts[1].started_at == start + expected_delay

    received = fake_ats.requests_to("/hooks/screening")
    assert len(received) == 2
    for request, attempt in zip(received, result.attempts, strict=True):
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.body) == RESULT
        verified = verify_standard_webhook(
            request.body, request.headers, secret=str(SECRET), now=attempt.started_at
        )
        assert verified.msg_id == "msg_result_1"  # same id on every attempt: receivers dedupe
        assert verified.timestamp == int(attempt.started_at)  # fresh signature per attempt


def test_callback_honours_retry_after_seconds(fake_ats: FakeAts, clock: FakeClock) -> None:
    fake_ats.on("/cb", Reply(status=429, headers={"Retry-After": "42"}), Reply(status=204))
    result = _deliver(fake_ats.url("/cb"), clock)
    assert result.delivered
    assert clock.sleeps == [42.0]
    assert result.attempts[0].retry_after_s == 42.0


def test_callback_honours_retry_after_http_date(fake_ats: FakeAts, clock: FakeClock) -> None:
    when = formatdate(clock.now + 120, usegmt=True)
    fake_ats.on("/cb", Reply(status=503, headers={"Retry-After": when}), Reply(status=200))
    result = _deliver(fake_ats.url("/cb"), clock)
    assert result.delivered
    assert clock.sleeps == [120.0]


def test_callback_gives_up_after_the_horizon(fake_ats: FakeAts, clock: FakeClock) -> None:
    fake_ats.on("/cb", Reply(status=500))
    retry = RetryPolicy(horizon_s=60, base_delay_s=10, multiplier=2, jitter=0)
    result = _deliver(fake_ats.url("/cb"), clock, retry=retry)
    # 10 s and 20 s fit in 60 s; the third retry (40 s more) would start at 70 s.
    assert result.outcome is DeliveryOutcome.GAVE_UP
    assert clock.sleeps == [10.0, 20.0]
    assert [a.status_code for a in result.attempts] == [500, 500, 500]
    assert result.attempts[-1].next_delay_s is None
    assert "60 s horizon" in (result.reason or "")
    assert len(fake_ats.requests_to("/cb")) == 3


def test_callback_retry_after_past_the_horizon_gives_up_at_once(
    fake_ats: FakeAts, clock: FakeClock
) -> None:
    fake_ats.on("/cb", Reply(status=503, headers={"Retry-After": "7200"}))
    result = _deliver(fake_ats.url("/cb"), clock)
    assert result.outcome is DeliveryOutcome.GAVE_UP
    assert clock.sleeps == []


def test_callback_network_error_is_retried_and_recorded(clock: FakeClock) -> None:
    retry = RetryPolicy(horizon_s=25, base_delay_s=10, jitter=0)  # 10 s fits, 10 + 20 does not
    result = _deliver("http://127.0.0.1:9/cb", clock, retry=retry)
    assert result.outcome is DeliveryOutcome.GAVE_UP
    assert len(result.attempts) == 2
    assert all(a.status_code is None for a in result.attempts)
    assert all("cannot connect" in (a.error or "") for a in result.attempts)


@pytest.mark.parametrize(("status", "reason"), [(410, "endpoint gone"), (400, "HTTP 400")])
def test_callback_client_errors_are_not_retried(
    fake_ats: FakeAts, clock: FakeClock, status: int, reason: str
) -> None:
    fake_ats.on("/cb", Reply(status=status))
    result = _deliver(fake_ats.url("/cb"), clock)
    assert result.outcome is DeliveryOutcome.FAILED
    assert reason in (result.reason or "")
    assert len(result.attempts) == 1 and clock.sleeps == []


def test_callback_to_private_address_fails_without_retry(clock: FakeClock) -> None:
    result = deliver_webhook(
        "http://169.254.169.254/latest/",
        RESULT,
        secret=SECRET,
        policy=FetchPolicy(timeout_s=2.0),
        retry=RETRY,
        clock=clock,
        sleep=clock.sleep,
    )
    assert result.outcome is DeliveryOutcome.FAILED
    assert (result.reason or "").startswith("UnsafeUrl")
    assert clock.sleeps == []
    assert result.model_dump(mode="json")["attempts"][0]["error"].startswith("UnsafeUrl")


def test_parse_retry_after_forms() -> None:
    now = 1_760_000_000.0
    assert parse_retry_after("5", now=now) == 5.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == 30.0
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None, now=now) is None


def test_greenhouse_note_is_posted_to_harvest(fake_ats: FakeAts, clock: FakeClock) -> None:
    path = "/v1/candidates/60304594/activity_feed/notes"
    fake_ats.on(path, Reply(status=429, headers={"Retry-After": "1"}), Reply(status=201))
    request = greenhouse_note_request(
        candidate_id=60304594,
        user_id=92121,
        note="Fit 0.71 for Data Scientist: strong statistics, some MLOps gaps.",
        api_key="harvest-key",
        base_url=fake_ats.url(""),
    )
    result = post_note(request, policy=POLICY, retry=RETRY, clock=clock, sleep=clock.sleep)
    assert result.delivered and clock.sleeps == [1.0]
    posted = fake_ats.requests_to(path)[-1]
    assert posted.headers["authorization"] == "Basic " + base64.b64encode(b"harvest-key:").decode()
    assert posted.headers["on-behalf-of"] == "92121"
    assert json.loads(posted.body) == {
        "user_id": 92121,
        "body": "Fit 0.71 for Data Scientist: strong statistics, some MLOps gaps.",
        "visibility": "private",
    }


def test_lever_note_is_posted_with_perform_as(fake_ats: FakeAts, clock: FakeClock) -> None:
    fake_ats.on("/v1/opportunities/opp-1/notes", Reply(status=200))
    request = lever_note_request(
        opportunity_id="opp-1",
        note="Screening note",
        api_key="lever-key",
        perform_as="user-5",
        base_url=fake_ats.url(""),
    )
    result = post_note(request, policy=POLICY, retry=RETRY, clock=clock, sleep=clock.sleep)
    assert result.delivered
    [posted] = fake_ats.requests_to("/v1/opportunities/opp-1/notes")
    assert posted.path.endswith("?perform_as=user-5")
    assert json.loads(posted.body) == {"value": "Screening note"}


def test_full_loop_greenhouse_delivery_to_signed_callback(
    fake_ats: FakeAts, clock: FakeClock, cv_pdf: bytes
) -> None:
    # The verbatim example, with its resume pointed at the fake ATS (the S3 URL is elided).
    body = json.loads((PAYLOADS / "greenhouse-new_candidate_application.json").read_bytes())
    for attachment in body["payload"]["application"]["candidate"]["attachments"]:
        if attachment["type"] == "resume":
            attachment["url"] = fake_ats.url("/s3/resume.pdf")
    raw = json.dumps(body).encode()
    gh_secret = "gh-integration-secret"
    headers = {
        "Signature": "sha256 " + hmac.new(gh_secret.encode(), raw, hashlib.sha256).hexdigest(),
        "Greenhouse-Event-ID": "evt-loop-1",
    }
    fake_ats.serve_file("/s3/resume.pdf", cv_pdf)
    fake_ats.on("/hooks/screening", Reply(status=503), Reply(status=200))

    verify_greenhouse_signature(raw, headers, secret=gh_secret)
    application = parse_greenhouse(raw, headers)
    assert isinstance(application, InboundApplication) and application.cv is not None
    queued = InboundApplication.model_validate_json(application.model_dump_json())
    resolution = resolve_job(
        queued, [JobMapping(ats_job_id="274075", role_id="data-scientist", market=Market.DE)]
    )
    assert resolution.mapped and resolution.role_id == "data-scientist"
    assert queued.cv is not None
    cv = obtain_cv(queued.cv, policy=POLICY)
    assert cv.content == cv_pdf and cv.filename == "resume.pdf"

    result = deliver_webhook(
        fake_ats.url("/hooks/screening"),
        {"event_id": queued.event_id, "role": resolution.role_id, "cv_bytes": cv.size},
        secret=SECRET,
        policy=POLICY,
        retry=RETRY,
        msg_id=f"msg_{queued.event_id}",
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(1),
    )
    assert result.delivered and len(result.attempts) == 2
    last = fake_ats.requests_to("/hooks/screening")[-1]
    verify_standard_webhook(last.body, last.headers, secret=SECRET, now=clock.now)
    assert json.loads(last.body)["event_id"] == "evt-loop-1"
