"""Embedding throughput, bf16 agreement and vector search latency on this machine.

    python -m benchmarks.embedding_speed [--json OUT] [--sizes 10000,100000] [--data-csv PATH]

- chunks/s of the pinned model for 256-token and ~64-token chunks of real CV text (windows of
  the Updated Resume Dataset CVs), in fp32 and bf16. bf16 runs under the same
  ``torch.autocast`` the product uses; where the CPU lacks native bf16 (no AMX/AVX512-BF16) it
  is emulated and labelled so — the product then stays on fp32 (``precision="auto"``).
- cosine agreement of bf16 vectors with fp32 vectors (min and mean over all chunks);
- ``VectorIndex`` search latency (one query per call, p50/p95 in ms), build time and
  recall@10 against exact search, flat vs HNSW, on synthetic clustered unit vectors.

Writes JSON to ``benchmarks/results/embedding_speed.json`` unless ``--json`` says otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO_ROOT / "../shared/data/updated-resume-dataset/UpdatedResumeDataSet.csv"
DEFAULT_JSON = REPO_ROOT / "benchmarks/results/embedding_speed.json"


def read_cvs(path: Path) -> list[str]:
    csv.field_size_limit(10**8)
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        texts = [row["Resume"] for row in csv.DictReader(handle)]
    # The data set repeats CVs; keep each text once, in file order.
    return list(dict.fromkeys(text for text in texts if text.strip()))


def token_windows(texts: list[str], tokenizer: Any, content_tokens: int, count: int) -> list[str]:
    """``count`` slices of real CV text holding exactly ``content_tokens`` tokens each."""
    windows: list[str] = []
    for text in texts:
        offsets = tokenizer.offsets(text)
        for start in range(0, len(offsets) - content_tokens + 1, content_tokens):
            window = text[offsets[start][0] : offsets[start + content_tokens - 1][1]]
            if len(tokenizer.offsets(window)) == content_tokens:
                windows.append(window)
            if len(windows) == count:
                return windows
    return windows


@contextlib.contextmanager
def bf16_autocast() -> Iterator[None]:
    import torch

    with torch.autocast("cpu", dtype=torch.bfloat16):
        yield


def time_encode(model: Any, texts: list[str], bf16: bool) -> tuple[float, np.ndarray]:
    context = bf16_autocast() if bf16 else contextlib.nullcontext()
    with context:
        model.encode(texts[:8])  # first-call allocations are not throughput
        started = time.perf_counter()
        vectors = model.encode(texts)
        elapsed = time.perf_counter() - started
    return len(texts) / elapsed, vectors


def clustered_unit_vectors(count: int, dimension: int, seed: int) -> np.ndarray:
    """Unit vectors around 1 000 centres: closer to sentence embeddings than uniform noise."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((1000, dimension)).astype(np.float32)
    vectors = np.empty((count, dimension), dtype=np.float32)
    for start in range(0, count, 100_000):
        end = min(count, start + 100_000)
        noise = rng.standard_normal((end - start, dimension)).astype(np.float32)
        vectors[start:end] = centres[rng.integers(0, 1000, end - start)] + 0.8 * noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def search_benchmark(size: int, dimension: int, queries: int, hnsw: bool) -> dict[str, Any]:
    from embeddings import VectorIndex, top_k

    vectors = clustered_unit_vectors(size, dimension, seed=size)
    probe = clustered_unit_vectors(queries, dimension, seed=size + 1)
    index = VectorIndex(dimension, hnsw_threshold=1 if hnsw else 10**12)
    started = time.perf_counter()
    index.add(np.arange(size), vectors)
    build_s = time.perf_counter() - started
    latencies = []
    found = np.empty((queries, 10), dtype=np.int64)
    for row in range(queries):
        started = time.perf_counter()
        _, ids = index.search(probe[row], k=10)
        latencies.append((time.perf_counter() - started) * 1000)
        found[row] = ids[0]
    _, exact = top_k(probe, vectors, k=10)
    recall = float(np.mean([len(set(f) & set(e)) / 10 for f, e in zip(found, exact, strict=True)]))
    latencies.sort()
    return {
        "vectors": size,
        "kind": index.kind.value,
        "build_s": round(build_s, 2),
        "p50_ms": round(statistics.median(latencies), 3),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
        "recall_at_10": round(recall, 4),
        "queries": queries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    parser.add_argument("--data-csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--chunks-256", type=int, default=96, help="256-token chunks to encode")
    parser.add_argument("--chunks-64", type=int, default=384, help="~64-token chunks to encode")
    parser.add_argument("--sizes", default="10000,100000", help="vector counts for search")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args(argv)

    import torch

    from embeddings import EmbeddingModel, cpu_supports_bf16

    model = EmbeddingModel(REPO_ROOT / "models.lock", precision="fp32", batch_size=args.batch_size)
    model.warm_up()
    tokenizer = model.tokenizer
    cvs = read_cvs(args.data_csv)
    native = cpu_supports_bf16()
    machine = {
        "cpu": torch.cpu.get_capabilities().get("cpu_name", platform.processor()),
        "cores": torch.get_num_threads(),
        "torch": torch.__version__,
        "bf16_native": native,
        "python": platform.python_version(),
    }
    encoding = []
    for content_tokens, count in ((254, args.chunks_256), (62, args.chunks_64)):
        texts = token_windows(cvs, tokenizer, content_tokens, count)
        fp32_rate, fp32 = time_encode(model, texts, bf16=False)
        bf16_rate, bf16 = time_encode(model, texts, bf16=True)
        cosine = np.sum(fp32 * bf16, axis=1)
        encoding.append(
            {
                "tokens_per_chunk": content_tokens + 2,
                "chunks": len(texts),
                "fp32_chunks_per_s": round(fp32_rate, 1),
                "bf16_chunks_per_s": round(bf16_rate, 1),
                "bf16": "native" if native else "emulated (not native on this CPU)",
                "cosine_bf16_vs_fp32_min": round(float(cosine.min()), 5),
                "cosine_bf16_vs_fp32_mean": round(float(cosine.mean()), 5),
            }
        )
    search = []
    for size in (int(s) for s in args.sizes.split(",") if s):
        for hnsw in (False, True):
            search.append(search_benchmark(size, model.dimension, args.queries, hnsw))
            print(f"  search {size} {'hnsw' if hnsw else 'flat'} done", file=sys.stderr)

    print(f"Machine: {machine}")
    print(f"{'tokens':>7} {'chunks':>6} {'fp32/s':>8} {'bf16/s':>8}  cos min   cos mean  bf16")
    for row in encoding:
        print(
            f"{row['tokens_per_chunk']:>7} {row['chunks']:>6} {row['fp32_chunks_per_s']:>8} "
            f"{row['bf16_chunks_per_s']:>8}  {row['cosine_bf16_vs_fp32_min']:<8} "
            f"{row['cosine_bf16_vs_fp32_mean']:<9} {row['bf16']}"
        )
    print(f"{'vectors':>8} {'kind':>5} {'build s':>8} {'p50 ms':>8} {'p95 ms':>8} {'recall@10':>9}")
    for row in search:
        print(
            f"{row['vectors']:>8} {row['kind']:>5} {row['build_s']:>8} {row['p50_ms']:>8} "
            f"{row['p95_ms']:>8} {row['recall_at_10']:>9}"
        )
    result = {
        "command": "python -m benchmarks.embedding_speed " + " ".join(argv or sys.argv[1:]),
        # the file name only: the JSON is committed and must not carry this machine's paths
        "data": args.data_csv.name,
        "machine": machine,
        "model_hash": model.model_hash,
        "encoding": encoding,
        "search": search,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
