"""Speed of the pipeline on this machine, stage by stage, on real CVs.

    python -m benchmarks.speed [--data-dir ../shared/data] [--files 500] [--workers 2]
                               [--skip extraction,precision,api,scaling]

Measures, in one run and on the same files (the first ``--files`` Kaggle resume PDFs by path,
every category represented in order):

- PDF text extraction, pages/s, single-process, side by side: the product's reader (the one the
  pipeline uses: pypdf structure checks, PDFium text with word-gap spacing and hidden-text
  detection), plain pypdf ``extract_text`` and plain PDFium ``get_text_range``;
- parsing in the product's isolated worker pool (``--workers`` processes), files/s;
- sections + profile + redaction, CVs/s;
- chunking + embedding, chunks/s and CVs/s (embedding cache in memory only and
  empty, so every chunk is encoded but the chunks of names, which ``screener rank`` leaves
  out as scoring reads prose only), with the CVs of the run encoded together
  (``ScreeningPipeline.prepare_many``; ``screener rank`` encodes groups of 32), in the precision
  ``precision=auto`` picks on this CPU (or GPU: ``SCREENER_EMBEDDING_DEVICE=cuda``);
- embedding alone on a sample of those real chunks, fp32 against bf16 (``torch.autocast``;
  emulated where the CPU has no native bf16), chunks/s and the cosine between the two;
- the encoder's dense layers alone (``dense_layer_speed``): GFLOP/s of their matrix products
  and the CVs/s they would allow at the run's tokens per CV, the ceiling the model sets here;
- matching all six roles per CV, CVs/s;
- end to end: the sum of the stages above, and the wall clock of ``screener.screening.rank``
  (what ``screener rank`` runs: parse workers overlap with scoring) over the same files; then
  that wall clock again with every vector from the embedding cache, which is everything but
  the model: the pace a GPU that encodes in no time would leave to the CPU;
- scaling: the parse pool alone at a quarter, half and all of ``--workers``, and the rank wall
  clock in 2, 4 and 8 screening processes (up to one per two cores);
- the API on loopback (a fresh SQLite database): cold start until ``/readyz`` answers, then
  single-CV screenings one at a time (each file distinct, so nothing is reused), p50 and p95
  latency, and the peak resident memory of the server and its parse workers.

The load average before and after is recorded: the machine is shared, so figures move with it.
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

from embeddings import EmbeddingModel
from screener.documents import ParsedDocument, ParsePool, read_document
from screener.matching import prose_chunks
from screener.parsing import analyse
from screener.pipeline import ScreeningPipeline
from screener.settings import DocumentLimits, EmbeddingSettings, Settings


def machine_description() -> str:
    """Architecture, cores, CPU model and its matrix extensions: the figures move with them
    (one machine kind here has run on CPUs with and without AMX)."""
    model, flags = "?", set[str]()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition(":")
            if name.strip() == "model name" and model == "?":
                model = value.strip()
            elif name.strip() == "flags" and not flags:
                flags = set(value.split())
    except OSError:
        pass
    extensions: list[str] = [f for f in ("avx512_bf16", "amx_bf16") if f in flags]
    parts = [
        platform.machine(),
        f"{os.cpu_count()} cores",
        model or "?",
        " + ".join(extensions) or "no bf16 extension",
    ]
    if EmbeddingSettings().device.startswith("cuda"):
        parts.append(_gpu_name())
    return ", ".join(parts)


def _gpu_name() -> str:
    import torch

    if not torch.cuda.is_available():
        return "no CUDA device"
    return f"{torch.cuda.get_device_name()} (torch {torch.__version__})"


def _synchronize(device: str) -> None:
    """Wait for the GPU's queued work, so that a timer stops after it (no-op on the CPU)."""
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize(device)


def machine_cpu_seconds() -> float | None:
    """CPU seconds the machine's cores have spent at work since boot (``/proc/stat``: user,
    nice, system, irq and softirq time; not idle, I/O wait or time the hypervisor took), or
    None where there is no such file."""
    try:
        line = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in line.split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


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

    result: dict[str, Any] = {"files": len(files), "pages": pages}
    for name, function in (("product_reader", ours), ("pypdf_plain", plain_pypdf),
                           ("pdfium_plain", plain_pdfium)):  # fmt: skip
        _, seconds = _timed(function)
        result[name] = {"seconds": round(seconds, 2), "pages_per_s": round(pages / seconds, 1)}
    return result


