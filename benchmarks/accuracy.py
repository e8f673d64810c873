"""Every accuracy figure the product claims, per data set, from one command.

    python -m benchmarks.accuracy [--data-dir ../shared/data] [--limit N] [--skip parse,...]
                                  [--out benchmarks/results/accuracy.json]
    python -m benchmarks.accuracy --cvs DIR --labels labels.csv [--role ROLE[=CATEGORY|...]]

The first form runs the other runners' measurements on the shared data sets and prints one table
per data set (the JSON has the same figures, grouped the same way). Parts, each skippable with
``--skip`` (comma-separated):

- ``parse``: text recovery, token F1 of our text against pypdf's independent extraction, plus
  parsed / typed errors / crashes / hangs (``benchmarks.parse``) on the Kaggle resume PDFs, the
  layout-diverse template PDFs and the Vanetik DOCX CVs;
- ``fields``: field-extraction precision, recall and F1 on the Dataturks and dotin annotations,
  per split and pooled (``benchmarks.fields``);
- ``matching``: role-ranking ROC-AUC of coverage, alias-only coverage and the BM25 baseline on
  the categorised "updated resume" set (``benchmarks.matching``);
- ``fit``: ROC-AUC of the full fit score on the same set, and red-flag counts there
  (``benchmarks.ranking.updated_resumes``);
- ``vanetik``: Spearman of our vacancy ranking against both annotators, with the coverage, BM25
  and mean-cosine baselines and the annotators' agreement with each other; nDCG@5 where the
  ranking runner reports it (``benchmarks.ranking.vanetik``);
- ``kaggle-flags``: red-flag counts by category over the Kaggle PDFs, screened for
  ``--flag-role`` (``benchmarks.ranking.kaggle``; it parses every PDF again, the slowest part).

``--limit N`` caps the files, documents or resumes each part uses (a smoke run; the Vanetik part
always uses its 30 annotated CVs).

The second form measures the same things on CVs the product has never seen. ``--labels`` is a
CSV file (UTF-8, a header row, comma-separated, quoted as usual) with one row per CV:

- ``file`` (required): the CV's path relative to ``--cvs`` (PDF, DOCX or plain text);
- ``category`` (required): the CV's job category, as in the categorised resume set ("Data
  Science", "DevOps Engineer", "Python Developer", "HR", ...). For each role-ranking task the
  CVs whose category is one of the task's positive categories are the positives, and the ROC-AUC
  of ranking every CV by fit, coverage, alias-only coverage and BM25 is reported. The tasks are
  those of ``benchmarks.matching.TASKS`` unless ``--role`` is given (repeatable): ``--role
  data-scientist`` takes that task's positive categories, ``--role "nlp-engineer=NLP|Data
  Science"`` names them (``|`` between categories);
- ``reference_text`` (optional): the path, relative to ``--cvs``, of a plain-text file with the
  CV's true text; gives the token F1 of our text recovery (``benchmarks.parse.token_f1``);
- ``name``, ``email``, ``degree`` (optional; also ``designation``, ``companies``, ``skills``):
  gold values of that field, several separated by ``|``; scored against the extracted profile
  as ``benchmarks.fields`` does (e-mails exactly, the rest by word overlap). An empty cell means
  "not labelled": the CV does not count for that field.

Column names are matched case-insensitively, other columns are ignored, a cell's surrounding
spaces are dropped. A file that cannot be parsed is counted as an error of its kind (or a crash)
and left out of the other figures. A missing column, a missing CV or reference file, an empty
CSV, a duplicate row, or an unknown role stop the run before anything is parsed, with a
one-line message and exit code 2. That form writes ``var/accuracy-labelled.json`` by default
(``var/`` is not committed: the report names the CV files).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import math
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks import fields, matching, parse, ranking

if TYPE_CHECKING:
    from rubrics import RoleSet
    from screener.pipeline import ScreeningPipeline
    from screener.settings import Settings

PARTS = ("parse", "fields", "matching", "fit", "vanetik", "kaggle-flags")
REQUIRED_COLUMNS = ("file", "category")
REFERENCE_COLUMN = "reference_text"
GOLD_COLUMNS = fields.FIELDS
VALUE_SEPARATOR = "|"
SHARED_OUT = Path("benchmarks/results/accuracy.json")
LABELLED_OUT = Path("var/accuracy-labelled.json")

# names of the shared data sets as the other runners call them -> folder under --data-dir
_PARSE_SETS = {"vanetik-docx": ranking.VANETIK}
_FIELD_SETS = {
    "dataturks": "dataturks-resume-ner",
    "dotin": "dotin-resume-ner-545",
    "pooled": "dataturks+dotin pooled",
}
UPDATED = "updated-resume-dataset"
KAGGLE = "kaggle-resume-pdfs"
# the order of the printed tables and of the JSON
_ORDER = (KAGGLE, "layout-diverse-cv-pdfs", ranking.VANETIK, UPDATED, *_FIELD_SETS.values())


class UsageError(ValueError):
    """The command line or the labels CSV cannot be used; the message is one line."""


# --- the labels CSV ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledCV:
    """One row of a labels CSV."""

    line: int
    file: str
    path: Path
    category: str
    reference_text: Path | None = None
    gold: dict[str, list[str]] = field(default_factory=dict)


def read_labels(labels: Path, cvs_dir: Path) -> list[LabelledCV]:
    """Read and check a labels CSV (format in the module docstring).

    Raises:
        UsageError: naming the file, the line and what is wrong.
    """
    if not cvs_dir.is_dir():
        raise UsageError(f"CV folder not found: {cvs_dir}")
    try:
        text = labels.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"labels file not found: {labels}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{labels}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"{labels}: cannot be read ({exc.strerror or exc})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _read_rows(reader, labels, cvs_dir)
    except csv.Error as exc:
        raise UsageError(f"{labels} line {reader.line_num}: not valid CSV ({exc})") from None


def _read_rows(reader: Any, labels: Path, cvs_dir: Path) -> list[LabelledCV]:
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise UsageError(
            f"{labels}: empty; expected a header row with columns {', '.join(REQUIRED_COLUMNS)}"
        )
    columns = [cell.strip().lower() for cell in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise UsageError(
            f"{labels}: missing column {', '.join(repr(c) for c in missing)} "
            f"(found: {', '.join(columns)}; required: {', '.join(REQUIRED_COLUMNS)})"
        )
    index = {name: columns.index(name) for name in dict.fromkeys(columns)}
    rows: list[LabelledCV] = []
    first_line: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            position = index.get(name)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        file, category = cell("file"), cell("category")
        for name, value in (("file", file), ("category", category)):
            if not value:
                raise UsageError(f"{labels} line {line}: empty {name!r}")
        if file in first_line:
            raise UsageError(
                f"{labels} line {line}: file {file!r} is listed twice (first on line "
                f"{first_line[file]})"
            )
        first_line[file] = line
        path = cvs_dir / file
        if not path.is_file():
            raise UsageError(f"{labels} line {line}: file {file!r} not found in {cvs_dir}")
        reference: Path | None = None
        if cell(REFERENCE_COLUMN):
            reference = cvs_dir / cell(REFERENCE_COLUMN)
            if not reference.is_file():
                raise UsageError(
                    f"{labels} line {line}: reference_text {cell(REFERENCE_COLUMN)!r} "
                    f"not found in {cvs_dir}"
                )
        gold = {}
        for name in GOLD_COLUMNS:
            values = [v.strip() for v in cell(name).split(VALUE_SEPARATOR) if v.strip()]
            if values:
                gold[name] = values
        rows.append(LabelledCV(line, file, path, category, reference, gold))
    if not rows:
        raise UsageError(f"{labels}: no rows after the header")
    return rows


def role_tasks(options: Sequence[str], roles: RoleSet) -> list[tuple[str, tuple[str, ...]]]:
    """Role-ranking tasks from ``--role`` options; ``benchmarks.matching.TASKS`` when none.

    ``ROLE`` takes the positive categories of that role's task in ``TASKS``;
    ``ROLE=CATEGORY|CATEGORY`` names them.
    """
    if not options:
        return list(matching.TASKS)
    known = dict(matching.TASKS)
    tasks = []
    for option in options:
        role_id, _, given = option.partition("=")
        role_id = role_id.strip()
        if role_id not in roles:
            raise UsageError(f"unknown role {role_id!r}; valid: {', '.join(roles.ids)}")
        positives = tuple(c.strip() for c in given.split(VALUE_SEPARATOR) if c.strip())
        if not positives:
            if role_id not in known:
                raise UsageError(
                    f"role {role_id!r} has no default positive categories; give them as "
                    f'--role "{role_id}=CATEGORY|CATEGORY"'
                )
            positives = known[role_id]
        tasks.append((role_id, positives))
    return tasks


# --- measuring ------------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """JSON-safe: NaN (an AUC without positives or negatives) becomes null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def evaluate_labelled(
    rows: Sequence[LabelledCV],
    *,
    pipeline: ScreeningPipeline,
    settings: Settings,
    tasks: Sequence[tuple[str, tuple[str, ...]]],
    reference_date: date,
) -> dict[str, Any]:
    """Parse, screen and score labelled CVs; a file that fails is an error row, never a crash."""
    from screener.documents import ParsePool
    from screener.errors import DocumentError
    from screener.matching import CVVectors
    from screener.parsing import ParsedCV, analyse
    from screener.screening import screen

    errors: Counter[str] = Counter()
    error_files: dict[str, str] = {}
    kept: list[tuple[LabelledCV, ParsedCV, CVVectors]] = []
    with ParsePool(limits=settings.documents, workers=settings.parse_workers) as pool:
        results = pool.parse_files([row.path for row in rows])
        for row, (_, result) in zip(rows, results, strict=True):
            if isinstance(result, DocumentError):
                errors[result.kind] += 1
                error_files[row.file] = f"{result.kind}: {result.message}"
                continue
            try:
                parsed = analyse(result, reference_date=reference_date)
                kept.append((row, parsed, pipeline.prepare(parsed)))
            except Exception as exc:  # noqa: BLE001 - one CV that breaks a stage is counted
                errors[f"crash {type(exc).__name__}"] += 1
                error_files[row.file] = f"crash {type(exc).__name__}: {exc}"

    report: dict[str, Any] = {
        "cvs": len(rows),
        "parsed": len(kept),
        "errors": dict(sorted(errors.items())),
        "error_files": error_files,
        "categories": dict(sorted(Counter(row.category for row, _, _ in kept).items())),
    }
    recovered: dict[str, float] = {}
    for row, parsed, _ in kept:
        if row.reference_text is not None:
            reference = row.reference_text.read_text(encoding="utf-8", errors="replace")
            recovered[row.file] = parse.token_f1(parsed.document.text, reference)
    if recovered:
        worst = sorted(recovered, key=recovered.__getitem__)[:5]
        report["text_recovery"] = {
            "files": len(recovered),
            "token_f1_mean": round(statistics.fmean(recovered.values()), 4),
            "token_f1_worst": [(file, round(recovered[file], 4)) for file in worst],
        }
    labelled = [(parsed.profile, row.gold) for row, parsed, _ in kept if row.gold]
    if labelled:
        scores = fields.score_profiles(labelled, indeed_links_are_emails=False)
        report["fields"] = {name: score.as_dict() for name, score in scores.items()}
    if kept:
        categories = [row.category for row, _, _ in kept]
        prepared = [vectors for _, _, vectors in kept]
        texts = [parsed.document.text for _, parsed, _ in kept]
        ranked = matching.rank_tasks(pipeline, categories, prepared, texts, tasks)
        for task in ranked:
            positive = [category in task["positive_categories"] for category in categories]
            screenings = [
                screen(parsed, task["role"], market="de", pipeline=pipeline, prepared=vectors)
                for _, parsed, vectors in kept
            ]
            fits = [s.fit for s in screenings]
            task["auc_fit"] = round(matching.roc_auc(fits, positive), 4)
            task["auc_fit_minus_coverage"] = ranking.auc_difference(
                fits, [s.coverage for s in screenings], positive
            )
        report["role_ranking"] = {"cvs": len(kept), "tasks": ranked}
    return _clean(report)


