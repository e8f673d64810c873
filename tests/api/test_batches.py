"""Batches: per-file errors, ranking, filters, CSV, zips and upload limits."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from typing import Any

import httpx

from tests.api.conftest import Service

PROBLEM = "application/problem+json"


def wait_for_batch(client: httpx.Client, batch_id: str, timeout_s: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        response = client.get(f"/v1/batches/{batch_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] == "completed":
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.2)


def test_batch_with_a_bad_file_completes_with_that_rows_error(
    service: Service, cv_bytes: dict[str, bytes]
) -> None:
    files = [
        ("files", ("good-1.pdf", cv_bytes["resumematcher_harvey_dent_mle.pdf"], "application/pdf")),
        ("files", ("broken.pdf", b"%PDF-1.4\nnot really", "application/pdf")),
        ("files", ("good-2.pdf", cv_bytes["deedy_resume_openfont.pdf"], "application/pdf")),
    ]
    with service.client("screen") as client:
        submitted = client.post("/v1/batches", files=files, data={"role": "data-scientist"})
        assert submitted.status_code == 202, submitted.text
        batch = wait_for_batch(client, submitted.json()["id"])
    assert (batch["total"], batch["done"], batch["failed"]) == (3, 2, 1)
    with service.client("read") as client:
        results = client.get(f"/v1/batches/{batch['id']}/results").json()
        page = client.get(f"/v1/batches/{batch['id']}/results", params={"page_size": 1}).json()
        table = client.get(f"/v1/batches/{batch['id']}/results.csv")
    rows = results["data"]
    assert [r["rank"] for r in rows] == [1, 2, None] or [r["rank"] for r in rows] == [1, 1, None]
    assert rows[0]["fit"] >= rows[1]["fit"]
    assert rows[2]["file"] == "broken.pdf" and rows[2]["status"] == "failed"
    assert rows[2]["error_kind"] in {"CorruptDocument", "EmptyDocument"}
    assert (page["total"], len(page["data"])) == (3, 1)
    assert table.headers["content-type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(table.text)))
    assert [r["file"] for r in parsed] == [r["file"] for r in rows]


def test_results_filter_by_min_fit_and_red_flag(
    service: Service, cv_bytes: dict[str, bytes]
) -> None:
    files = [("files", (name, data, "application/pdf")) for name, data in cv_bytes.items()]
    with service.client("screen") as client:
        batch_id = client.post("/v1/batches", files=files, data={"role": "nlp-engineer"}).json()[
            "id"
        ]
        wait_for_batch(client, batch_id)
    with service.client("read") as client:
        everything = client.get(f"/v1/batches/{batch_id}/results").json()["data"]
        cut = sorted(r["fit"] for r in everything)[len(everything) // 2]
        high = client.get(f"/v1/batches/{batch_id}/results", params={"min_fit": cut}).json()
        flags = {f for r in everything for f in r["red_flags"]}
        flag = next(iter(flags), "no-such-flag")
        flagged = client.get(f"/v1/batches/{batch_id}/results", params={"red_flag": flag}).json()
    assert high["total"] == sum(r["fit"] >= cut for r in everything)
    assert all(r["fit"] >= cut for r in high["data"])
    assert flagged["total"] == sum(flag in r["red_flags"] for r in everything)


def test_zip_upload_is_unpacked(service: Service, cv_bytes: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cvs/a.pdf", cv_bytes["resumematcher_john_doe.pdf"])
        archive.writestr("cvs/b.pdf", cv_bytes["sb2nov_sourabh_bajaj_resume.pdf"])
        archive.writestr("__MACOSX/cvs/._a.pdf", b"resource fork")
    with service.client("screen") as client:
        submitted = client.post(
            "/v1/batches",
            files={"files": ("cvs.zip", buffer.getvalue(), "application/zip")},
            data={"role": "ml-engineer", "market": "tr"},
        )
        assert submitted.status_code == 202, submitted.text
        batch = wait_for_batch(client, submitted.json()["id"])
    assert (batch["total"], batch["done"], batch["market"]) == (2, 2, "tr")


def test_zip_bomb_is_413(service: Service) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.pdf", b"\0" * (30 * 1024 * 1024))
    with service.client("screen") as client:
        response = client.post(
            "/v1/batches",
            files={"files": ("cvs.zip", buffer.getvalue(), "application/zip")},
            data={"role": "ml-engineer"},
        )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert "limit" in response.json()["detail"]


def test_too_many_files_is_413_naming_the_limit(service: Service) -> None:
    limit = service.settings.upload_max_files
    files = [("files", (f"{i}.txt", b"Python developer", "text/plain")) for i in range(limit + 1)]
    with service.client("screen") as client:
        response = client.post("/v1/batches", files=files, data={"role": "ml-engineer"})
    assert response.status_code == 413
    assert response.json()["limit"] == limit
    assert str(limit) in response.json()["detail"]


def test_unknown_batch_is_404(service: Service) -> None:
    with service.client("read") as client:
        assert client.get("/v1/batches/nope").status_code == 404
        assert client.get("/v1/batches/nope/results.csv").status_code == 404