def pipeline_speed(files: list[Path], workers: int, *, precision: bool = True) -> dict[str, Any]:
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
    # as ``screener rank`` prepares: chunks of names are not encoded (scoring reads prose only)
    prepared, prepare_seconds = _timed(lambda: pipeline.prepare_many(cvs, names=False))
    encoded = [p.chunks[index] for p in prepared for index in prose_chunks(p.chunks)]
    names_left_out = sum(len(p.chunks) for p in prepared) - len(encoded)
    chunks = len(encoded)
    tokens = sum(c.token_count for c in encoded)
    roles = list(pipeline.roles)
    _, match_seconds = _timed(lambda: [pipeline.match(p, r) for p in prepared for r in roles])
    n = len(documents)
    total = parse_seconds + analyse_seconds + prepare_seconds + match_seconds
    stages = {
        "parse (worker pool)": {"seconds": parse_seconds, "cvs_per_s": len(files) / parse_seconds},
        "sections + profile + redaction": {
            "seconds": analyse_seconds,
            "cvs_per_s": n / analyse_seconds,
        },
        "chunk + embed": {
            "seconds": prepare_seconds,
            "cvs_per_s": n / prepare_seconds,
            "chunks": chunks,
            "chunks_of_names_not_encoded": names_left_out,
            "chunks_per_cv": chunks / max(n, 1),
            "tokens_per_chunk": tokens / max(chunks, 1),
            "chunks_per_s": chunks / prepare_seconds,
        },
        f"match {len(roles)} roles": {"seconds": match_seconds, "cvs_per_s": n / match_seconds},
    }
    for figures in stages.values():
        figures["share_of_total"] = figures["seconds"] / total
    result: dict[str, Any] = {
        "files": len(files),
        "parsed": n,
        "workers": workers,
        "device": settings.embeddings.device,
        "batch_size": settings.embeddings.batch_size,
        "model_load_s": round(load_seconds, 2),
        "precision": str(pipeline.model.precision),
        "stages": _rounded(stages),
        "end_to_end": {"seconds": round(total, 2), "cvs_per_s": round(n / total, 2)},
    }
    if precision:
        result["embedding_precision"] = precision_speed(
            settings,
            [c.text for c in encoded],
            product_uses=str(pipeline.model.precision),
        )
    result["dense_layers"] = dense_layer_speed(pipeline.model, tokens_per_cv=tokens / max(n, 1))
    return result


def _rounded(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 3 if abs(value) < 1 else 2)
    return value


