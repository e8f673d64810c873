"""Schema fuzzing of the screening API with Schemathesis against a real server.

    python -m benchmarks.api_fuzz [--max-examples 10] [--time-limit 900] [--seed N]
                                  [--json benchmarks/results/api_fuzz.json]

Starts ``uvicorn --factory api:create_app`` on loopback with a fresh SQLite database in a
temporary folder (as ``benchmarks.load`` does), creates an ``admin`` API key with the CLI so
every operation is reachable, then runs ``st run`` (Schemathesis 4) against the served
``/openapi.json`` with ``Authorization: Bearer <key>``: all operations, the stateless phases
(examples, coverage, fuzzing; no stateful phase), ``--checks all``, ``--continue-on-failure``
(so a failed check does not cut an operation's cases short), at most ``--max-examples`` cases
per operation and phase. The whole Schemathesis run is killed after ``--time-limit``
seconds, so the command always ends by itself.

A 5xx answer (the ``not_a_server_error`` check, or any response with a 5xx status) is an error:
the runner prints the operation, the request and the server's traceback and exits 1. Failures
of the other checks (schema conformance, positive data rejected, ...) are reported per check
as warnings and do not change the exit code. A run that did not complete (time limit, crash)
exits 2.

Figures come from Schemathesis's own reports (``--report json,ndjson``): the JSON run report
gives the totals and the unique failures per code, the NDJSON event stream gives each case,
its checks and the response status, counted here per operation.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._server import LocalServer, stop_process

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVER_ERROR_CHECK = "not_a_server_error"
PHASES = "examples,coverage,fuzzing"


def _schemathesis(
    url: str, key: str, folder: Path, args: argparse.Namespace
) -> tuple[int | None, float, str]:
    """Run ``st run``; returns (exit code or None when killed at the limit, seconds, output)."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{url}/openapi.json",
        "--header", f"Authorization: Bearer {key}",
        "--checks", "all",
        # a failed check (a 422 to schema-valid data, say) must not end an operation's cases
        "--continue-on-failure",
        "--phases", PHASES,
        "--max-examples", str(args.max_examples),
        "--workers", str(args.workers),
        "--request-timeout", str(args.request_timeout),
        "--generation-database", "none",
        "--report", "json,ndjson",
        "--report-json-path", str(folder / "report.json"),
        "--report-ndjson-path", str(folder / "events.ndjson"),
        "--no-color",
    ]  # fmt: skip
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    args.st_command = (
        shlex.join(["st", *command[3:]]).replace(key, "<admin key>").replace(str(folder), "<tmp>")
    )
    started = time.monotonic()
    with (folder / "schemathesis.out").open("wb") as out:
        # its own folder as working directory: no config file or cache from the repository
        process = subprocess.Popen(
            command, cwd=folder, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code: int | None = process.wait(args.time_limit)
        except subprocess.TimeoutExpired:
            stop_process(process, grace_s=10)
            code = None
    elapsed = time.monotonic() - started
    return code, elapsed, (folder / "schemathesis.out").read_text(errors="replace")


def _request_text(interaction: dict[str, Any] | None, case: dict[str, Any]) -> dict[str, Any]:
    if interaction is None:
        return {"case": case}
    request = interaction["request"]
    body = request.get("body")
    if isinstance(body, dict) and "$base64" in body:
        raw = base64.b64decode(body["$base64"])
        text = raw[:2000].decode("utf-8", errors="replace")
        body = text + (f"... ({len(raw)} bytes)" if len(raw) > 2000 else "")
    return {
        "method": request["method"],
        "uri": request["uri"],
        "headers": request.get("headers"),
        "body": body,
        "case": case,
    }


def _response_body(interaction: dict[str, Any] | None) -> str | None:
    response = (interaction or {}).get("response") or {}
    content = response.get("content", response.get("body"))
    if isinstance(content, dict) and "$base64" in content:
        return base64.b64decode(content["$base64"])[:1000].decode("utf-8", errors="replace")
    return None if content is None else str(content)[:1000]


def _read_events(path: Path) -> dict[str, Any]:
    """Cases, check failures and 5xx answers per operation, from the NDJSON event stream."""
    cases: dict[str, set[str]] = defaultdict(set)
    failing: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    server_errors: dict[tuple[str, str], dict[str, Any]] = {}
    examples: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return {"cases": cases, "failing": failing, "server_errors": [], "examples": examples}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith('{"ScenarioFinished"'):
                continue
            try:
                event = json.loads(line)["ScenarioFinished"]
            except ValueError:  # the last line of a killed run
                continue
            recorder = event["recorder"]
            label = recorder["label"]
            cases.setdefault(label, set())  # skipped scenarios (no examples) record no cases
            for case_id, node in recorder.get("cases", {}).items():
                cases[label].add(case_id)
                interaction = recorder.get("interactions", {}).get(case_id)
                status = (interaction or {}).get("response", {}) or {}
                status_code = status.get("status_code")
                checks = recorder.get("checks", {}).get(case_id, [])
                failed = [c for c in checks if c.get("status") == "failure"]
                for check in failed:
                    failing[label][check["name"]].add(case_id)
                    if check["name"] != SERVER_ERROR_CHECK and check["name"] not in examples:
                        info = check.get("failure_info", {}).get("failure", {})
                        examples[check["name"]] = {
                            "operation": info.get("operation", label),
                            "code": info.get("code"),
                            "message": info.get("message"),
                            "status": status_code,
                            "response": _response_body(interaction),
                        }
                is_5xx = isinstance(status_code, int) and status_code >= 500
                if is_5xx or any(c["name"] == SERVER_ERROR_CHECK for c in failed):
                    if is_5xx:
                        failing[label][SERVER_ERROR_CHECK].add(case_id)
                    server_errors.setdefault(
                        (label, case_id),
                        {
                            "operation": label,
                            "case_id": case_id,
                            "phase": event.get("phase"),
                            "status": status_code,
                            "request_id": (status.get("headers") or {}).get("x-request-id"),
                            "request": _request_text(interaction, node.get("value", {})),
                            "response": _response_body(interaction),
                        },
                    )
    return {
        "cases": cases,
        "failing": failing,
        "server_errors": list(server_errors.values()),
        "examples": examples,
    }


_ACCESS = re.compile(r'^INFO: +[\d.:]+ - "[A-Z]+ \S+ HTTP/[\d.]+" (\d{3})\b')


def _server_tracebacks(log: str, limit: int = 10) -> list[str]:
    """Each 5xx access-log line of the server with what was logged after it (uvicorn's
    traceback of the request) up to the next access-log line."""
    lines = log.splitlines()
    blocks = []
    for index, line in enumerate(lines):
        match = _ACCESS.match(line)
        if not match or not match.group(1).startswith("5"):
            continue
        end = index + 1
        while end < len(lines) and end - index < 200 and not _ACCESS.match(lines[end]):
            end += 1
        blocks.append("\n".join(lines[index:end])[-6000:])
    return blocks[-limit:]


def run(args: argparse.Namespace) -> dict[str, Any]:
    started_at = datetime.now(UTC)
    # info level: the access log line of each 5xx comes right before its traceback
    with LocalServer("fuzz", log_level="info", stop_grace_s=30) as server:
        key = server.cli("keys", "create", "--name", "api-fuzz", "--scope", "admin")["key"]
        server.start()
        server.wait_ready()
        code, elapsed, output = _schemathesis(server.url, key, server.folder, args)
        server.stop()
        report_path = server.folder / "report.json"
        try:  # empty or cut short when the run was killed at the time limit
            report = json.loads(report_path.read_text())
        except (OSError, ValueError):
            report = {}
        events = _read_events(server.folder / "events.ndjson")
    server_log = server.log

    operations = sorted(events["cases"])
    failing = events["failing"]
    by_check: Counter[str] = Counter()
    ops_by_check: dict[str, list[str]] = defaultdict(list)
    for label in operations:
        for check, ids in failing[label].items():
            by_check[check] += len(ids)
            ops_by_check[check].append(label)
    per_operation = [
        {
            "operation": label,
            "cases": len(events["cases"][label]),
            "server_errors": len(failing[label].get(SERVER_ERROR_CHECK, ())),
            "other_failures": {
                check: len(ids)
                for check, ids in sorted(failing[label].items())
                if check != SERVER_ERROR_CHECK
            },
        }
        for label in operations
    ]
    server_errors = events["server_errors"]
    complete = code is not None and bool(report.get("complete"))
    return {
        "command": shlex.join(["python", "-m", "benchmarks.api_fuzz", *sys.argv[1:]]),
        "date": started_at.isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },  # fmt: skip
        "schemathesis": {
            "version": report.get("schemathesis_version"),
            "command": args.st_command,
            "seed": report.get("seed"),
            "phases": PHASES.split(","),
            "checks": "all",
            "max_examples": args.max_examples,
            "workers": args.workers,
            "exit_code": code,
            "stop_reason": report.get("stop_reason") if code is not None else "time limit",
        },
        "time_limit_s": args.time_limit,
        "elapsed_s": round(elapsed, 2),
        "complete": complete,
        "operations": {
            "in_schema": report.get("operations", {}).get("total"),
            "tested": report.get("operations", {}).get(
                "tested", sum(1 for ids in events["cases"].values() if ids)
            ),
            "errored": report.get("operations", {}).get("errored"),
        },
        "cases": {
            "generated": report.get("test_cases", {}).get("generated"),
            "recorded": sum(len(ids) for ids in events["cases"].values()),
        },
        "server_errors": len(server_errors),
        "server_error_cases": server_errors[:20],
        "server_tracebacks": _server_tracebacks(server_log) if server_errors else [],
        "warnings": {
            "failing_cases_by_check": {
                check: count
                for check, count in by_check.most_common()
                if check != SERVER_ERROR_CHECK
            },
            "operations_by_check": {
                check: ops
                for check, ops in sorted(ops_by_check.items())
                if check != SERVER_ERROR_CHECK
            },
            "unique_failures_by_code": [
                {key: f.get(key) for key in ("code", "title", "count", "operations")}
                for f in report.get("failures", [])
            ],
            "example_by_check": events["examples"],
            "schemathesis_warnings": {
                name: items for name, items in report.get("warnings", {}).items() if items
            },
        },  # fmt: skip
        "errors": report.get("errors", []),
        "per_operation": per_operation,
        "schemathesis_output_tail": output[-3000:] if not complete else None,
    }


