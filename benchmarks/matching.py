"""Role matching on real CV texts: ranking quality against categories, with a BM25 baseline.

    python -m benchmarks.matching [--data-dir ../shared/data] [--labels CSV] [--sample 50]

Data: ``updated-resume-dataset/UpdatedResumeDataSet.csv`` deduplicated by text (166 unique
resumes, 25 categories), or any CSV with the same ``Category`` and ``Resume`` columns
(``--labels``).
For each (role, positive categories) pair every resume is ranked by role coverage and the
ROC-AUC of "is in a positive category" is reported for

- ``coverage``: the product's hybrid matching (alias hits + calibrated semantic hits);
- ``alias only``: the same with semantic hits switched off (what the embeddings add);
- ``BM25``: bm25s over the resume texts with the role's skill names and aliases as the query.

It prints ``--sample`` randomly drawn (seeded) "found" skills with their evidence for checking by
hand, and the encoding throughput of this run (chunks/s, CVs/s; the cache is in memory only, so
every chunk is encoded). Writes ``benchmarks/results/matching.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from screener.matching import CVVectors, MatchThresholds, SkillStatus
from screener.pipeline import ScreeningPipeline
from screener.settings import EmbeddingSettings, Settings

TASKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("data-scientist", ("Data Science",)),
    ("mlops-engineer", ("DevOps Engineer",)),
    ("ml-engineer", ("Data Science", "Python Developer")),
)
REFERENCE_DATE = date(2026, 1, 1)


def roc_auc(scores: list[float], positive: list[bool]) -> float:
    """Probability that a random positive outranks a random negative (ties count half)."""
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def load_resumes(path: Path) -> list[tuple[str, str]]:
    """(category, text) pairs, first occurrence of each distinct text."""
    seen: dict[str, str] = {}
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle):
            seen.setdefault(row["Resume"], row["Category"])
    return [(category, text) for text, category in seen.items()]


def bm25_scores(texts: list[str], query: str) -> list[float]:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    query_tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
    documents, scores = retriever.retrieve(query_tokens, k=len(texts), show_progress=False)
    by_doc = dict(zip(documents[0].tolist(), scores[0].tolist(), strict=True))
    return [float(by_doc.get(i, 0.0)) for i in range(len(texts))]


def prepare_resumes(pipeline: ScreeningPipeline, texts: Sequence[str]) -> list[CVVectors]:
    """Parse, redact, chunk and encode CV texts the way the product does."""
    return [pipeline.prepare_text(text, reference_date=REFERENCE_DATE) for text in texts]


def rank_tasks(
    pipeline: ScreeningPipeline,
    categories: Sequence[str],
    prepared: Sequence[CVVectors],
    texts: Sequence[str],
    tasks: Sequence[tuple[str, tuple[str, ...]]] = TASKS,
) -> list[dict[str, Any]]:
    """ROC-AUC per (role, positive categories) task: coverage, alias-only coverage and BM25.

    ``categories``, ``prepared`` and ``texts`` are parallel: one entry per CV; BM25 indexes
    ``texts`` and queries the role's skill names and aliases.
    """
    no_semantic = MatchThresholds(2.0, 2.0)
    results = []
    for role_id, positives in tasks:
        role = pipeline.roles.get(role_id)
        positive = [category in positives for category in categories]
        matches = [pipeline.match(cv, role) for cv in prepared]
        alias = [pipeline.matcher.match(cv, role, thresholds=no_semantic) for cv in prepared]
        query = " ".join(dict.fromkeys(t.text for skill in role.skills for t in skill.match_terms))
        results.append(
            {
                "role": role_id,
                "positive_categories": list(positives),
                "positives": sum(positive),
                "auc_coverage": round(roc_auc([m.coverage for m in matches], positive), 4),
                "auc_alias_only": round(roc_auc([m.coverage for m in alias], positive), 4),
                "auc_bm25": round(roc_auc(bm25_scores(list(texts), query), positive), 4),
            }
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--labels", type=Path, default=None, help="CSV with Category, Resume")
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/matching.json"))
    args = parser.parse_args(argv)
    labels = args.labels or args.data_dir / "updated-resume-dataset/UpdatedResumeDataSet.csv"

    # in-memory cache only: the throughput below is real encoding, not cache hits
    settings = Settings(embeddings=EmbeddingSettings(cache_path=None))
    pipeline = ScreeningPipeline.create(settings)
    resumes = load_resumes(labels)

    texts = [text for _, text in resumes]
    started = time.perf_counter()
    prepared = prepare_resumes(pipeline, texts)
    encode_seconds = time.perf_counter() - started
    chunks = sum(len(cv.chunks) for cv in prepared)

    report: dict[str, Any] = {
        "command": "python -m benchmarks.matching "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "date": date.today().isoformat(),
        "data": str(labels),
        "resumes": len(resumes),
        "model_hash": pipeline.model.model_hash,
        "roles_version": pipeline.roles.version,
        "throughput": {
            "chunks": chunks,
            "seconds": round(encode_seconds, 1),
            "chunks_per_s": round(chunks / encode_seconds, 1),
            "cvs_per_s": round(len(resumes) / encode_seconds, 2),
            "precision": str(pipeline.model.precision),
        },
        "tasks": rank_tasks(pipeline, [category for category, _ in resumes], prepared, texts),
    }
    found_hits: list[dict[str, Any]] = []
    for role in pipeline.roles:
        for (category, _), cv in zip(resumes, prepared, strict=True):
            for skill in pipeline.match(cv, role).with_status(SkillStatus.FOUND):
                if skill.evidence is not None:
                    found_hits.append(
                        {
                            "role": role.id,
                            "category": category,
                            "skill": skill.name,
                            "via": skill.via.value if skill.via else "",
                            "similarity": skill.similarity,
                            "evidence": " ".join(skill.evidence.text.split())[:160],
                        }
                    )
    unique = list({(h["skill"], h["evidence"]): h for h in found_hits}.values())
    rng = random.Random(20261126)
    sample = rng.sample(unique, min(args.sample, len(unique)))
    semantic = [h for h in unique if h["via"] == "semantic"]
    report["found_hits"] = len(unique)
    report["semantic_found_hits"] = len(semantic)
    report["sample"] = sample
    report["semantic_sample"] = rng.sample(semantic, min(20, len(semantic)))

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{'role':18} {'positives':28} {'n+':>3} {'coverage':>8} {'alias':>7} {'BM25':>7}")
    for task in report["tasks"]:
        print(
            f"{task['role']:18} {'+'.join(task['positive_categories']):28} {task['positives']:>3} "
            f"{task['auc_coverage']:>8.4f} {task['auc_alias_only']:>7.4f} {task['auc_bm25']:>7.4f}"
        )
    print(f"\nthroughput: {report['throughput']}")
    print(f"\n{len(sample)} found skills to check by hand (of {len(unique)} distinct):")
    for hit in sample:
        print(f"- [{hit['via']} {hit['similarity']:.2f}] {hit['skill']}: {hit['evidence']}")
    print(f"\nsemantic found hits ({len(semantic)} distinct), sample:")
    for hit in report["semantic_sample"]:
        print(f"- [{hit['similarity']:.2f}] {hit['skill']}: {hit['evidence']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
