"""A real API server on loopback for the benchmark runners, with its own temporary folder.

    with LocalServer("load") as server:
        key = server.cli("keys", "create", "--name", "load", "--scope", "screen")["key"]
        server.start()
        server.wait_ready()
        ...  # requests to server.url
    server.log  # the server's whole log, read after it stopped

The folder holds a fresh SQLite database, the roles folder, the embedding cache and the
server log; it is deleted when the block ends, after the server is stopped.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes], grace_s: float) -> None:
    """SIGTERM to the process group (``start_new_session``), SIGKILL after ``grace_s``."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` 0-1) of latencies in seconds, rounded to ms."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return round(ordered[index], 3)


def tree_rss_bytes(root: int) -> int:
    """Resident memory of ``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            statm = (entry / "statm").read_text().split()
        except OSError:
            continue
        pid, parent = int(entry.name), int(stat[1])
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(statm[1]) * page
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


class RssSampler(threading.Thread):
    """Samples the resident memory of a process and its children; ``peak`` in bytes."""

    def __init__(self, pid: int, every_s: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s, self.peak = pid, every_s, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self._stop_event.wait(self.every_s)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


class LocalServer:
    """``uvicorn --factory api:create_app`` in a subprocess, configured by environment.

    ``name`` names the temporary folder (``screener-<name>-...``) and the database file;
    ``extra_env`` is added to the environment of the server and of :meth:`cli`.
    """

    def __init__(
        self,
        name: str,
        *,
        log_level: str = "warning",
        extra_env: dict[str, str] | None = None,
        stop_grace_s: float = 60.0,
    ) -> None:
        self.name = name
        self.log_level = log_level
        self.extra_env = dict(extra_env or {})
        self.stop_grace_s = stop_grace_s
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ""
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LocalServer:
        self._tmp = tempfile.TemporaryDirectory(prefix=f"screener-{self.name}-")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.stop()
        finally:
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None

    @property
    def folder(self) -> Path:
        if self._tmp is None:
            raise RuntimeError("LocalServer is used outside its with block")
        return Path(self._tmp.name)

    @property
    def log_path(self) -> Path:
        return self.folder / "server.log"

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the server is not started")
        return self._process.pid

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "SCREENER_DATABASE_URL": f"sqlite:///{self.folder / f'{self.name}.db'}",
            "SCREENER_ROLES_DIR": str(self.folder / "roles"),
            "SCREENER_EMBEDDING_CACHE_PATH": str(self.folder / "embeddings.sqlite"),
            **self.extra_env,
        }

    def cli(self, *args: str) -> dict[str, Any]:
        """``python -m screener.cli ARGS`` against this server's database; its JSON output."""
        out = subprocess.run(
            [sys.executable, "-m", "screener.cli", *args],
            cwd=REPO_ROOT, env=self.environment(), capture_output=True, check=True, text=True,
        )  # fmt: skip
        result: dict[str, Any] = json.loads(out.stdout)
        return result

    def start(self) -> None:
        """Start the server without waiting for it (see :meth:`wait_ready`)."""
        with self.log_path.open("wb") as out:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "api:create_app", "--host",
                 "127.0.0.1", "--port", str(self.port), "--log-level", self.log_level],
                cwd=REPO_ROOT, env=self.environment(), stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, limit_s: float = 180.0) -> None:
        """Poll ``/readyz``; exit with the log's tail if the server dies, or after ``limit_s``."""
        if self._process is None:
            raise RuntimeError("the server is not started")
        deadline = time.monotonic() + limit_s
        while True:
            if self._process.poll() is not None:
                raise SystemExit(self.log_path.read_text(errors="replace")[-3000:])
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not get ready in {limit_s:.0f} s")
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server (if running) and keep its whole log in :attr:`log`."""
        if self._process is None:
            return
        stop_process(self._process, self.stop_grace_s)
        self._process = None
        self.log = self.log_path.read_text(errors="replace")
