"""Acknowledgement latency of the Greenhouse webhook under load, against a real server.

    python -m benchmarks.webhook_ack [--deliveries 200] [--concurrency 20] [--settle 60]
                                     [--json benchmarks/results/webhook_ack.json]

Starts ``uvicorn --factory api:create_app`` on loopback with a fresh SQLite database (webhook
downloads may reach loopback), creates a Greenhouse integration and a job mapping with the CLI,
and runs a fake ATS thread that serves CVs and accepts callbacks. Then ``--concurrency``
clients post ``--deliveries`` signed deliveries of the Greenhouse example payload, each with its
own ``Greenhouse-Event-ID`` and a resume URL whose file differs in its bytes (a PDF comment
after ``%%EOF``), so the background workers parse, embed and screen for real while the
acknowledgements are measured: the ack path competes with screening for the two cores.

Reports p50/p95/max of the time to a 200 answer, errors, then waits up to ``--settle``
seconds and counts events screened and callbacks delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import platform
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from benchmarks._server import LocalServer, percentile

REPO_ROOT = Path(__file__).resolve().parents[1]
CV_DIR = REPO_ROOT.parent / "shared" / "data" / "layout-diverse-cv-pdfs"
EXAMPLE = (
    REPO_ROOT.parent / "shared/specs/webhook-payloads/greenhouse-new_candidate_application.json"
)
JOB_ID = "274075"


class _FakeAts:
    """Serves ``/cv/<n>.pdf`` (the n-th CV, made unique) and counts callbacks."""

    def __init__(self) -> None:
        files = [p.read_bytes() for p in sorted(CV_DIR.glob("*.pdf"))]
        self.callbacks = 0
        self.fetches = 0
        lock = threading.Lock()
        ats = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                number = int(self.path.rsplit("/", 1)[-1].split(".")[0])
                body = files[number % len(files)] + f"\n% delivery {number}\n".encode()
                with lock:
                    ats.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    ats.callbacks += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _body(ats_port: int, number: int) -> bytes:
    body = json.loads(EXAMPLE.read_bytes())
    for attachment in body["payload"]["application"]["candidate"]["attachments"]:
        if attachment["type"] == "resume":
            attachment["url"] = f"http://127.0.0.1:{ats_port}/cv/{number}.pdf"
    return json.dumps(body).encode()


async def _post_all(
    url: str, secret: str, bodies: list[bytes], *, concurrency: int
) -> tuple[list[float], Counter[str], float]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    numbered = iter(enumerate(bodies))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(client: httpx.AsyncClient) -> None:
        for _number, body in numbered:
            signature = "sha256 " + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/json", "Signature": signature,
                       "Greenhouse-Event-ID": uuid.uuid4().hex}  # fmt: skip
            started = time.perf_counter()
            try:
                response = await client.post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
                continue
            if response.status_code == 200:
                latencies.append(time.perf_counter() - started)
            else:
                errors[f"HTTP {response.status_code}"] += 1

    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.monotonic()
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    return latencies, errors, elapsed


def _admin_get(base: str, key: str, path: str) -> dict[str, Any]:
    response = httpx.get(base + path, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def run(args: argparse.Namespace) -> dict[str, Any]:
    ats = _FakeAts()
    # webhook downloads may reach loopback: the fake ATS serves the CVs there
    local = LocalServer("ack", extra_env={"SCREENER_WEBHOOK_FETCH_ALLOW_LOOPBACK": "true"})
    try:
        with local as server:
            key = server.cli("keys", "create", "--name", "ack", "--scope", "admin")["key"]
            integration = server.cli(
                "integrations", "create", "--provider", "greenhouse",
                "--callback-url", f"http://127.0.0.1:{ats.port}/callback",
            )  # fmt: skip
            server.cli("integrations", "map", integration["id"], "--job", JOB_ID, "--role",
                       "ml-engineer")  # fmt: skip
            server.start()
            server.wait_ready()
            base = server.url
            bodies = [_body(ats.port, n) for n in range(args.deliveries)]
            latencies, errors, elapsed = asyncio.run(
                _post_all(base + integration["webhook_url"], integration["inbound_secret"],
                          bodies, concurrency=args.concurrency)
            )  # fmt: skip
            settle_deadline = time.monotonic() + args.settle
            statuses: Counter[str] = Counter()
            while True:
                statuses = Counter()
                for page in itertools.count(1):
                    listing = _admin_get(
                        base, key,
                        f"/v1/integrations/{integration['id']}/events?page={page}&page_size=500",
                    )  # fmt: skip
                    statuses.update(event["status"] for event in listing["data"])
                    if page * 500 >= listing["total"]:
                        break
                if statuses["received"] + statuses["processing"] == 0:
                    break
                if time.monotonic() > settle_deadline:
                    break
                time.sleep(1.0)
            settled_s = args.settle - max(0.0, settle_deadline - time.monotonic())
    finally:
        ats.stop()
    server_log = server.log
    return {
        "command": "python -m benchmarks.webhook_ack " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "deliveries": args.deliveries,
        "concurrency": args.concurrency,
        "elapsed_s": round(elapsed, 2),
        "acknowledged": len(latencies),
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
        "ack_latency_s": {
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "max": round(max(latencies), 3) if latencies else None,
        },
        "background": {
            "waited_s": round(settled_s, 1),
            "events_by_status": dict(statuses),
            "cv_fetches": ats.fetches,
            "callbacks_received": ats.callbacks,
        },
        "server_errors": [line for line in server_log.splitlines() if "Error" in line][-20:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--settle", type=float, default=60.0, help="seconds to wait for background screening"
    )
    parser.add_argument(
        "--json", type=Path, default=REPO_ROOT / "benchmarks/results/webhook_ack.json"
    )
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