def _parse_part(data_dir: Path, limit: int | None, workers: int) -> dict[str, dict[str, Any]]:
    out = {}
    for data_set in parse.discover(data_dir, limit):
        parse.run(data_set, workers or os.cpu_count() or 1, timeout_s=120.0)
        summary = parse.summarise(data_set)
        figures: dict[str, Any] = {
            key: summary[key]
            for key in ("files", "parsed", "typed_errors", "crashes", "hangs")
            if key in summary
        }
        for key in ("experience_and_education_or_skills_rate", "token_f1_mean"):
            if summary.get(key) is not None:
                figures[key] = round(summary[key], 4)
        if summary.get("token_f1_worst"):
            figures["token_f1_worst"] = [
                (_relative(file, data_dir), f1) for file, f1 in summary["token_f1_worst"][:5]
            ]
        out[_PARSE_SETS.get(data_set.name, data_set.name)] = figures
    return out


def _relative(file: str, data_dir: Path) -> str:
    """A file's path under its data set's folder (``BANKING/123.pdf``), as reports name it."""
    path = Path(file)
    with contextlib.suppress(ValueError):
        path = path.relative_to(data_dir)
        path = Path(*path.parts[1:])  # the data set's folder
        path = path.relative_to("data") if path.parts[:1] == ("data",) else path
    return path.as_posix()


