"""`screener integrations`: connecting an ATS and mapping its jobs from the command line, on
record in the audit log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from screener.store import AuditRecord, JobMappingRow, make_engine, make_sessions


def _integrations(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "screener.cli", "integrations", *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "SCREENER_DATABASE_URL": database},
    )  # fmt: skip


def test_an_integration_and_its_job_mappings_are_audit_records(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'screener.db'}"
    created = _integrations(database, "create", "--provider", "greenhouse", "--name", "GH")
    assert created.returncode == 0, created.stderr
    shown = json.loads(created.stdout)
    integration_id = shown["id"]

    first = _integrations(database, "map", integration_id, "--job", "77", "--role", "ml-engineer")
    assert first.returncode == 0, first.stderr
    again = _integrations(
        database, "map", integration_id, "--job", "77", "--role", "nlp-engineer", "--market", "us"
    )
    assert again.returncode == 0, again.stderr
    unknown = _integrations(database, "map", integration_id, "--job", "78", "--role", "ml-eng")
    assert unknown.returncode == 2 and "ml-engineer" in unknown.stderr  # a usage error
    missing = _integrations(database, "map", "0" * 32, "--job", "78", "--role", "ml-engineer")
    assert missing.returncode == 1 and "no integration" in missing.stderr

    engine = make_engine(database)
    try:
        with make_sessions(engine)() as session:
            records = list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))
            mapping = session.get(JobMappingRow, (integration_id, "77"))
            assert mapping is not None and (mapping.role_id, mapping.market) == (
                "nlp-engineer", "us"
            )  # fmt: skip
    finally:
        engine.dispose()
    events = [(r.event, r.source) for r in records]
    assert events == [
        ("integration-created", "cli"), ("job-mapped", "cli"), ("job-mapped", "cli")
    ]  # fmt: skip
    assert shown["inbound_secret"] not in repr([r.details for r in records])
    assert records[2].role_id == "nlp-engineer"
    assert records[2].details["previous"] == {"role_id": "ml-engineer", "market": "de"}
