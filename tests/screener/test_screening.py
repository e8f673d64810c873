"""Screening end to end with the real model: JSON shape, determinism, fairness counterfactuals."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from screener._json import to_jsonable
from screener.documents import read_document
from screener.errors import DocumentError
from screener.parsing import ParsedCV, analyse, parse_paths
from screener.pipeline import ScreeningPipeline
from screener.redaction import redact_personal_data
from screener.screening import (
    RANK_COLUMNS,
    Screening,
    cv_files,
    rank,
    rank_screenings,
    screen,
    screening_json,
    screening_processes,
)
from screener.settings import EmbeddingSettings, Settings
from tests.pdf_factory import Run, build_pdf

REFERENCE = date(2026, 1, 1)
DATA = Path("../shared/data")
RANK_PDFS = (
    DATA / "layout-diverse-cv-pdfs/resumematcher_harvey_dent_mle.pdf",
    DATA / "layout-diverse-cv-pdfs/sb2nov_sourabh_bajaj_resume.pdf",
    DATA / "kaggle-resume-pdfs/data/INFORMATION-TECHNOLOGY/10247517.pdf",
    DATA / "kaggle-resume-pdfs/data/ENGINEERING/10030015.pdf",
    DATA / "kaggle-resume-pdfs/data/HR/10399912.pdf",
)

CV_TEMPLATE = """{name}
{title} {name}, {pronoun_line}
Date of birth: {birth}
Nationality: {nationality}
Address: {address}
{email} | +49 170 1234567
{home}

Summary
Machine learning engineer. {pronoun} builds production ML systems for retail demand forecasting.

Experience
Senior ML Engineer, Acme Retail GmbH, 03/2021 - present
- Deployed PyTorch forecasting models as FastAPI services on Kubernetes with Docker.
- Set up drift monitoring with Prometheus and Grafana; retraining pipelines in Airflow.
- Code in git with pull requests, code review, pytest unit tests and GitHub Actions CI/CD.
Data Scientist, Beta Analytics, 01/{job_start} - {job_end}
- Feature engineering and cross-validation for gradient boosting models (XGBoost, scikit-learn).
- A/B testing and Bayesian inference for pricing experiments; SQL and pandas.

Education
M.Sc. Computer Science, {university}, 2014