def _ordered(data_sets: dict[str, Any]) -> dict[str, Any]:
    rank = {name: i for i, name in enumerate(_ORDER)}
    return dict(sorted(data_sets.items(), key=lambda item: rank.get(item[0], len(rank))))


def _merge_tasks(into: list[dict[str, Any]], extra: list[dict[str, Any]]) -> None:
    """Add the fit AUC (ranking runner) to the matching runner's task rows, by role."""
    by_role = {task["role"]: task for task in into}
    for task in extra:
        row = by_role.get(task.get("role", ""))
        if row is None:
            row = {k: task[k] for k in ("role", "positive_categories", "positives") if k in task}
            row["auc_coverage"] = task.get("auc_coverage")
            into.append(row)
            by_role[row["role"]] = row
        row["auc_fit"] = task.get("auc_fit")
        if "auc_fit_minus_coverage" in task:
            row["auc_fit_minus_coverage"] = task["auc_fit_minus_coverage"]


def run_shared(
    data_dir: Path,
    *,
    skip: set[str],
    limit: int | None,
    settings: Settings,
    flag_role: str,
    report: dict[str, Any],
    out: Path,
    pipeline: ScreeningPipeline | None = None,
) -> None:
    """Fill ``report["data_sets"]`` part by part, writing ``out`` after each part."""
    data_sets: dict[str, dict[str, Any]] = {}
    seconds: dict[str, float] = {}
    report.update(data_sets=data_sets, seconds=seconds)

    def done(part: str, started: float) -> None:
        seconds[part] = round(time.perf_counter() - started, 1)
        report["data_sets"] = _ordered(data_sets)  # a copy in table order; filled from data_sets
        print(f"  {part}: {seconds[part]} s", file=sys.stderr, flush=True)
        _write(out, report)

    if "fields" not in skip:
        started = time.perf_counter()
        for name, splits in fields.run(data_dir, limit).items():
            data_sets.setdefault(_FIELD_SETS.get(name, name), {})["fields"] = splits
        done("fields", started)

    if {"matching", "fit", "kaggle-flags"} - skip and pipeline is None:
        from screener.pipeline import ScreeningPipeline

        pipeline = ScreeningPipeline.create(settings)
    if pipeline is not None:
        report["model_hash"] = pipeline.model.model_hash
        report["roles_version"] = pipeline.roles.version

    updated: dict[str, Any] = {}
    if "matching" not in skip:
        assert pipeline is not None
        started = time.perf_counter()
        resumes = matching.load_resumes(data_dir / UPDATED / "UpdatedResumeDataSet.csv")
        resumes = resumes[:limit] if limit else resumes
        texts = [text for _, text in resumes]
        prepared = matching.prepare_resumes(pipeline, texts)
        categories = [category for category, _ in resumes]
        updated["role_ranking"] = {
            "resumes": len(resumes),
            "tasks": matching.rank_tasks(pipeline, categories, prepared, texts),
        }
        data_sets[UPDATED] = updated
        done("matching", started)

    if "fit" not in skip:
        assert pipeline is not None
        started = time.perf_counter()
        result, _ = ranking.updated_resumes(data_dir, pipeline, flag_role, limit)
        ranked = updated.setdefault("role_ranking", {"resumes": result.get("resumes"), "tasks": []})
        _merge_tasks(ranked["tasks"], result.get("tasks", []))
        if "red_flags" in result:
            updated["red_flags"] = {"role": flag_role, **result["red_flags"]}
        data_sets[UPDATED] = updated
        done("fit", started)

    if "vanetik" not in skip:
        started = time.perf_counter()
        result = ranking.vanetik(data_dir, settings)
        data_sets.setdefault(ranking.VANETIK, {})["vacancy_ranking"] = {
            key: result[key]
            for key in (
                "cvs",
                "cvs_screened",
                "invalid_arrays",
                "methods",
                "annotator_agreement",
                "fit_minus_baseline",
                "decomposition",
                "bootstrap",
            )
            if key in result
        }
        done("vanetik", started)

    if "parse" not in skip:
        started = time.perf_counter()
        for name, figures in _parse_part(data_dir, limit, settings.parse_workers).items():
            data_sets.setdefault(name, {})["parse"] = figures
        done("parse", started)

    if "kaggle-flags" not in skip:
        assert pipeline is not None
        started = time.perf_counter()
        table, _ = ranking.kaggle(data_dir, pipeline, settings, flag_role, limit, encode=False)
        data_sets.setdefault(KAGGLE, {})["red_flags"] = {"role": flag_role, **table}
        done("kaggle-flags", started)


