"""ATS webhooks end to end on loopback: a real server with the real model, a fake ATS (a real
HTTP server thread) that serves CVs and the Lever API and receives callbacks, and a fake S3 on
127.0.0.1:443 (TLS, its own certificate) so the verbatim Greenhouse example is fetched as sent.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from api import create_app
from embeddings import EmbeddingModel
from screener.settings import Settings
from screener.store import AuditRecord, make_engine, make_sessions
from screener.webhooks import FetchPolicy, sign_standard_webhook, verify_standard_webhook
from tests.api.conftest import (
    CV_DIR,
    Service,
    make_keys,
    running,
    service_settings,
)
from tests.screener.webhooks.conftest import FakeAts, Reply
from tests.store.databases import BACKENDS, database_url

PROBLEM = "application/problem+json"
PAYLOADS = Path("../shared/specs/webhook-payloads")
GREENHOUSE_EXAMPLE = (PAYLOADS / "greenhouse-new_candidate_application.json").read_bytes()
GREENHOUSE_JOB = "274075"  # payload.application.jobs[0].id of the example
S3_HOST = "prod-heroku.s3.amazonaws.com"
CV_NAME = "resumematcher_john_doe.pdf"


# --- fixtures ---------------------------------------------------------------------------------


class FakeS3:
    """HTTPS on 127.0.0.1:443 with a certificate for the example's S3 host; serves one file."""

    def __init__(self, content: bytes) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, S3_HOST)])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(S3_HOST)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )  # fmt: skip
        self.cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        self.paths: list[str] = []
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "binary/octet-stream")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 443), Handler)  # OSError if not allowed
        self._server.daemon_threads = True
        server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        folder = Path(self._tmp_dir())
        (folder / "cert.pem").write_text(self.cert_pem)
        (folder / "key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )  # fmt: skip
        server_context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
        self._server.socket = server_context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @staticmethod
    def _tmp_dir() -> str:
        import tempfile

        return tempfile.mkdtemp(prefix="fake-s3-")

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.cert_pem)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def cv_pdf() -> bytes:
    return (CV_DIR / CV_NAME).read_bytes()


@pytest.fixture(scope="module")
def fake_ats(cv_pdf: bytes) -> Iterator[FakeAts]:
    ats = FakeAts()
    ats.serve_file("/files/cv.pdf", cv_pdf)
    ats.start()
    yield ats
    ats.stop()


@pytest.fixture(scope="module")
def fake_s3(cv_pdf: bytes) -> Iterator[FakeS3 | None]:
    try:
        s3 = FakeS3(cv_pdf)
    except OSError:  # port 443 needs privileges; the verbatim fetch test skips then
        yield None
        return
    yield s3
    s3.stop()


def _fast_retries(**overrides: object) -> dict[str, object]:
    return {"webhook_retry_base_delay_s": 0.2, "webhook_retry_horizon_s": 30.0, **overrides}


@pytest.fixture(scope="module", params=BACKENDS)
def hooks(
    request: pytest.FixtureRequest,
    embedding_model: EmbeddingModel,
    tmp_path_factory: pytest.TempPathFactory,
    fake_s3: FakeS3 | None,
) -> Iterator[Service]:
    """The service; its webhook workers may reach loopback, and the example's S3 host resolves
    to the fake S3 (trusted through its own certificate)."""
    folder = tmp_path_factory.mktemp(f"webhooks-{request.param}")

    def resolver(host: str, port: int) -> list[str]:
        if host == S3_HOST:
            return ["127.0.0.1"]
        return [str(info[4][0]) for info in socket.getaddrinfo(host, port)]

    policy = FetchPolicy.allowing_loopback(
        timeout_s=10.0, resolver=resolver,
        ssl_context=fake_s3.client_context() if fake_s3 is not None else None,
    )  # fmt: skip
    with database_url(request.param, folder) as url:
        settings = service_settings(url, folder, **_fast_retries())
        keys = make_keys(settings)
        app = create_app(settings, model=embedding_model, webhook_fetch_policy=policy)
        with running(app) as base:
            yield Service(base, settings, keys)


