"""Parse every CV of the shared data sets and report robustness, speed, sections and text recovery.

    python -m benchmarks.parse [--data-dir ../shared/data] [--workers 2] [--json OUT] [--limit N]

Per data set (Kaggle resume PDFs, layout-diverse template PDFs, Vanetik DOCX CVs):
- parsed / typed errors by kind / crashes (an exception that is not a ``DocumentError``) / hangs
  (no result within the per-file timeout);
- median and p95 seconds per file (document + sections + profile + scoring text, measured inside
  the worker);
- share of files with each section kind detected, and with experience AND (education OR skills);
- text recovery for PDFs: token F1 between our text and pypdf's extraction (multiset of
  lower-cased word tokens), mean and the 10 worst files. The product reads PDFs with PDFium, so
  the reference is the other engine: pypdf parses the content streams on its own.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import statistics
import sys
import time
import traceback
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"\w+", re.UNICODE)
_REFERENCE_DATE = date(2026, 11, 1)


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(unicodedata.normalize("NFKC", text).lower()))


def token_f1(ours: str, reference: str) -> float:
    a, b = tokens(ours), tokens(reference)
    if not a and not b:
        return 1.0
    overlap = sum((a & b).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(a.values())
    recall = overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def pypdf_text(path: Path) -> str:
    """pypdf's text of every page: the reference for text recovery (an engine we do not use)."""
    import pypdf

    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)


def _measure(path_str: str) -> dict[str, Any]:
    """Runs in a worker process: parse one file the way the product does, time it."""
    from screener.documents import read_document
    from screener.errors import DocumentError
    from screener.parsing import analyse

    path = Path(path_str)
    data = path.read_bytes()
    started = time.perf_counter()
    try:
        parsed = analyse(read_document(data, path.name), reference_date=_REFERENCE_DATE)
    except DocumentError as error:
        return {
            "file": path_str,
            "seconds": time.perf_counter() - started,
            "error": error.kind,
            "message": error.message,
        }
    except Exception as exc:  # noqa: BLE001 - a crash is what this runner counts
        return {
            "file": path_str,
            "seconds": time.perf_counter() - started,
            "crash": repr(exc),
            "trace": traceback.format_exc(limit=3),
        }
    seconds = time.perf_counter() - started
    row: dict[str, Any] = {
        "file": path_str,
        "seconds": seconds,
        "pages": parsed.document.page_count,
        "ocr_used": parsed.document.ocr_used,
        "hidden_chars": parsed.document.hidden_chars,
        "sections": sorted({s.kind.value for s in parsed.sections}),
    }
    if path.suffix.lower() == ".pdf":
        row["token_f1"] = token_f1(parsed.document.text, pypdf_text(path))
    return row


@dataclass
class DataSet:
    name: str
    files: list[Path]
    rows: list[dict[str, Any]] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0


def discover(data_dir: Path, limit: int | None) -> list[DataSet]:
    sets = [
        DataSet(
            "kaggle-resume-pdfs", sorted((data_dir / "kaggle-resume-pdfs/data").glob("*/*.pdf"))
        ),
        DataSet(
            "layout-diverse-cv-pdfs", sorted((data_dir / "layout-diverse-cv-pdfs").glob("*.pdf"))
        ),
        DataSet(
            "vanetik-docx",
            sorted((data_dir / "vanetik-vacancy-resume-matching/CV").glob("*.docx")),
        ),
    ]
    for data_set in sets:
        if limit:
            data_set.files = data_set.files[:limit]
    return [s for s in sets if s.files]


def run(data_set: DataSet, workers: int, timeout_s: float) -> None:
    context = multiprocessing.get_context("forkserver")
    started = time.perf_counter()
    with context.Pool(workers, maxtasksperchild=200) as pool:
        results = pool.imap(_measure, [str(p) for p in data_set.files], chunksize=1)
        for path in data_set.files:
            try:
                data_set.rows.append(results.next(timeout=timeout_s))
            except multiprocessing.TimeoutError:
                # the pool cannot skip one task; record it and stop this data set honestly
                data_set.hangs.append(str(path))
                pool.terminate()
                break
    data_set.wall_seconds = time.perf_counter() - started


