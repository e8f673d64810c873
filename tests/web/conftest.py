"""The real app on loopback with a fresh SQLite database and two accounts, for the web pages.

``ada`` is an admin and ``rita`` a recruiter; ``signed_in(name)`` gives an httpx client that
signed in through the real form (CSRF cookie and token included).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api import create_app
from embeddings import EmbeddingModel
from screener.accounts import create_user
from screener.settings import Settings
from screener.store import make_engine, make_sessions, upgrade
from tests.api.conftest import running, service_settings
from tests.conftest import REPO_ROOT

PASSWORDS = {"ada": "ada-admin-passphrase", "rita": "rita-recruiter-passphrase"}
ROLES = {"ada": "admin", "rita": "recruiter"}
#: Screenshots and other files a person may want to look at after a run.
ARTIFACTS = REPO_ROOT / "test-artifacts" / "web"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class WebSite:
    url: str
    settings: Settings

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, timeout=120, headers={"Accept": "text/html"}, follow_redirects=True
        )

    @contextmanager
    def signed_in(self, username: str) -> Iterator[httpx.Client]:
        """A client that signed in as ``username`` through the real form."""
        with self.client() as client:
            form = client.get("/login")
            response = client.post(
                "/login",
                data={"username": username, "password": PASSWORDS[username],
                      "csrf_token": csrf_token(form.text)},
            )  # fmt: skip
            assert response.status_code == 200 and response.url.path == "/batches", response.text
            yield client


def csrf_token(html: str) -> str:
    """The CSRF token embedded in a page's forms."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def add_users(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_sessions(engine)() as session, session.begin():
        for name, password in PASSWORDS.items():
            create_user(session, username=name, password=password, role=ROLES[name])
    engine.dispose()


@contextmanager
def serving(model: EmbeddingModel, folder: Path) -> Iterator[WebSite]:
    """The app on loopback over a new SQLite database in ``folder``, with ada and rita."""
    settings = service_settings(f"sqlite:///{folder / 'screener.db'}", folder)
    add_users(settings)
    with running(create_app(settings, model=model)) as url:
        yield WebSite(url, settings)


@pytest.fixture(scope="session")
def web_site(
    embedding_model: EmbeddingModel, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebSite]:
    with serving(embedding_model, tmp_path_factory.mktemp("web")) as site:
        yield site
