"""Health, auth, roles and problem+json errors."""

from __future__ import annotations

from tests.api.conftest import Service

PROBLEM = "application/problem+json"


def test_healthz_needs_no_key(service: Service) -> None:
    with service.client(None) as client:
        assert client.get("/healthz").json() == {"status": "ok", "model_hash": None,
                                                 "roles_version": None,
                                                 "candidates_in_pool": None}  # fmt: skip
        ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["model_hash"]


def test_request_without_key_is_401_problem(service: Service) -> None:
    with service.client(None) as client:
        response = client.get("/v1/roles")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_unknown_key_is_401(service: Service) -> None:
    with service.client(None) as client:
        response = client.get("/v1/roles", headers={"X-API-Key": "scr_nope_nope"})
    assert response.status_code == 401
    assert "unknown or revoked" in response.json()["detail"]


def test_wrong_scope_is_403_problem(service: Service, cv_bytes: dict[str, bytes]) -> None:
    with service.client("read") as client:
        response = client.post(
            "/v1/screenings",
            files={"file": ("cv.pdf", cv_bytes["resumematcher_john_doe.pdf"], "application/pdf")},
            data={"role": "ml-engineer"},
        )
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert "screen" in response.json()["detail"]
    with service.client("screen") as client:
        assert client.get("/v1/audit/verify").status_code == 403


def test_roles_list_and_detail_with_salary_bands(service: Service) -> None:
    with service.client("read") as client:
        roles = client.get("/v1/roles").json()
        ids = [r["id"] for r in roles["data"]]
        role = client.get("/v1/roles/ml-engineer").json()
    assert "ml-engineer" in ids and "nlp-engineer" in ids
    assert {b["market"] for b in role["salary_bands"]} == {"de", "tr", "ae", "us"}
    de = next(b for b in role["salary_bands"] if b["market"] == "de")
    tr = next(b for b in role["salary_bands"] if b["market"] == "tr")
    assert tr["max"] < de["max"]
    assert role["skills"] and role["dimension_weights"]


def test_unknown_role_is_404_listing_roles(service: Service) -> None:
    with service.client("read") as client:
        response = client.get("/v1/roles/ml-eng")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert "ml-engineer" in body["valid_roles"]
    assert "ml-engineer" in body["detail"]


def test_validation_error_is_422_problem(service: Service) -> None:
    with service.client("read") as client:
        response = client.post("/v1/search", json={"k": 5})
        paged = client.get("/v1/batches/x/results", params={"page": 0})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"]
    assert paged.status_code == 422 and paged.headers["content-type"] == PROBLEM


def test_unknown_path_is_404_problem(service: Service) -> None:
    with service.client("read") as client:
        response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_openapi_served_with_examples(service: Service) -> None:
    with service.client(None) as client:
        spec = client.get("/openapi.json").json()
    assert "/v1/screenings" in spec["paths"]
    assert "/v1/batches/{batch_id}/results.csv" in spec["paths"]
    assert "examples" in spec["components"]["schemas"]["SearchCreate"]


def test_metrics_exported(service: Service) -> None:
    with service.client("read") as client:
        text = client.get("/metrics").text
    assert "screener_batch_queue_depth" in text
    assert "screener_http_request_seconds" in text
