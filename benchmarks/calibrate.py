"""Calibrate the semantic thresholds of skill matching on CVs that do not have the skills.

    python -m benchmarks.calibrate [--data-dir ../shared/data] [--per-category 4] [--tech 80]

Raw cosine is not a score: "0.55" means different things for "SQL" and for "PEFT / LoRA", and
MiniLM puts a job title such as "Machine Learning Engineer" close to many ML skills without it
evidencing any of them. Each skill's cut-offs are therefore set from how close CV text that does
*not* name the skill comes to it:

- calibration CVs (none of them used for evaluation): the first ``--per-category`` Kaggle resume
  PDFs of every one of the 24 categories (parsed by the product pipeline), and the first
  ``--tech`` technical CVs of each of dotin train and Dataturks train; personal data blanked,
  chunked and encoded like any CV;
- for each skill, chunks that name it or an alias are dropped (they are alias hits anyway), and
  so are lists of names (``is_name_list``), which matching never reads semantically;
- matching compares a CV's best chunk, so the distribution is over CVs: ``found`` = the highest
  of the CVs' best scores plus a margin (no calibration CV would be credited with a skill it does
  not name), ``related`` = the 90th percentile (one in ten CVs that never name the skill shows it
  as "related", at half credit);
- skills of custom roles that are not in the file use the median over calibrated skills.

This favours precision: a genuine paraphrase in a calibration CV raises the bar for everyone.
The runner reports how many alias-bearing chunks would also clear ``found`` semantically, a
check that the cut-offs stay within reach of genuine mentions.
Writes ``screener/data/matching_thresholds.json`` and ``benchmarks/results/calibration.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import numpy as np

from screener.documents import read_document
from screener.errors import DocumentError
from screener.matching import THRESHOLDS_FILE, CVVectors, MatchThresholds, is_name_list
from screener.parsing import analyse
from screener.pipeline import ScreeningPipeline
from screener.settings import get_settings

FOUND_MARGIN = 0.02
FOUND_QUANTILE = 1.0
RELATED_QUANTILE = 0.90


def kaggle_files(data_dir: Path, per_category: int) -> list[Path]:
    root = data_dir / "kaggle-resume-pdfs/data"
    files: list[Path] = []
    for category in sorted(p for p in root.iterdir() if p.is_dir()):
        files.extend(sorted(category.glob("*.pdf"))[:per_category])
    return files


def technical_texts(data_dir: Path, limit: int) -> list[str]:
    texts = []
    for path in sorted((data_dir / "dotin-resume-ner-545/train").glob("*.xml"))[:limit]:
        texts.append("".join(ET.parse(path).getroot().itertext()))
    with (data_dir / "dataturks-resume-ner/traindata.json").open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    texts.extend(record["content"] for record in records[:limit])
    return texts


def prepare_file(pipeline: ScreeningPipeline, path: Path) -> CVVectors | None:
    try:
        document = read_document(path.read_bytes(), path.name)
    except DocumentError:
        return None
    return pipeline.prepare(analyse(document, reference_date=date(2026, 1, 1)))


def _alias_chunk_mask(
    pipeline: ScreeningPipeline, cv: CVVectors, skill_ids: list[str]
) -> np.ndarray:
    """mask[c, s] is True when chunk c names skill s (or an alias)."""
    mask = np.zeros((len(cv.chunks), len(skill_ids)), dtype=bool)
    column = {skill_id: i for i, skill_id in enumerate(skill_ids)}
    starts = [chunk.start for chunk in cv.chunks]
    for mention in pipeline.all_skills_matcher.find(cv.text):
        index = int(np.searchsorted(starts, mention.start, side="right")) - 1
        if index >= 0 and mention.start < cv.chunks[index].end:
            mask[index, column[mention.key]] = True
    return mask


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--per-category", type=int, default=4, help="Kaggle PDFs per category")
    parser.add_argument("--tech", type=int, default=80, help="dotin and Dataturks train CVs each")
    parser.add_argument("--out", type=Path, default=Path("screener/data") / THRESHOLDS_FILE)
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/calibration.json"))
    args = parser.parse_args(argv)

    started = time.perf_counter()
    # thresholds are what this run produces; matching statuses are not used here
    pipeline = ScreeningPipeline.create(get_settings(), thresholds=MatchThresholds(1.0, 1.0))
    skill_ids = pipeline.skill_vectors.skill_ids
    prepared = [
        prepare_file(pipeline, path) for path in kaggle_files(args.data_dir, args.per_category)
    ]
    prepared += [pipeline.prepare_text(text) for text in technical_texts(args.data_dir, args.tech)]
    cv_maxima: list[np.ndarray] = []
    alias_scores: list[tuple[int, float]] = []  # (skill column, cosine) of alias-bearing chunks
    for cv in prepared:
        if cv is None or len(cv.chunks) == 0:
            continue
        sims = pipeline.skill_vectors.similarities(cv.vectors)
        mask = _alias_chunk_mask(pipeline, cv, skill_ids)
        alias_scores.extend(
            (int(c), float(sims[r, c])) for r, c in zip(*np.nonzero(mask), strict=True)
        )
        sims[mask] = -1.0
        sims[[is_name_list(chunk.text) for chunk in cv.chunks]] = -1.0
        cv_maxima.append(sims.max(axis=0))
    maxima = np.vstack(cv_maxima)  # CVs × skills

    per_skill: dict[str, list[float]] = {}
    for column, skill_id in enumerate(skill_ids):
        values = maxima[:, column]
        found = float(np.quantile(values, FOUND_QUANTILE)) + FOUND_MARGIN
        related = float(np.quantile(values, RELATED_QUANTILE))
        per_skill[skill_id] = [round(found, 4), round(min(related, found), 4)]
    global_found = statistics.median(v[0] for v in per_skill.values())
    global_related = statistics.median(v[1] for v in per_skill.values())
    total = len(alias_scores)
    cleared = sum(score >= per_skill[skill_ids[column]][0] for column, score in alias_scores)

    thresholds = {
        "model_hash": pipeline.model.model_hash,
        "skill_texts": dict(sorted(pipeline.skill_vectors.text_hashes.items())),
        "method": "benchmarks/calibrate.py: per skill, max (+margin) and 90th percentile of the "
        "best cosine over calibration CVs of prose chunks not naming the skill",
        "found": round(global_found, 4),
        "related": round(global_related, 4),
        "per_skill": dict(sorted(per_skill.items())),
    }
    args.out.write_text(json.dumps(thresholds, indent=1) + "\n", encoding="utf-8")
    report = {
        "command": "python -m benchmarks.calibrate "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "date": date.today().isoformat(),
        "calibration_cvs": int(maxima.shape[0]),
        "skills": len(skill_ids),
        "global_found": thresholds["found"],
        "global_related": thresholds["related"],
        "alias_chunks_checked": total,
        "alias_chunks_clearing_found": cleared,
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    print(f"thresholds: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
