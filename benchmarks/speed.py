"""Speed of the pipeline on this machine, stage by stage, on real CVs.

    python -m benchmarks.speed [--data-dir ../shared/data] [--files 150] [--workers 2]

Measures, in one run and on the same files (the first ``--files`` Kaggle resume PDFs by path,
every category represented in order):

- PDF text extraction, pages/s: the product's reader (pypdf with reading order and hidden-text
  tracing), plain pypdf ``extract_text`` and plain PDFium, each single-process;
- parsing in the product's isolated worker pool (``--workers`` processes), files/s;
- sections + profile, CVs/s;
- redaction + chunking + embedding, chunks/s and CVs/s (embedding cache in memory only and
  empty, so every chunk is encoded), fp32 or bf16 as ``precision=auto`` picks on this CPU;
- matching all six roles per CV, CVs/s;
- end to end (the sum of the stages above as the product runs them), CVs/s;
- the API on loopback (a fresh SQLite database): cold start until ``/readyz`` answers, then
  single-CV screenings one at a time (each file distinct, so nothing is reused), p50 and p95
  latency, and the peak resident memory of the server and its parse workers.

Writes ``benchmarks/results/speed.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2 as pdfium

from screener.documents import ParsedDocument, ParsePool, read_document
from screener.parsing import analyse
from screener.pipeline import ScreeningPipeline
from screener.settings import DocumentLimits, EmbeddingSettings, Settings


def kaggle_sample(data_dir: Path, count: int) -> list[Path]:
    files = sorted((data_dir / "kaggle-resume-pdfs/data").glob("*/*.pdf"))
    step = max(1, len(files) // count)
    return files[::step][:count]


def _timed(function: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def extraction_speed(files: list[Path]) -> dict[str, Any]:
    blobs = [f.read_bytes() for f in files]
    pages = sum(len(pypdf.PdfReader(f).pages) for f in files)

    def ours() -> None:
        for name, data in zip(files, blobs, strict=True):
            try:
                read_document(data, name.name)
            except Exception:  # noqa: BLE001 - an unreadable file still took its time
                pass

    def plain_pypdf() -> None:
        for path in files:
            for page in pypdf.PdfReader(path).pages:
                page.extract_text()

    def plain_pdfium() -> None:
        for data in blobs:
            document = pdfium.PdfDocument(data)
            for page in document:
                page.get_textpage().get_text_range()
            document.close()

    result = {"files": len(files), "pages": pages}
    for name, function in (("product_reader", ours), ("pypdf_plain", plain_pypdf),
                           ("pdfium_plain", plain_pdfium)):  # fmt: skip
        _, seconds = _timed(function)
        result[name] = {"seconds": round(seconds, 2), "pages_per_s": round(pages / seconds, 1)}
    return result


def pipeline_speed(files: list[Path], workers: int) -> dict[str, Any]:
    limits = DocumentLimits()
    with ParsePool(limits=limits, workers=workers) as pool:
        list(pool.parse_files(files[:2]))  # start the workers outside the measurement
        parsed, parse_seconds = _timed(lambda: list(pool.parse_files(files)))
    documents = [r for _, r in parsed if isinstance(r, ParsedDocument)]
    cvs, analyse_seconds = _timed(
        lambda: [analyse(d, reference_date=date(2026, 1, 1)) for d in documents]
    )
    settings = Settings(embeddings=EmbeddingSettings(cache_path=None))
    (pipeline, load_seconds) = _timed(lambda: ScreeningPipeline.create(settings))
    prepared, prepare_seconds = _timed(lambda: [pipeline.prepare(cv) for cv in cvs])
    chunks = sum(len(p.chunks) for p in prepared)
    roles = list(pipeline.roles)
    _, match_seconds = _timed(lambda: [pipeline.match(p, r) for p in prepared for r in roles])
    n = len(documents)
    total = parse_seconds + analyse_seconds + prepare_seconds + match_seconds
    return {
        "files": len(files),
        "parsed": n,
        "workers": workers,
        "model_load_s": round(load_seconds, 2),
        "precision": str(pipeline.model.precision),
        "stages": {
            "parse (worker pool)": {
                "seconds": round(parse_seconds, 2),
                "cvs_per_s": round(len(files) / parse_seconds, 2),
            },
            "sections + profile": {
                "seconds": round(analyse_seconds, 2),
                "cvs_per_s": round(n / analyse_seconds, 2),
            },
            "redact + chunk + embed": {
                "seconds": round(prepare_seconds, 2),
                "cvs_per_s": round(n / prepare_seconds, 2),
                "chunks": chunks,
                "chunks_per_s": round(chunks / prepare_seconds, 1),
            },
            f"match {len(roles)} roles": {
                "seconds": round(match_seconds, 2),
                "cvs_per_s": round(n / match_seconds, 2),
            },
        },  # fmt: skip
        "end_to_end": {"seconds": round(total, 2), "cvs_per_s": round(n / total, 2)},
    }


def api_speed(files: list[Path], requests: int) -> dict[str, Any]:
    import httpx

    from benchmarks._server import LocalServer, RssSampler, percentile

    with LocalServer("speed") as server:
        key = server.cli("keys", "create", "--name", "speed", "--scope", "screen")["key"]
        started = time.perf_counter()
        server.start()
        sampler = RssSampler(server.pid)
        sampler.start()
        try:
            server.wait_ready()
            cold_start = time.perf_counter() - started
            latencies: list[float] = []
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
                for index, path in enumerate(files[: requests + 2]):
                    upload = {"file": (path.name, path.read_bytes(), "application/pdf")}
                    begun = time.perf_counter()
                    response = client.post(
                        "/v1/screenings", files=upload, data={"role": "ml-engineer"}
                    )
                    response.raise_for_status()
                    if index >= 2:  # the first two warm the parse workers and caches
                        latencies.append(time.perf_counter() - begun)
        finally:
            sampler.stop()
    return {
        "cold_start_to_ready_s": round(cold_start, 2),
        "requests": len(latencies),
        "p50_s": percentile(latencies, 0.50),
        "p95_s": percentile(latencies, 0.95),
        "peak_rss_mib": round(sampler.peak / 2**20, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--files", type=int, default=150)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--api-requests", type=int, default=20, help="single-CV API requests")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/speed.json"))
    args = parser.parse_args(argv)

    files = kaggle_sample(args.data_dir, args.files)
    report = {
        "command": "python -m benchmarks.speed " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or '?'}",
        "extraction": extraction_speed(files),
        "pipeline": pipeline_speed(files, args.workers),
        "api": api_speed(files, args.api_requests),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    extraction = report["extraction"]
    print(f"PDF extraction on {extraction['files']} files / {extraction['pages']} pages:")
    for name in ("product_reader", "pypdf_plain", "pdfium_plain"):
        print(f"  {name:16} {extraction[name]['pages_per_s']:>8} pages/s")
    pipeline = report["pipeline"]
    print(f"\npipeline on {pipeline['parsed']} CVs ({pipeline['workers']} parse workers, "
          f"{pipeline['precision']}, model load {pipeline['model_load_s']} s):")  # fmt: skip
    for stage, figures in pipeline["stages"].items():
        extra = f", {figures['chunks_per_s']} chunks/s" if "chunks_per_s" in figures else ""
        print(f"  {stage:24} {figures['seconds']:>7} s  {figures['cvs_per_s']:>7} CVs/s{extra}")
    print(f"  {'end to end':24} {pipeline['end_to_end']['seconds']:>7} s  "
          f"{pipeline['end_to_end']['cvs_per_s']:>7} CVs/s")  # fmt: skip
    api = report["api"]
    print(f"\nAPI: cold start to ready {api['cold_start_to_ready_s']} s; {api['requests']} "
          f"single-CV screenings p50 {api['p50_s']} s, p95 {api['p95_s']} s; peak RSS "
          f"{api['peak_rss_mib']} MiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
