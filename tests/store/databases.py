"""Test databases: a SQLite file, or a PostgreSQL schema of its own dropped afterwards.

PostgreSQL runs on 127.0.0.1:5432 (trust auth, database ``test``) on this machine kind and in
CI; ``SCREENER_TEST_POSTGRES_URL`` points elsewhere.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

__all__ = ["BACKENDS", "POSTGRES_URL", "database_url"]

POSTGRES_URL = os.environ.get(
    "SCREENER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


@contextmanager
def database_url(backend: str, folder: Path) -> Iterator[str]:
    """A SQLAlchemy URL of an empty database for ``backend``; removed on exit."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'screener-{uuid.uuid4().hex[:8]}.db'}"
        return
    schema = f"screener_test_{uuid.uuid4().hex[:12]}"
    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
