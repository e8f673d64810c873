"""Ranking quality of the full fit score, and red-flag counts on real CVs.

    python -m benchmarks.ranking [--data-dir ../shared/data] [--limit N] [--workers 2]
                                 [--role ml-engineer] [--check 20]

Three measurements, written to ``benchmarks/results/ranking.json`` and printed as tables:

1. **Vanetik vacancy ranking** (``vanetik-vacancy-resume-matching``): the 5 vacancies become
   custom roles from their job-description text (``role_from_job_description``); for each of CVs
   1-30 the 5 vacancies are ranked by our fit, and the mean Spearman correlation with each
   annotator's ranking is reported beside the annotators' agreement with each other and three
   baselines: role coverage alone, BM25 (the CV's redacted text as the query over the 5
   vacancy texts) and raw mean-cosine (cosine of the mean CV chunk vector and the mean vacancy
   chunk vector); nDCG@5 beside each (gain 4 for an annotator's best vacancy down to 0). Two
   fixed orders, the same for every CV, show how much a preference for some vacancies explains:
   the file's order (vacancy 1 first) and longest job description first. Each method is also
   split in two over all 65 CVs of the set: its mean score per vacancy (its own fixed order)
   and each CV's departure from that mean, each compared with the annotators. Annotation arrays
   list vacancy numbers from best to worst; arrays that are not a permutation of 1-5 are
   invalid and left out (their CV numbers are reported).
2. **Updated-resume ranking AUC** (``updated-resume-dataset``, 166 unique texts): ROC-AUC of
   "is in the role's positive categories" with full fit vs coverage alone, per task of the
   matching benchmark (the bar: Data Scientist must not drop).
3. **Red-flag counts** over the 1,275 Kaggle resume PDFs (parsed in isolated workers) and the
   166 categorised resumes, by category, screened for ``--role``; plus ``--check`` flagged
   examples (seeded sample) with their evidence, for checking by hand.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.matching import TASKS, bm25_scores, load_resumes, roc_auc
from embeddings import chunk_text
from rubrics import RoleSet, load_roles, load_rules, role_from_job_description
from screener.documents import read_document
from screener.errors import DocumentError
from screener.matching import CVVectors
from screener.parsing import ParsedCV, analyse, parse_paths
from screener.pipeline import ScreeningPipeline
from screener.redaction import redact_personal_data
from screener.screening import Screening, screen
from screener.settings import EmbeddingSettings, Settings

REFERENCE = date(2026, 1, 1)
VANETIK = "vanetik-vacancy-resume-matching"
VACANCIES = 5


# --- statistics ----------------------------------------------------------------------------------


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties get the mean of their positions."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rho with average ranks for ties; nan when either side is constant."""
    ra, rb = np.array(average_ranks(a)), np.array(average_ranks(b))
    ra -= ra.mean()
    rb -= rb.mean()
    denominator = math.sqrt(float((ra * ra).sum() * (rb * rb).sum()))
    return float((ra * rb).sum() / denominator) if denominator else float("nan")


# The gaps these runners measure sit on few labels (30 CVs ranked by two annotators who agree at
# ~0.12; 10 Data Science positives), so each comparison carries a bootstrap 95% interval: the
# labelled units are resampled with replacement BOOTSTRAP_ROUNDS times (seeded, so a rerun writes
# the same interval) and the 2.5th and 97.5th percentiles of the recomputed figure are reported.
BOOTSTRAP_ROUNDS = 2000
BOOTSTRAP_SEED = 20260101


