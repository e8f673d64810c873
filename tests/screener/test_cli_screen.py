"""`screener screen` and `screener rank` end to end: real processes over real files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from screener.screening import RANK_COLUMNS

STRONG = """Summary
ML engineer building production recommendation systems.

Experience
ML Engineer, Shopco, 01/2020 - present
- Deployed PyTorch models as FastAPI services with Docker and Kubernetes.
- Drift monitoring with Prometheus; retraining in Airflow; MLflow model registry.
- git, pull requests, code review, pytest, GitHub Actions CI/CD.

Education
M.Sc. Statistics, University of Vienna

Skills
Python, PyTorch, SQL, Spark
"""

WEAK = """Experience
Shop assistant, 2018 - 2023
- Served customers and kept the till.

Skills
Excel, customer service
"""


def _screener(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "screener.cli", *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_screen_prints_json_with_the_documented_names(tmp_path: Path) -> None:
    cv = tmp_path / "strong.txt"
    cv.write_text(STRONG, encoding="utf-8")
    done = _screener(
        "screen", str(cv), "--role", "ml-engineer", "--market", "ae", "--json",
        "--reference-date", "2026-01-01",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"fit", "dimensions", "skills", "red_flags", "rubric_version", "model_hash"} <= set(data)
    assert data["salary_band"]["market"] == "ae"
    assert data["dimensions"]["engineering_maturity"]["score"] >= 70
    assert data["role"]["id"] == "ml-engineer"


def test_screen_names_the_valid_roles_for_an_unknown_one(tmp_path: Path) -> None:
    cv = tmp_path / "strong.txt"
    cv.write_text(STRONG, encoding="utf-8")
    done = _screener("screen", str(cv), "--role", "astronaut")
    assert done.returncode == 2
    assert "unknown role 'astronaut'" in done.stderr and "ml-engineer" in done.stderr


def test_rank_writes_a_ranked_table_with_failed_files_as_rows(tmp_path: Path) -> None:
    folder = tmp_path / "cvs"
    folder.mkdir()
    (folder / "strong.txt").write_text(STRONG, encoding="utf-8")
    (folder / "weak.txt").write_text(WEAK, encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF")
    (folder / "notes.md").write_text("not a CV file type", encoding="utf-8")
    out = tmp_path / "ranked.csv"
    done = _screener(
        "rank", str(folder), "--role", "ml-engineer", "--out", str(out), "--workers", "1",
        "--progress", "--reference-date", "2026-01-01",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "3/3" in done.stderr  # progress counter
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(RANK_COLUMNS)
    assert [(r["rank"], r["file"]) for r in rows] == [
        ("1", "strong.txt"), ("2", "weak.txt"), ("", "broken.pdf"),
    ]  # fmt: skip
    assert float(rows[0]["fit"]) > float(rows[1]["fit"])
    assert rows[0]["percentile"] == "100.0" and rows[1]["percentile"] == "0.0"
    assert rows[2]["error"] and rows[2]["fit"] == ""
    assert "strong.txt" in done.stdout.splitlines()[1]
