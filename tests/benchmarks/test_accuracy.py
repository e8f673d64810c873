"""The accuracy runner on a labelled folder of CVs it has never seen, and on bad labels CSVs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks import accuracy, matching, parse
from rubrics import load_roles
from screener.pipeline import ScreeningPipeline

DATA = Path("../shared/data")
MLE_PDF = DATA / "layout-diverse-cv-pdfs/resumematcher_harvey_dent_mle.pdf"
UPDATED_CSV = DATA / "updated-resume-dataset/UpdatedResumeDataSet.csv"
HEADER = "file,category,reference_text,name,email,degree\n"


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A folder of five CVs (a PDF, three plain-text CVs, a broken PDF) and its labels CSV."""
    root = tmp_path_factory.mktemp("labelled")
    cvs = root / "cvs"
    (cvs / "texts").mkdir(parents=True)
    shutil.copy(MLE_PDF, cvs / "mle.pdf")
    (cvs / "mle.reference.txt").write_text(parse.pypdf_text(MLE_PDF), encoding="utf-8")
    first: dict[str, str] = {}
    for category, text in matching.load_resumes(UPDATED_CSV):
        first.setdefault(category, text)
    for name, category in (("ds", "Data Science"), ("hr", "HR"), ("advocate", "Advocate")):
        (cvs / "texts" / f"{name}.txt").write_text(first[category], encoding="utf-8")
    # a reference with only the first half of the words: precision about 0.5, recall 1
    words = first["HR"].split()
    (cvs / "texts/hr.half.txt").write_text(" ".join(words[: len(words) // 2]), encoding="utf-8")
    (cvs / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R")
    labels = root / "labels.csv"
    labels.write_text(
        HEADER + "mle.pdf,Data Science,mle.reference.txt,Harvey Dent,hdent@email.com,"
        '"Master of Science in Computer Science|Bachelor of Science in Computer Science"\n'
        "texts/ds.txt,Data Science,,,,\n"
        "texts/hr.txt,HR,texts/hr.half.txt,,,\n"
        "texts/advocate.txt,Advocate,,,,\n"
        "broken.pdf,Data Science,,,,\n",
        encoding="utf-8",
    )
    return cvs, labels


def test_runner_scores_a_labelled_folder_end_to_end(
    labelled: tuple[Path, Path],
    screening_pipeline: ScreeningPipeline,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cvs, labels = labelled
    out = tmp_path / "accuracy.json"
    argv = ["--cvs", str(cvs), "--labels", str(labels), "--out", str(out)]

    assert accuracy.main(argv, pipeline=screening_pipeline) == 0

    report = json.loads(out.read_text(encoding="utf-8"))
    figures = report["data_sets"]["cvs"]
    assert (figures["cvs"], figures["parsed"]) == (5, 4)
    assert figures["errors"] == {"CorruptDocument": 1}
    assert list(figures["error_files"]) == ["broken.pdf"]
    assert figures["categories"] == {"Advocate": 1, "Data Science": 2, "HR": 1}
    # a PDF against PDFium's text, a text CV against half of its words
    recovery = figures["text_recovery"]
    assert recovery["files"] == 2
    worst = dict(recovery["token_f1_worst"])
    assert worst["mle.pdf"] > 0.95
    assert 0.6 < worst["texts/hr.txt"] < 0.72
    assert recovery["token_f1_mean"] == pytest.approx(sum(worst.values()) / 2, abs=1e-4)
    # only the PDF carries gold fields, so each field is scored on one document
    assert {name: score["documents"] for name, score in figures["fields"].items()} == {
        "email": 1,
        "name": 1,
        "degree": 1,
    }
    assert figures["fields"]["email"]["f1"] == 1.0
    assert figures["fields"]["name"]["f1"] == 1.0
    assert figures["fields"]["degree"]["tp"] >= 1
    tasks = {task["role"]: task for task in figures["role_ranking"]["tasks"]}
    assert list(tasks) == [role for role, _ in matching.TASKS]
    scientist = tasks["data-scientist"]
    assert scientist["positives"] == 2
    # two data-science CVs against an HR and a legal CV: every method separates them
    for method in ("auc_fit", "auc_coverage", "auc_alias_only", "auc_bm25"):
        assert scientist[method] == 1.0, method
    # no DevOps CV: the AUC is undefined, reported as null, not NaN
    assert tasks["mlops-engineer"]["positives"] == 0
    assert tasks["mlops-engineer"]["auc_fit"] is None
    assert tasks["mlops-engineer"]["auc_bm25"] is None

    printed = capsys.readouterr().out
    assert "5 CVs, 4 parsed, errors CorruptDocument 1" in printed
    assert "broken.pdf: CorruptDocument" in printed
    assert "data-scientist" in printed and "mlops-engineer" in printed


def test_runner_takes_the_roles_and_positive_categories_given(
    labelled: tuple[Path, Path],
    screening_pipeline: ScreeningPipeline,
    tmp_path: Path,
) -> None:
    cvs, labels = labelled
    out = tmp_path / "accuracy.json"
    argv = ["--cvs", str(cvs), "--labels", str(labels), "--out", str(out), "--limit", "4"]
    argv += ["--role", "nlp-engineer=HR|Advocate"]

    assert accuracy.main(argv, pipeline=screening_pipeline) == 0

    figures = json.loads(out.read_text(encoding="utf-8"))["data_sets"]["cvs"]
    assert figures["cvs"] == 4 and figures["errors"] == {}
    [task] = figures["role_ranking"]["tasks"]
    assert (task["role"], task["positive_categories"], task["positives"]) == (
        "nlp-engineer",
        ["HR", "Advocate"],
        2,
    )


def test_read_labels_reads_optional_columns_and_several_values(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Experience\nData scientist\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Experience\nLawyer\n", encoding="utf-8")
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "\ufeffFile , Category,extra,Email\n"
        " a.txt ,Data Science,x,a@example.com | b@example.com\n"
        "\n"
        "b.txt,Advocate,y,\n",
        encoding="utf-8",
    )

    rows = accuracy.read_labels(labels, tmp_path)

    assert [(r.file, r.category, r.line) for r in rows] == [
        ("a.txt", "Data Science", 2),
        ("b.txt", "Advocate", 4),
    ]
    assert rows[0].path == tmp_path / "a.txt"
    assert rows[0].gold == {"email": ["a@example.com", "b@example.com"]}
    assert rows[1].gold == {} and rows[1].reference_text is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "labels.csv: empty; expected a header row with columns file, category"),
        ("file,category\n", "labels.csv: no rows after the header"),
        ("file,role\ncv.txt,HR\n", "labels.csv: missing column 'category' (found: file, role;"),
        ("file,category\nmissing.pdf,HR\n", "line 2: file 'missing.pdf' not found in"),
        ("file,category\ncv.txt,\n", "labels.csv line 2: empty 'category'"),
        ("file,category\ncv.txt,HR\ncv.txt,IT\n", "line 3: file 'cv.txt' is listed twice"),
        (
            "file,category,reference_text\ncv.txt,HR,gone.txt\n",
            "line 2: reference_text 'gone.txt' not found in",
        ),
    ],
)
def test_bad_labels_csv_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    (tmp_path / "cv.txt").write_text("Experience\nLawyer\n", encoding="utf-8")
    labels = tmp_path / "labels.csv"
    labels.write_text(content, encoding="utf-8")
    out = tmp_path / "out.json"

    code = accuracy.main(["--cvs", str(tmp_path), "--labels", str(labels), "--out", str(out)])

    stderr = capsys.readouterr().err
    assert code == 2
    assert stderr.count("\n") == 1 and stderr.startswith("accuracy: error: ")
    assert message in stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--labels", "labels.csv"], "--cvs and --labels go together"),
        (["--role", "ml-engineer"], "--role sets the tasks of a labelled folder"),
        (["--skip", "parse,ocr"], "unknown part ocr in --skip; valid: parse, fields"),
        (["--cvs", "nowhere", "--labels", "labels.csv"], "CV folder not found: nowhere"),
    ],
)
def test_bad_command_line_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert accuracy.main(argv) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and message in stderr