def percentile_interval(values: np.ndarray) -> list[float]:
    """The 95% percentile interval of bootstrap replicates, rounded to 4 decimals."""
    low, high = np.nanpercentile(values, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def resampled_means(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Mean of each unit's value (NaN: unit without a value) weighted by how often each
    bootstrap round drew the unit: ``values`` (units,), ``counts`` (rounds, units) -> (rounds,)."""
    present = ~np.isnan(values)
    weights = counts[:, present]
    drawn = weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(drawn > 0, weights @ values[present] / np.maximum(drawn, 1), np.nan)


def bootstrap_counts(units: int, rng: np.random.Generator) -> np.ndarray:
    """How often each of ``units`` is drawn in each of BOOTSTRAP_ROUNDS resamples with
    replacement: shape (rounds, units)."""
    draws = rng.integers(0, units, size=(BOOTSTRAP_ROUNDS, units))
    return np.stack([np.bincount(row, minlength=units) for row in draws])


def auc_difference(
    first: Sequence[float], second: Sequence[float], positive: Sequence[bool]
) -> dict[str, Any]:
    """ROC-AUC of ``first`` minus that of ``second`` on the same CVs, with its bootstrap 95%
    interval: positives and negatives are resampled separately (stratified), the same CVs for
    both scores in each round."""
    flags = np.array(positive, dtype=bool)
    if flags.all() or not flags.any():
        return {"difference": None, "ci95": None}

    def pair_wins(scores: Sequence[float]) -> np.ndarray:
        values = np.asarray(scores, dtype=float)
        pos, neg = values[flags][:, None], values[~flags][None, :]
        return (pos > neg) + 0.5 * (pos == neg)  # (positives, negatives)

    wins = pair_wins(first) - pair_wins(second)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    pos_counts = bootstrap_counts(int(flags.sum()), rng)
    neg_counts = bootstrap_counts(int((~flags).sum()), rng)
    pairs = pos_counts.sum(axis=1) * neg_counts.sum(axis=1)
    replicates = np.einsum("rp,pn,rn->r", pos_counts, wins, neg_counts) / pairs
    return {
        "difference": round(float(wins.mean()), 4),
        "ci95": percentile_interval(replicates),
    }


# --- Vanetik -------------------------------------------------------------------------------------


def read_annotations(path: Path) -> dict[str, list[list[int]]]:
    """``ANNOTATOR_n_RANKINGS=[[...], ...]`` arrays from the annotation text file."""
    text = re.sub(r"#[^\n]*", "", path.read_text(encoding="utf-8"))
    found: dict[str, list[list[int]]] = {}
    for match in re.finditer(r"(ANNOTATOR_\d+)_RANKINGS\s*=\s*(\[.*?\]\])", text, re.S):
        found[match.group(1).lower()] = ast.literal_eval(match.group(2))
    return found


def positions(array: Sequence[int]) -> list[float] | None:
    """Rank (1 = best) of each vacancy 1-5 from a best-to-worst array; None when invalid."""
    if sorted(array) != list(range(1, VACANCIES + 1)):
        return None
    rank = [0.0] * VACANCIES
    for place, vacancy in enumerate(array, start=1):
        rank[vacancy - 1] = float(place)
    return rank


def ranks_as_given(array: Sequence[int]) -> list[float] | None:
    """The other reading of an array: entry i is the rank of vacancy i+1 (sensitivity check)."""
    if sorted(array) != list(range(1, VACANCIES + 1)):
        return None
    return [float(r) for r in array]


def ndcg(scores: Sequence[float], truth_ranks: Sequence[float], k: int = VACANCIES) -> float:
    """nDCG@k of the order ``scores`` gives, graded by the annotator's ranks (1 = best).

    Gain of a vacancy is ``VACANCIES - rank`` (4 for the annotator's best, 0 for the worst),
    discounted by log2(position + 1); ties in ``scores`` keep vacancy order."""
    gains = [VACANCIES - r for r in truth_ranks]
    order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
    dcg = sum(gains[i] / math.log2(p + 2) for p, i in enumerate(order))
    ideal = sum(g / math.log2(p + 2) for p, g in enumerate(sorted(gains, reverse=True)[:k]))
    return dcg / ideal if ideal else float("nan")


def _mean(values: Sequence[float]) -> float | None:
    finite = [v for v in values if not math.isnan(v)]
    return round(sum(finite) / len(finite), 4) if finite else None


def vanetik(data: Path, settings: Settings) -> dict[str, Any]:
    folder = data / VANETIK
    with (folder / "5_vacancies.csv").open(encoding="utf-8", newline="") as handle:
        vacancies = list(csv.DictReader(handle))[:VACANCIES]
    seeds = load_roles()
    customs = []
    for number, row in enumerate(vacancies, start=1):
        text = f"{row['job_title']}\n{row['job_description']}"
        customs.append(role_from_job_description(text, role_id=f"vacancy-{number}", roles=seeds))
    pipeline = ScreeningPipeline.create(
        settings, roles=RoleSet([*seeds, *customs], markets=seeds.markets)
    )
    vacancy_texts = [f"{r['job_title']}\n{r['job_description']}" for r in vacancies]
    jd_means = []
    for text in vacancy_texts:
        chunks = chunk_text(
            text, tokenizer=pipeline.model.tokenizer, max_tokens=pipeline.model.max_seq_length
        )
        mean = pipeline.model.encode([c.text for c in chunks]).mean(axis=0)
        jd_means.append(mean / np.linalg.norm(mean))

    annotations = read_annotations(folder / "annotations-for-the-first-30-vacancies.txt")
    invalid = {
        name: [i + 1 for i, array in enumerate(arrays) if positions(array) is None]
        for name, arrays in annotations.items()
    }
    cv_count = max(len(arrays) for arrays in annotations.values())
    # every CV of the set is screened, not only the annotated ones: a method's mean score for
    # each vacancy over all of them is its own preference among the vacancies (decomposition)
    paths = sorted((folder / "CV").glob("*.docx"), key=lambda p: int(p.stem))
    methods = ("fit", "coverage", "bm25", "mean_cosine", "vacancy_order", "jd_length")
    scores: dict[str, dict[int, list[float]]] = {m: {} for m in methods}
    for number, (_, parsed) in zip(
        [int(p.stem) for p in paths],
        parse_paths(paths, settings=settings, reference_date=REFERENCE),
        strict=True,
    ):
        if isinstance(parsed, DocumentError):
            continue
        prepared = pipeline.prepare(parsed)
        screenings = [
            screen(parsed, role, market="de", pipeline=pipeline, prepared=prepared)
            for role in customs
        ]
        scores["fit"][number] = [s.fit for s in screenings]
        scores["coverage"][number] = [s.coverage for s in screenings]
        scores["bm25"][number] = bm25_scores(vacancy_texts, prepared.text)
        cv_mean = prepared.vectors.mean(axis=0)
        cv_mean = cv_mean / np.linalg.norm(cv_mean)
        scores["mean_cosine"][number] = [float(cv_mean @ jd) for jd in jd_means]
        # the same order for every CV, to show how much of a method's agreement a fixed
        # preference for some vacancies explains: the file's order, and longest JD first
        scores["vacancy_order"][number] = [float(VACANCIES - i) for i in range(VACANCIES)]
        scores["jd_length"][number] = [float(len(t.split())) for t in vacancy_texts]

    def agreement(
        method: str,
        annotator: str,
        read: Callable[[Sequence[int]], list[float] | None] = positions,
        measure: str = "spearman",
    ) -> tuple[float | None, int]:
        values = []
        for index, array in enumerate(annotations[annotator]):
            truth = read(array)
            ours = scores[method].get(index + 1)
            if truth is None or ours is None:
                continue
            if measure == "ndcg":
                values.append(ndcg(ours, truth))
            else:
                values.append(_rank_agreement(ours, truth))
        return _mean(values), len(values)

    # Each method's score split in two: its mean for each vacancy over every CV of the set (the
    # same order for every CV: which vacancies the method prefers whoever the candidate is), and
    # what is left (how this CV departs from that). Only the second says anything about the CV.
    decomposed = ("fit", "coverage", "bm25", "mean_cosine")
    for method in decomposed:
        preference, within = split_by_vacancy(scores[method])
        scores[f"{method}:preference"], scores[f"{method}:within_cv"] = preference, within
    parts = [f"{m}:{part}" for m in decomposed for part in ("preference", "within_cv")]

    # per method and annotator, each CV's Spearman (NaN where the array is invalid, the CV
    # failed to parse or a side is constant): the units the bootstrap resamples
    per_cv = {
        method: {
            annotator: np.array(
                [_cv_spearman(scores[method].get(n), arrays[n - 1] if n <= len(arrays) else None)
                 for n in range(1, cv_count + 1)]
            )
            for annotator, arrays in sorted(annotations.items())
        }
        for method in (*methods, *parts)
    }  # fmt: skip
    counts = bootstrap_counts(cv_count, np.random.default_rng(BOOTSTRAP_SEED))
    replicates = {
        method: np.nanmean(
            np.stack([resampled_means(v, counts) for v in per_cv[method].values()]), axis=0
        )
        for method in per_cv
    }

    result: dict[str, Any] = {
        "cvs": cv_count,
        "cvs_screened": len(scores["fit"]),
        "vacancies": [
            {"number": n, "title": r["job_title"], "based_on": c.based_on, "skills": len(c.skills)}
            for n, (r, c) in enumerate(zip(vacancies, customs, strict=True), start=1)
        ],
        "invalid_arrays": invalid,
        "methods": {},
    }
    for method in methods:
        figures: dict[str, Any] = {}
        for annotator in sorted(annotations):
            mean, n = agreement(method, annotator)
            figures[annotator] = {
                "mean_spearman": mean,
                "ndcg_at_5": agreement(method, annotator, measure="ndcg")[0],
                "n": n,
            }
        per_annotator = list(figures.values())
        valid = [v["mean_spearman"] for v in per_annotator if v["mean_spearman"] is not None]
        figures["mean_of_annotators"] = round(sum(valid) / len(valid), 4) if valid else None
        figures["mean_of_annotators_ci95"] = percentile_interval(replicates[method])
        ndcgs = [v["ndcg_at_5"] for v in per_annotator if v["ndcg_at_5"] is not None]
        figures["ndcg_at_5"] = round(sum(ndcgs) / len(ndcgs), 4) if ndcgs else None
        other = [agreement(method, a, ranks_as_given)[0] for a in sorted(annotations)]
        figures["other_reading_mean_of_annotators"] = (
            round(sum(o for o in other if o is not None) / len(other), 4) if other else None
        )
        result["methods"][method] = figures
    # how often each vacancy is an annotator's or a method's best and worst, over the CVs the
    # annotator ranked validly (a method over every annotated CV it screened)
    result["best_and_worst"] = {
        **{
            annotator: _best_and_worst([positions(a) for a in arrays], lower_is_better=True)
            for annotator, arrays in sorted(annotations.items())
        },
        **{
            method: _best_and_worst([scores[method].get(n) for n in range(1, cv_count + 1)])
            for method in decomposed
        },
    }
    result["decomposition"] = {}
    for method in decomposed:
        preference = scores[f"{method}:preference"]
        split: dict[str, Any] = {
            # vacancy numbers, the one the method scores highest on average first
            "preferred_order": [
                int(i) + 1 for i in np.argsort(-np.asarray(next(iter(preference.values()))))
            ]
        }
        for part in ("preference", "within_cv"):
            key = f"{method}:{part}"
            by_annotator = {a: agreement(key, a)[0] for a in sorted(annotations)}
            valid = [v for v in by_annotator.values() if v is not None]
            split[part] = {
                **by_annotator,
                "mean_of_annotators": round(sum(valid) / len(valid), 4) if valid else None,
                "mean_of_annotators_ci95": percentile_interval(replicates[key]),
            }
        result["decomposition"][method] = split
    pairs = [
        spearman(a, b)
        for a, b in zip(
            [positions(x) for x in annotations["annotator_1"]],
            [positions(x) for x in annotations["annotator_2"]],
            strict=False,
        )
        if a is not None and b is not None
    ]
    result["annotator_agreement"] = {"mean_spearman": _mean(pairs), "n": len(pairs)}
    other_pairs = [
        spearman(a, b)
        for a, b in zip(
            [ranks_as_given(x) for x in annotations["annotator_1"]],
            [ranks_as_given(x) for x in annotations["annotator_2"]],
            strict=False,
        )
        if a is not None and b is not None
    ]
    result["annotator_agreement"]["other_reading"] = _mean(other_pairs)
    result["fit_minus_baseline"] = {
        baseline: {
            "difference": round(
                result["methods"]["fit"]["mean_of_annotators"]
                - result["methods"][baseline]["mean_of_annotators"],
                4,
            ),
            "ci95": percentile_interval(replicates["fit"] - replicates[baseline]),
        }
        for baseline in ("bm25", "mean_cosine")
    }
    result["bootstrap"] = {
        "rounds": BOOTSTRAP_ROUNDS,
        "seed": BOOTSTRAP_SEED,
        "resampled": "CVs; both annotators' rankings of a drawn CV count with it",
    }
    return result


def _best_and_worst(
    rows: Sequence[Sequence[float] | None], *, lower_is_better: bool = False
) -> dict[str, Any]:
    """How many rows put each vacancy (numbered from 1) first and last; missing rows skipped."""
    valid = [list(r) for r in rows if r is not None]
    sign = -1.0 if lower_is_better else 1.0
    best = Counter(int(np.argmax([sign * v for v in r])) + 1 for r in valid)
    worst = Counter(int(np.argmin([sign * v for v in r])) + 1 for r in valid)
    numbers = range(1, VACANCIES + 1)
    return {
        "cvs": len(valid),
        "best": {str(n): best[n] for n in numbers},
        "worst": {str(n): worst[n] for n in numbers},
    }


def split_by_vacancy(
    scores: Mapping[int, Sequence[float]],
) -> tuple[dict[int, list[float]], dict[int, list[float]]]:
    """Each CV's vacancy scores as the method's mean score per vacancy over every CV (its
    preference among the vacancies, the same for every CV) plus the CV's departure from it."""
    preference = np.mean([list(s) for s in scores.values()], axis=0)
    return (
        {n: [float(p) for p in preference] for n in scores},
        {n: [float(v) for v in np.asarray(s, dtype=float) - preference] for n, s in scores.items()},
    )


def decomposition_lines(result: dict[str, Any]) -> list[str]:
    """The ``decomposition`` of ``vanetik``'s result as printed lines."""
    lines = [
        "each method split: its own preference among the vacancies (mean score over all "
        f"{result.get('cvs_screened')} CVs, the same order for every CV) and what is left "
        "(the CV's departure from it); mean Spearman vs annotators (95% CI)"
    ]
    for method, row in (result.get("decomposition") or {}).items():
        cells = [
            f"{part} {row[part]['mean_of_annotators']} {row[part]['mean_of_annotators_ci95']}"
            for part in ("preference", "within_cv")
        ]
        lines.append(f"{method:14} order {row['preferred_order']}  " + "  ".join(cells))
    return lines


def _rank_agreement(ours: Sequence[float], truth_ranks: Sequence[float]) -> float:
    """Spearman of our scores (higher = better) with an annotator's ranks (1 = best)."""
    return spearman(ours, [-r for r in truth_ranks])


def _cv_spearman(ours: Sequence[float] | None, array: Sequence[int] | None) -> float:
    """``_rank_agreement`` with one annotator's best-to-worst array; NaN if either is missing
    or invalid."""
    truth = positions(array) if array is not None else None
    if ours is None or truth is None:
        return float("nan")
    return _rank_agreement(ours, truth)


# --- updated-resume AUC and red flags ------------------------------------------------------------


def _refit(screening: Screening, role_id: str, pipeline: ScreeningPipeline, share: float) -> float:
    weights = pipeline.roles.get(role_id).dimension_weights.as_dict()
    weighted = sum(weights[n] * d.score for n, d in screening.dimensions.items())
    return share * weighted + (1 - share) * screening.coverage


def _geometric(screening: Screening, role_id: str, pipeline: ScreeningPipeline) -> float:
    return math.sqrt(max(_refit(screening, role_id, pipeline, 1.0), 0) * screening.coverage)


def _parse_text(text: str) -> ParsedCV:
    return analyse(read_document(text.encode("utf-8"), "cv.txt"), reference_date=REFERENCE)


def alias_only(pipeline: ScreeningPipeline, parsed: ParsedCV) -> CVVectors:
    """A prepared CV without chunk vectors: no semantic hits, alias hits as usual.

    Red flags do not depend on semantic hits (keyword stuffing counts alias hits only), so the
    red-flag pass over many PDFs can skip encoding; ``updated_resumes`` checks the claim."""
    text = redact_personal_data(parsed.document.text, parsed.profile.contacts)
    empty = np.zeros((0, pipeline.model.dimension), dtype=np.float32)
    return CVVectors(text, parsed.sections, (), empty, parsed.document.page_at)


def _flag_example(source: str, category: str, screening: Screening, code: str) -> dict[str, Any]:
    flag = next(f for f in screening.red_flags if f.code == code)
    return {
        "source": source,
        "category": category,
        "code": code,
        "severity": flag.severity,
        "note": flag.note,
        "evidence": [
            f"p.{c.page} ({c.section}): {' '.join(c.text.split())[:200]}" for c in flag.evidence
        ],
    }


def updated_resumes(
    data: Path, pipeline: ScreeningPipeline, role_id: str, limit: int | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    resumes = load_resumes(data / "updated-resume-dataset/UpdatedResumeDataSet.csv")
    if limit:
        resumes = resumes[:limit]
    parsed = [_parse_text(text) for _, text in resumes]
    prepared = [pipeline.prepare(p) for p in parsed]
    tasks = []
    for task_role, positives in TASKS:
        positive = [category in positives for category, _ in resumes]
        results = [
            screen(p, task_role, market="de", pipeline=pipeline, prepared=v)
            for p, v in zip(parsed, prepared, strict=True)
        ]
        tasks.append(
            {
                "role": task_role,
                "positive_categories": list(positives),
                "positives": sum(positive),
                "auc_fit": round(roc_auc([r.fit for r in results], positive), 4),
                "auc_coverage": round(roc_auc([r.coverage for r in results], positive), 4),
                "auc_fit_minus_coverage": auc_difference(
                    [r.fit for r in results], [r.coverage for r in results], positive
                ),
                # the ungated alternative, share·dimensions + (1 - share)·coverage, for comparison
                # with the product's coverage-gated fit above
                "auc_fit_by_dimension_share": {
                    str(share): round(
                        roc_auc([_refit(r, task_role, pipeline, share) for r in results], positive),
                        4,
                    )
                    for share in (0.3, 0.4, 0.5, 0.6, 0.7)
                },
                "auc_fit_geometric": round(
                    roc_auc([_geometric(r, task_role, pipeline) for r in results], positive), 4
                ),
            }
        )
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    mismatches = 0
    for index, ((category, _), p, v) in enumerate(zip(resumes, parsed, prepared, strict=True)):
        screening = screen(p, role_id, market="de", pipeline=pipeline, prepared=v)
        unencoded = screen(
            p, role_id, market="de", pipeline=pipeline, prepared=alias_only(pipeline, p)
        )
        mismatches += unencoded.red_flags != screening.red_flags
        sizes[category] += 1
        by_category[category].update(f.code for f in screening.red_flags)
        examples.extend(
            _flag_example(f"updated-resume #{index}", category, screening, f.code)
            for f in screening.red_flags
        )
    return (
        {
            "resumes": len(resumes),
            "tasks": tasks,
            "red_flags": _flag_table(sizes, by_category),
            "red_flags_differ_without_encoding": mismatches,
        },
        examples,
    )


def _flag_table(sizes: Counter[str], by_category: dict[str, Counter[str]]) -> dict[str, Any]:
    total: Counter[str] = Counter()
    for counts in by_category.values():
        total.update(counts)
    return {
        "cvs": sum(sizes.values()),
        "total": dict(sorted(total.items())),
        "by_category": {
            category: {"cvs": sizes[category], **dict(sorted(by_category[category].items()))}
            for category in sorted(sizes)
        },
    }


def kaggle(
    data: Path,
    pipeline: ScreeningPipeline,
    settings: Settings,
    role_id: str,
    limit: int | None,
    *,
    encode: bool,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    folder = data / "kaggle-resume-pdfs"
    with (folder / "index.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if limit:
        rows = random.Random(7).sample(rows, min(limit, len(rows)))
        rows.sort(key=lambda r: r["path"])
    category_of = {str(folder / r["path"]): r["category"] for r in rows}
    sizes: Counter[str] = Counter()
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    errors: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    fired: dict[str, Counter[str]] = defaultdict(Counter)  # group -> rule code -> CVs
    started = time.perf_counter()
    paths = [folder / r["path"] for r in rows]
    for done, (path, parsed) in enumerate(
        parse_paths(paths, settings=settings, reference_date=REFERENCE), start=1
    ):
        category = category_of[str(path)]
        if isinstance(parsed, DocumentError):
            errors[parsed.kind] += 1
            continue
        prepared = pipeline.prepare(parsed) if encode else alias_only(pipeline, parsed)
        screening = screen(parsed, role_id, market="de", pipeline=pipeline, prepared=prepared)
        sizes[category] += 1
        by_category[category].update(f.code for f in screening.red_flags)
        fired[_work_group(category)].update(
            rule.code for dimension in screening.dimensions.values() for rule in dimension.rules
        )
        examples.extend(
            _flag_example(f"{category}/{path.name}", category, screening, f.code)
            for f in screening.red_flags
        )
        if done % 50 == 0:
            print(f"\r  kaggle {done}/{len(paths)}", end="", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    print(file=sys.stderr)
    table = _flag_table(sizes, by_category)
    table.update(
        {
            "files": len(paths),
            "errors": dict(errors),
            "seconds": round(seconds, 1),
            "cvs_per_s": round(len(paths) / seconds, 2) if seconds else None,
            "encoded": encode,
            "rules_fired": _rules_fired(sizes, fired),
        }
    )
    return table, examples


# Kaggle categories by how much software work their CVs describe: the engineering-maturity rules
# are about software and the mathematics rules about quantitative work, so how often a rule fires
# on CVs of cooks, teachers and accountants shows how often its evidence is an ordinary word read
# as a technical one.
_SOFTWARE_CATEGORIES = frozenset({"INFORMATION-TECHNOLOGY"})
_MIXED_CATEGORIES = frozenset({"ENGINEERING"})  # mechanical, electrical and software engineers
WORK_GROUPS = ("information technology", "engineering", "no software work")


def _work_group(category: str) -> str:
    if category in _SOFTWARE_CATEGORIES:
        return WORK_GROUPS[0]
    return WORK_GROUPS[1] if category in _MIXED_CATEGORIES else WORK_GROUPS[2]


def _rules_fired(sizes: Counter[str], fired: Mapping[str, Counter[str]]) -> dict[str, Any]:
    """Per dimension rule, the share of each group's CVs it fires on (any points); ``fired``
    counts, per group, the CVs each rule fired on."""
    cvs: Counter[str] = Counter()
    for category, count in sizes.items():
        cvs[_work_group(category)] += count
    rules = load_rules()
    return {
        "cvs": {group: cvs[group] for group in WORK_GROUPS},
        "rules": [
            {
                "code": rule.code,
                "dimension": name,
                "share": {
                    group: round(fired.get(group, Counter())[rule.code] / cvs[group], 4)
                    if cvs[group]
                    else None
                    for group in WORK_GROUPS
                },
            }
            for name, dimension in rules.dimensions.items()
            for rule in dimension.rules
        ],
    }


# --- report --------------------------------------------------------------------------------------


def _print_flags(name: str, table: dict[str, Any], codes: list[str]) -> None:
    short = [c.split("-")[0][:6] + ("".join(p[0] for p in c.split("-")[1:])) for c in codes]
    print(f"\nred flags, {name} ({table['cvs']} CVs screened)")
    print(f"{'category':24} {'n':>4} " + " ".join(f"{s:>8}" for s in short))
    for category, counts in table["by_category"].items():
        cells = " ".join(f"{counts.get(c, 0):>8}" for c in codes)
        print(f"{category[:24]:24} {counts['cvs']:>4} {cells}")
    totals = " ".join(f"{table['total'].get(c, 0):>8}" for c in codes)
    print(f"{'TOTAL':24} {table['cvs']:>4} {totals}")
    print("columns: " + ", ".join(f"{s}={c}" for s, c in zip(short, codes, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--limit", type=int, default=None, help="Kaggle PDFs / resumes to use")
    parser.add_argument("--workers", type=int, default=2, help="parse processes")
    parser.add_argument("--role", default="ml-engineer", help="role the red flags are run for")
    parser.add_argument("--check", type=int, default=20, help="flagged examples to sample")
    parser.add_argument("--skip-kaggle", action="store_true")
    parser.add_argument(
        "--encode-kaggle", action="store_true", help="encode the Kaggle CVs (flags do not need it)"
    )
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/ranking.json"))
    args = parser.parse_args(argv)

    settings = Settings(embeddings=EmbeddingSettings(cache_path=None)).model_copy(
        update={"parse_workers": args.workers}
    )
    report: dict[str, Any] = {
        "command": "python -m benchmarks.ranking "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "date": date.today().isoformat(),
        "reference_date": REFERENCE.isoformat(),
    }
    report["vanetik"] = vanetik(args.data_dir, settings)
    pipeline = ScreeningPipeline.create(settings)
    report["model_hash"] = pipeline.model.model_hash
    report["roles_version"] = pipeline.roles.version
    updated, examples = updated_resumes(args.data_dir, pipeline, args.role, args.limit)
    report["updated_resumes"] = updated
    if not args.skip_kaggle:
        report["kaggle"], kaggle_examples = kaggle(
            args.data_dir, pipeline, settings, args.role, args.limit, encode=args.encode_kaggle
        )
        examples.extend(kaggle_examples)
    report["red_flag_role"] = args.role
    rng = random.Random(20260101)
    by_code: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for example in examples:
        by_code[example["code"]].append(example)
    # spread the hand-check sample over the flag kinds, then fill at random
    sample: list[dict[str, Any]] = []
    for code in sorted(by_code):
        sample.extend(rng.sample(by_code[code], min(2, len(by_code[code]))))
    rest = [e for e in examples if e not in sample]
    sample.extend(rng.sample(rest, max(0, min(args.check - len(sample), len(rest)))))
    report["check_sample"] = sample[: args.check]

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    v = report["vanetik"]
    print(f"Vanetik: {v['cvs']} CVs x 5 vacancies; invalid arrays: {v['invalid_arrays']}")
    print(
        f"{'method':14} {'vs annotator 1':>16} {'vs annotator 2':>16} {'mean':>8} "
        f"{'nDCG@5':>7} {'other reading':>14}"
    )
    for method, row in v["methods"].items():
        a1, a2 = row["annotator_1"], row["annotator_2"]
        print(
            f"{method:14} {a1['mean_spearman']!s:>9} (n={a1['n']:>2}) "
            f"{a2['mean_spearman']!s:>9} (n={a2['n']:>2}) {row['mean_of_annotators']!s:>8} "
            f"{row['ndcg_at_5']!s:>7} {row['other_reading_mean_of_annotators']!s:>14}"
        )
    agree = v["annotator_agreement"]
    print(
        f"{'annotators':14} agreement {agree['mean_spearman']} (n={agree['n']}); "
        f"other reading {agree['other_reading']}"
    )
    for method, row in v["methods"].items():
        print(f"{method:14} mean, bootstrap 95% CI {row['mean_of_annotators_ci95']}")
    for baseline, gap in v["fit_minus_baseline"].items():
        print(f"fit minus {baseline}: {gap['difference']}, bootstrap 95% CI {gap['ci95']}")
    print("\n".join(decomposition_lines(v)))
    print("how often each vacancy (1-5) is best / worst:")
    for who, counts in v["best_and_worst"].items():
        print(f"{who:14} best {counts['best']}  worst {counts['worst']}  (of {counts['cvs']} CVs)")
    print(
        f"\nupdated resumes ({updated['resumes']}): ROC-AUC; red flags that differ without "
        f"encoding: {updated['red_flags_differ_without_encoding']}"
    )
    print(f"{'role':18} {'positives':28} {'fit':>7} {'coverage':>8}  fit minus coverage (95% CI)")
    for task in updated["tasks"]:
        gap = task["auc_fit_minus_coverage"]
        print(
            f"{task['role']:18} {'+'.join(task['positive_categories']):28} "
            f"{task['auc_fit']:>7.4f} {task['auc_coverage']:>8.4f}  "
            f"{gap['difference']} {gap['ci95']}"
        )
    codes = sorted({e["code"] for e in examples} | set(updated["red_flags"]["total"]))
    _print_flags("updated resumes", updated["red_flags"], codes)
    if "kaggle" in report:
        k = report["kaggle"]
        _print_flags("Kaggle PDFs", k, codes)
        print(f"Kaggle: {k['files']} files, errors {k['errors']}, {k['cvs_per_s']} CVs/s")
        fired = k["rules_fired"]
        print("\nshare of Kaggle CVs each dimension rule fires on, by group (CVs):")
        print(f"{'rule':30} " + " ".join(f"{g[:18]:>18}" for g in WORK_GROUPS))
        print(f"{'':30} " + " ".join(f"{fired['cvs'][g]:>18}" for g in WORK_GROUPS))
        for rule in fired["rules"]:
            cells = " ".join(f"{rule['share'][g]:>18.1%}" for g in WORK_GROUPS)
            print(f"{rule['code']:30} {cells}")
    print(f"\n{len(report['check_sample'])} flagged examples to check by hand:")
    for example in report["check_sample"]:
        print(f"- [{example['code']}] {example['source']}: {example['note'][:220]}")
        for evidence in example["evidence"]:
            print(f"    {evidence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
