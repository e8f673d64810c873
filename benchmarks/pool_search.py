"""Candidate pool search latency and recall at 10k, 100k and 1M stored chunk vectors.

    python -m benchmarks.pool_search [--sizes 10000,100000,1000000] [--queries 200]
                                     [--kinds flat,hnsw,ivf] [--json OUT]

The pool (``screener.matching.CandidatePool``) keeps every stored CV's chunk vectors in one
``embeddings.VectorIndex``; a search embeds the query and asks the index for the nearest chunks.
This runner measures the index part on synthetic vectors (384-d unit vectors around 1,000 centres,
the same generator as ``benchmarks.embedding_speed``; real pools of that size do not exist here):

- ``flat``: exact inner product (``IndexFlatIP``), what the pool uses below its HNSW threshold;
- ``hnsw``: ``IndexHNSWFlat`` with the pool's settings (M 32, efConstruction 64, efSearch 200);
- ``ivf``: ``IndexIVFFlat`` with ``4 * sqrt(n)`` lists trained on up to 100k vectors, probing
  each of ``--nprobe`` lists (one row per value).

Each query is one call, single-threaded (as the pool searches), timed as p50/p95 in ms; recall@10
is against exact search. Build times say what adding that many vectors costs. Writes
``benchmarks/results/pool_search.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.embedding_speed import clustered_unit_vectors

DIMENSION = 384
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 64, 200


def build(kind: str, vectors: np.ndarray, nprobe: int) -> Any:
    import faiss

    index: Any
    if kind == "flat":
        index = faiss.IndexFlatIP(DIMENSION)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(DIMENSION, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif kind == "ivf":
        lists = max(16, int(4 * math.sqrt(len(vectors))))
        quantizer = faiss.IndexFlatIP(DIMENSION)
        index = faiss.IndexIVFFlat(quantizer, DIMENSION, lists, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = vectors[rng.choice(len(vectors), min(len(vectors), 100_000), replace=False)]
        index.train(sample)
        index.nprobe = nprobe
    else:
        raise ValueError(f"kind must be flat, hnsw or ivf, got {kind!r}")
    index.add(vectors)
    return index


def measure(size: int, kinds: list[str], queries: int, nprobes: list[int]) -> list[dict[str, Any]]:
    import faiss

    vectors = clustered_unit_vectors(size, DIMENSION, seed=size)
    probe = clustered_unit_vectors(queries, DIMENSION, seed=size + 1)
    exact_index = faiss.IndexFlatIP(DIMENSION)
    exact_index.add(vectors)
    _, exact = exact_index.search(probe, 10)
    del exact_index
    rows = []
    for kind in kinds:
        started = time.perf_counter()
        index = build(kind, vectors, nprobes[0])
        build_s = time.perf_counter() - started
        print(f"  {size:>9,} {kind:5} built in {build_s:.1f} s", file=sys.stderr, flush=True)
        for nprobe in nprobes if kind == "ivf" else nprobes[:1]:
            if kind == "ivf":
                index.nprobe = nprobe
            rows.append(_search(index, kind, size, probe, exact, build_s))
        del index
    return rows


def _search(
    index: Any, kind: str, size: int, probe: np.ndarray, exact: np.ndarray, build_s: float
) -> dict[str, Any]:
    import faiss

    queries = len(probe)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        latencies = []
        found = np.empty((queries, 10), dtype=np.int64)
        for row in range(queries):
            begun = time.perf_counter()
            _, ids = index.search(probe[row : row + 1], 10)
            latencies.append((time.perf_counter() - begun) * 1000)
            found[row] = ids[0]
    finally:
        faiss.omp_set_num_threads(threads)
    recall = float(np.mean([len(set(f) & set(e)) / 10 for f, e in zip(found, exact, strict=True)]))
    latencies.sort()
    return {
        "vectors": size,
        "kind": kind,
        "settings": _settings(kind, index),
        "build_s": round(build_s, 2),
        "p50_ms": round(statistics.median(latencies), 3),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
        "recall_at_10": round(recall, 4),
        "memory_mib": round(_index_bytes(index) / 2**20, 1),
        "queries": queries,
    }


def _settings(kind: str, index: Any) -> str:
    if kind == "hnsw":
        return f"M {HNSW_M}, efConstruction {HNSW_EF_CONSTRUCTION}, efSearch {HNSW_EF_SEARCH}"
    if kind == "ivf":
        return f"{index.nlist} lists, nprobe {index.nprobe}"
    return "exact"


def _index_bytes(index: Any) -> int:
    import faiss

    return (
        int(faiss.serialize_index(index).nbytes)
        if index.ntotal <= 200_000
        else int(
            index.ntotal * DIMENSION * 4 * (1.2 if isinstance(index, faiss.IndexHNSW) else 1.0)
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--kinds", default="flat,hnsw,ivf")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--nprobe", default="16,64", help="IVF lists probed (each measured)")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/pool_search.json"))
    args = parser.parse_args(argv)

    kinds = [k for k in args.kinds.split(",") if k]
    rows: list[dict[str, Any]] = []
    for size in (int(s) for s in args.sizes.split(",") if s):
        rows += measure(size, kinds, args.queries, [int(n) for n in args.nprobe.split(",")])
    report = {
        "command": "python -m benchmarks.pool_search "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "search": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{'vectors':>9} {'kind':5} {'build s':>8} {'p50 ms':>8} {'p95 ms':>8} {'recall@10':>9}")
    for row in rows:
        print(
            f"{row['vectors']:>9,} {row['kind']:5} {row['build_s']:>8} {row['p50_ms']:>8} "
            f"{row['p95_ms']:>8} {row['recall_at_10']:>9}  {row['settings']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
