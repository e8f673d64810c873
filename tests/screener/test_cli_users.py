"""`screener users`: an admin creates, lists and disables web accounts from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from screener.accounts import sign_in
from screener.store import make_engine, make_sessions


def _users(database: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "screener.cli", "users", *args],
        input=stdin, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "SCREENER_DATABASE_URL": database},
    )  # fmt: skip


def test_users_are_created_listed_and_disabled_and_bad_input_exits_1(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'screener.db'}"
    created = _users(database, "create", "ada", "--role", "admin", "--password-stdin",
                     stdin="a long admin passphrase\n")  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["role"] == "admin"

    short = _users(database, "create", "bob", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    taken = _users(database, "create", "ada", "--password-stdin", stdin="another passphrase\n")
    assert taken.returncode == 1 and "taken" in taken.stderr

    listed = [json.loads(line) for line in _users(database, "list").stdout.splitlines()]
    assert [(u["username"], u["role"], u["disabled"]) for u in listed] == [("ada", "admin", False)]

    engine = make_engine(database)
    with make_sessions(engine)() as session, session.begin():
        assert sign_in(session, username="ada", password="a long admin passphrase") is not None
    assert _users(database, "disable", "ada").returncode == 0
    assert _users(database, "disable", "nobody").returncode == 1
    with make_sessions(engine)() as session, session.begin():
        assert sign_in(session, username="ada", password="a long admin passphrase") is None
    engine.dispose()