def _print_table(result: dict[str, Any]) -> None:
    rows = result["per_operation"]
    checks = sorted({c for row in rows for c in row["other_failures"]})
    width = max([len("operation")] + [len(r["operation"]) for r in rows])
    short = {c: c.replace("_conformance", "").replace("_acceptance", "") for c in checks}
    head = f"{'operation':<{width}} {'cases':>6} {'5xx':>4}" + "".join(
        f" {short[c]:>{max(len(short[c]), 6)}}" for c in checks
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        print(
            f"{row['operation']:<{width}} {row['cases']:>6} {row['server_errors']:>4}"
            + "".join(
                f" {row['other_failures'].get(c, 0) or '':>{max(len(short[c]), 6)}}" for c in checks
            )
        )
    print("-" * len(head))
    total_cases = sum(r["cases"] for r in rows)
    print(
        f"{'total (' + str(len(rows)) + ' operations)':<{width}} {total_cases:>6} "
        f"{result['server_errors']:>4}"
        + "".join(
            f" {result['warnings']['failing_cases_by_check'].get(c, 0):>{max(len(short[c]), 6)}}"
            for c in checks
        )
    )
    print(
        f"\nschemathesis: {result['cases']['generated']} cases generated, "
        f"{result['operations']['tested']}/{result['operations']['in_schema']} operations "
        f"tested, {result['elapsed_s']} s, complete: {result['complete']}"
    )
    if result["warnings"]["unique_failures_by_code"]:
        print("warnings (other checks, unique failures):")
        for failure in result["warnings"]["unique_failures_by_code"]:
            print(f"  {failure['code']} {failure['title']}: {failure['count']}")
    for error in result["server_error_cases"]:
        print(f"\n5xx: {error['operation']} -> {error['status']}")
        print(json.dumps(error["request"], indent=2)[:2000])
    for block in result["server_tracebacks"]:
        print("\n" + block)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=10, help="cases per operation")
    parser.add_argument(
        "--time-limit", type=float, default=900.0, help="hard wall-clock limit of the fuzzing"
    )
    parser.add_argument("--workers", type=int, default=1, help="concurrent Schemathesis workers")
    parser.add_argument("--request-timeout", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", type=Path, default=REPO_ROOT / "benchmarks/results/api_fuzz.json")
    args = parser.parse_args(argv)
    result = run(args)
    _print_table(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if result["server_errors"]:
        return 1
    return 0 if result["complete"] else 2


if __name__ == "__main__":
    sys.exit(main())
