"""A real uvicorn server on loopback per database backend, called with httpx.

The app gets the session's embedding model (loaded once); each backend gets a fresh database
and API keys for every scope.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api import create_app
from embeddings import EmbeddingModel
from screener.service import Scope, create_api_key
from screener.settings import DocumentLimits, EmbeddingSettings, Settings
from screener.store import make_engine, make_sessions, upgrade
from tests.conftest import REPO_ROOT
from tests.store.databases import BACKENDS, database_url

CV_DIR = REPO_ROOT.parent / "shared" / "data" / "layout-diverse-cv-pdfs"
SMALL_CVS = (
    "resumematcher_john_doe.pdf",
    "deedy_resume_openfont.pdf",
    "resumematcher_harvey_dent_mle.pdf",
    "sb2nov_sourabh_bajaj_resume.pdf",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_settings(database: str, folder: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database,
        "documents": DocumentLimits(max_bytes=2 * 1024 * 1024, timeout_s=60),
        "embeddings": EmbeddingSettings(
            lock_path=REPO_ROOT / "models.lock", cache_path=None, precision="fp32"
        ),
        "roles_dir": folder / "roles",
        "api_parsers": 1,
        "batch_workers": 1,
        "upload_max_files": 20,
        "upload_max_bytes": 8 * 1024 * 1024,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class Service:
    url: str
    settings: Settings
    keys: dict[str, str]

    def client(self, scope: str | None = "admin") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[scope]}"} if scope else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test process keeps its own handlers
        return None


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve ``app`` with a real uvicorn on a free loopback port; yields its base URL."""
    port = free_port()
    server = _ThreadServer(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive(), "the server did not start"
        assert time.monotonic() < deadline, "the server did not start in 120 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(60)


def make_keys(settings: Settings) -> dict[str, str]:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    keys = {}
    with make_sessions(engine)() as session, session.begin():
        pepper = settings.api_key_pepper.get_secret_value()
        for scope in Scope:
            _, keys[scope.value] = create_api_key(
                session, name=f"test {scope.value}", scopes=[scope], pepper=pepper
            )
    engine.dispose()
    return keys


@pytest.fixture(scope="session", params=BACKENDS)
def service(
    request: pytest.FixtureRequest,
    embedding_model: EmbeddingModel,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp(f"service-{request.param}")
    with database_url(request.param, folder) as url:
        settings = service_settings(url, folder)
        keys = make_keys(settings)
        with running(create_app(settings, model=embedding_model)) as url:
            yield Service(url, settings, keys)


@pytest.fixture(scope="session")
def cv_bytes() -> dict[str, bytes]:
    return {name: (CV_DIR / name).read_bytes() for name in SMALL_CVS}