def precision_speed(
    settings: Settings, chunks: list[str], *, product_uses: str, sample: int = 400
) -> dict[str, Any]:
    """fp32 against bf16 on the same real chunks (every ``n``-th of the run, in one batch).

    Both on a model of their own that runs fp32 and caches nothing; bf16 under the same
    ``torch.autocast`` the product uses (the product's model, in bf16, would autocast the fp32
    run too).
    """
    import contextlib

    import numpy as np
    import torch

    from embeddings import EmbeddingModel, cpu_supports_bf16

    config = settings.embeddings
    device_type = "cuda" if config.device.startswith("cuda") else "cpu"
    model = EmbeddingModel(
        config.lock_path,
        device=config.device,
        batch_size=config.batch_size,
        precision="fp32",
        cache=None,
    )
    model.warm_up()
    texts = list(dict.fromkeys(chunks))[:: max(1, len(chunks) // sample)][:sample]
    rates: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    for name in ("fp32", "bf16"):
        autocast = (
            torch.autocast(device_type, dtype=torch.bfloat16)
            if name == "bf16"
            else contextlib.nullcontext()
        )
        with autocast:
            model.encode(texts[:8])  # first-call allocations are not throughput
            vectors[name], seconds = _timed(lambda: model.encode(texts))
        rates[name] = round(len(texts) / seconds, 1)
    cosine = np.sum(vectors["fp32"] * vectors["bf16"], axis=1)
    return {
        "chunks": len(texts),
        "fp32_chunks_per_s": rates["fp32"],
        "bf16_chunks_per_s": rates["bf16"],
        "bf16": (
            "native"
            if device_type == "cuda" or cpu_supports_bf16()
            else "emulated (not native on this CPU)"
        ),
        "device": config.device,
        "cosine_bf16_vs_fp32_min": round(float(cosine.min()), 5),
        "product_uses": product_uses,
    }


def dense_layer_speed(
    model: EmbeddingModel, *, tokens_per_cv: float, repeats: int = 30
) -> dict[str, Any]:
    """The encoder's dense layers alone, in the precision the product uses (``model`` is the
    pipeline's, warmed up): their matrix products' GFLOP/s on token rows as many as a pass
    holds (2,048 on the CPU, 65,536 on a GPU, whose passes are ``batch_size`` whole chunks),
    and the CVs/s they would allow if nothing else ran (the ceiling the model sets).
    """
    import torch

    encoder = model._model
    layer = encoder.layers[0]
    dense = (layer.query_key_value, layer.attention_output, layer.intermediate, layer.output)
    flop_per_token = 2 * len(encoder.layers) * sum(m.in_features * m.out_features for m in dense)
    dtype, device = dense[0].weight.dtype, str(dense[0].weight.device)
    rows = 65_536 if device.startswith("cuda") else 2048
    seconds = 0.0
    with torch.inference_mode():
        for module in dense:
            x = torch.randn(rows, module.in_features).to(device=device, dtype=dtype)
            module(x)  # first-call allocations are not throughput
            _synchronize(device)
            started = time.perf_counter()
            for _ in range(repeats):
                module(x)
            _synchronize(device)
            seconds += (time.perf_counter() - started) / repeats
    gflops = rows * flop_per_token / len(encoder.layers) / seconds / 1e9
    per_cv = flop_per_token * tokens_per_cv / 1e9
    return {
        "precision": str(model.precision),
        "device": device,
        "rows": rows,
        "mflop_per_token": round(flop_per_token / 1e6, 1),
        "gflop_per_cv": round(per_cv, 1),
        "gflop_per_s": round(gflops, 1),
        "ceiling_cvs_per_s": round(gflops / per_cv, 1),
    }


def rank_speed(files: list[Path], workers: int, processes: int = 1) -> dict[str, Any]:
    """Wall clock of ``screener rank``'s function over the files in ``processes`` screening
    processes, the model already loaded in this one (further processes load their own, in the
    wall clock)."""
    from screener.screening import RANK_GROUP_SIZE, RankedRow, rank, screening_processes

    settings = Settings(
        embeddings=EmbeddingSettings(cache_path=None),
        parse_workers=workers,
        rank_processes=processes,
    )
    pipeline = ScreeningPipeline.create(settings)
    used = screening_processes(settings, files=len(files), group_size=RANK_GROUP_SIZE)

    def run() -> list[RankedRow]:
        return rank(
            files, "ml-engineer", market="de", pipeline=pipeline, settings=settings,
            reference_date=date(2026, 1, 1),
        )  # fmt: skip

    rows, seconds = _timed(run)
    screened = sum(1 for row in rows if row.error is None)
    result: dict[str, Any] = {
        "files": len(files),
        "screened": screened,
        "role": "ml-engineer",
        "processes": used,
        "seconds": round(seconds, 2),
        "cvs_per_s": round(len(files) / seconds, 2),
    }
    if used == 1:
        # the same files again: every vector comes from the model's in-memory cache, so this
        # is everything but the model (parsing, sections, profile, redaction, chunking,
        # matching, rules), what a fast GPU leaves to the CPU
        cpu_before, machine_before = time.process_time(), machine_cpu_seconds()
        _, again = _timed(run)
        cpu, machine_after = time.process_time() - cpu_before, machine_cpu_seconds()
        result["vectors_cached"] = {
            "seconds": round(again, 2),
            "cvs_per_s": round(len(files) / again, 2),
            # this process's CPU time (every thread of it) a file: what is left around the
            # model in the one process that holds it, parsing and analysis being in the parse
            # workers; one screening process goes no faster than this allows on any GPU
            "screening_process_cpu_ms_per_cv": round(1000 * cpu / len(files), 2),
        }
        if machine_before is not None and machine_after is not None:
            # every core's work a file, parse workers included (and whatever else ran on the
            # machine meanwhile, see the load average): what a GPU leaves to the CPU in all
            result["vectors_cached"]["machine_cpu_ms_per_cv"] = round(
                1000 * (machine_after - machine_before) / len(files), 2
            )
    return result


def scaling(files: list[Path], workers: int) -> dict[str, Any]:
    """How parsing and ranking grow with processes: the parse pool alone at a quarter, half
    and all of ``workers`` workers (files/s), and ``screener rank`` in 2, 4 and 8 screening
    processes, up to one per two cores (one process is the run's own rank figure)."""
    parse: list[dict[str, Any]] = []
    for count in sorted({max(1, workers // 4), max(1, workers // 2), workers}):
        with ParsePool(limits=DocumentLimits(), workers=count) as pool:
            list(pool.parse_files(files[:count]))  # start the workers outside the measurement
            _, seconds = _timed(lambda pool=pool: list(pool.parse_files(files)))
        parse.append({"workers": count, "files_per_s": round(len(files) / seconds, 1)})
    most = max(1, (os.cpu_count() or 1) // 2)
    ranks = [rank_speed(files, workers, n) for n in (2, 4, 8) if n <= most]
    return {"parse_pool": parse, "rank": ranks}


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
            steps: dict[str, list[float]] = {}
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
                        latency = time.perf_counter() - begun
                        latencies.append(latency)
                        timing = server_timing(response.headers["server-timing"])
                        for step, seconds in timing.items():
                            steps.setdefault(step, []).append(seconds)
                        # upload, HTTP, request checks and the JSON answer
                        steps.setdefault("outside the steps", []).append(
                            latency - sum(timing.values())
                        )
        finally:
            sampler.stop()
    return {
        "cold_start_to_ready_s": round(cold_start, 2),
        "requests": len(latencies),
        "p50_s": percentile(latencies, 0.50),
        "p95_s": percentile(latencies, 0.95),
        # each step's own p50 and p95 over the same requests (they do not add up to the
        # latency's percentiles: the slowest requests differ from step to step)
        "steps": {
            step: {"p50_s": percentile(values, 0.50), "p95_s": percentile(values, 0.95)}
            for step, values in steps.items()
        },
        "peak_rss_mib": round(sampler.peak / 2**20, 1),
    }


def server_timing(header: str) -> dict[str, float]:
    """Seconds per step from a ``Server-Timing`` header (``parse;dur=31.2, …``, milliseconds)."""
    steps: dict[str, float] = {}
    for entry in header.split(","):
        name, _, duration = entry.strip().partition(";dur=")
        steps[name] = float(duration) / 1000
    return steps


# Parts of the run that ``--skip`` leaves out: the single-process PDF readers, the fp32/bf16
# comparison, the API (which needs the service's database and web packages), and the parse
# pool and rank at several process counts.
SKIPPABLE = ("extraction", "precision", "api", "scaling")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--api-requests", type=int, default=60, help="single-CV API requests (a p95 from 60)"
    )
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/speed.json"))
    parser.add_argument(
        "--skip",
        default="",
        help=f"comma-separated parts to leave out: {', '.join(SKIPPABLE)} (the pipeline "
        "stages and the rank wall clock always run)",
    )
    args = parser.parse_args(argv)
    skip = {part for part in args.skip.split(",") if part}
    if unknown := skip - set(SKIPPABLE):
        parser.error(f"--skip takes {', '.join(SKIPPABLE)}; got {', '.join(sorted(unknown))}")

    files = kaggle_sample(args.data_dir, args.files)
    report: dict[str, Any] = {
        "command": "python -m benchmarks.speed " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": date.today().isoformat(),
        "machine": machine_description(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    if "extraction" not in skip:
        report["extraction"] = extraction_speed(files)
    report["pipeline"] = pipeline_speed(files, args.workers, precision="precision" not in skip)
    report["rank"] = rank_speed(files, args.workers)
    if "api" not in skip:
        report["api"] = api_speed(files, args.api_requests)
    if "scaling" not in skip:
        report["scaling"] = scaling(files, args.workers)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_report(report)
    return 0


def print_report(report: dict[str, Any]) -> None:
    print(report["machine"])
    if extraction := report.get("extraction"):
        print(f"PDF extraction on {extraction['files']} files / {extraction['pages']} pages:")
        for name in ("product_reader", "pypdf_plain", "pdfium_plain"):
            note = "  <- the pipeline's reader" if name == "product_reader" else ""
            print(f"  {name:16} {extraction[name]['pages_per_s']:>8} pages/s{note}")
    pipeline = report["pipeline"]
    print(f"\npipeline on {pipeline['parsed']} CVs ({pipeline['workers']} parse workers, "
          f"model on {pipeline['device']}, {pipeline['precision']}, model load "
          f"{pipeline['model_load_s']} s):")  # fmt: skip
    for stage, figures in pipeline["stages"].items():
        extra = f", {figures['chunks_per_s']} chunks/s" if "chunks_per_s" in figures else ""
        print(f"  {stage:24} {figures['seconds']:>7} s  {figures['cvs_per_s']:>7} CVs/s  "
              f"{100 * figures['share_of_total']:>4.0f}%{extra}")  # fmt: skip
    print(f"  {'end to end (sum)':24} {pipeline['end_to_end']['seconds']:>7} s  "
          f"{pipeline['end_to_end']['cvs_per_s']:>7} CVs/s")  # fmt: skip
    rank = report["rank"]
    print(f"  {'rank (wall clock)':24} {rank['seconds']:>7} s  {rank['cvs_per_s']:>7} CVs/s  "
          f"({rank['processes']} screening processes)")  # fmt: skip
    if cached := rank.get("vectors_cached"):
        print(f"  {'rank, vectors cached':24} {cached['seconds']:>7} s  "
              f"{cached['cvs_per_s']:>7} CVs/s  (all but the model)")  # fmt: skip
        if "screening_process_cpu_ms_per_cv" in cached:
            print(f"  {'':24} the screening process's own CPU: "
                  f"{cached['screening_process_cpu_ms_per_cv']} ms a CV; every core's: "
                  f"{cached.get('machine_cpu_ms_per_cv', '?')} ms a CV")  # fmt: skip
    if precision := pipeline.get("embedding_precision"):
        print(f"\nembedding {precision['chunks']} real chunks: fp32 "
              f"{precision['fp32_chunks_per_s']} chunks/s, bf16 {precision['bf16_chunks_per_s']} "
              f"chunks/s ({precision['bf16']}), cosine min {precision['cosine_bf16_vs_fp32_min']}; "
              f"product uses {precision['product_uses']}")  # fmt: skip
    dense = pipeline["dense_layers"]
    print(f"dense layers alone: {dense['gflop_per_s']} GFLOP/s, ceiling "
          f"{dense['ceiling_cvs_per_s']} CVs/s")  # fmt: skip
    if api := report.get("api"):
        print(f"\nAPI: cold start to ready {api['cold_start_to_ready_s']} s; {api['requests']} "
              f"single-CV screenings p50 {api['p50_s']} s, p95 {api['p95_s']} s; peak RSS "
              f"{api['peak_rss_mib']} MiB")  # fmt: skip
        for step, figures in api.get("steps", {}).items():
            print(f"  {step:18} p50 {figures['p50_s']} s, p95 {figures['p95_s']} s")
    if grown := report.get("scaling"):
        parse = ", ".join(f"{p['workers']}: {p['files_per_s']}" for p in grown["parse_pool"])
        ranks = ", ".join(f"{r['processes']}: {r['cvs_per_s']}" for r in grown["rank"])
        print(f"\nparse pool files/s by workers: {parse}")
        print(f"rank CVs/s by screening processes: {ranks}")
    print(
        f"load average before {report['load_average_before']}, after {report['load_average_after']}"
    )


if __name__ == "__main__":
    sys.exit(main())
