"""README tables from the runners' JSON: performance targets, pool search, the rewrite itself."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from benchmarks import readme

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "benchmarks/results"

SPEED: dict[str, Any] = {
    "command": "python -m benchmarks.speed --files 500",
    "date": "2026-11-27",
    "machine": "x86_64, 2 cores, ?",
    "load_average_before": [0.52, 1.33, 2.01],
    "extraction": {
        "files": 500,
        "pages": 979,
        "product_reader": {"seconds": 56.0, "pages_per_s": 17.5},
        "pypdf_plain": {"seconds": 183.9, "pages_per_s": 5.3},
        "pdfium_plain": {"seconds": 11.72, "pages_per_s": 83.5},
    },
    "pipeline": {
        "files": 500,
        "parsed": 499,
        "workers": 2,
        "model_load_s": 3.75,
        "precision": "fp32",
        "stages": {
            "parse (worker pool)": {"seconds": 38.69, "cvs_per_s": 12.92, "share_of_total": 0.216},
            "chunk + embed": {
                "seconds": 117.91,
                "cvs_per_s": 4.23,
                "chunks": 23213,
                "chunks_per_cv": 46.52,
                "tokens_per_chunk": 24.49,
                "chunks_per_s": 196.88,
                "share_of_total": 0.784,
            },
        },
        "end_to_end": {"seconds": 156.6, "cvs_per_s": 3.19},
        "embedding_precision": {
            "chunks": 386,
            "fp32_chunks_per_s": 254.0,
            "bf16_chunks_per_s": 74.2,
            "bf16": "emulated (not native on this CPU)",
            "cosine_bf16_vs_fp32_min": 0.99996,
            "product_uses": "fp32",
        },
    },
    "rank": {"files": 500, "screened": 499, "role": "ml-engineer", "seconds": 195.58,
             "cvs_per_s": 2.56,
             "vectors_cached": {"seconds": 9.4, "cvs_per_s": 53.19,
                                "screening_process_cpu_ms_per_cv": 12.31,
                                "machine_cpu_ms_per_cv": 38.5}},
    "api": {"cold_start_to_ready_s": 4.68, "requests": 20, "p50_s": 0.475, "p95_s": 0.742,
            "peak_rss_mib": 696.1},
    "load_average_after": [2.14, 1.84, 1.86],
}  # fmt: skip


def _pool_row(vectors: int, kind: str, settings: str, p95_ms: float) -> dict[str, Any]:
    return {
        "vectors": vectors, "kind": kind, "settings": settings, "build_s": 1.0, "p50_ms": 1.0,
        "p95_ms": p95_ms, "recall_at_10": 0.95, "memory_mib": 10.0, "queries": 200,
    }  # fmt: skip


POOL: dict[str, Any] = {
    "command": "python -m benchmarks.pool_search ",
    "date": "2026-11-27",
    "machine": "x86_64, 2 cores",
    "search": [
        _pool_row(100_000, "flat", "exact", 17.2),
        _pool_row(100_000, "hnsw", "M 32, efConstruction 64, efSearch 200", 1.7),
        _pool_row(1_000_000, "flat", "exact", 163.5),
        _pool_row(1_000_000, "ivf", "4000 lists, nprobe 16", 1.4),
        _pool_row(1_000_000, "ivf", "4000 lists, nprobe 64", 4.1),
    ],
}


def _target_rows(table: str) -> dict[str, tuple[str, str, str]]:
    """Target rows by their first words: (goal, measured, verdict)."""
    rows = {}
    for line in table.split("\n\n")[0].splitlines()[2:]:
        name, goal, measured, verdict = (cell.strip() for cell in line.strip("|").split("|"))
        rows[" ".join(name.split()[:2])] = (goal, measured, verdict)
    return rows


def test_speed_table_puts_each_target_beside_its_measured_figure() -> None:
    targets = _target_rows(readme._speed_table(SPEED))

    assert targets == {
        "end to": ("≥ 15 CVs/s", "2.56 CVs/s", "**not met**"),
        "single CV": ("≤ 250 ms", "742 ms (p50 475 ms)", "**not met**"),
        "API cold": ("≤ 5 s", "4.68 s", "met"),
        "peak RSS,": ("≤ 1 GB", "696 MiB (0.73 GB)", "met"),
    }


def test_speed_targets_are_met_on_the_boundary_and_missed_just_past_it() -> None:
    report = copy.deepcopy(SPEED)
    report["rank"]["cvs_per_s"] = 15.0
    report["api"].update(p95_s=0.25, cold_start_to_ready_s=5.01, peak_rss_mib=953.0)
    targets = _target_rows(readme._speed_table(report))
    assert [verdict for _, _, verdict in targets.values()] == ["met", "met", "**not met**", "met"]

    report["api"]["peak_rss_mib"] = 954.0  # over 10^9 bytes, under 1 GiB: a GB is 10^9 bytes
    assert _target_rows(readme._speed_table(report))["peak RSS,"][2] == "**not met**"


def test_speed_table_shows_readers_stages_precision_and_the_run() -> None:
    table = readme._speed_table(SPEED)

    assert "| pypdf `extract_text` | 183.9 | 5.3 |" in table
    assert "| PDFium `get_text_range` | 11.72 | 83.5 |" in table
    assert re.search(r"\| the product's \(.*\) \| 56.0 \| 17.5 \|", table)
    assert "| chunk + embed | 117.91 | 4.23 | 78% |" in table
    assert "| end to end (sum of the stages) | 156.6 | 3.19 | 100% |" in table
    rank = "| `screener rank` wall clock (499 screened for ml-engineer) | 195.58 | 2.56 | |"
    assert rank in table
    cached = (
        "| the same again, every vector from the embedding cache (all but the model; the "
        "screening process's own CPU 12.31 ms a CV, every core's 38.5 ms a CV) | 9.4 | 53.19 | |"
    )
    assert cached in table
    assert "46.52 per CV, 24.49 tokens per chunk, 196.88 chunks/s" in table
    assert "fp32 254.0 chunks/s, bf16 74.2 chunks/s" in table
    assert "emulated (not native on this CPU)" in table and "product uses fp32" in table
    # the machine without the part the runner could not find out
    assert table.endswith(
        "`python -m benchmarks.speed --files 500` on 2026-11-27, x86_64, 2 cores; load average "
        "0.52 / 1.33 / 2.01 before, 2.14 / 1.84 / 1.86 after (1, 5, 15 min)."
    )


def test_pool_search_table_holds_the_pools_own_index_at_1m_to_the_target() -> None:
    table = readme._pool_search_table(POOL)

    assert _target_rows(table) == {
        "pool search": ("≤ 20 ms", "4.1 ms (ivf, recall@10 0.95)", "met")
    }
    # the index VectorIndex builds at each size is marked, the others are not
    marked = [line for line in table.splitlines() if "(the pool's)" in line]
    assert [line.split("|")[1:4] for line in marked] == [
        [" 100,000 ", " **flat** (the pool's) ", " exact "],
        [" 1,000,000 ", " **ivf** (the pool's) ", " 4000 lists, nprobe 64 "],
    ]
    assert "| 1,000,000 | ivf | 4000 lists, nprobe 16 | 1.0 | 1.0 | 1.4 | 0.95 | 10.0 |" in table
    assert "on 2026-11-27, x86_64, 2 cores;" in table


def test_pool_search_target_is_missed_when_slow_and_unknown_when_not_measured() -> None:
    slow = copy.deepcopy(POOL)
    slow["search"][-1]["p95_ms"] = 20.5
    assert _target_rows(readme._pool_search_table(slow))["pool search"][2] == "**not met**"

    small = copy.deepcopy(POOL)
    small["search"] = [r for r in POOL["search"] if r["vectors"] < 1_000_000]
    assert _target_rows(readme._pool_search_table(small))["pool search"][1:] == (
        "not measured",
        "unknown",
    )


def test_main_rewrites_tables_between_markers_and_leaves_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "benchmarks/results"
    results.mkdir(parents=True)
    (results / "speed.json").write_text(json.dumps(SPEED), encoding="utf-8")
    (results / "pool_search.json").write_text(json.dumps(POOL), encoding="utf-8")
    (tmp_path / "README.md").write_text(
        "# Title\n\n### Performance\n\nIntro.\n\n<!-- table:speed -->\nold speed\n"
        "<!-- /table:speed -->\n\nBetween.\n\n<!-- table:pool-search -->\nold pool\n"
        "<!-- /table:pool-search -->\n\n<!-- table:parse -->\nkept: no parse.json\n"
        "<!-- /table:parse -->\nEnd.\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)

    assert readme.main() == 0

    text = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "old speed" not in text and "old pool" not in text
    assert "<!-- table:speed -->\n" + readme._speed_table(SPEED) + "\n<!-- /table:speed -->" in text
    assert "<!-- table:pool-search -->\n" + readme._pool_search_table(POOL) + "\n" in text
    assert text.startswith("# Title\n\n### Performance\n\nIntro.\n\n<!-- table:speed -->\n")
    assert "\n\nBetween.\n\n" in text
    assert text.endswith("<!-- table:parse -->\nkept: no parse.json\n<!-- /table:parse -->\nEnd.\n")
    assert capsys.readouterr().err == ""


def test_main_names_a_table_the_readme_has_no_markers_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "benchmarks/results"
    results.mkdir(parents=True)
    (results / "pool_search.json").write_text(json.dumps(POOL), encoding="utf-8")
    (tmp_path / "README.md").write_text("# Title\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    assert readme.main() == 0

    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# Title\n"
    assert "README has no markers for table pool-search" in capsys.readouterr().err


def test_committed_readme_tables_are_rendered_from_the_committed_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(RESULTS, tmp_path / "benchmarks/results")
    shutil.copy(REPO / "README.md", tmp_path / "README.md")
    monkeypatch.chdir(tmp_path)

    assert readme.main() == 0

    rendered = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert rendered == (REPO / "README.md").read_text(encoding="utf-8"), (
        "README tables differ from benchmarks/results: run python -m benchmarks.readme"
    )


def test_readme_performance_section_holds_both_performance_tables() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^### Performance\b.*?(?=^#{1,3} )", text, re.DOTALL | re.MULTILINE)

    assert section is not None
    for name in ("speed", "pool-search"):
        assert f"<!-- table:{name} -->" in section.group(0)
        assert f"<!-- /table:{name} -->" in section.group(0)
