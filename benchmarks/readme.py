"""Rewrite the measurement tables in README.md from the runners' JSON in benchmarks/results/.

    python -m benchmarks.readme

Each table sits between ``<!-- table:NAME -->`` and ``<!-- /table:NAME -->`` markers; a runner
whose JSON is missing leaves its table as it is.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path("benchmarks/results")
README = Path("README.md")


def _parse_table(report: dict[str, Any]) -> str:
    rows = [
        "| data set | files | parsed | typed errors | crashes | hangs | median s/file | p95 s/file "
        "| exp. + (edu. or skills) | token F1 vs PDFium (mean) |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in report["data_sets"].items():
        errors = ", ".join(f"{k} {v}" for k, v in s["typed_errors"].items()) or "0"
        both = s.get("experience_and_education_or_skills_rate")
        f1 = s.get("token_f1_mean")
        rows.append(
            f"| {name} | {s['files']} | {s['parsed']} | {errors} | {s['crashes']} | {s['hangs']} "
            f"| {s['median_s']:.3f} | {s['p95_s']:.3f} "
            f"| {'' if both is None else f'{both:.1%}'} | {'' if f1 is None else f'{f1:.4f}'} |"
        )
    kaggle = report["data_sets"].get("kaggle-resume-pdfs", {})
    notes = [
        "",
        f"`{report['command']}` on {report['date']}, {report['workers']} worker processes, "
        f"{report['cpu_count']}-core machine. Seconds per file cover document, sections and "
        "profile, measured inside the worker.",
    ]
    if kaggle.get("section_rate"):
        rates = ", ".join(f"{k} {v:.1%}" for k, v in kaggle["section_rate"].items())
        notes.append(f"Sections detected on the Kaggle PDFs: {rates}.")
    if kaggle.get("token_f1_worst"):
        worst = ", ".join(
            f"`{Path(f).parent.name}/{Path(f).name}` {v:.3f}"
            for f, v in kaggle["token_f1_worst"][:5]
        )
        notes.append(f"Lowest token F1 on the Kaggle PDFs: {worst}.")
    return "\n".join(rows + notes)


def _fields_table(report: dict[str, Any]) -> str:
    rows = [
        "| data set | split | field | docs | precision | recall | F1 |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for dataset, splits in report.items():
        for split, fields in splits.items():
            for name, score in fields.items():
                rows.append(
                    f"| {dataset} | {split} | {name} | {score['documents']} "
                    f"| {score['precision']:.3f} | {score['recall']:.3f} | {score['f1']:.3f} |"
                )
    return "\n".join(rows)


def _matching_table(report: dict[str, Any]) -> str:
    rows = [
        "| role | positive categories | positives | ROC-AUC coverage | alias only | BM25 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for task in report["tasks"]:
        rows.append(
            f"| {task['role']} | {' + '.join(task['positive_categories'])} | {task['positives']} "
            f"| {task['auc_coverage']:.4f} | {task['auc_alias_only']:.4f} "
            f"| {task['auc_bm25']:.4f} |"
        )
    speed = report["throughput"]
    rows += [
        "",
        f"`{report['command']}` on {report['date']}: {report['resumes']} unique resumes of "
        f"`{Path(report['data']).name}`. Encoding in this run: {speed['chunks']} chunks in "
        f"{speed['seconds']} s ({speed['chunks_per_s']} chunks/s, {speed['cvs_per_s']} CVs/s, "
        f"{speed['precision']}). {report['found_hits']} distinct found skills, "
        f"{report['semantic_found_hits']} of them semantic; the runner prints a seeded sample of "
        "50 for checking by hand.",
    ]
    return "\n".join(rows)


TABLES: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "parse": ("parse.json", _parse_table),
    "fields": ("fields.json", _fields_table),
    "matching": ("matching.json", _matching_table),
}


def main() -> int:
    text = README.read_text(encoding="utf-8")
    for name, (file, render) in TABLES.items():
        path = RESULTS / file
        if not path.exists():
            continue
        table = render(json.loads(path.read_text(encoding="utf-8")))
        pattern = re.compile(rf"(<!-- table:{name} -->\n).*?(<!-- /table:{name} -->)", re.DOTALL)
        text, count = pattern.subn(lambda m, t=table: m.group(1) + t + "\n" + m.group(2), text)
        if count == 0:
            print(f"README has no markers for table {name}", file=sys.stderr)
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