def summarise(data_set: DataSet) -> dict[str, Any]:
    rows = data_set.rows
    parsed = [r for r in rows if "error" not in r and "crash" not in r]
    errors = Counter(r["error"] for r in rows if "error" in r)
    crashes = [r for r in rows if "crash" in r]
    seconds = sorted(r["seconds"] for r in rows)
    summary: dict[str, Any] = {
        "files": len(data_set.files),
        "parsed": len(parsed),
        "typed_errors": dict(errors),
        "error_files": {r["file"]: f"{r['error']}: {r['message']}" for r in rows if "error" in r},
        "crashes": len(crashes),
        "crash_examples": [{k: r[k] for k in ("file", "crash", "trace")} for r in crashes[:5]],
        "hangs": len(data_set.hangs),
        "hang_files": data_set.hangs,
        "median_s": statistics.median(seconds) if seconds else None,
        "p95_s": seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))] if seconds else None,
        "wall_s": data_set.wall_seconds,
        "files_per_s": len(rows) / data_set.wall_seconds if data_set.wall_seconds else None,
        "pages": sum(r.get("pages", 0) for r in parsed),
        "ocr_files": sum(1 for r in parsed if r.get("ocr_used")),
        "files_with_hidden_text": sum(1 for r in parsed if r.get("hidden_chars")),
    }
    if parsed:
        kinds = Counter(kind for r in parsed for kind in r["sections"])
        summary["section_rate"] = {k: kinds[k] / len(parsed) for k in sorted(kinds)}
        both = [
            r
            for r in parsed
            if "experience" in r["sections"]
            and ("education" in r["sections"] or "skills" in r["sections"])
        ]
        summary["experience_and_education_or_skills_rate"] = len(both) / len(parsed)
        summary["missing_experience_examples"] = [
            r["file"] for r in parsed if "experience" not in r["sections"]
        ][:10]
    scored = [r for r in parsed if "token_f1" in r]
    if scored:
        summary["token_f1_mean"] = statistics.fmean(r["token_f1"] for r in scored)
        worst = sorted(scored, key=lambda r: r["token_f1"])[:10]
        summary["token_f1_worst"] = [(r["file"], round(r["token_f1"], 4)) for r in worst]
    return summary


def print_table(report: dict[str, Any]) -> None:
    print(
        f"{'data set':26} {'files':>6} {'parsed':>6} {'errors':>6} {'crash':>5} {'hang':>4} "
        f"{'med s':>6} {'p95 s':>6} {'files/s':>7} {'exp+edu|sk':>10} {'tokF1':>6}"
    )
    for name, s in report["data_sets"].items():
        both = s.get("experience_and_education_or_skills_rate")
        f1 = s.get("token_f1_mean")
        print(
            f"{name:26} {s['files']:>6} {s['parsed']:>6} {sum(s['typed_errors'].values()):>6} "
            f"{s['crashes']:>5} {s['hangs']:>4} {s['median_s'] or 0:>6.3f} {s['p95_s'] or 0:>6.3f} "
            f"{s['files_per_s'] or 0:>7.2f} {'' if both is None else f'{both:.3f}':>10} "
            f"{'' if f1 is None else f'{f1:.4f}':>6}"
        )
    for name, s in report["data_sets"].items():
        if s.get("section_rate"):
            rates = ", ".join(f"{k} {v:.3f}" for k, v in s["section_rate"].items())
            print(f"\n{name} sections detected: {rates}")
        if s.get("typed_errors"):
            print(f"{name} typed errors: {s['typed_errors']}")
        if s.get("token_f1_worst"):
            print(f"{name} worst token F1 vs pypdf:")
            for file, value in s["token_f1_worst"]:
                print(f"  {value:.4f}  {file}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a hang")
    parser.add_argument("--limit", type=int, default=None, help="files per data set (smoke run)")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/parse.json"))
    args = parser.parse_args(argv)

    report: dict[str, Any] = {
        "command": "python -m benchmarks.parse " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": date.today().isoformat(),
        "workers": args.workers,
        "cpu_count": multiprocessing.cpu_count(),
        "data_sets": {},
    }
    for data_set in discover(args.data_dir, args.limit):
        run(data_set, args.workers, args.timeout)
        report["data_sets"][data_set.name] = summarise(data_set)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    print_table(report)
    print(f"\nJSON: {args.json}")
    bad = sum(s["crashes"] + s["hangs"] for s in report["data_sets"].values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
