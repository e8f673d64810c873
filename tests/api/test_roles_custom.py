"""Custom roles: drafted from a job description, reviewed, saved and screened for."""

from __future__ import annotations

from tests.api.conftest import Service

JD = """Senior Machine Learning Engineer (Recommendations)

Requirements:
- 5+ years of Python and PyTorch
- Experience with Kubernetes and Docker for model serving
- Strong SQL and Spark

Nice to have: MLflow, Airflow
"""


def test_draft_save_and_screen_a_custom_role(service: Service, cv_bytes: dict[str, bytes]) -> None:
    role_id = f"acme-recsys-{service.settings.database_url[:6].replace(':', '')}"
    with service.client("read") as client:
        draft = client.post("/v1/roles/from-job-description", data={"role_id": role_id, "text": JD})
    assert draft.status_code == 200, draft.text
    role = draft.json()
    assert role["id"] == role_id and role["skills"]
    body = {k: v for k, v in role.items() if k not in ("version", "salary_bands")}
    with service.client("read") as client:
        assert client.put(f"/v1/roles/{role_id}", json=body).status_code == 403
    with service.client("admin") as client:
        saved = client.put(f"/v1/roles/{role_id}", json=body)
        seed = client.put("/v1/roles/ml-engineer", json={**body, "id": "ml-engineer"})
        mismatch = client.put("/v1/roles/other-id", json=body)
        listed = [r["id"] for r in client.get("/v1/roles").json()["data"]]
    assert saved.status_code == 200, saved.text
    assert seed.status_code == 409
    assert mismatch.status_code == 422
    assert role_id in listed
    assert (service.settings.roles_dir / f"{role_id}.yaml").is_file()
    with service.client("screen") as client:
        screened = client.post(
            "/v1/screenings",
            files={"file": ("cv.pdf", cv_bytes["resumematcher_harvey_dent_mle.pdf"])},
            data={"role": role_id},
        )
    assert screened.status_code == 200, screened.text
    assert screened.json()["screening"]["role"]["id"] == role_id


def test_draft_with_neither_text_nor_file_is_400(service: Service) -> None:
    with service.client("read") as client:
        response = client.post("/v1/roles/from-job-description", data={"role_id": "x-role"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
