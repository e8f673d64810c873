"""Bounded load run of the screening API: concurrent single-CV screenings against a real server.

    python -m benchmarks.load [--concurrency 50] [--duration 60] [--mode fresh|repeat]
                              [--json benchmarks/results/load.json]

Starts ``uvicorn --factory api:create_app`` on loopback with a fresh SQLite database in a
temporary folder, creates an API key, then keeps ``--concurrency`` clients posting CVs from
``../shared/data/layout-diverse-cv-pdfs`` to ``POST /v1/screenings`` for ``--duration``
seconds. New requests stop at the deadline; requests in flight finish (each bounded by
``--request-timeout``), then the server is stopped. The run always ends by itself.

Modes:
- ``fresh``: every request's bytes are unique (a PDF comment appended after ``%%EOF``), so each
  one is parsed, embedded, scored and stored: the worst case;
- ``repeat``: the same files again and again, so after the first pass results come from the
  deduplicated store.

Reports p50/p95/max latency of successful requests, throughput (responses per second over
the measured window), errors (non-200 and transport failures, by kind) and the peak resident
memory of the server process tree (server plus parse workers), sampled from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from benchmarks._server import LocalServer, RssSampler, percentile

REPO_ROOT = Path(__file__).resolve().parents[1]
CV_DIR = REPO_ROOT.parent / "shared" / "data" / "layout-diverse-cv-pdfs"


async def _client_loop(
    client: httpx.AsyncClient,
    files: itertools.cycle[tuple[str, bytes]],
    *,
    deadline: float,
    fresh: bool,
    role: str,
    latencies: list[float],
    errors: Counter[str],
) -> None:
    while time.monotonic() < deadline:
        name, data = next(files)
        if fresh:
            data = data + f"\n% load {uuid.uuid4().hex}\n".encode()
        started = time.perf_counter()
        try:
            response = await client.post(
                "/v1/screenings",
                files={"file": (name, data, "application/pdf")},
                data={"role": role, "market": "de"},
            )
        except httpx.HTTPError as exc:
            errors[type(exc).__name__] += 1
            continue
        if response.status_code == 200:
            latencies.append(time.perf_counter() - started)
        else:
            errors[f"HTTP {response.status_code}"] += 1


async def _load(
    url: str, key: str, *, concurrency: int, duration: float, fresh: bool, timeout: float
) -> tuple[list[float], Counter[str], float]:
    files = itertools.cycle([(p.name, p.read_bytes()) for p in sorted(CV_DIR.glob("*.pdf"))])
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=timeout, limits=limits
    ) as client:
        started = time.monotonic()
        deadline = started + duration
        await asyncio.gather(
            *(
                _client_loop(client, files, deadline=deadline, fresh=fresh, role="ml-engineer",
                             latencies=latencies, errors=errors)
                for _ in range(concurrency)
            )
        )  # fmt: skip
        elapsed = time.monotonic() - started
    return latencies, errors, elapsed


def run(args: argparse.Namespace) -> dict[str, Any]:
    with LocalServer("load") as server:
        key = server.cli("keys", "create", "--name", "load", "--scope", "screen")["key"]
        server.start()
        sampler = RssSampler(server.pid)
        sampler.start()
        try:
            server.wait_ready()
            latencies, errors, elapsed = asyncio.run(
                _load(server.url, key, concurrency=args.concurrency, duration=args.duration,
                      fresh=args.mode == "fresh", timeout=args.request_timeout)
            )  # fmt: skip
        finally:
            sampler.stop()
    server_log = server.log
    return {
        "command": "python -m benchmarks.load " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },  # fmt: skip
        "data": str(CV_DIR.relative_to(REPO_ROOT.parent)),
        "mode": args.mode,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "elapsed_s": round(elapsed, 2),
        "requests_ok": len(latencies),
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
        "throughput_per_s": round(len(latencies) / elapsed, 3) if elapsed else None,
        "latency_s": {
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "max": round(max(latencies), 3) if latencies else None,
            "mean": round(statistics.fmean(latencies), 3) if latencies else None,
        },
        "peak_rss_mib": round(sampler.peak / 2**20, 1),
        "server_errors": [line for line in server_log.splitlines() if "Error" in line][-20:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of new requests")
    parser.add_argument("--mode", choices=["fresh", "repeat"], default="fresh")
    parser.add_argument("--request-timeout", type=float, default=300.0)
    parser.add_argument("--json", type=Path, default=REPO_ROOT / "benchmarks/results/load.json")
    args = parser.parse_args(argv)
    report = run(args)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
