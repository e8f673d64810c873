"""Parsing verified bodies into applications, and mapping ATS jobs to our roles."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from rubrics import Market
from screener.webhooks import (
    CvInline,
    CvLeverResume,
    CvUrl,
    IgnoredEvent,
    InboundApplication,
    JobMapping,
    LeverEnvelope,
    Provider,
    ResolutionStatus,
    parse_generic,
    parse_greenhouse,
    parse_lever,
    resolve_job,
)
from screener.webhooks.errors import PayloadError

from .conftest import PAYLOADS

GREENHOUSE_EXAMPLE = (PAYLOADS / "greenhouse-new_candidate_application.json").read_bytes()
GENERIC_EXAMPLE = (Path(__file__).parent / "generic-webhook-example.json").read_bytes()


def _greenhouse(mutate: Any) -> bytes:
    body = json.loads(GREENHOUSE_EXAMPLE)
    mutate(body)
    return json.dumps(body).encode()


# --- Greenhouse ----------------------------------------------------------------------------


def test_parse_greenhouse_verbatim_example_extracts_ids_and_resume() -> None:
    application = parse_greenhouse(GREENHOUSE_EXAMPLE, {"Greenhouse-Event-ID": "evt-77"})
    assert isinstance(application, InboundApplication)
    assert application.provider is Provider.GREENHOUSE
    assert application.event_id == "evt-77"
    assert application.application_ref == "71980812"
    assert application.candidate_ref == "60304594"
    assert application.job_refs == ("274075",)
    # The resume, not the cover letter listed before it.
    assert application.cv == CvUrl(
        url="https://prod-heroku.s3.amazonaws.com/...", filename="Test Resume.docx"
    )


def test_parse_greenhouse_without_event_id_header_uses_body_hash() -> None:
    first = parse_greenhouse(GREENHOUSE_EXAMPLE, {})
    again = parse_greenhouse(GREENHOUSE_EXAMPLE, {})
    assert first.event_id == again.event_id
    assert first.event_id.startswith("sha256:")


def test_parse_greenhouse_ping_is_ignored_not_an_error() -> None:
    event = parse_greenhouse(b'{"action": "ping", "payload": {}}', {"Greenhouse-Event-ID": "p1"})
    assert isinstance(event, IgnoredEvent)
    assert (event.event_type, event.event_id) == ("ping", "p1")


def test_parse_greenhouse_without_resume_has_no_cv_and_is_skipped() -> None:
    def drop_resume(body: dict[str, Any]) -> None:
        candidate = body["payload"]["application"]["candidate"]
        candidate["attachments"] = [a for a in candidate["attachments"] if a["type"] != "resume"]

    application = parse_greenhouse(_greenhouse(drop_resume), {})
    assert isinstance(application, InboundApplication)
    assert application.cv is None
    resolution = resolve_job(
        application, [JobMapping(ats_job_id="274075", role_id="data-scientist", market=Market.DE)]
    )
    assert resolution.status is ResolutionStatus.SKIPPED
    assert resolution.reason == "skipped: no resume attached"


def test_parse_greenhouse_missing_candidate_id_names_the_field() -> None:
    def drop_id(body: dict[str, Any]) -> None:
        del body["payload"]["application"]["candidate"]["id"]

    with pytest.raises(PayloadError, match=r"payload\.application\.candidate\.id: Field required"):
        parse_greenhouse(_greenhouse(drop_id), {})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object, got list"),
        (b'{"payload": {}}', "lacks 'action'"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_parse_greenhouse_malformed_body_says_what_is_wrong(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        parse_greenhouse(body, {})


def test_parse_greenhouse_resume_with_non_http_url_is_refused() -> None:
    def file_url(body: dict[str, Any]) -> None:
        for attachment in body["payload"]["application"]["candidate"]["attachments"]:
            attachment["url"] = "file:///etc/passwd"

    with pytest.raises(PayloadError, match="http"):
        parse_greenhouse(_greenhouse(file_url), {})


# --- Lever ---------------------------------------------------------------------------------


def _envelope(event: str = "applicationCreated", **data: Any) -> LeverEnvelope:
    return LeverEnvelope(
        event=event, triggered_at_ms=1, token="tok-9", data=data, delivery_id="evt-9"
    )


def test_parse_lever_application_created_points_at_the_resume_api() -> None:
    application = parse_lever(
        _envelope(opportunityId="opp-1", contactId="c-1", applicationId="a-1", postingId="p-1")
    )
    assert isinstance(application, InboundApplication)
    assert (application.event_id, application.candidate_ref, application.application_ref) == (
        "evt-9",
        "c-1",
        "a-1",
    )
    assert application.job_refs == ("p-1",)
    assert application.cv == CvLeverResume(opportunity_id="opp-1")


def test_parse_lever_without_posting_has_no_job_and_is_skipped_until_looked_up() -> None:
    application = parse_lever(_envelope(opportunityId="opp-1"))
    assert isinstance(application, InboundApplication)
    assert application.job_refs == ()
    assert resolve_job(application, []).reason == "skipped: the application names no job"


def test_parse_lever_other_event_is_ignored() -> None:
    event = parse_lever(_envelope(event="candidateStageChange", opportunityId="opp-1"))
    assert isinstance(event, IgnoredEvent)
    assert event.event_type == "candidateStageChange"


def test_parse_lever_without_opportunity_is_payload_error() -> None:
    with pytest.raises(PayloadError, match="opportunityId: Field required"):
        parse_lever(_envelope(contactId="c-1"))


# --- generic -------------------------------------------------------------------------------


def test_parse_generic_documented_example() -> None:
    application = parse_generic(GENERIC_EXAMPLE, event_id="msg_1")
    assert application.provider is Provider.GENERIC
    assert application.event_id == "msg_1"
    assert application.candidate_ref == "cand-8812"
    assert application.job_refs == ("job-42",)
    assert application.role_id == "ml-engineer"
    assert application.market is Market.DE
    assert application.cv == CvUrl(url="https://ats.example.com/files/cand-8812/cv.pdf")
    assert application.callback_url == "https://ats.example.com/hooks/screening"


def _generic(**changes: Any) -> bytes:
    body = json.loads(GENERIC_EXAMPLE)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return json.dumps(body).encode()


def test_parse_generic_inline_cv_survives_a_queue_round_trip(cv_pdf: bytes) -> None:
    body = _generic(
        cv={"base64": base64.b64encode(cv_pdf).decode(), "filename": "john.pdf"}, market="Turkey"
    )
    application = parse_generic(body, event_id="msg_2")
    assert application.cv == CvInline(content=cv_pdf, filename="john.pdf")
    assert application.market is Market.TR
    queued = application.model_dump_json()
    assert InboundApplication.model_validate_json(queued) == application


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"candidate_ref": None}, "candidate_ref: Field required"),
        ({"cv": {"path": "/tmp/cv.pdf"}}, r"cv must be \{'url'"),
        ({"cv": {"base64": "JVBERi0="}}, r"cv\.base64\.filename: Field required"),
        ({"cv": {"base64": "not base64!!", "filename": "a.pdf"}}, "not valid base64"),
        ({"cv": {"url": "file:///etc/passwd"}}, "absolute http"),
        ({"callback_url": "gopher://x"}, "callback_url: Value error, must be an absolute http"),
        ({"market": "mars"}, "market: .*de, tr, ae, us"),
        ({"extra_field": 1}, "extra_field: Extra inputs are not permitted"),
    ],
)
def test_parse_generic_malformed_body_says_what_is_wrong(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        parse_generic(_generic(**changes), event_id="msg_3")


def test_parse_generic_inline_cv_over_the_limit_is_refused() -> None:
    body = _generic(cv={"base64": base64.b64encode(b"x" * 2000).decode(), "filename": "a.txt"})
    with pytest.raises(PayloadError, match="larger than 1000 bytes"):
        parse_generic(body, event_id="msg_4", max_inline_bytes=1000)


# --- job mapping ---------------------------------------------------------------------------

MAPPINGS = [
    JobMapping(ats_job_id="274075", role_id="data-scientist", market=Market.AE),
    JobMapping(ats_job_id="job-42", role_id="mlops-engineer", market=Market.US),
]


def test_resolve_job_maps_greenhouse_job_to_role_and_market() -> None:
    application = parse_greenhouse(GREENHOUSE_EXAMPLE, {})
    assert isinstance(application, InboundApplication)
    resolution = resolve_job(application, MAPPINGS)
    assert resolution.mapped
    assert (resolution.role_id, resolution.market, resolution.ats_job_id) == (
        "data-scientist",
        Market.AE,
        "274075",
    )


def test_resolve_job_unmapped_job_is_skipped_not_an_error() -> None:
    application = parse_greenhouse(GREENHOUSE_EXAMPLE, {})
    assert isinstance(application, InboundApplication)
    resolution = resolve_job(application, MAPPINGS[1:])
    assert resolution.status is ResolutionStatus.SKIPPED
    assert resolution.reason == "skipped: unmapped job 274075"


def test_resolve_job_generic_role_overrides_mapping_but_keeps_body_market() -> None:
    application = parse_generic(GENERIC_EXAMPLE, event_id="msg_5")
    resolution = resolve_job(application, MAPPINGS)
    assert (resolution.role_id, resolution.market) == ("ml-engineer", Market.DE)
    no_market = parse_generic(_generic(market=None), event_id="msg_6")
    assert resolve_job(no_market, MAPPINGS).market is Market.US
    assert resolve_job(no_market, []).market is Market.DE
