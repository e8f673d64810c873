"""`screener parse` end to end: a real process over real files, one JSON line per file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.pdf_factory import Run, build_pdf

DATA = Path("../shared/data")


def _run_parse(*files: Path, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "screener.cli",
            "parse",
            "--json",
            "--workers",
            "2",
            *extra,
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_parse_json_gives_every_file_its_line_and_errors_do_not_stop_the_rest(
    tmp_path: Path,
) -> None:
    stuffed = tmp_path / "stuffed.pdf"
    stuffed.write_bytes(
        build_pdf(
            [
                [
                    Run("Jane Doe", 56, 780),
                    Run("jane.doe@example.com", 56, 765),
                    Run("Experience", 56, 740),
                    Run("Machine Learning Engineer, Acme GmbH, 01/2020 - present", 56, 725),
                    Run("pytorch kubernetes lora", 56, 700, rgb=(1, 1, 1)),
                ]
            ]
        )
    )
    not_a_cv = tmp_path / "photo.png"
    not_a_cv.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    missing = tmp_path / "missing.pdf"
    deedy = DATA / "layout-diverse-cv-pdfs/deedy_resume_openfont.pdf"
    docx = DATA / "vanetik-vacancy-resume-matching/CV/1.docx"

    result = _run_parse(
        stuffed, not_a_cv, deedy, missing, docx, extra=("--reference-date", "2026-11-01")
    )

    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["file"] for row in rows] == list(
        map(str, [stuffed, not_a_cv, deedy, missing, docx])
    )

    ok = rows[0]
    assert set(ok) >= {
        "file",
        "sha256",
        "pages",
        "ocr_used",
        "warnings",
        "text",
        "sections",
        "profile",
    }
    assert ok["pages"] == 1 and ok["ocr_used"] is False
    assert "kubernetes" not in ok["text"]
    assert any("hidden text" in warning for warning in ok["warnings"])
    assert "jane.doe@example.com" in ok["profile"]["contacts"]["emails"]
    assert [s["kind"] for s in ok["sections"]][:2] == ["header", "experience"]

    assert rows[1]["error"]["type"] == "UnsupportedFormat"
    assert "PDF" in rows[1]["error"]["message"]
    assert rows[2]["pages"] == 1 and "EXPERIENCE" in rows[2]["text"]
    assert rows[3]["error"]["type"] in {"DocumentError", "CorruptDocument", "EmptyDocument"}
    assert rows[4]["text"] and rows[4]["sha256"]


def test_parse_exits_non_zero_when_every_file_fails(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\n" + b"\x00" * 64)
    result = _run_parse(junk)
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["type"] == "CorruptDocument"


def test_roles_json_lists_the_six_roles_with_market_bands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "screener.cli", "roles", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    roles = {role["id"]: role for role in json.loads(result.stdout)["roles"]}
    assert set(roles) == {
        "ml-engineer",
        "llm-genai-engineer",
        "data-scientist",
        "computer-vision-engineer",
        "nlp-engineer",
        "mlops-engineer",
    }
    bands = roles["ml-engineer"]["salary_bands"]
    assert (bands["de"]["min"], bands["de"]["max"]) == (85_000, 130_000)
    assert (bands["us"]["min"], bands["us"]["max"]) == (110_500, 208_000)


def test_role_from_jd_drafts_a_reviewable_role(tmp_path: Path) -> None:
    jd = tmp_path / "jd.txt"
    jd.write_text(
        "Senior LLM Engineer\n"
        "Requirements:\n- Fine-tuning with LoRA or QLoRA\n- RAG pipelines with a vector database\n"
        "- Python and PyTorch\n- AWS (EC2, S3)\nNice to have:\n- Kubernetes\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "screener.cli",
            "role",
            "from-jd",
            str(jd),
            "--id",
            "acme-llm",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "closest seed role: llm-genai-engineer" in result.stderr
    assert "Cloud ML platforms (includes ec2, s3)" in result.stderr
    saved = (tmp_path / "acme-llm.yaml").read_text(encoding="utf-8")
    assert "id: acme-llm" in saved


def test_role_from_jd_reports_an_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "jd.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + b"\x00" * 32)
    result = subprocess.run(
        [sys.executable, "-m", "screener.cli", "role", "from-jd", str(bad), "--id", "x"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "jd.pdf" in result.stderr