def test_labels_file_that_is_missing_is_named(tmp_path: Path) -> None:
    with pytest.raises(accuracy.UsageError, match="labels file not found: .*nope.csv"):
        accuracy.read_labels(tmp_path / "nope.csv", tmp_path)


def test_role_tasks_default_to_the_matching_tasks_and_refuse_unknown_roles() -> None:
    roles = load_roles()
    assert accuracy.role_tasks([], roles) == list(matching.TASKS)
    assert accuracy.role_tasks(["ml-engineer"], roles) == [
        ("ml-engineer", ("Data Science", "Python Developer"))
    ]
    with pytest.raises(accuracy.UsageError, match="unknown role 'ml'; valid: .*ml-engineer"):
        accuracy.role_tasks(["ml"], roles)
    with pytest.raises(accuracy.UsageError, match="no default positive categories"):
        accuracy.role_tasks(["nlp-engineer"], roles)


def test_report_shows_ndcg_when_the_ranking_runner_gives_it() -> None:
    methods = {
        "fit": {
            "annotator_1": {"mean_spearman": 0.1, "n": 28},
            "annotator_2": {"mean_spearman": -0.2, "n": 20},
            "mean_of_annotators": -0.05,
            "ndcg_at_5": {"annotator_1": 0.8, "annotator_2": 0.7, "mean_of_annotators": 0.75},
        },
        "bm25": {
            "annotator_1": {"mean_spearman": 0.3, "ndcg_at_5": 0.9, "n": 28},
            "mean_of_annotators": 0.3,
            "ndcg_at_5": 0.9,
        },
        "mean_cosine": {"annotator_1": {"mean_spearman": 0.2, "n": 28}},
    }
    report = {"data_sets": {"vanetik": {"vacancy_ranking": {"cvs": 30, "methods": methods}}}}

    lines = accuracy.format_report(report).splitlines()

    assert "nDCG@5" in lines[2]
    assert lines[3].split()[0] == "fit" and lines[3].endswith("0.750")
    assert lines[4].split()[0] == "bm25" and lines[4].endswith("0.900")
    assert "0.300 (n=28)" in lines[4]
    assert lines[5].split()[0] == "mean_cosine" and lines[5].endswith("n/a")