# --- report ---------------------------------------------------------------------------------------


def _number(value: Any, digits: int = 4) -> str:
    if isinstance(value, bool) or value is None:
        return "n/a"
    if isinstance(value, int | float):
        return "n/a" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def _metric(value: Any) -> str:
    """A per-method figure whose shape may be a number or a dict (per annotator, mean)."""
    if isinstance(value, dict):
        for key in ("mean_of_annotators", "mean", "value"):
            if key in value:
                return _number(value[key], 3)
        parts = [f"{k} {_metric(v)}" for k, v in value.items() if k != "n"]
        return ", ".join(parts) or "n/a"
    return _number(value, 3)


def _errors(errors: dict[str, int]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in errors.items()) or "0"


def _parse_lines(figures: dict[str, Any], reference: str) -> list[str]:
    lines = [
        f"parse: {figures.get('files')} files, {figures.get('parsed')} parsed, typed errors "
        f"{_errors(figures.get('typed_errors') or {})}, crashes {figures.get('crashes', 0)}, "
        f"hangs {figures.get('hangs', 0)}"
    ]
    if figures.get("token_f1_mean") is not None:
        worst = ", ".join(f"{f} {v:.3f}" for f, v in figures.get("token_f1_worst", []))
        lines.append(
            f"text recovery: token F1 vs {reference}, mean {figures['token_f1_mean']:.4f}"
            + (f" (lowest: {worst})" if worst else "")
        )
    return lines


