"""Content-addressed cache of embedding vectors, so a re-uploaded CV costs nothing.

Entries are keyed by ``sha256(namespace + NUL + text)``; the namespace names the model and
numeric precision (``EmbeddingModel.cache_namespace``), so vectors of another model are never
served. The cache holds an in-memory LRU and, optionally, a SQLite file that survives restarts.

The SQLite file stores hashes and vectors, never the text. Vectors derived from CV text are
still personal data: ``discard`` removes the entries of given texts (erasure requests) and
``clear`` empties the cache.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from embeddings.errors import EmbeddingsError

__all__ = ["EmbeddingCache"]

_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL) "
_SCHEMA += "WITHOUT ROWID"


class EmbeddingCache:
    """In-memory LRU of vectors with an optional SQLite file behind it; thread-safe.

    Args:
        max_items: most vectors kept in memory (384 float32 ≈ 1.5 KB each).
        path: SQLite file for a persistent cache; ``None`` keeps the cache in memory only.
            The file is opened on first use, not here.
    """

    def __init__(self, *, max_items: int = 50_000, path: str | Path | None = None) -> None:
        if max_items < 1:
            raise ValueError(f"max_items must be at least 1, got {max_items}.")
        self._max_items = max_items
        self._path = Path(path) if path is not None else None
        self._memory: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(namespace: str, text: str) -> bytes:
        """The cache key of ``text`` under ``namespace``."""
        return hashlib.sha256(f"{namespace}\0{text}".encode()).digest()

    def __len__(self) -> int:
        """Vectors held in memory."""
        return len(self._memory)

    def _db(self) -> sqlite3.Connection | None:
        if self._path is None:
            return None
        if self._connection is None:
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self._path, check_same_thread=False)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute(_SCHEMA)
                connection.commit()
            except sqlite3.Error as exc:
                raise EmbeddingsError(
                    f"Cannot open the embedding cache {str(self._path)!r}: {exc}. Delete the "
                    "file (it is only a cache) or point the cache path elsewhere."
                ) from exc
            self._connection = connection
        return self._connection

    def _remember(self, key: bytes, vector: np.ndarray) -> None:
        self._memory[key] = vector
        self._memory.move_to_end(key)
        while len(self._memory) > self._max_items:
            self._memory.popitem(last=False)

    def get_many(self, namespace: str, texts: Sequence[str]) -> list[np.ndarray | None]:
        """Cached vectors (read-only float32 arrays) of ``texts``, ``None`` where missing."""
        keys = [self.key(namespace, text) for text in texts]
        found: list[np.ndarray | None] = [None] * len(keys)
        with self._lock:
            missing: dict[bytes, list[int]] = {}
            for position, key in enumerate(keys):
                vector = self._memory.get(key)
                if vector is not None:
                    self._memory.move_to_end(key)
                    found[position] = vector
                else:
                    missing.setdefault(key, []).append(position)
            db = self._db()
            if db is not None and missing:
                wanted = list(missing)
                for start in range(0, len(wanted), 500):
                    batch = wanted[start : start + 500]
                    marks = ",".join("?" * len(batch))
                    rows = db.execute(
                        f"SELECT key, vector FROM vectors WHERE key IN ({marks})", batch
                    ).fetchall()
                    for key, blob in rows:
                        vector = np.frombuffer(blob, dtype="<f4").astype(np.float32)
                        vector.flags.writeable = False
                        self._remember(key, vector)
                        for position in missing[key]:
                            found[position] = vector
            hits = sum(vector is not None for vector in found)
            self.hits += hits
            self.misses += len(found) - hits
        return found

    def put_many(self, namespace: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store one vector per text (rows of ``vectors``)."""
        if len(texts) != len(vectors):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors.")
        rows = []
        with self._lock:
            for text, row in zip(texts, vectors, strict=True):
                vector = np.array(row, dtype=np.float32)
                vector.flags.writeable = False
                key = self.key(namespace, text)
                self._remember(key, vector)
                rows.append((key, vector.astype("<f4").tobytes()))
            db = self._db()
            if db is not None and rows:
                db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
                db.commit()

    def discard(self, namespace: str, texts: Sequence[str]) -> int:
        """Remove the entries of ``texts`` from memory and disk; returns how many were held."""
        keys = [self.key(namespace, text) for text in texts]
        removed = set()
        with self._lock:
            for key in keys:
                if self._memory.pop(key, None) is not None:
                    removed.add(key)
            db = self._db()
            if db is not None:
                for key in keys:
                    if db.execute("DELETE FROM vectors WHERE key = ?", (key,)).rowcount:
                        removed.add(key)
                db.commit()
        return len(removed)

    def clear(self) -> None:
        """Remove every entry, in memory and on disk."""
        with self._lock:
            self._memory.clear()
            db = self._db()
            if db is not None:
                db.execute("DELETE FROM vectors")
                db.commit()

    def close(self) -> None:
        """Close the SQLite file; the cache reopens it if used again."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
