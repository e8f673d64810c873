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

from rubrics import load_rules

RESULTS = Path("benchmarks/results")
README = Path("README.md")


def _parse_table(report: dict[str, Any]) -> str:
    rows = [
        "| data set | files | parsed | typed errors | crashes | hangs | median s/file | p95 s/file "
        "| exp. + (edu. or skills) | token F1 vs pypdf (mean) |",
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


def _ranking_table(report: dict[str, Any]) -> str:
    vanetik = report["vanetik"]
    rows = [
        "| method | Spearman vs annotator 1 | Spearman vs annotator 2 | mean Spearman (95% CI) "
        "| mean nDCG@5 |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, figures in vanetik["methods"].items():
        first, second = figures["annotator_1"], figures["annotator_2"]
        rows.append(
            f"| {_VANETIK_METHODS.get(name, name)} "
            f"| {first['mean_spearman']:.3f} (n={first['n']}) "
            f"| {second['mean_spearman']:.3f} (n={second['n']}) "
            f"| {figures['mean_of_annotators']:.3f}{_interval(figures, 'mean_of_annotators_ci95')} "
            f"| {figures['ndcg_at_5']:.3f} |"
        )
    agreement = vanetik["annotator_agreement"]
    rows.append(
        f"| annotators with each other | | | {agreement['mean_spearman']:.3f} "
        f"(n={agreement['n']}) | |"
    )
    for baseline, gap in vanetik.get("fit_minus_baseline", {}).items():
        rows.append(
            f"| fit minus {_VANETIK_METHODS.get(baseline, baseline)} (paired) | | "
            f"| {gap['difference']:+.3f}{_interval(gap, 'ci95')} | |"
        )
    decomposition = vanetik.get("decomposition") or {}
    if decomposition:
        rows += [
            "",
            f"| method, split over all {vanetik['cvs_screened']} CVs | its vacancy order "
            "(highest mean score first) | that order alone, for every CV: mean Spearman (95% CI) "
            "| the CV's departure from its vacancy means: mean Spearman (95% CI) |",
            "|---|---|---:|---:|",
        ]
        for name, row in decomposition.items():
            preference, within = row["preference"], row["within_cv"]
            rows.append(
                f"| {_VANETIK_METHODS.get(name, name)} "
                f"| {', '.join(str(v) for v in row['preferred_order'])} "
                f"| {preference['mean_of_annotators']:.3f}"
                f"{_interval(preference, 'mean_of_annotators_ci95')} "
                f"| {within['mean_of_annotators']:+.3f}"
                f"{_interval(within, 'mean_of_annotators_ci95')} |"
            )
    rows += [
        "",
        "| role (categorised resumes) | ROC-AUC fit | ROC-AUC coverage "
        "| fit minus coverage (95% CI) |",
        "|---|---:|---:|---:|",
    ]
    for task in report["updated_resumes"]["tasks"]:
        gap = task.get("auc_fit_minus_coverage") or {}
        rows.append(
            f"| {task['role']} | {task['auc_fit']:.4f} | {task['auc_coverage']:.4f} "
            f"| {_signed(gap.get('difference'))}{_interval(gap, 'ci95', 4)} |"
        )
    # every red flag the rules define, so a flag that never fired shows as 0
    codes = [flag.code for flag in load_rules().red_flags]
    rows += [
        "",
        "| red flag (" + report["red_flag_role"] + ") | Kaggle PDFs | categorised resumes |",
    ]
    rows.append("|---|---:|---:|")
    for code in codes:
        rows.append(
            f"| {code} | {report['kaggle']['total'].get(code, 0)} "
            f"| {report['updated_resumes']['red_flags']['total'].get(code, 0)} |"
        )
    for title, table in (
        ("categorised resumes", report["updated_resumes"]["red_flags"]),
        ("Kaggle PDFs", report["kaggle"]),
    ):
        rows += ["", _flags_by_category(title, table, codes)]
    if "rules_fired" in report["kaggle"]:
        rows += ["", _rules_fired_table(report["kaggle"]["rules_fired"])]
    rows += [
        "",
        f"`{report['command']}` on {report['date']}: {report['kaggle']['cvs']} Kaggle PDFs "
        f"screened, {report['updated_resumes']['red_flags']['cvs']} categorised resumes.",
    ]
    return "\n".join(rows)


def _interval(figures: dict[str, Any], key: str, digits: int = 3, label: str = "") -> str:
    """`` (a to b)``, the bootstrap 95% interval a runner wrote, or nothing without one;
    ``label`` goes before it where no column header names it."""
    interval = figures.get(key)
    if not interval:
        return ""
    low, high = interval
    return f" ({label}{low:+.{digits}f} to {high:+.{digits}f})"


def _signed(value: Any, digits: int = 4) -> str:
    return f"{value:+.{digits}f}" if isinstance(value, int | float) else "–"


_VANETIK_METHODS = {
    "fit": "fit (ours)",
    "coverage": "coverage (ours, matching stage)",
    "bm25": "BM25 baseline",
    "mean_cosine": "mean-cosine baseline",
    "vacancy_order": "fixed order: vacancy 1 first",
    "jd_length": "fixed order: longest JD first",
}


def _flags_by_category(title: str, table: dict[str, Any], codes: list[str]) -> str:
    """Red-flag counts per category: one row per category, one column per flag code."""
    rows = [
        f"| {title}: category | CVs | " + " | ".join(codes) + " |",
        "|---|---:|" + "---:|" * len(codes),
    ]
    for category, counts in table["by_category"].items():
        cells = " | ".join(str(counts.get(code, 0)) for code in codes)
        rows.append(f"| {category} | {counts['cvs']} | {cells} |")
    total = " | ".join(str(table["total"].get(code, 0)) for code in codes)
    rows.append(f"| **all** | {table['cvs']} | {total} |")
    return "\n".join(rows)


def _rules_fired_table(fired: dict[str, Any]) -> str:
    """Share of the Kaggle CVs of each work group that each dimension rule fires on."""
    groups = list(fired["cvs"])
    rows = [
        "| dimension rule (Kaggle PDFs) | "
        + " | ".join(f"{group} ({fired['cvs'][group]} CVs)" for group in groups)
        + " |",
        "|---|" + "---:|" * len(groups),
    ]
    for rule in fired["rules"]:
        cells = " | ".join(f"{rule['share'][group]:.1%}" for group in groups)
        rows.append(f"| {rule['dimension']}: {rule['code']} | {cells} |")
    return "\n".join(rows)


def _service_table(load: dict[str, Any]) -> str:
    rows = [
        "| run | requests | errors | throughput /s | p50 s | p95 s | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| {load['concurrency']} concurrent single-CV screenings, {load['duration_s']:.0f} s "
        f"| {load['requests_ok']} | {load['errors']} | {load['throughput_per_s']:.2f} "
        f"| {load['latency_s']['p50']:.2f} | {load['latency_s']['p95']:.2f} "
        f"| {load['peak_rss_mib']:.0f} |",
    ]
    ack_path = RESULTS / "webhook_ack.json"
    if ack_path.exists():
        ack = json.loads(ack_path.read_text(encoding="utf-8"))
        latency = ack["ack_latency_s"]
        rows += [
            "",
            f"Webhook acknowledgement (`{ack['command'].strip()}`): {ack['deliveries']} signed "
            f"Greenhouse deliveries from {ack['concurrency']} concurrent senders, "
            f"{ack['errors']} errors, ack p50 {latency['p50']:.3f} s, p95 {latency['p95']:.3f} s, "
            f"max {latency['max']:.3f} s; all events screened and called back.",
        ]
    rows += ["", f"`{load['command']}`, {load['machine']['cpus']} cores, every CV distinct."]
    return "\n".join(rows)


# Performance targets (the benchmark issue) and how each is read from the runners' JSON.
TARGET_CVS_PER_S = 15.0  # end to end: ``screener rank`` wall clock over a folder
TARGET_SINGLE_CV_P95_S = 0.250  # one CV screened through the API, one request at a time
TARGET_COLD_START_S = 5.0  # API process start until /readyz answers
TARGET_PEAK_RSS_BYTES = 10**9  # server and parse workers together
TARGET_POOL_P95_MS = 20.0  # one pool search, on the index the pool uses at that size
TARGET_POOL_VECTORS = 1_000_000
TARGET_GPU_CVS_PER_S = 1000.0  # end to end on one H100, the model on CUDA, parsing on all cores

_READERS = {
    "product_reader": "the product's (pypdf checks, PDFium text with word gaps, hidden text)",
    "pypdf_plain": "pypdf `extract_text`",
    "pdfium_plain": "PDFium `get_text_range`",
}


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def _speed_table(report: dict[str, Any]) -> str:
    """Targets beside the measured figures, then readers, stages, precision and the API."""
    pipeline, rank, api = report["pipeline"], report["rank"], report["api"]
    rss_bytes = api["peak_rss_mib"] * 2**20
    rows = [
        "| target | goal | measured | |",
        "|---|---:|---:|---|",
        f"| end to end, `screener rank` wall clock ({rank['files']} PDFs, {rank['role']}) "
        f"| ≥ {TARGET_CVS_PER_S:g} CVs/s | {rank['cvs_per_s']} CVs/s "
        f"| {_verdict(rank['cvs_per_s'] >= TARGET_CVS_PER_S)} |",
        f"| single CV through the API, p95 ({api['requests']} requests, one at a time) "
        f"| ≤ {1000 * TARGET_SINGLE_CV_P95_S:g} ms | {1000 * api['p95_s']:.0f} ms "
        f"(p50 {1000 * api['p50_s']:.0f} ms) "
        f"| {_verdict(api['p95_s'] <= TARGET_SINGLE_CV_P95_S)} |",
        f"| API cold start until `/readyz` answers | ≤ {TARGET_COLD_START_S:g} s "
        f"| {api['cold_start_to_ready_s']} s "
        f"| {_verdict(api['cold_start_to_ready_s'] <= TARGET_COLD_START_S)} |",
        f"| peak RSS, API server and parse workers | ≤ 1 GB "
        f"| {api['peak_rss_mib']:.0f} MiB ({rss_bytes / 1e9:.2f} GB) "
        f"| {_verdict(rss_bytes <= TARGET_PEAK_RSS_BYTES)} |",
    ]
    extraction = report["extraction"]
    rows += [
        "",
        f"PDF text extraction on the same {extraction['files']} Kaggle PDFs "
        f"({extraction['pages']} pages), one process:",
        "",
        "| reader | seconds | pages/s |",
        "|---|---:|---:|",
    ]
    for name, label in _READERS.items():
        figures = extraction[name]
        rows.append(f"| {label} | {figures['seconds']} | {figures['pages_per_s']} |")
    rows += _stage_rows(pipeline, rank)
    rows += _api_step_rows(api)
    rows += [
        "",
        _embedding_line(pipeline),
        *_dense_line(pipeline.get("dense_layers")),
        "",
        _speed_run_line(report),
    ]
    return "\n".join(rows)


# What each step of a single screening through the API covers (``Server-Timing``).
_API_STEPS = {
    "parse": "parse (the file, in a worker process)",
    "profile": "sections, profile, personal data blanked",
    "embed": "chunked, encoded",
    "score": "matching, rules, explanation",
    "store": "database, audit record, candidate pool",
    "outside the steps": "upload, HTTP, request checks, JSON answer",
}


def _api_step_rows(api: dict[str, Any]) -> list[str]:
    """Single-CV latency through the API step by step, from the server's Server-Timing."""
    steps = api.get("steps")
    if not steps:
        return []
    rows = [
        "",
        f"Single CV through the API, step by step over the same {api['requests']} requests "
        "(the server's `Server-Timing` header; each step's own percentiles, so they do not add "
        "up to the latency's):",
        "",
        "| step | p50 ms | p95 ms |",
        "|---|---:|---:|",
    ]
    for step, figures in steps.items():
        label = _API_STEPS.get(step, step)
        rows.append(f"| {label} | {1000 * figures['p50_s']:.0f} | {1000 * figures['p95_s']:.0f} |")
    return rows


def _stage_rows(pipeline: dict[str, Any], rank: dict[str, Any]) -> list[str]:
    """The pipeline's stages one by one, their sum and the ``screener rank`` wall clock."""
    end_to_end = pipeline["end_to_end"]
    where = f"model on {pipeline['device']}, " if "device" in pipeline else ""
    rows = [
        "",
        f"Pipeline stage by stage on {pipeline['parsed']} of {pipeline['files']} CVs, "
        f"{pipeline['workers']} parse workers, {where}{pipeline['precision']}, model load "
        f"{pipeline['model_load_s']} s:",
        "",
        "| stage | seconds | CVs/s | share of total |",
        "|---|---:|---:|---:|",
    ]
    for stage, figures in pipeline["stages"].items():
        rows.append(
            f"| {stage} | {figures['seconds']} | {figures['cvs_per_s']} "
            f"| {figures['share_of_total']:.0%} |"
        )
    processes = rank.get("processes", 1)
    in_processes = f", {processes} screening processes" if processes > 1 else ""
    rows += [
        f"| end to end (sum of the stages) | {end_to_end['seconds']} | {end_to_end['cvs_per_s']} "
        "| 100% |",
        f"| `screener rank` wall clock ({rank['screened']} screened for {rank['role']}"
        f"{in_processes}) | {rank['seconds']} | {rank['cvs_per_s']} | |",
    ]
    if cached := rank.get("vectors_cached"):
        own = cached.get("screening_process_cpu_ms_per_cv")
        cpu = f"; the screening process's own CPU {own} ms a CV" if own is not None else ""
        if (machine := cached.get("machine_cpu_ms_per_cv")) is not None:
            cpu += f", every core's {machine} ms a CV"
        rows.append(
            "| the same again, every vector from the embedding cache (all but the model"
            f"{cpu}) | {cached['seconds']} | {cached['cvs_per_s']} | |"
        )
    return rows


def _embedding_line(pipeline: dict[str, Any]) -> str:
    embed = next(f for f in pipeline["stages"].values() if "chunks_per_s" in f)
    left_out = embed.get("chunks_of_names_not_encoded")
    encoded = (
        f"{embed['chunks']} chunks encoded ({left_out} chunks of names left out, as `screener "
        "rank` leaves them: scoring reads prose only)"
        if left_out is not None
        else f"{embed['chunks']} chunks"
    )
    line = (
        f"Embedding: {encoded}, {embed['chunks_per_cv']} per CV, "
        f"{embed['tokens_per_chunk']} tokens per chunk, {embed['chunks_per_s']} chunks/s with "
        "the CVs encoded together."
    )
    precision = pipeline.get("embedding_precision")
    if precision:
        line += (
            f" On {precision['chunks']} of those chunks: fp32 "
            f"{precision['fp32_chunks_per_s']} chunks/s, bf16 {precision['bf16_chunks_per_s']} "
            f"chunks/s; bf16 here is {precision['bf16']}; cosine of bf16 to fp32 vectors at "
            f"least {precision['cosine_bf16_vs_fp32_min']}; the product uses "
            f"{precision['product_uses']}."
        )
    return line


def _speed_gpu_table(report: dict[str, Any]) -> str:
    """The GPU target beside the measured figures, then stages and how they scale."""
    pipeline, rank = report["pipeline"], report["rank"]
    rows = [
        "| target | goal | measured | |",
        "|---|---:|---:|---|",
        f"| end to end on the GPU, `screener rank` wall clock ({rank['files']} PDFs, "
        f"{rank['role']}) | ≥ {TARGET_GPU_CVS_PER_S:,.0f} CVs/s | {rank['cvs_per_s']} CVs/s "
        f"| {_verdict(rank['cvs_per_s'] >= TARGET_GPU_CVS_PER_S)} |",
        *_stage_rows(pipeline, rank),
        "",
        _embedding_line(pipeline),
        *_dense_line(pipeline.get("dense_layers")),
    ]
    if grown := report.get("scaling"):
        rows += [
            "",
            "| parse workers | parse pool alone, files/s |",
            "|---:|---:|",
            *(f"| {p['workers']} | {p['files_per_s']} |" for p in grown["parse_pool"]),
            "",
            "| screening processes | `screener rank` wall clock, s | CVs/s |",
            "|---:|---:|---:|",
            *(f"| {r['processes']} | {r['seconds']} | {r['cvs_per_s']} |" for r in grown["rank"]),
        ]
    rows += [
        "",
        _speed_run_line(report),
    ]
    return "\n".join(rows)


def _speed_run_line(report: dict[str, Any]) -> str:
    """The speed run's command, date, machine and load average."""
    return (
        f"`{report['command'].strip()}` on {report['date']}, {_known(report['machine'])}; load "
        f"average {_load(report['load_average_before'])} before, "
        f"{_load(report['load_average_after'])} after (1, 5, 15 min)."
    )


def _dense_line(dense: dict[str, Any] | None) -> list[str]:
    """The model's ceiling on this CPU: its dense layers alone, at the speed measured."""
    if not dense:
        return []
    return [
        "",
        f"Dense layers alone ({dense['precision']}, {dense['rows']}-row products): "
        f"{dense['gflop_per_s']} GFLOP/s; at {dense['mflop_per_token']} MFLOP a token and "
        f"{dense['gflop_per_cv']} GFLOP a CV they allow at most {dense['ceiling_cvs_per_s']} "
        "CVs/s with nothing else running.",
    ]


def _known(machine: str) -> str:
    """The machine description without the parts the runner could not find out (``?``)."""
    return ", ".join(part for part in machine.split(", ") if part != "?")


def _load(averages: list[float]) -> str:
    return " / ".join(f"{value:.2f}" for value in averages)


def _pool_index(vectors: int) -> tuple[str, str | None]:
    """The index kind ``VectorIndex`` builds for a pool of that size, and its IVF probe setting."""
    from embeddings import VectorIndex

    defaults = VectorIndex(1)
    if vectors >= defaults.ivf_threshold:
        return "ivf", f"nprobe {defaults.ivf_probe}"
    return ("hnsw" if vectors >= defaults.hnsw_threshold else "flat"), None


def _uses(row: dict[str, Any]) -> bool:
    kind, setting = _pool_index(row["vectors"])
    return row["kind"] == kind and (setting is None or row["settings"].endswith(setting))


def _pool_search_table(report: dict[str, Any]) -> str:
    """Every index at every pool size; the one the pool uses is marked and held to the target."""
    rows = report["search"]
    chosen = [r for r in rows if r["vectors"] == TARGET_POOL_VECTORS and _uses(r)]
    if chosen:
        row = chosen[0]
        measured = f"{row['p95_ms']} ms ({row['kind']}, recall@10 {row['recall_at_10']})"
        verdict = _verdict(row["p95_ms"] <= TARGET_POOL_P95_MS)
    else:
        measured, verdict = "not measured", "unknown"
    lines = [
        "| target | goal | measured | |",
        "|---|---:|---:|---|",
        f"| pool search at {TARGET_POOL_VECTORS:,} chunk vectors, p95 "
        f"| ≤ {TARGET_POOL_P95_MS:g} ms | {measured} | {verdict} |",
        "",
        "| pool vectors | index | settings | build s | p50 ms | p95 ms | recall@10 | MiB |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        kind = f"**{r['kind']}** (the pool's)" if _uses(r) else r["kind"]
        lines.append(
            f"| {r['vectors']:,} | {kind} | {r['settings']} | {r['build_s']} | {r['p50_ms']} "
            f"| {r['p95_ms']} | {r['recall_at_10']} | {r['memory_mib']} |"
        )
    lines += [
        "",
        f"Bold: the index the candidate pool builds at that size (`embeddings.VectorIndex`). "
        f"`{report['command'].strip()}` on {report['date']}, {_known(report['machine'])}; "
        f"synthetic clustered 384-d unit vectors, {rows[0]['queries']} queries, one per call, "
        "one thread; recall@10 against exact search.",
    ]
    return "\n".join(lines)


def _f(value: Any, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"


def _accuracy_table(report: dict[str, Any]) -> str:
    """One row per claim: data set, measure, our figure and the baseline beside it."""
    sets = report["data_sets"]
    rows = ["| data set | measure | ours | baseline |", "|---|---|---:|---|"]
    for name, figures in sets.items():
        parse = figures.get("parse") or {}
        if parse.get("token_f1_mean") is not None:
            rows.append(
                f"| {name} ({parse['files']} files) | text recovery, token F1 vs pypdf (mean) "
                f"| {_f(parse['token_f1_mean'], 4)} | |"
            )
        if parse:
            rows.append(
                f"| {name} | parsed without error; experience and (education or skills) found "
                f"| {parse['parsed']}/{parse['files']}; "
                f"{parse['experience_and_education_or_skills_rate']:.1%} | |"
            )
    pooled = sets.get("dataturks+dotin pooled", {}).get("fields", {})
    for split, fields in pooled.items():
        cells = ", ".join(
            f"{field} {_f(fields[field]['f1'])}"
            for field in ("email", "name", "degree", "skills")
            if field in fields
        )
        rows.append(f"| Dataturks + dotin ({split}) | field F1 | {cells} | |")
    ranked = sets.get("updated-resume-dataset", {}).get("role_ranking", {})
    for task in ranked.get("tasks", []):
        gap = task.get("auc_fit_minus_coverage") or {}
        difference = (
            f"; fit minus coverage {_signed(gap['difference'])}"
            f"{_interval(gap, 'ci95', 4, '95% CI ')}"
            if gap.get("difference") is not None
            else ""
        )
        rows.append(
            f"| categorised resumes ({ranked['resumes']}) | ROC-AUC {task['role']} "
            f"({'+'.join(task['positive_categories'])}): fit / coverage "
            f"| {_f(task.get('auc_fit'), 4)} / {_f(task['auc_coverage'], 4)}{difference} "
            f"| BM25 {_f(task['auc_bm25'], 4)} |"
        )
    vacancies = sets.get(VANETIK_SET, {}).get("vacancy_ranking", {})
    methods = vacancies.get("methods", {})
    if "fit" in methods:
        fit, bm25, cosine = methods["fit"], methods["bm25"], methods["mean_cosine"]
        # the bootstrap intervals exist for the mean Spearman only
        gaps = vacancies.get("fit_minus_baseline", {})
        against = "".join(
            f"; fit minus {label} {gaps[name]['difference']:+.3f}"
            f"{_interval(gaps[name], 'ci95', label='95% CI ')}"
            for name, label in (("bm25", "BM25"), ("mean_cosine", "mean-cosine"))
            if name in gaps
        )
        spearman_interval = _interval(fit, "mean_of_annotators_ci95")
        for measure, key, interval, extra in (
            ("mean Spearman", "mean_of_annotators", spearman_interval, against),
            ("nDCG@5", "ndcg_at_5", "", ""),
        ):
            rows.append(
                f"| Vanetik vacancies ({vacancies['cvs']} CVs x 5) | {measure} vs annotators, "
                f"fit{' (95% CI)' if interval else ''} | {_f(fit.get(key))}{interval} "
                f"| BM25 {_f(bm25.get(key))}, mean-cosine {_f(cosine.get(key))}{extra} |"
            )
        agreement = vacancies.get("annotator_agreement", {})
        rows.append(
            f"| Vanetik vacancies | annotators' agreement (mean Spearman) "
            f"| | {_f(agreement.get('mean_spearman'))} |"
        )
    for name, figures in sets.items():
        flags = figures.get("red_flags")
        if flags:
            counts = ", ".join(f"{code} {count}" for code, count in flags["total"].items())
            rows.append(
                f"| {name} ({flags['cvs']} CVs) | red flags for {flags['role']} "
                f"(by category in `benchmarks/results/accuracy.json`) | {counts} | |"
            )
    rows += ["", f"`{report['command'].strip()}` on {report['date']}, {_machine(report)}."]
    return "\n".join(rows)


VANETIK_SET = "vanetik-vacancy-resume-matching"


def _machine(report: dict[str, Any]) -> str:
    return str(report.get("machine") or "2-core x86_64, no GPU")


TABLES: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "accuracy": ("accuracy.json", _accuracy_table),
    "parse": ("parse.json", _parse_table),
    "fields": ("fields.json", _fields_table),
    "matching": ("matching.json", _matching_table),
    "ranking": ("ranking.json", _ranking_table),
    "service": ("load.json", _service_table),
    "speed": ("speed.json", _speed_table),
    "speed-gpu": ("speed_gpu.json", _speed_gpu_table),
    "pool-search": ("pool_search.json", _pool_search_table),
}


def _replacement(table: str) -> Callable[[re.Match[str]], str]:
    """The marked block's new content: its markers around ``table``."""
    return lambda match: match.group(1) + table + "\n" + match.group(2)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    for name, (file, render) in TABLES.items():
        path = RESULTS / file
        if not path.exists():
            continue
        table = render(json.loads(path.read_text(encoding="utf-8")))
        pattern = re.compile(rf"(<!-- table:{name} -->\n).*?(<!-- /table:{name} -->)", re.DOTALL)
        text, count = pattern.subn(_replacement(table), text)
        if count == 0:
            print(f"README has no markers for table {name}", file=sys.stderr)
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