def _task_lines(tasks: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"{'role':18} {'positive categories':30} {'n+':>4} {'fit':>7} {'coverage':>8} "
        f"{'alias':>7} {'BM25':>7}"
    ]
    for task in tasks:
        lines.append(
            f"{task.get('role', ''):18} {'|'.join(task.get('positive_categories', [])):30} "
            f"{task.get('positives', 0):>4} {_number(task.get('auc_fit')):>7} "
            f"{_number(task.get('auc_coverage')):>8} {_number(task.get('auc_alias_only')):>7} "
            f"{_number(task.get('auc_bm25')):>7}"
        )
    return lines


def _field_lines(splits: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    lines = [f"{'split':18} {'field':12} {'docs':>5} {'P':>6} {'R':>6} {'F1':>6}"]
    for split, scores in splits.items():
        for name, score in scores.items():
            lines.append(
                f"{split:18} {name:12} {score['documents']:>5} {score['precision']:>6.3f} "
                f"{score['recall']:>6.3f} {score['f1']:>6.3f}"
            )
    return lines


def _flag_lines(flags: dict[str, Any]) -> list[str]:
    counts = ", ".join(f"{code} {n}" for code, n in (flags.get("total") or {}).items())
    return [
        f"red flags (screened for {flags.get('role')}, {flags.get('cvs')} CVs): {counts or 'none'}"
    ]


def _vanetik_lines(result: dict[str, Any]) -> list[str]:
    methods: dict[str, dict[str, Any]] = result.get("methods") or {}
    annotators = sorted(
        {k for row in methods.values() for k, v in row.items() if k.startswith("annotator")}
    )
    ndcg = any("ndcg_at_5" in row for row in methods.values())
    header = f"{'method':14} " + " ".join(f"{'vs ' + a:>22}" for a in annotators) + f" {'mean':>8}"
    lines = [f"Spearman vs human vacancy rankings ({result.get('cvs')} CVs x 5 vacancies)"]
    lines.append(header + (f" {'nDCG@5':>10}" if ndcg else ""))
    for method, row in methods.items():
        cells = []
        for annotator in annotators:
            value = row.get(annotator) or {}
            mean = value.get("mean_spearman") if isinstance(value, dict) else value
            n = value.get("n") if isinstance(value, dict) else None
            cells.append(f"{_number(mean, 3) + (f' (n={n})' if n is not None else ''):>22}")
        mean_of = _number(row.get("mean_of_annotators"), 3)
        line = f"{method:14} " + " ".join(cells) + f" {mean_of:>8}"
        lines.append(line + (f" {_metric(row.get('ndcg_at_5')):>10}" if ndcg else ""))
    agreement = result.get("annotator_agreement") or {}
    if agreement:
        lines.append(
            f"{'annotators':14} agree with each other: "
            f"{_number(agreement.get('mean_spearman'), 3)} (n={agreement.get('n')})"
        )
    return lines


def format_report(report: dict[str, Any]) -> str:
    lines: list[str] = []
    for name, figures in report.get("data_sets", {}).items():
        lines.append(f"\n== {name} ==")
        if "cvs" in figures and "parsed" in figures:  # a labelled folder
            lines.append(
                f"{figures['cvs']} CVs, {figures['parsed']} parsed, errors "
                f"{_errors(figures.get('errors') or {})}"
            )
            for file, message in figures.get("error_files", {}).items():
                lines.append(f"  {file}: {message}")
            recovery = figures.get("text_recovery")
            if recovery:
                worst = ", ".join(f"{f} {v:.3f}" for f, v in recovery["token_f1_worst"])
                lines.append(
                    f"text recovery: token F1 vs reference text, mean "
                    f"{recovery['token_f1_mean']:.4f} over {recovery['files']} files "
                    f"(lowest: {worst})"
                )
        if "parse" in figures:
            reference = "pypdf" if figures["parse"].get("token_f1_mean") is not None else ""
            lines.extend(_parse_lines(figures["parse"], reference))
        if "fields" in figures:
            splits = figures["fields"]
            if splits and all("documents" in v for v in splits.values()):
                splits = {"all": splits}  # a labelled folder: one split
            lines.append("field extraction:")
            lines.extend(_field_lines(splits))
        if "role_ranking" in figures:
            ranked = figures["role_ranking"]
            count = ranked.get("resumes", ranked.get("cvs"))
            lines.append(f"role ranking ROC-AUC over {count} CVs:")
            lines.extend(_task_lines(ranked.get("tasks", [])))
        if "vacancy_ranking" in figures:
            lines.extend(_vanetik_lines(figures["vacancy_ranking"]))
            lines.extend(ranking.decomposition_lines(figures["vacancy_ranking"]))
        if "red_flags" in figures:
            lines.extend(_flag_lines(figures["red_flags"]))
    return "\n".join(lines).lstrip("\n")


def _write(out: Path, report: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_clean(report), indent=2, ensure_ascii=False) + "\n"
    out.write_text(text, encoding="utf-8")


# --- command line ---------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.accuracy", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--limit", type=int, default=None, help="files per part (smoke run)")
    parser.add_argument(
        "--skip", default="", help=f"comma-separated parts to leave out: {', '.join(PARTS)}"
    )
    parser.add_argument("--workers", type=int, default=2, help="parse processes")
    parser.add_argument(
        "--flag-role", default="ml-engineer", help="role the red-flag counts are screened for"
    )
    parser.add_argument("--cvs", type=Path, default=None, help="a folder of labelled CVs")
    parser.add_argument("--labels", type=Path, default=None, help="the labels CSV for --cvs")
    parser.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="ROLE[=CATEGORY|...]",
        help="with --cvs: a role-ranking task (repeatable; default the matching runner's tasks)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"JSON report (default {SHARED_OUT}, with --cvs {LABELLED_OUT})",
    )
    return parser