Skills
Python, PyTorch, TensorFlow, Kubernetes, Docker, MLflow, SQL, Spark, feature stores
"""

BASE = {
    "name": "Anna Schmidt",
    "title": "Frau",
    "pronoun_line": "she/her",
    "pronoun": "She",
    "birth": "12.04.1990",
    "nationality": "German",
    "address": "Hauptstrasse 5, 10115 Berlin",
    # an address and an age written without labels of their own, as many CV headers do
    "home": "Hauptstraße 12, 10115 Berlin  Age: 35 years old",
    "email": "anna.schmidt@example.com",
    "job_start": "2017",
    "job_end": "02/2021",
    "university": "Technical University of Munich",
}

COUNTERFACTUALS = {
    "name": {"name": "Mehmet Yilmaz", "email": "mehmet.yilmaz@example.com"},
    "gender": {"title": "Herr", "pronoun_line": "he/him", "pronoun": "He"},
    "birth year": {"birth": "03.11.1968"},
    "nationality": {"nationality": "Turkish"},
    "address": {"address": "Bagdat Caddesi 120, 34728 Kadikoy Istanbul"},
    # "Research Ave" would be research experience if the scoring text kept it
    "unlabelled address and age": {
        "home": "1630 Research Ave, Springfield, IL 62701  52 years old"
    },
    # where the candidate lives as a header's line of its own, without a label
    "unlabelled home town": {"home": "Kadıköy, İstanbul, Türkiye"},
    # a birth date alone in a header's cell, an age as "y.o." and a birth year's label
    "unlabelled birth date and age": {
        "home": "Hauptstraße 12, 10115 Berlin  |  9 march 1968  |  57 y.o.  |  Birth year: 1968"
    },
    "all at once": {
        "name": "Fatima Al-Sayed",
        "email": "f.alsayed@example.com",
        "title": "Ms",
        "birth": "1999",
        "nationality": "Emirati",
        "address": "Villa 7, Al Wasl Road, Dubai",
        "home": "P.O. Box 12345, Dubai",
    },
}


def _parsed(text: str, name: str = "cv.txt") -> ParsedCV:
    return analyse(read_document(text.encode("utf-8"), name), reference_date=REFERENCE)


def _cv(**changes: str) -> ParsedCV:
    return _parsed(CV_TEMPLATE.format(**(BASE | changes)))


@pytest.fixture(scope="module")
def base(screening_pipeline: ScreeningPipeline) -> Screening:
    return screen(_cv(), "ml-engineer", market="de", pipeline=screening_pipeline)


def test_screening_json_has_the_documented_shape(base: Screening) -> None:
    data = json.loads(screening_json(base))
    assert list(data) == [
        "fit", "dimensions", "coverage", "skills", "red_flags", "sourcing_signals",
        "salary_band", "explanation", "role", "rubric_version", "model_hash", "cv_sha256",
    ]  # fmt: skip
    assert list(data["dimensions"]) == [
        "mathematical_foundation",
        "engineering_maturity",
        "domain_application",
    ]
    for dimension in data["dimensions"].values():
        assert set(dimension) == {"score", "rules"}
        for rule in dimension["rules"]:
            assert set(rule) == {"code", "name", "points", "evidence", "fact"}
            assert rule["evidence"] or rule["fact"]
    assert set(data["skills"]) == {"found", "related", "missing"}
    assert data["role"]["id"] == "ml-engineer"
    assert data["salary_band"]["min"] == 85000 and data["salary_band"]["market"] == "de"
    assert len(data["rubric_version"]) == 12 and data["model_hash"]
    assert 0 <= data["fit"] <= 100


def test_strong_cv_scores_well_with_evidence_from_the_redacted_text(base: Screening) -> None:
    dims = base.dimensions
    assert dims["engineering_maturity"].score >= 80
    assert dims["domain_application"].score >= 60
    assert base.fit >= 55
    testing = next(r for r in dims["engineering_maturity"].rules if r.code == "testing")
    assert testing.evidence[0].text.startswith("- Code in git with pull requests")
    assert testing.evidence[0].section == "experience" and testing.evidence[0].page == 1
    quoted = json.dumps(to_jsonable(base))
    for personal in ("Anna", "Schmidt", "1990", "Hauptstrasse", "German", "anna.schmidt"):
        # evidence is quoted from the redacted text ("Germany" is the salary market, not a person)
        assert not re.search(rf"\b{re.escape(personal)}\b", quoted), personal
    assert base.red_flags == ()  # monitored, tested, deployed, skills used in experience


def test_a_quote_stops_at_a_heading_glued_to_its_line(
    screening_pipeline: ScreeningPipeline,
) -> None:
    # the categorised resumes lose the line break before their "… Details" headings
    text = (
        "Linear algebra and probability. Skills: Python, scikit-learn, Tableau.Education Details\n"
        "May 2013 to May 2017 B.E UIT-RGPV\nSkill Details\n"
        "Keras- Exprience - Less than 1 year monthsCompany Details\n"
        "company - Matelabs\ndescription - Built automated classification models in Python.\n"
    )
    result = screen(_parsed(text), "data-scientist", market="de", pipeline=screening_pipeline)
    quotes = {match.name: match.evidence.text for match in result.skills.found if match.evidence}
    assert quotes["PyTorch / TensorFlow"] == "Keras- Exprience - Less than 1 year months"
    # each quote is its hit's sentence, not the one before it on its line
    assert quotes["scikit-learn / classical ML"] == "Skills: Python, scikit-learn, Tableau."
    cited = [c.text for d in result.dimensions.values() for r in d.rules for c in r.evidence]
    assert "Linear algebra and probability." in cited  # mathematical methods
    assert not any("Details" in quote for quote in cited), cited


def test_a_job_s_quote_runs_from_its_wrapped_dates_to_its_title(
    screening_pipeline: ScreeningPipeline,
) -> None:
    # the template wraps the current job's dates ("2021 –" over "Present") above its title
    path = RANK_PDFS[0]
    cv = analyse(read_document(path.read_bytes(), path.name), reference_date=REFERENCE)
    result = screen(cv, "ml-engineer", market="de", pipeline=screening_pipeline)
    domain = {r.code: r for r in result.dimensions["domain_application"].rules}
    (quote,) = domain["recent-relevant-experience"].evidence
    assert " ".join(quote.text.split()) == (
        "2021 – Present Machine Learning Engineer, OpenAI, San Francisco, USA"
    )


def test_the_explanation_says_what_related_means(screening_pipeline: ScreeningPipeline) -> None:
    path = RANK_PDFS[0]
    cv = analyse(read_document(path.read_bytes(), path.name), reference_date=REFERENCE)
    result = screen(cv, "ml-engineer", market="de", pipeline=screening_pipeline)
    assert result.skills.related  # MLOps, model serving … described, not named
    assert (
        f"- related ({len(result.skills.related)}), similar wording, not the skill itself "
        "(a concept counts half, a tool nothing):"
    ) in result.explanation.splitlines()
    assert f"- found ({len(result.skills.found)}):" in result.explanation.splitlines()


def _key_values(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for k in value] + [k for v in value.values() for k in _key_values(v)]
    if isinstance(value, list):
        return [k for v in value for k in _key_values(v)]
    return []


def test_no_reject_decision_anywhere(base: Screening) -> None:
    keys = _key_values(to_jsonable(base))
    assert not [k for k in keys if "reject" in k.lower() or "decision" in k.lower()]
    assert "never rejects" in base.explanation


@pytest.mark.parametrize("kind", list(COUNTERFACTUALS))
def test_counterfactual_personal_details_leave_scores_identical(
    kind: str, base: Screening, screening_pipeline: ScreeningPipeline
) -> None:
    other = screen(
        _cv(**COUNTERFACTUALS[kind]), "ml-engineer", market="de", pipeline=screening_pipeline
    )
    for name, dimension in base.dimensions.items():
        assert other.dimensions[name].score == dimension.score, name  # tolerance 0
        assert [r.code for r in other.dimensions[name].rules] == [r.code for r in dimension.rules]
    assert other.fit == base.fit and other.coverage == base.coverage
    assert [f.code for f in other.red_flags] == [f.code for f in base.red_flags]


def test_same_bytes_and_role_give_byte_identical_json(
    base: Screening, screening_pipeline: ScreeningPipeline
) -> None:
    again = screen(_cv(), "ml-engineer", market="de", pipeline=screening_pipeline)
    assert screening_json(again) == screening_json(base)
    assert screening_json(again).encode() == screening_json(base).encode()


def test_three_year_gap_and_foreign_degree_are_never_red_flags(
    base: Screening, screening_pipeline: ScreeningPipeline
) -> None:
    gapped = _cv(job_start="2014", job_end="12/2017", university="Bogazici University, Istanbul")
    other = screen(gapped, "ml-engineer", market="de", pipeline=screening_pipeline)
    assert [f.code for f in other.red_flags] == [f.code for f in base.red_flags]
    for flag in other.red_flags:
        assert "gap" not in flag.note.lower() and "foreign" not in flag.note.lower()
    math = "mathematical_foundation"
    assert other.dimensions[math].score == base.dimensions[math].score


def test_hidden_text_in_a_pdf_is_flagged_quoted_and_not_scored(
    screening_pipeline: ScreeningPipeline,
) -> None:
    white = (1.0, 1.0, 1.0)
    pdf = build_pdf(
        [
            [
                Run("Experience", 72, 760, size=14),
                Run("Bookkeeping clerk at a small firm, 2019 - 2023.", 72, 740),
                Run("Kubernetes PyTorch LoRA MLflow feature stores", 72, 720, rgb=white),
            ]
        ]
    )  # fmt: skip
    parsed = analyse(read_document(pdf, "hidden.pdf"), reference_date=REFERENCE)
    assert parsed.document.hidden
    result = screen(parsed, "ml-engineer", market="us", pipeline=screening_pipeline)
    [flag] = [f for f in result.red_flags if f.code == "hidden-text"]
    assert flag.severity == "warning" and "hidden characters on page(s) 1" in flag.note
    assert "Kubernetes PyTorch LoRA" in flag.evidence[0].text
    assert result.skills.found == ()  # hidden skills are not evidence
    assert result.salary_band.market == "us" and result.salary_band.min > 85000


def test_rank_orders_by_fit_with_percentiles_and_keeps_failures(
    base: Screening, screening_pipeline: ScreeningPipeline
) -> None:
    weak = screen(
        _parsed("Experience\nShop assistant, 2019 - 2023.\nSkills\nExcel\n"),
        "ml-engineer",
        market="de",
        pipeline=screening_pipeline,
    )
    rows = rank_screenings(
        [("weak.txt", weak), ("broken.pdf", "PdfError: not a PDF"), ("strong.txt", base),
         ("copy.txt", base)]
    )  # fmt: skip
    assert [(r.rank, r.file) for r in rows] == [
        (1, "copy.txt"), (1, "strong.txt"), (3, "weak.txt"), (None, "broken.pdf"),
    ]  # fmt: skip
    assert [r.percentile for r in rows] == [75.0, 75.0, 0.0, None]
    assert rows[-1].error == "PdfError: not a PDF" and rows[-1].fit is None
    assert list(rows[0].columns()) == list(RANK_COLUMNS)
    assert (
        rows[0].columns()["mathematical_foundation"]
        == base.dimensions["mathematical_foundation"].score
    )


def _rank_folder(tmp_path: Path) -> list[Path]:
    """The five ``RANK_PDFS`` and a broken PDF, which sorts between two CVs of the second
    group of two."""
    folder = tmp_path / "cvs"
    folder.mkdir()
    for number, path in enumerate(RANK_PDFS):
        shutil.copy(path, folder / f"{number}_{path.name}")
    (folder / "2_broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R")
    return cv_files(folder)


def _encoded_groups(pipeline: ScreeningPipeline, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, the number of CVs in each group ``pipeline`` encodes in this process."""
    groups: list[int] = []
    prepare_many = pipeline.prepare_many

    def recorded(parsed: list[ParsedCV], **options: Any) -> Any:
        groups.append(len(parsed))
        return prepare_many(parsed, **options)

    monkeypatch.setattr(pipeline, "prepare_many", recorded)
    return groups


