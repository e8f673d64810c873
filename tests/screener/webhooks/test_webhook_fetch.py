"""The SSRF-safe CV fetcher against a real HTTP server on loopback."""

from __future__ import annotations

import json

import pytest

from screener.webhooks import CvLeverResume, FetchPolicy, LeverApi, fetch_cv, obtain_cv
from screener.webhooks.errors import (
    BadContentType,
    FetchError,
    FetchTimeout,
    FetchTooLarge,
    UnsafeUrl,
)

from .conftest import FakeAts, Reply

LOOPBACK = FetchPolicy.allowing_loopback(timeout_s=5.0)
STRICT = FetchPolicy(timeout_s=5.0)


def test_fetch_cv_downloads_pdf_from_allowed_loopback(fake_ats: FakeAts, cv_pdf: bytes) -> None:
    fake_ats.serve_file("/files/john_doe.pdf", cv_pdf)
    fetched = fetch_cv(fake_ats.url("/files/john_doe.pdf"), policy=LOOPBACK)
    assert fetched.content == cv_pdf
    assert fetched.content[:5] == b"%PDF-"
    assert (fetched.filename, fetched.content_type) == ("john_doe.pdf", "application/pdf")


def test_fetch_cv_takes_filename_from_content_disposition(fake_ats: FakeAts) -> None:
    fake_ats.on(
        "/download",
        Reply(
            headers={
                "Content-Type": "text/plain; charset=utf-8",
                "Content-Disposition": 'attachment; filename="../../etc/Jane\'s CV.txt"',
            },
            body=b"Jane Smith\nML Engineer",
        ),
    )
    fetched = fetch_cv(fake_ats.url("/download"), policy=LOOPBACK)
    assert fetched.filename == "Jane's CV.txt"
    assert fetched.content_type == "text/plain"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/cv.pdf",
        "http://localhost:{port}/cv.pdf",
        "http://[::1]:{port}/cv.pdf",
        "http://[::ffff:127.0.0.1]:{port}/cv.pdf",
        "http://2130706433:{port}/cv.pdf",
        "http://10.0.0.7/cv.pdf",
        "http://192.168.1.20/cv.pdf",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/cv.pdf",
        "http://0.0.0.0:{port}/cv.pdf",
    ],
)
def test_fetch_cv_refuses_non_public_addresses_by_default(
    fake_ats: FakeAts, cv_pdf: bytes, url: str
) -> None:
    fake_ats.serve_file("/cv.pdf", cv_pdf)
    with pytest.raises(UnsafeUrl, match="non-public address"):
        fetch_cv(url.format(port=fake_ats.port), policy=STRICT)
    assert fake_ats.requests == []  # refused before any connection


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/cv.pdf", "gopher://x/", "http:///cv.pdf"]
)
def test_fetch_cv_refuses_other_schemes_and_hostless_urls(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        fetch_cv(url, policy=STRICT)


def test_fetch_cv_refuses_host_with_any_private_address() -> None:
    policy = FetchPolicy(resolver=lambda host, port: ["93.184.216.34", "10.1.2.3"])
    with pytest.raises(UnsafeUrl, match="10.1.2.3"):
        fetch_cv("https://cv.example.test/cv.pdf", policy=policy)


def test_fetch_cv_connects_to_the_checked_address_and_resolves_once(
    fake_ats: FakeAts, cv_pdf: bytes
) -> None:
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        # A rebinding resolver: the first answer is the one checked; later ones would differ.
        lookups.append(host)
        return ["127.0.0.1"] if len(lookups) == 1 else ["10.0.0.1"]

    fake_ats.serve_file("/cv.pdf", cv_pdf)
    policy = FetchPolicy.allowing_loopback(resolver=resolver, timeout_s=5.0)
    fetched = fetch_cv(f"http://ats.invalid:{fake_ats.port}/cv.pdf", policy=policy)
    assert fetched.content == cv_pdf
    assert lookups == ["ats.invalid"]
    assert fake_ats.requests[0].headers["host"] == f"ats.invalid:{fake_ats.port}"


def test_fetch_cv_follows_a_checked_redirect(fake_ats: FakeAts, cv_pdf: bytes) -> None:
    fake_ats.on("/r", Reply(status=302, headers={"Location": "/files/cv.pdf"}))
    fake_ats.serve_file("/files/cv.pdf", cv_pdf)
    fetched = fetch_cv(fake_ats.url("/r"), policy=LOOPBACK)
    assert fetched.content == cv_pdf
    assert fetched.url == fake_ats.url("/files/cv.pdf")


@pytest.mark.parametrize(
    "target", ["http://10.0.0.1/cv.pdf", "http://169.254.169.254/latest/", "http://[::1]:1/"]
)
def test_fetch_cv_refuses_redirect_to_private_address(fake_ats: FakeAts, target: str) -> None:
    # Loopback is allowed for the fake ATS, yet the redirect's own target is checked again.
    policy = FetchPolicy(allow_networks=("127.0.0.0/8",), timeout_s=5.0)
    fake_ats.on("/r", Reply(status=307, headers={"Location": target}))
    with pytest.raises(UnsafeUrl):
        fetch_cv(fake_ats.url("/r"), policy=policy)


def test_fetch_cv_stops_after_max_redirects(fake_ats: FakeAts) -> None:
    fake_ats.on("/loop", Reply(status=302, headers={"Location": "/loop"}))
    with pytest.raises(FetchError, match="more than 2 redirects"):
        fetch_cv(fake_ats.url("/loop"), policy=FetchPolicy.allowing_loopback(max_redirects=2))
    assert len(fake_ats.requests_to("/loop")) == 3


def test_fetch_cv_refuses_declared_length_over_limit(fake_ats: FakeAts) -> None:
    fake_ats.serve_file("/big.pdf", b"%PDF-" + b"0" * 200_000)
    with pytest.raises(FetchTooLarge, match="Content-Length 200005"):
        fetch_cv(fake_ats.url("/big.pdf"), policy=FetchPolicy.allowing_loopback(max_bytes=50_000))


def test_fetch_cv_stops_streaming_undeclared_body_past_limit(fake_ats: FakeAts) -> None:
    fake_ats.on(
        "/big.pdf",
        Reply(
            headers={"Content-Type": "application/pdf"}, body=b"0" * 2_000_000, send_length=False
        ),
    )
    with pytest.raises(FetchTooLarge, match="larger than the limit of 50000"):
        fetch_cv(fake_ats.url("/big.pdf"), policy=FetchPolicy.allowing_loopback(max_bytes=50_000))


def test_fetch_cv_total_timeout_beats_a_slow_drip(fake_ats: FakeAts) -> None:
    # Each 1 KiB piece arrives well within a per-read timeout; only a total budget stops it.
    fake_ats.on(
        "/slow.pdf",
        Reply(headers={"Content-Type": "application/pdf"}, body=b"0" * 64 * 1024, drip_s=0.05),
    )
    with pytest.raises(FetchTimeout):
        fetch_cv(fake_ats.url("/slow.pdf"), policy=FetchPolicy.allowing_loopback(timeout_s=0.5))


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "image/svg+xml"])
def test_fetch_cv_refuses_content_type_outside_allow_list(
    fake_ats: FakeAts, content_type: str
) -> None:
    fake_ats.serve_file("/cv", b"<html></html>", content_type=content_type)
    with pytest.raises(BadContentType, match="application/pdf"):
        fetch_cv(fake_ats.url("/cv"), policy=LOOPBACK)