@pytest.fixture(scope="module")
def strict(
    embedding_model: EmbeddingModel, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The service with the production fetch policy from the settings: loopback not allowed."""
    folder = tmp_path_factory.mktemp("webhooks-strict")
    with database_url("sqlite", folder) as url:
        settings = service_settings(url, folder, **_fast_retries())
        assert settings.webhook_fetch_allow_loopback is False
        keys = make_keys(settings)
        with running(create_app(settings, model=embedding_model)) as base:
            yield Service(base, settings, keys)


# --- helpers ----------------------------------------------------------------------------------


def _integration(service: Service, **body: Any) -> dict[str, Any]:
    with service.client() as client:
        response = client.post("/v1/integrations", json={"name": "test", **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _map(service: Service, integration_id: str, job: str, role: str = "ml-engineer") -> None:
    with service.client() as client:
        response = client.put(
            f"/v1/integrations/{integration_id}/mappings/{job}", json={"role_id": role}
        )
    assert response.status_code == 200, response.text


def _greenhouse_post(
    service: Service, integration: dict[str, Any], body: bytes, *, event_id: str,
    secret: str | None = None, signature: str | None = None,
) -> httpx.Response:  # fmt: skip
    key = (secret or integration["inbound_secret"]).encode()
    headers = {"Content-Type": "application/json", "Greenhouse-Event-ID": event_id}
    if signature is None:
        signature = "sha256 " + hmac.new(key, body, hashlib.sha256).hexdigest()
    if signature:
        headers["Signature"] = signature
    with service.client(None) as client:
        return client.post(
            f"/v1/webhooks/greenhouse/{integration['id']}", content=body, headers=headers
        )


def _greenhouse_body(resume_url: str, job_id: str = GREENHOUSE_JOB) -> bytes:
    """The example with its resume pointed at the fake ATS and, optionally, another job."""
    body = json.loads(GREENHOUSE_EXAMPLE)
    application = body["payload"]["application"]
    for attachment in application["candidate"]["attachments"]:
        if attachment["type"] == "resume":
            attachment["url"] = resume_url
    application["jobs"][0]["id"] = int(job_id) if job_id.isdigit() else job_id
    return json.dumps(body).encode()


def _events(service: Service, integration_id: str) -> list[dict[str, Any]]:
    with service.client() as client:
        response = client.get(f"/v1/integrations/{integration_id}/events")
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def _deliveries(service: Service, integration_id: str) -> list[dict[str, Any]]:
    with service.client() as client:
        response = client.get(f"/v1/integrations/{integration_id}/deliveries")
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def _wait(read: Callable[[], Any], done: Callable[[Any], bool], timeout_s: float = 180) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"timed out; last state: {value}"
        time.sleep(0.1)


def _settled_event(service: Service, integration_id: str) -> dict[str, Any]:
    events = _wait(
        lambda: _events(service, integration_id),
        lambda rows: rows and rows[0]["status"] in ("screened", "skipped", "failed"),
    )
    event: dict[str, Any] = events[0]
    return event


def _finished_deliveries(service: Service, integration_id: str, count: int = 1) -> list[Any]:
    rows: list[Any] = _wait(
        lambda: _deliveries(service, integration_id),
        lambda rows: (
            len(rows) >= count and all(r["outcome"] not in ("pending", "sending") for r in rows)
        ),
    )
    return rows


def _audit_count(service: Service, source_event_id: str) -> int:
    engine = make_engine(service.settings.database_url)
    try:
        with make_sessions(engine)() as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(AuditRecord).where(
                        AuditRecord.event == "screening", AuditRecord.source == "webhook",
                        AuditRecord.source_event_id == source_event_id,
                    )
                ) or 0
            )  # fmt: skip
    finally:
        engine.dispose()


def _standard_post(
    service: Service, integration: dict[str, Any], body: bytes, *, msg_id: str,
    timestamp: int | None = None,
) -> httpx.Response:  # fmt: skip
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign_standard_webhook(
            secret=integration["inbound_secret"], msg_id=msg_id, timestamp=stamp, body=body
        ),
    }
    with service.client(None) as client:
        return client.post(
            f"/v1/webhooks/generic/{integration['id']}", content=body, headers=headers
        )


def _lever_body(token: str, signature_token: str, *, triggered_ms: int | None = None) -> bytes:
    triggered = int(time.time() * 1000) if triggered_ms is None else triggered_ms
    signature = hmac.new(
        signature_token.encode(), f"{token}{triggered}".encode(), hashlib.sha256
    ).hexdigest()
    return json.dumps(
        {"id": f"lever-{token}", "event": "applicationCreated", "triggeredAt": triggered,
         "token": token, "signature": signature,
         "data": {"opportunityId": "opp-1", "applicationId": "app-1", "contactId": "contact-1"}}
    ).encode()  # fmt: skip


def _assert_signed_callback(
    recorded: Any, outbound_secret: str, *, fit: float | None = None
) -> dict[str, Any]:
    verified = verify_standard_webhook(recorded.body, recorded.headers, secret=outbound_secret)
    assert verified.msg_id.startswith("msg_")
    payload: dict[str, Any] = json.loads(recorded.body)
    assert payload["type"] == "screening.completed"
    data = payload["data"]
    assert set(data["dimensions"]) == {
        "mathematical_foundation", "engineering_maturity", "domain_application"
    }  # fmt: skip
    assert 0 <= data["fit"] <= 100 and data["explanation_excerpt"]
    assert "ai-screened" in data["tags"] and "never rejects" in data["notice"]
    assert not any("reject" in str(key).lower() for key in data)  # auto-screening never rejects
    if fit is not None:
        assert data["fit"] == fit
    return data


# --- inbound: Greenhouse ----------------------------------------------------------------------


def test_greenhouse_verbatim_example_is_screened_and_called_back_signed(
    hooks: Service, fake_ats: FakeAts, fake_s3: FakeS3 | None
) -> None:
    callback = f"/callbacks/{uuid.uuid4().hex}"
    fake_ats.on(callback, Reply(200))
    integration = _integration(hooks, provider="greenhouse", callback_url=fake_ats.url(callback))
    _map(hooks, integration["id"], GREENHOUSE_JOB)
    event_id = f"gh-{uuid.uuid4().hex}"

    response = _greenhouse_post(hooks, integration, GREENHOUSE_EXAMPLE, event_id=event_id)

    assert response.status_code == 200  # exactly 200: Greenhouse counts anything else a failure
    assert response.json()["status"] == "accepted"
    assert response.json()["event_id"] == event_id
    if fake_s3 is None:
        pytest.skip("cannot bind 127.0.0.1:443 for the example's S3 URL")
    event = _settled_event(hooks, integration["id"])
    assert event["status"] == "screened", event
    assert event["role_id"] == "ml-engineer" and event["screening_id"]
    assert "/..." in fake_s3.paths  # the example's own resume URL was fetched
    [delivery] = _finished_deliveries(hooks, integration["id"])
    assert delivery["outcome"] == "delivered" and len(delivery["attempts"]) == 1
    [recorded] = fake_ats.requests_to(callback)
    data = _assert_signed_callback(recorded, integration["outbound_secret"])
    assert data["candidate_ref"] == "60304594" and data["application_ref"] == "71980812"
    assert data["screening_id"] == event["screening_id"] and data["ats_job_id"] == GREENHOUSE_JOB
    assert _audit_count(hooks, f"greenhouse:{event_id}") == 1


@pytest.mark.parametrize(
    ("secret", "signature"),
    [
        (None, ""),  # no Signature header
        ("not-the-configured-secret", None),  # signed with another secret
        (None, "sha1 0123abcd"),  # malformed
    ],
    ids=["missing", "wrong-secret", "malformed"],
)
def test_greenhouse_bad_signature_is_401_and_nothing_stored(
    hooks: Service, fake_ats: FakeAts, secret: str | None, signature: str | None
) -> None:
    integration = _integration(hooks, provider="greenhouse", callback_url=fake_ats.url("/x"))
    _map(hooks, integration["id"], GREENHOUSE_JOB)

    response = _greenhouse_post(
        hooks, integration, GREENHOUSE_EXAMPLE, event_id="evt-bad", secret=secret,
        signature=signature,
    )  # fmt: skip

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["kind"] in ("MissingSignature", "BadSignature")
    assert _events(hooks, integration["id"]) == []


def test_greenhouse_malformed_body_is_400_problem(hooks: Service) -> None:
    integration = _integration(hooks, provider="greenhouse")
    body = b'{"action": "new_candidate_application", "payload": {"application": {}}}'

    response = _greenhouse_post(hooks, integration, body, event_id="evt-malformed")

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["kind"] == "PayloadError"
    assert "application" in response.json()["detail"]
    assert _events(hooks, integration["id"]) == []


def test_duplicate_delivery_is_acknowledged_and_screened_once(
    hooks: Service, fake_ats: FakeAts
) -> None:
    callback = f"/callbacks/{uuid.uuid4().hex}"
    fake_ats.on(callback, Reply(200))
    cv_path = f"/files/{uuid.uuid4().hex}.pdf"
    fake_ats.serve_file(cv_path, (CV_DIR / CV_NAME).read_bytes())
    integration = _integration(hooks, provider="greenhouse", callback_url=fake_ats.url(callback))
    _map(hooks, integration["id"], GREENHOUSE_JOB)
    body = _greenhouse_body(fake_ats.url(cv_path))
    event_id = f"gh-{uuid.uuid4().hex}"

    first = _greenhouse_post(hooks, integration, body, event_id=event_id)
    second = _greenhouse_post(hooks, integration, body, event_id=event_id)  # provider retry

    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["status"], second.json()["status"]) == ("accepted", "duplicate")
    assert first.json()["id"] == second.json()["id"]
    assert _settled_event(hooks, integration["id"])["status"] == "screened"
    assert len(_finished_deliveries(hooks, integration["id"])) == 1
    third = _greenhouse_post(hooks, integration, body, event_id=event_id)  # after screening
    assert third.status_code == 200 and third.json()["status"] == "duplicate"
    time.sleep(0.5)
    assert len(_events(hooks, integration["id"])) == 1
    assert len(fake_ats.requests_to(cv_path)) == 1
    assert len(fake_ats.requests_to(callback)) == 1
    assert _audit_count(hooks, f"greenhouse:{event_id}") == 1


def test_unmapped_job_is_acknowledged_and_recorded_skipped(
    hooks: Service, fake_ats: FakeAts
) -> None:
    cv_path = f"/files/{uuid.uuid4().hex}.pdf"
    integration = _integration(hooks, provider="greenhouse", callback_url=fake_ats.url("/x"))
    _map(hooks, integration["id"], GREENHOUSE_JOB)
    body = _greenhouse_body(fake_ats.url(cv_path), job_id="999999")

    response = _greenhouse_post(hooks, integration, body, event_id=f"gh-{uuid.uuid4().hex}")

    assert response.status_code == 200 and response.json()["status"] == "accepted"
    event = _settled_event(hooks, integration["id"])
    assert event["status"] == "skipped"
    assert event["reason"] == "skipped: unmapped job 999999"
    assert event["screening_id"] is None
    assert fake_ats.requests_to(cv_path) == []
    assert _deliveries(hooks, integration["id"]) == []


def test_greenhouse_ping_is_acknowledged_and_recorded_skipped(hooks: Service) -> None:
    integration = _integration(hooks, provider="greenhouse")

    response = _greenhouse_post(
        hooks, integration, b'{"action": "ping", "payload": {}}', event_id="ping-1"
    )

    assert response.status_code == 200 and response.json()["status"] == "ignored"
    [event] = _events(hooks, integration["id"])
    assert event["status"] == "skipped" and "new_candidate_application" in event["reason"]


# --- outbound: callbacks ----------------------------------------------------------------------


def test_callback_503_then_200_is_delivered_with_two_attempts(
    hooks: Service, fake_ats: FakeAts
) -> None:
    callback = f"/callbacks/{uuid.uuid4().hex}"
    fake_ats.on(callback, Reply(503, headers={"Retry-After": "1"}), Reply(200))
    integration = _integration(hooks, provider="greenhouse", callback_url=fake_ats.url(callback))
    _map(hooks, integration["id"], GREENHOUSE_JOB)
    body = _greenhouse_body(fake_ats.url("/files/cv.pdf"))

    response = _greenhouse_post(hooks, integration, body, event_id=f"gh-{uuid.uuid4().hex}")

    assert response.status_code == 200
    [delivery] = _finished_deliveries(hooks, integration["id"])
    assert delivery["outcome"] == "delivered"
    first, second = delivery["attempts"]
    assert (first["status_code"], second["status_code"]) == (503, 200)
    assert first["retry_after_s"] == 1.0 and first["next_delay_s"] == 1.0
    assert second["started_at"] - first["started_at"] >= 1.0
    sent = fake_ats.requests_to(callback)
    assert len(sent) == 2
    # one message: the same webhook-id on both attempts, each signed afresh
    assert sent[0].headers["webhook-id"] == sent[1].headers["webhook-id"] == delivery["msg_id"]
    _assert_signed_callback(sent[1], integration["outbound_secret"])


def test_callback_refused_for_good_is_recorded_failed(hooks: Service, fake_ats: FakeAts) -> None:
    callback = f"/callbacks/{uuid.uuid4().hex}"
    fake_ats.on(callback, Reply(410))
    integration = _integration(hooks, provider="greenhouse", callback_url=fake_ats.url(callback))
    _map(hooks, integration["id"], GREENHOUSE_JOB)
    body = _greenhouse_body(fake_ats.url("/files/cv.pdf"))

    _greenhouse_post(hooks, integration, body, event_id=f"gh-{uuid.uuid4().hex}")

    [delivery] = _finished_deliveries(hooks, integration["id"])
    assert delivery["outcome"] == "failed" and "410" in delivery["reason"]
    assert len(delivery["attempts"]) == 1


# --- SSRF -------------------------------------------------------------------------------------


def test_private_cv_url_fails_the_event_as_unsafe_and_fetches_nothing(
    strict: Service, fake_ats: FakeAts
) -> None:
    cv_path = f"/files/{uuid.uuid4().hex}.pdf"
    fake_ats.serve_file(cv_path, b"%PDF-1.4 never served")
    integration = _integration(strict, provider="greenhouse", callback_url=fake_ats.url("/x"))
    _map(strict, integration["id"], GREENHOUSE_JOB)
    body = _greenhouse_body(fake_ats.url(cv_path))  # http://127.0.0.1:<port>/files/...

    response = _greenhouse_post(strict, integration, body, event_id=f"gh-{uuid.uuid4().hex}")

    assert response.status_code == 200
    event = _settled_event(strict, integration["id"])
    assert event["status"] == "failed"
    assert event["error_kind"] == "UnsafeUrl"
    assert event["reason"].startswith("UnsafeUrl: ") and "non-public" in event["reason"]
    assert event["attempts"] == 1  # an unsafe URL is not tried again
    assert fake_ats.requests_to(cv_path) == []
    assert _deliveries(strict, integration["id"]) == []


@pytest.mark.parametrize("address", ["10.0.0.7", "169.254.169.254", "192.168.1.20"])
def test_private_addresses_are_unsafe_even_when_loopback_is_allowed(
    hooks: Service, address: str
) -> None:
    assert ipaddress.ip_address(address).is_private
    integration = _integration(hooks, provider="greenhouse")
    _map(hooks, integration["id"], GREENHOUSE_JOB)
    body = _greenhouse_body(f"http://{address}/cv.pdf")

    _greenhouse_post(hooks, integration, body, event_id=f"gh-{uuid.uuid4().hex}")

    event = _settled_event(hooks, integration["id"])
    assert (event["status"], event["error_kind"]) == ("failed", "UnsafeUrl")


# --- inbound: Lever ---------------------------------------------------------------------------


def test_lever_delivery_is_screened_and_its_replay_rejected(
    hooks: Service, fake_ats: FakeAts, cv_pdf: bytes
) -> None:
    prefix = f"/lever-{uuid.uuid4().hex[:8]}"
    fake_ats.on(
        f"{prefix}/v1/opportunities/opp-1/resumes",
        Reply(headers={"Content-Type": "application/json"},
              body=b'{"data": [{"id": "res-1", "createdAt": 1, "file": {"name": "cv.pdf"}}]}'),
    )  # fmt: skip
    fake_ats.on(
        f"{prefix}/v1/opportunities/opp-1/applications",
        Reply(headers={"Content-Type": "application/json"},
              body=b'{"data": [{"id": "app-1", "posting": "posting-42"}]}'),
    )  # fmt: skip
    fake_ats.serve_file(f"{prefix}/v1/opportunities/opp-1/resumes/res-1/download", cv_pdf)
    callback = f"{prefix}/callback"
    fake_ats.on(callback, Reply(200))
    signature_token = "lever-signature-token-" + uuid.uuid4().hex
    integration = _integration(
        hooks, provider="lever", inbound_secret=signature_token,
        callback_url=fake_ats.url(callback), ats_api_key="lever-api-key",
        ats_base_url=fake_ats.url(prefix),
    )  # fmt: skip
    _map(hooks, integration["id"], "posting-42", role="data-scientist")
    body = _lever_body(uuid.uuid4().hex, signature_token)
    url = f"/v1/webhooks/lever/{integration['id']}"

    with hooks.client(None) as client:
        first = client.post(url, content=body)
        replay = client.post(url, content=body)
        stale = client.post(
            url, content=_lever_body(uuid.uuid4().hex, signature_token, triggered_ms=1_000_000)
        )
        forged = client.post(url, content=_lever_body(uuid.uuid4().hex, "not-the-token"))

    assert first.status_code == 200 and first.json()["status"] == "accepted"
    assert replay.status_code == 409 and replay.json()["kind"] == "DuplicateDelivery"
    assert replay.headers["content-type"] == PROBLEM
    assert stale.status_code == 401 and stale.json()["kind"] == "StaleTimestamp"
    assert forged.status_code == 401 and forged.json()["kind"] == "BadSignature"
    event = _settled_event(hooks, integration["id"])
    assert event["status"] == "screened" and event["role_id"] == "data-scientist"
    assert len(_events(hooks, integration["id"])) == 1
    [delivery] = _finished_deliveries(hooks, integration["id"])
    assert delivery["outcome"] == "delivered"
    resume_calls = fake_ats.requests_to(f"{prefix}/v1/opportunities/opp-1/resumes")
    assert (
        resume_calls[0].headers["authorization"]
        == "Basic " + base64.b64encode(b"lever-api-key:").decode()
    )
    [recorded] = fake_ats.requests_to(callback)
    data = _assert_signed_callback(recorded, integration["outbound_secret"])
    assert data["role"]["id"] == "data-scientist" and data["ats_job_id"] == "posting-42"


# --- inbound: generic Standard Webhooks -------------------------------------------------------


def test_generic_standard_webhook_with_base64_cv_is_screened(
    hooks: Service, fake_ats: FakeAts, cv_pdf: bytes
) -> None:
    callback = f"/callbacks/{uuid.uuid4().hex}"
    fake_ats.on(callback, Reply(200))
    integration = _integration(hooks, provider="generic")
    assert integration["inbound_secret"].startswith("whsec_")
    body = json.dumps(
        {"candidate_ref": "cand-8812", "job_ref": "job-42", "role": "ml-engineer", "market": "tr",
         "cv": {"base64": base64.b64encode(cv_pdf).decode(), "filename": "cv.pdf"},
         "callback_url": fake_ats.url(callback)}
    ).encode()  # fmt: skip
    msg_id = f"msg_{uuid.uuid4().hex}"

    response = _standard_post(hooks, integration, body, msg_id=msg_id)
    again = _standard_post(hooks, integration, body, msg_id=msg_id)
    stale = _standard_post(hooks, integration, body, msg_id="msg_stale", timestamp=1_000_000)

    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert stale.status_code == 401 and stale.json()["kind"] == "StaleTimestamp"
    event = _settled_event(hooks, integration["id"])
    assert (event["status"], event["role_id"], event["market"]) == ("screened", "ml-engineer", "tr")
    [delivery] = _finished_deliveries(hooks, integration["id"])
    assert delivery["outcome"] == "delivered"
    [recorded] = fake_ats.requests_to(callback)
    data = _assert_signed_callback(recorded, integration["outbound_secret"])
    assert data["candidate_ref"] == "cand-8812" and data["market"] == "tr"
    assert _audit_count(hooks, f"generic:{msg_id}") == 1


def test_generic_body_over_the_limit_is_413(hooks: Service) -> None:
    integration = _integration(hooks, provider="generic")
    body = b"{" + b" " * hooks.settings.webhook_body_max_bytes + b"}"

    response = _standard_post(hooks, integration, body, msg_id="msg_big")

    assert response.status_code == 413
    assert _events(hooks, integration["id"]) == []


# --- admin ------------------------------------------------------------------------------------


def test_secrets_are_shown_once_and_encrypted_at_rest(hooks: Service) -> None:
    created = _integration(hooks, provider="greenhouse", callback_url="https://ats.example/cb")
    assert created["outbound_secret"].startswith("whsec_") and len(created["inbound_secret"]) == 64

    with hooks.client() as client:
        listed = client.get("/v1/integrations").text
        one = client.get(f"/v1/integrations/{created['id']}").json()
    with hooks.client("read") as client:
        forbidden = client.get("/v1/integrations")

    assert created["inbound_secret"] not in listed and created["outbound_secret"] not in listed
    assert "inbound_secret" not in one and one["webhook_url"].endswith(created["id"])
    assert forbidden.status_code == 403
    engine = make_engine(hooks.settings.database_url)
    try:
        with engine.connect() as connection:
            dump = repr(connection.exec_driver_sql("SELECT * FROM integrations").fetchall())
            audit = connection.exec_driver_sql(
                "SELECT source, details FROM audit_log WHERE event = 'integration-created'"
            ).fetchall()
    finally:
        engine.dispose()
    assert created["inbound_secret"] not in dump and created["outbound_secret"] not in dump
    # the creation is on record, without its secrets (other tests share the database)
    own = [row for row in audit if created["id"] in repr(row[1])]
    assert [row[0] for row in own] == ["api"]
    assert created["inbound_secret"] not in repr(audit)
    assert created["outbound_secret"] not in repr(audit)


def test_mapping_to_an_unknown_role_is_404_with_the_valid_ids(hooks: Service) -> None:
    created = _integration(hooks, provider="greenhouse")
    with hooks.client() as client:
        response = client.put(
            f"/v1/integrations/{created['id']}/mappings/1", json={"role_id": "ml-eng"}
        )
    assert response.status_code == 404
    assert "ml-engineer" in response.json()["valid_roles"]


def test_lever_integration_without_its_signature_token_is_422(hooks: Service) -> None:
    with hooks.client() as client:
        response = client.post("/v1/integrations", json={"name": "x", "provider": "lever"})
    assert response.status_code == 422


def test_production_settings_refuse_the_development_secrets_key() -> None:
    with pytest.raises(ValueError, match="SCREENER_WEBHOOK_SECRETS_KEY"):
        Settings(environment="production", api_key_pepper="a-production-pepper-0123456789")