def test_rank_in_groups_gives_the_rows_of_screening_each_file_alone(
    screening_pipeline: ScreeningPipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _rank_folder(tmp_path)
    settings = Settings(embeddings=EmbeddingSettings(index_dir=tmp_path / "index"), parse_workers=2)
    alone = [
        (path.name, screen(parsed, "ml-engineer", market="de", pipeline=screening_pipeline))
        for path, parsed in parse_paths(paths, settings=settings, reference_date=REFERENCE)
        if not isinstance(parsed, DocumentError)
    ]
    groups = _encoded_groups(screening_pipeline, monkeypatch)
    progress: list[tuple[int, int]] = []

    rows = rank(
        paths, "ml-engineer", market="de", pipeline=screening_pipeline, settings=settings,
        reference_date=REFERENCE, progress=lambda done, total: progress.append((done, total)),
        group_size=2,
    )  # fmt: skip

    assert groups == [2, 2, 1]  # five CVs; the broken file takes no place in a group
    assert progress == [(done, 6) for done in range(1, 7)]
    assert len(alone) == 5 and rows[:-1] == rank_screenings(alone)
    assert [screening_json(r.screening) for r in rows[:-1] if r.screening] == [
        screening_json(s) for _, s in sorted(alone, key=lambda a: (-a[1].fit, a[0]))
    ]
    assert rows[-1].file == "2_broken.pdf" and rows[-1].screening is None
    assert rows[-1].error is not None and rows[-1].error.startswith("CorruptDocument: ")


def test_rank_in_processes_gives_the_rows_of_one_process(
    screening_pipeline: ScreeningPipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _rank_folder(tmp_path)
    # The settings ask for bf16 while the caller's model runs fp32: the processes must load
    # their models as the caller's was loaded, or their vectors (and rows) would differ.
    settings = Settings(
        embeddings=EmbeddingSettings(
            index_dir=tmp_path / "index", cache_path=None, precision="bf16"
        ),
        parse_workers=2,
    )
    assert screening_pipeline.model.precision == "fp32"
    options: dict[str, Any] = {
        "market": "de", "pipeline": screening_pipeline, "reference_date": REFERENCE,
        "group_size": 2,
    }  # fmt: skip
    one = rank(paths, "ml-engineer", settings=settings, **options)
    encoded_here = _encoded_groups(screening_pipeline, monkeypatch)
    progress: list[tuple[int, int]] = []
    two = rank(
        paths, "ml-engineer", settings=settings.model_copy(update={"rank_processes": 2}),
        progress=lambda done, total: progress.append((done, total)), **options,
    )  # fmt: skip

    assert [(r.rank, r.file, r.fit, r.error) for r in two] == [
        (r.rank, r.file, r.fit, r.error) for r in one
    ]
    assert [screening_json(r.screening) for r in two if r.screening] == [
        screening_json(r.screening) for r in one if r.screening
    ]
    assert encoded_here == []  # every CV was screened by the other processes
    assert progress == [(done, 6) for done in range(1, 7)]
    assert two[-1].file == "2_broken.pdf" and two[-1].error is not None


def test_a_screening_process_that_fails_fails_the_ranking_with_its_traceback(
    screening_pipeline: ScreeningPipeline, tmp_path: Path
) -> None:
    from rubrics import load_rules
    from screener._rank_processes import ScreeningProcessError, screen_in_processes

    settings = Settings(embeddings=EmbeddingSettings(lock_path=tmp_path / "missing.lock"))
    screened = screen_in_processes(
        list(RANK_PDFS[:2]), screening_pipeline.roles.get("ml-engineer"), market="de",
        settings=settings, model=screening_pipeline.model, reference_date=REFERENCE,
        rules=load_rules(), group_size=1, processes=2,
    )  # fmt: skip
    with pytest.raises(ScreeningProcessError, match="missing.lock"):
        list(screened)


@pytest.mark.parametrize(
    ("wanted", "files", "expected"),
    [(1, 1000, 1), (3, 1000, 3), (3, 70, 2), (3, 10, 1)],  # at least a group of 32 files each
)
def test_rank_screens_in_as_many_processes_as_asked_while_each_has_a_group(
    wanted: int, files: int, expected: int
) -> None:
    settings = Settings(rank_processes=wanted)
    assert screening_processes(settings, files=files, group_size=32) == expected


def test_one_of_the_alternatives_meets_a_job_descriptions_choice(
    screening_pipeline: ScreeningPipeline, tmp_path: Any
) -> None:
    from rubrics import RoleSet, role_from_job_description
    from screener.settings import EmbeddingSettings, Settings

    seeds = screening_pipeline.roles
    role = role_from_job_description(
        "Backend Developer\nRequirements: REST APIs in PHP, Python or Go; SQL.",
        role_id="acme-backend",
        roles=seeds,
    )
    pipeline = ScreeningPipeline.create(
        Settings(embeddings=EmbeddingSettings(index_dir=tmp_path)),
        model=screening_pipeline.model,
        roles=RoleSet([*seeds, role], markets=seeds.markets),
    )
    cv = _parsed(
        "Experience\nBackend Engineer, Acme GmbH, 2019 - 2024\n"
        "Built REST APIs in Golang on PostgreSQL, wrote the SQL migrations and reviewed code.\n"
    )
    result = screen(cv, "acme-backend", market="de", pipeline=pipeline)
    found = {s.skill_id for s in result.skills.found}
    assert {"go-language", "sql", "rest-apis"} <= found
    assert result.coverage == 100.0  # Go meets "PHP, Python or Go"; PHP and Python are not gaps
    # the other two are no gap and raise no question: missing, tagged with the choice
    missing = {s.skill_id: s.any_of for s in result.skills.missing}
    assert missing == {"php": "any-of-1", "python": "any-of-1"}
    assert result.skills.related == ()
    assert "key skills not found" not in result.explanation
    # the skills list names the choice
    assert "Go [key, or PHP / Python, alias]" in result.explanation
    assert "PHP [key, or Go / Python]" in result.explanation
    assert "3 of 3 key skills in experience/projects: REST APIs, Go, SQL" in result.explanation


# Real CVs of the shared data whose headers carry a name or a home: the layout templates (names,
# three homes) and Vanetik CVs (the set is anonymised: homes "Beer Sheva, Israel", "Russia,
# Fryazino", and two names).
_REAL_HEADERS = (
    *sorted((DATA / "layout-diverse-cv-pdfs").glob("*.pdf")),
    *(
        DATA / "vanetik-vacancy-resume-matching" / "CV" / f"{n}.docx"
        for n in (6, 12, 14, 16, 17, 24, 27, 45, 54, 55)
    ),
)


@pytest.mark.parametrize("path", _REAL_HEADERS, ids=lambda p: p.name)
def test_real_cvs_with_another_name_and_home_get_identical_scores(
    path: Path, screening_pipeline: ScreeningPipeline
) -> None:
    """The profile finds the name and the home in a real CV's header; the same text with
    another name and another home has the same words to score, and gets the same dimension
    scores, rules, fit and flags."""
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    cv = _parsed(read_document(path.read_bytes(), path.name).text)
    text, contacts = cv.document.text, cv.profile.contacts
    variants = []
    if contacts.name:
        renamed = text.replace(contacts.name, "Maria Schneider")
        for part in contacts.name.split():
            if len(part) >= 3:
                renamed = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", "Schneider", renamed)
        # and the candidate's own address that spells the name ("debarghyadas.com")
        spelled = "".join(contacts.name.lower().split())
        variants.append(renamed.replace(spelled, "mariaschneider"))
    if (span := contacts.location_span) is not None:
        variants.append(text[: span.start] + "Kadıköy, İstanbul, Türkiye" + text[span.end :])
    assert variants, f"no name or home found in {path.name}"
    base = screen(cv, "ml-engineer", market="de", pipeline=screening_pipeline)
    scored_words = redact_personal_data(text, contacts).split()
    for variant in variants:
        assert variant != text
        parsed = _parsed(variant)
        scored = redact_personal_data(parsed.document.text, parsed.profile.contacts)
        assert scored.split() == scored_words
        other = screen(parsed, "ml-engineer", market="de", pipeline=screening_pipeline)
        for name, dimension in base.dimensions.items():
            assert other.dimensions[name].score == dimension.score, name  # tolerance 0
            assert [r.code for r in other.dimensions[name].rules] == [
                r.code for r in dimension.rules
            ]
        assert other.fit == base.fit and other.coverage == base.coverage
        assert [f.code for f in other.red_flags] == [f.code for f in base.red_flags]
