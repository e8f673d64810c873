"""Single screenings: results, dedup, unreadable files, limits; candidates, decisions,
explanations, search and erasure."""

from __future__ import annotations

import io
import json
import time

import httpx
from sqlalchemy import func, select

from benchmarks.speed import server_timing
from rubrics._aliases import _probes_of
from screener.profile._contacts import _emails_in, _links_in, _phones_in
from screener.store import (
    AuditRecord,
    Candidate,
    CandidateVectors,
    Decision,
    Document,
    ScreeningRecord,
    make_engine,
    make_sessions,
)
from tests.api.conftest import Service

PROBLEM = "application/problem+json"


def _screen(
    client: httpx.Client, data: bytes, *, role: str, market: str = "de", name: str = "cv.pdf"
) -> httpx.Response:
    return client.post(
        "/v1/screenings",
        files={"file": (name, data, "application/pdf")},
        data={"role": role, "market": market},
    )


def _count(service: Service, model: type, *where: object) -> int:
    engine = make_engine(service.settings.database_url)
    try:
        with make_sessions(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
    finally:
        engine.dispose()


def _audit_for(service: Service, screening_id: str) -> list[dict[str, object]]:
    engine = make_engine(service.settings.database_url)
    try:
        with make_sessions(engine)() as session:
            details = session.scalars(
                select(AuditRecord.details).where(AuditRecord.event == "screening")
                .order_by(AuditRecord.seq)
            ).all()  # fmt: skip
    finally:
        engine.dispose()
    return [d for d in details if d and d.get("screening_id") == screening_id]


def test_screening_returns_scores_evidence_and_versions(
    service: Service, cv_bytes: dict[str, bytes]
) -> None:
    with service.client("screen") as client:
        response = _screen(
            client, cv_bytes["resumematcher_harvey_dent_mle.pdf"], role="ml-engineer"
        )
    assert response.status_code == 200, response.text
    body = response.json()
    screening = body["screening"]
    assert 0 <= screening["fit"] <= 100
    assert set(screening["dimensions"]) == {
        "mathematical_foundation", "engineering_maturity", "domain_application"
    }  # fmt: skip
    assert screening["model_hash"] and screening["rubric_version"]
    assert screening["role"]["id"] == "ml-engineer"
    assert screening["salary_band"]["market"] == "de"
    assert "never rejects" in body["notice"]
    cited = [e for d in screening["dimensions"].values() for r in d["rules"] for e in r["evidence"]]
    assert cited and all(e["text"] for e in cited)


def test_same_bytes_role_and_rubric_reuse_the_result(
    service: Service, cv_bytes: dict[str, bytes]
) -> None:
    data = cv_bytes["sb2nov_sourabh_bajaj_resume.pdf"]
    with service.client("screen") as client:
        first = _screen(client, data, role="mlops-engineer", name="a.pdf").json()
        second = _screen(client, data, role="mlops-engineer", name="renamed.pdf").json()
        other_market = _screen(client, data, role="mlops-engineer", market="us").json()
    assert (first["reused"], second["reused"]) == (False, True)
    assert second["screening_id"] == first["screening_id"]
    assert second["screening"] == first["screening"]
    assert other_market["candidate_id"] == first["candidate_id"]
    assert other_market["screening_id"] != first["screening_id"]
    assert other_market["screening"]["salary_band"]["market"] == "us"
    sha = first["screening"]["cv_sha256"]
    assert _count(service, ScreeningRecord, ScreeningRecord.cv_sha256 == sha,
                  ScreeningRecord.role_id == "mlops-engineer") == 2  # fmt: skip
    # every served result is audited, reuse included
    for screening_id, times in ((first["screening_id"], 2), (other_market["screening_id"], 1)):
        records = _audit_for(service, screening_id)
        assert [r["reused"] for r in records] == [False, True][:times]


def test_server_timing_and_metrics_name_each_step_of_the_screening(
    service: Service, cv_bytes: dict[str, bytes]
) -> None:
    data = cv_bytes["resumematcher_john_doe.pdf"]
    with service.client("screen") as client:
        begun = time.perf_counter()
        first = _screen(client, data, role="computer-vision-engineer", market="ae")
        elapsed = time.perf_counter() - begun
        again = _screen(client, data, role="computer-vision-engineer", market="ae")
    assert first.status_code == again.status_code == 200
    steps = server_timing(first.headers["server-timing"])
    assert list(steps) == ["parse", "profile", "embed", "score", "store"]
    assert all(seconds > 0 for seconds in steps.values())
    # the steps are parts of the call the client waited for
    assert sum(steps.values()) < elapsed
    assert again.json()["reused"] is True
    assert list(server_timing(again.headers["server-timing"])) == ["reuse"]
    with service.client("read") as reader:
        metrics = reader.get("/metrics").text
    for step in steps:
        assert f'screener_screening_step_seconds_count{{source="api",step="{step}"}}' in metrics


def test_unreadable_file_is_422_with_kind(service: Service) -> None:
    with service.client("screen") as client:
        truncated = _screen(client, b"%PDF-1.7\n1 0 obj << /Type /Catalog", role="ml-engineer")
        binary = _screen(client, bytes(range(256)) * 8, role="ml-engineer", name="x.bin")
    assert truncated.status_code == 422
    assert truncated.headers["content-type"] == PROBLEM
    assert truncated.json()["kind"] in {"CorruptDocument", "EmptyDocument"}
    assert binary.status_code == 422
    assert binary.json()["kind"] == "UnsupportedFormat"


def test_unknown_role_and_market_on_screening(service: Service, cv_bytes: dict[str, bytes]) -> None:
    data = cv_bytes["resumematcher_john_doe.pdf"]
    with service.client("screen") as client:
        role = _screen(client, data, role="astronaut")
        market = _screen(client, data, role="ml-engineer", market="mars")
    assert role.status_code == 404 and "ml-engineer" in role.json()["valid_roles"]
    assert market.status_code == 422 and "de" in market.json()["valid_markets"]


def test_oversize_file_is_413_naming_the_limit(service: Service) -> None:
    limit = service.settings.documents.max_bytes
    with service.client("screen") as client:
        response = _screen(client, b"%PDF-1.4\n" + b"0" * (limit + 1), role="ml-engineer")
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert str(limit) in response.json()["detail"]
    assert response.json()["limit"] == limit


def test_candidate_view_hides_contacts_below_admin(
    service: Service, cv_bytes: dict[str, bytes]
) -> None:
    with service.client("screen") as client:
        body = _screen(client, cv_bytes["resumematcher_john_doe.pdf"], role="data-scientist").json()
    candidate_id = body["candidate_id"]
    with service.client("read") as client:
        public = client.get(f"/v1/candidates/{candidate_id}").json()
    with service.client("admin") as client:
        private = client.get(f"/v1/candidates/{candidate_id}").json()
    assert public["personal_data_included"] is False and "contacts" not in public["profile"]
    assert private["personal_data_included"] is True and "contacts" in private["profile"]
    assert body["screening_id"] in [s["id"] for s in public["screenings"]]


def test_explanation_as_json_and_markdown(service: Service, cv_bytes: dict[str, bytes]) -> None:
    with service.client("screen") as client:
        body = _screen(client, cv_bytes["deedy_resume_openfont.pdf"], role="nlp-engineer").json()
    path = f"/v1/candidates/{body['candidate_id']}/screenings/{body['screening_id']}/explanation"
    with service.client("read") as client:
        as_json = client.get(path).json()
        as_text = client.get(path, headers={"Accept": "text/markdown"})
    assert as_json["explanation"] == body["screening"]["explanation"]
    assert as_json["rubric_version"] == body["screening"]["rubric_version"]
    assert "human review" in as_json["how_to_contest"]
    assert as_text.headers["content-type"].startswith("text/markdown")
    assert body["screening"]["explanation"] in as_text.text


def test_decision_is_stored_beside_the_machine_score(
    service: Service, cv_bytes: dict[str, bytes]
) -> None:
    with service.client("screen") as client:
        body = _screen(client, cv_bytes["deedy_resume_openfont.pdf"], role="mlops-engineer").json()
        candidate = body["candidate_id"]
        decision = client.post(
            f"/v1/candidates/{candidate}/decisions",
            json={"decision": "override", "override_fit": 88.0, "reason": "Led the MLOps team",
                  "screening_id": body["screening_id"]},
        )  # fmt: skip
        missing_score = client.post(
            f"/v1/candidates/{candidate}/decisions",
            json={"decision": "override", "reason": "x" * 5},
        )
    assert decision.status_code == 201, decision.text
    assert missing_score.status_code == 422
    with service.client("read") as client:
        view = client.get(f"/v1/candidates/{candidate}").json()
        screening = client.get(
            f"/v1/candidates/{candidate}/screenings/{body['screening_id']}"
        ).json()
    assert view["decisions"][0]["override_fit"] == 88.0
    assert screening["fit"] == body["screening"]["fit"]  # the machine score is kept


def test_search_by_text_and_role_finds_stored_candidates(
    service: Service, cv_bytes: dict[str, bytes]
) -> None:
    with service.client("screen") as client:
        body = _screen(
            client, cv_bytes["resumematcher_harvey_dent_mle.pdf"], role="ml-engineer"
        ).json()
    with service.client("read") as client:
        by_text = client.post("/v1/search", json={"query": "machine learning models", "k": 5})
        by_role = client.post("/v1/search", json={"role_id": "ml-engineer", "k": 5})
        unknown = client.post("/v1/search", json={"role_id": "astronaut"})
    assert by_text.status_code == 200 and by_role.status_code == 200
    assert body["candidate_id"] in [h["candidate_id"] for h in by_text.json()["data"]]
    hit = next(h for h in by_role.json()["data"] if h["candidate_id"] == body["candidate_id"])
    assert hit["evidence"] and hit["evidence"][0]["text"]
    assert unknown.status_code == 404


def test_erasure_removes_data_vectors_and_keeps_a_verifiable_audit(
    service: Service, cv_bytes: dict[str, bytes]
) -> None:
    data = cv_bytes["resumematcher_john_doe.pdf"]
    with service.client("screen") as client:
        body = _screen(client, data, role="llm-genai-engineer").json()
    candidate = body["candidate_id"]
    sha = body["screening"]["cv_sha256"]
    with service.client("screen") as client:
        assert client.delete(f"/v1/candidates/{candidate}").status_code == 403
    with service.client("admin") as client:
        assert client.delete(f"/v1/candidates/{candidate}").status_code == 204
        # nor do the texts the profile and the alias matchers keep for their next reader
        kept = [f.cache_info().currsize for f in (_links_in, _emails_in, _phones_in, _probes_of)]
        assert kept == [0, 0, 0, 0]
        assert client.get(f"/v1/candidates/{candidate}").status_code == 404
        assert client.delete(f"/v1/candidates/{candidate}").status_code == 204  # idempotent
        search = client.post("/v1/search", json={"query": "John Doe software", "k": 50}).json()
        verify = client.get("/v1/audit/verify").json()
        exported = [json.loads(line) for line in client.get("/v1/audit").text.splitlines()]
    assert candidate not in [h["candidate_id"] for h in search["data"]]
    for model in (Document, CandidateVectors, ScreeningRecord, Decision):
        assert _count(service, model, model.candidate_id == candidate) == 0
    assert _count(service, Candidate, Candidate.cv_sha256 == sha) == 0
    assert verify["ok"] is True, verify
    mine = [r for r in exported if r["candidate_id"] == candidate]
    assert [r["event"] for r in mine][-1] == "erasure"
    assert all(r["cv_sha256"] in (sha, None) for r in mine)
    assert data[:200].decode("latin-1") not in json.dumps(mine)
    # the same file screened again is a new candidate
    with service.client("screen") as client:
        again = _screen(client, data, role="llm-genai-engineer").json()
    assert again["candidate_id"] != candidate and again["reused"] is False


def test_audit_export_detects_tampering(service: Service, cv_bytes: dict[str, bytes]) -> None:
    from sqlalchemy import update

    with service.client("screen") as client:
        _screen(
            client, cv_bytes["sb2nov_sourabh_bajaj_resume.pdf"], role="computer-vision-engineer"
        )
    engine = make_engine(service.settings.database_url)
    sessions = make_sessions(engine)
    with sessions() as session:
        last = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
        assert last is not None
        original = dict(last.scores or {})
        seq = last.seq
    try:
        with sessions() as session, session.begin():
            session.execute(
                update(AuditRecord).where(AuditRecord.seq == seq)
                .values(scores={**original, "fit": 100.0})
            )  # fmt: skip
        with service.client("admin") as client:
            report = client.get("/v1/audit/verify").json()
        assert report["ok"] is False and report["broken_seq"] == seq
    finally:
        with sessions() as session, session.begin():
            session.execute(
                update(AuditRecord).where(AuditRecord.seq == seq).values(scores=original)
            )
        engine.dispose()
    with service.client("admin") as client:
        assert client.get("/v1/audit/verify").json()["ok"] is True


def test_upload_body_over_limit_is_413(service: Service) -> None:
    limit = service.settings.upload_max_bytes
    with service.client("screen") as client:
        response = client.post(
            "/v1/batches",
            files={"files": ("big.pdf", io.BytesIO(b"0" * (limit + 10)), "application/pdf")},
            data={"role": "ml-engineer"},
        )
    assert response.status_code == 413
    assert response.json()["limit"] == limit
