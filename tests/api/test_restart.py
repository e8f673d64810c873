"""Kill the server mid-batch (SIGKILL), restart it: the batch finishes, every file screened
exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select

from screener.store import AuditRecord, BatchItem, make_engine, make_sessions
from tests.api.conftest import CV_DIR, free_port, make_keys, service_settings
from tests.conftest import REPO_ROOT


@contextmanager
def server_process(env: dict[str, str], log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "api:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not get ready"
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield process, url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(60)


def test_batch_resumes_after_sigkill_and_screens_each_file_once(tmp_path: Path) -> None:
    settings = service_settings(f"sqlite:///{tmp_path / 'restart.db'}", tmp_path)
    keys = make_keys(settings)
    env = {
        **os.environ,
        "SCREENER_DATABASE_URL": settings.database_url,
        "SCREENER_EMBEDDING_LOCK_PATH": str(REPO_ROOT / "models.lock"),
        "SCREENER_EMBEDDING_CACHE_PATH": str(tmp_path / "embeddings.sqlite"),
        "SCREENER_EMBEDDING_PRECISION": "fp32",
        "SCREENER_ROLES_DIR": str(tmp_path / "roles"),
        "SCREENER_BATCH_WORKERS": "1",
        "SCREENER_API_PARSERS": "1",
    }
    files = sorted(CV_DIR.glob("*.pdf"))[:10]
    upload = [("files", (p.name, p.read_bytes(), "application/pdf")) for p in files]
    headers = {"Authorization": f"Bearer {keys['screen']}"}
    log = tmp_path / "server.log"

    with server_process(env, log) as (process, url):
        submitted = httpx.post(f"{url}/v1/batches", files=upload, data={"role": "ml-engineer"},
                               headers=headers, timeout=60)  # fmt: skip
        assert submitted.status_code == 202, submitted.text
        batch_id = submitted.json()["id"]
        deadline = time.monotonic() + 120
        while True:
            progress = httpx.get(f"{url}/v1/batches/{batch_id}", headers=headers).json()
            if progress["done"] + progress["failed"] >= 2:
                break
            assert time.monotonic() < deadline, progress
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
    assert progress["done"] + progress["failed"] < len(files), "the batch ended before the kill"

    with server_process(env, log) as (_, url):
        deadline = time.monotonic() + 180
        while True:
            progress = httpx.get(f"{url}/v1/batches/{batch_id}", headers=headers).json()
            if progress["status"] == "completed":
                break
            assert time.monotonic() < deadline, progress
            time.sleep(0.2)

    assert (progress["total"], progress["done"], progress["failed"]) == (len(files), len(files), 0)
    engine = make_engine(settings.database_url)
    with make_sessions(engine)() as session:
        items = session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id)).all()
        events = session.scalars(
            select(AuditRecord.source_event_id).where(
                AuditRecord.event == "screening", AuditRecord.source == "batch"
            )
        ).all()
    engine.dispose()
    assert all(item.status == "done" and item.data is None for item in items)
    per_item = Counter(events)
    assert per_item == Counter({f"{batch_id}:{item.id}": 1 for item in items})