def test_fetch_cv_http_error_status_is_fetch_error(fake_ats: FakeAts) -> None:
    with pytest.raises(FetchError, match="HTTP 404 from 127.0.0.1"):
        fetch_cv(fake_ats.url("/missing.pdf"), policy=LOOPBACK)


def test_fetch_cv_connection_refused_is_fetch_error() -> None:
    with pytest.raises(FetchError, match="cannot connect"):
        fetch_cv("http://127.0.0.1:9/cv.pdf", policy=LOOPBACK)


def test_lever_resume_is_fetched_via_the_api_with_basic_auth(
    fake_ats: FakeAts, cv_pdf: bytes
) -> None:
    listing = {
        "data": [
            {"id": "r-old", "createdAt": 1, "file": {"name": "old.pdf"}},
            {"id": "r-new", "createdAt": 2, "file": {"name": "john_doe.pdf"}},
        ]
    }
    fake_ats.on(
        "/v1/opportunities/opp-1/resumes",
        Reply(headers={"Content-Type": "application/json"}, body=json.dumps(listing).encode()),
    )
    # The download redirects to file storage on another origin: credentials must not follow.
    storage = fake_ats.url("/storage/r-new", host="localhost")
    fake_ats.on(
        "/v1/opportunities/opp-1/resumes/r-new/download",
        Reply(status=302, headers={"Location": storage}),
    )
    fake_ats.serve_file("/storage/r-new", cv_pdf, content_type="application/octet-stream")
    lever = LeverApi(api_key="lever-key", base_url=fake_ats.url(""))
    fetched = obtain_cv(CvLeverResume(opportunity_id="opp-1"), policy=LOOPBACK, lever=lever)
    assert fetched.content == cv_pdf
    assert fetched.filename == "john_doe.pdf"
    [listing_request] = fake_ats.requests_to("/v1/opportunities/opp-1/resumes")
    [download] = fake_ats.requests_to("/v1/opportunities/opp-1/resumes/r-new/download")
    [stored] = fake_ats.requests_to("/storage/r-new")
    assert listing_request.headers["authorization"] == "Basic bGV2ZXIta2V5Og=="  # "lever-key:"
    assert download.headers["authorization"] == "Basic bGV2ZXIta2V5Og=="
    assert "authorization" not in stored.headers


def test_lever_posting_ids_come_from_the_applications_api(fake_ats: FakeAts) -> None:
    body = {"data": [{"id": "a-1", "posting": "p-7"}, {"id": "a-2", "posting": {"id": "p-8"}}]}
    fake_ats.on(
        "/v1/opportunities/opp-1/applications",
        Reply(headers={"Content-Type": "application/json"}, body=json.dumps(body).encode()),
    )
    lever = LeverApi(api_key="k", base_url=fake_ats.url(""))
    assert lever.posting_ids("opp-1", policy=LOOPBACK) == ("p-7", "p-8")