def _check_args(args: argparse.Namespace) -> set[str]:
    if (args.cvs is None) != (args.labels is None):
        raise UsageError("--cvs and --labels go together")
    if args.cvs is None and args.role:
        raise UsageError("--role sets the tasks of a labelled folder; it needs --cvs and --labels")
    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {args.limit}")
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    unknown = sorted(skip - set(PARTS))
    if unknown:
        raise UsageError(f"unknown part {', '.join(unknown)} in --skip; valid: {', '.join(PARTS)}")
    if skip and args.cvs is not None:
        raise UsageError("--skip applies to the shared data sets, not to --cvs")
    return skip


def main(argv: list[str] | None = None, *, pipeline: ScreeningPipeline | None = None) -> int:
    """The command line; ``pipeline`` reuses an already loaded one (tests)."""
    args = _parser().parse_args(argv)
    from rubrics import load_roles
    from screener.settings import EmbeddingSettings, Settings

    try:
        skip = _check_args(args)
        rows: list[LabelledCV] = []
        tasks: list[tuple[str, tuple[str, ...]]] = []
        if args.cvs is not None:
            rows = read_labels(args.labels, args.cvs)[: args.limit]
            tasks = role_tasks(args.role, pipeline.roles if pipeline else load_roles())
    except UsageError as error:
        print(f"accuracy: error: {error}", file=sys.stderr)
        return 2

    settings = Settings(embeddings=EmbeddingSettings(cache_path=None)).model_copy(
        update={"parse_workers": args.workers}
    )
    out = args.out or (SHARED_OUT if args.cvs is None else LABELLED_OUT)
    report: dict[str, Any] = {
        "command": "python -m benchmarks.accuracy "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "date": date.today().isoformat(),
    }
    if args.cvs is None:
        report.update(
            {"data_dir": str(args.data_dir), "limit": args.limit, "skipped": sorted(skip)}
        )
        run_shared(
            args.data_dir,
            skip=skip,
            limit=args.limit,
            settings=settings,
            flag_role=args.flag_role,
            report=report,
            out=out,
            pipeline=pipeline,
        )
    else:
        if pipeline is None:
            from screener.pipeline import ScreeningPipeline

            pipeline = ScreeningPipeline.create(settings)
        reference_date = date.today()
        report.update(
            {
                "cvs": str(args.cvs),
                "labels": str(args.labels),
                "reference_date": reference_date.isoformat(),
                "model_hash": pipeline.model.model_hash,
                "roles_version": pipeline.roles.version,
            }
        )
        report["data_sets"] = {
            args.cvs.resolve().name: evaluate_labelled(
                rows,
                pipeline=pipeline,
                settings=settings,
                tasks=tasks,
                reference_date=reference_date,
            )
        }
    _write(out, report)
    print(format_report(report))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
