"""Similarity search over unit vectors: pure array functions and a FAISS-backed index.

All vectors are expected L2-normalised, so inner product is cosine similarity.

``VectorIndex`` picks its FAISS structure from its size (``python -m benchmarks.pool_search``,
synthetic clustered 384-d vectors, one query single-threaded, 2 cores):

- below ``hnsw_threshold`` vectors (default 200 000): ``IndexFlatIP``, exact brute force — one
  query on 100 000 vectors costs about 17 ms; exactness is free at that size;
- from ``hnsw_threshold`` on: ``IndexHNSWFlat`` with inner product, sub-linear query time
  (1.4 ms at 100 000) but approximate: recall@10 against exact search was 0.95 at 10 000 and
  0.73 at 100 000 of these hard, near-uniform vectors; raise ``ef_search``/``ef_construction``
  where recall matters more;
- from ``ivf_threshold`` on (default 500 000): ``IndexIVFFlat`` with 4·√n inverted lists, trained
  on a seeded sample, ``ivf_probe`` (64) lists searched per query. At 1 000 000 vectors: 3.4 ms
  p50 / 4.1 ms p95, recall@10 0.95, built in 39 s; HNSW there took 560 s to build (two
  threads) and recalled 0.23, exact search took 154 ms.

The switch happens on the ``add`` that crosses a threshold, by rebuilding from the vectors the
index holds (no second copy is kept); every later rebuild chooses the kind again by size.

Removal: the flat index compacts immediately. HNSW cannot delete graph nodes, so a removed
vector is zeroed inside the index (its content is gone: erasure holds, also in saved files) and
excluded from every search; the index is rebuilt without it once a quarter of the nodes are
removed. IVF zeroes the vector inside its inverted list and then drops it from the list; a
quarter removed retrains the lists. HNSW graphs are built single-threaded so that the same
vectors added in the same order give the same graph and the same results.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import tempfile
import zipfile
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from embeddings._threads import threads_set_to
from embeddings.errors import VectorIndexError

__all__ = ["IndexKind", "VectorIndex", "max_similarity_per_target", "top_k"]

_FORMAT_VERSION = 1
_REBUILD_FRACTION = 0.25
_SINGLE_THREAD_QUERIES = 8
_IVF_TRAINING = 100_000  # k-means sample: enough for a few thousand lists, seconds to train


def _as_matrix(vectors: Any, name: str, dimension: int | None = None) -> np.ndarray:
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2 or (dimension is not None and array.shape[1] != dimension):
        expected = f"(n, {dimension})" if dimension is not None else "(n, d)"
        raise ValueError(f"{name} must have shape {expected}, got {array.shape}.")
    return array


def top_k(queries: np.ndarray, matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k rows of ``matrix`` by inner product for each query.

    Args:
        queries: ``(q, d)`` (or ``(d,)``).
        matrix: ``(n, d)``.
        k: results per query; clipped to ``n``.

    Returns:
        ``(scores, indices)``, both ``(q, min(k, n))``, best first; ties broken by lower index.
    """
    queries = _as_matrix(queries, "queries")
    matrix = _as_matrix(matrix, "matrix", queries.shape[1])
    k = min(k, matrix.shape[0])
    if k <= 0:
        return np.empty((len(queries), 0), np.float32), np.empty((len(queries), 0), np.int64)
    scores = queries @ matrix.T
    indices = np.empty((len(queries), k), dtype=np.int64)
    for row, row_scores in enumerate(scores):
        # Everything scoring at least the k-th best (ties included), then sorted by score and,
        # on equal scores, by index: deterministic without sorting the whole row.
        kth = np.partition(row_scores, len(row_scores) - k)[len(row_scores) - k]
        candidates = np.flatnonzero(row_scores >= kth)
        order = np.lexsort((candidates, -row_scores[candidates]))[:k]
        indices[row] = candidates[order]
    return np.take_along_axis(scores, indices, axis=1), indices


def max_similarity_per_target(
    chunk_vecs: np.ndarray, target_vecs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each target (e.g. a skill vector), the most similar chunk.

    Returns:
        ``(best_score, best_index)``, each of length ``len(target_vecs)``: the cosine of the
        best chunk and its row in ``chunk_vecs`` (the first on ties). Without chunks the score
        is ``-inf`` and the index ``-1``.
    """
    target_vecs = _as_matrix(target_vecs, "target_vecs")
    chunk_vecs = _as_matrix(chunk_vecs, "chunk_vecs", target_vecs.shape[1])
    if len(chunk_vecs) == 0:
        return (
            np.full(len(target_vecs), -np.inf, dtype=np.float32),
            np.full(len(target_vecs), -1, dtype=np.int64),
        )
    similarity = chunk_vecs @ target_vecs.T
    best_index = np.argmax(similarity, axis=0)
    best_score = similarity[best_index, np.arange(len(target_vecs))]
    return best_score.astype(np.float32), best_index.astype(np.int64)


class IndexKind(StrEnum):
    FLAT = "flat"
    HNSW = "hnsw"
    IVF = "ivf"


_KIND_ORDER = (IndexKind.FLAT, IndexKind.HNSW, IndexKind.IVF)  # by the pool size they suit


def _single_thread() -> contextlib.AbstractContextManager[None]:
    import faiss

    return threads_set_to(1, get=faiss.omp_get_max_threads, set_to=faiss.omp_set_num_threads)


@contextlib.contextmanager
def _unchanged() -> Iterator[None]:
    yield


class VectorIndex:
    """Inner-product index of unit vectors under caller-chosen int64 ids.

    Args:
        dimension: vector length (384 for the pinned model).
        hnsw_threshold: from this many vectors on, use HNSW instead of exact search.
        hnsw_m: HNSW links per node.
        ef_construction: HNSW build breadth (higher: better graph, slower build).
        ef_search: HNSW search breadth (higher: better recall, slower query).
        ivf_threshold: from this many vectors on, use IVF (inverted lists) instead of HNSW.
        ivf_probe: inverted lists searched per query (higher: better recall, slower query).
    """

    def __init__(
        self,
        dimension: int,
        *,
        hnsw_threshold: int = 200_000,
        hnsw_m: int = 32,
        ef_construction: int = 64,
        ef_search: int = 200,
        ivf_threshold: int = 500_000,
        ivf_probe: int = 64,
    ) -> None:
        if dimension < 1 or hnsw_threshold < 1 or hnsw_m < 2 or ef_construction < 1:
            raise ValueError("dimension, hnsw_threshold, ef_construction ≥ 1 and hnsw_m ≥ 2.")
        if ef_search < 1 or ivf_threshold < 1 or ivf_probe < 1:
            raise ValueError(
                f"ef_search, ivf_threshold and ivf_probe must be at least 1, got {ef_search}, "
                f"{ivf_threshold}, {ivf_probe}."
            )
        self.dimension = dimension
        self.hnsw_threshold = hnsw_threshold
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self.ivf_threshold = ivf_threshold
        self.ivf_probe = ivf_probe
        self._kind = IndexKind.FLAT
        self._index: Any = None  # built on first add
        self._ids = np.empty(0, dtype=np.int64)  # FAISS position -> caller id
        self._positions: dict[int, int] = {}  # caller id -> FAISS position, live only
        self._removed: set[int] = set()  # FAISS positions removed from an HNSW graph

    # -- state -------------------------------------------------------------------------------

    @property
    def kind(self) -> IndexKind:
        return self._kind

    def __len__(self) -> int:
        return len(self._positions)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._positions

    @property
    def ids(self) -> np.ndarray:
        """Live ids, in insertion order."""
        return np.array(sorted(self._positions, key=self._positions.__getitem__), dtype=np.int64)

    def vectors(self) -> np.ndarray:
        """A copy of the live vectors, one row per id of ``ids`` in that order."""
        order = sorted(self._positions.values())
        return self._live_vectors(order)

    def _kind_for(self, size: int) -> IndexKind:
        if size >= self.ivf_threshold:
            return IndexKind.IVF
        return IndexKind.HNSW if size >= self.hnsw_threshold else IndexKind.FLAT

    def _new_faiss_index(self, kind: IndexKind, training: np.ndarray | None = None) -> Any:
        import faiss

        if kind is IndexKind.FLAT:
            return faiss.IndexFlatIP(self.dimension)
        if kind is IndexKind.IVF:
            return self._new_ivf(training if training is not None else np.empty((0, 0)))
        index = faiss.IndexHNSWFlat(self.dimension, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.ef_construction
        index.hnsw.efSearch = self.ef_search
        return index

    def _new_ivf(self, vectors: np.ndarray) -> Any:
        """Inverted lists (4·√n of them) trained on a fixed sample of ``vectors``."""
        import faiss

        lists = max(16, int(4 * math.sqrt(max(len(vectors), 1))))
        quantizer: Any = faiss.IndexFlatIP(self.dimension)
        index = faiss.IndexIVFFlat(quantizer, self.dimension, lists, faiss.METRIC_INNER_PRODUCT)
        quantizer.this.disown()
        index.own_fields = True
        if len(vectors):
            # a seeded sample: the same vectors give the same lists
            rng = np.random.default_rng(0)
            take = min(len(vectors), max(_IVF_TRAINING, 40 * lists))
            sample = vectors[np.sort(rng.choice(len(vectors), take, replace=False))]
            index.train(sample)
        index.nprobe = self.ivf_probe
        # ids are FAISS positions; the hash map lets removal find and erase them
        direct_map: Any = faiss.DirectMap  # type: ignore[attr-defined]
        index.set_direct_map_type(direct_map.Hashtable)
        return index

    def _stored_vectors(self) -> np.ndarray:
        """A writable view of the vectors inside a flat or HNSW index, by position."""
        import faiss

        if self._index is None or self._index.ntotal == 0:
            return np.empty((0, self.dimension), dtype=np.float32)
        holder = self._index if self._kind is IndexKind.FLAT else self._index.storage
        flat: Any = faiss.downcast_index(holder)
        count = self._index.ntotal
        return faiss.rev_swig_ptr(flat.get_xb(), count * self.dimension).reshape(
            count, self.dimension
        )

    def _live_vectors(self, positions: list[int]) -> np.ndarray:
        if not positions:
            return np.empty((0, self.dimension), dtype=np.float32)
        if self._kind is IndexKind.IVF:
            keys = np.asarray(positions, dtype=np.int64)
            return np.asarray(self._index.reconstruct_batch(keys), dtype=np.float32)
        return self._stored_vectors()[positions].copy()

    def _rebuild(
        self, extra_ids: np.ndarray | None = None, extra: np.ndarray | None = None
    ) -> None:
        """Rebuild from live vectors (plus new ones), choosing the kind from the size."""
        live = sorted(self._positions.values())
        vectors = self._live_vectors(live)
        ids = self._ids[live]
        if extra is not None and extra_ids is not None:
            vectors = np.concatenate([vectors, extra])
            ids = np.concatenate([ids, extra_ids])
        kind = self._kind_for(len(ids))
        index = self._new_faiss_index(kind, vectors)
        self._add_to(index, kind, vectors, 0)
        self._index, self._kind, self._ids = index, kind, ids
        self._positions = {int(item_id): position for position, item_id in enumerate(ids)}
        self._removed = set()

    @staticmethod
    def _add_to(index: Any, kind: IndexKind, vectors: np.ndarray, start: int) -> None:
        if len(vectors) == 0:
            return
        if kind is IndexKind.HNSW:
            with _single_thread():
                index.add(vectors)
        elif kind is IndexKind.IVF:
            index.add_with_ids(vectors, np.arange(start, start + len(vectors), dtype=np.int64))
        else:
            index.add(vectors)

    def _erase_ivf(self, positions: list[int]) -> None:
        """Zero the vectors inside their inverted lists, then drop them from the lists."""
        import faiss

        lists = self._index.invlists
        for position in positions:
            located = self._index.direct_map.get(position)
            number, offset = located >> 32, located & 0xFFFFFFFF  # faiss's lo_listno/lo_offset
            size = lists.code_size
            codes = faiss.rev_swig_ptr(lists.get_codes(number), lists.list_size(number) * size)
            codes[offset * size : (offset + 1) * size] = 0
        self._index.remove_ids(faiss.IDSelectorArray(np.asarray(positions, dtype=np.int64)))

    # -- mutation ----------------------------------------------------------------------------

    def add(self, ids: Any, vectors: Any) -> None:
        """Add vectors under new ids.

        Raises:
            VectorIndexError: an id is already present or repeated, or shapes disagree.
        """
        ids_array = np.asarray(ids, dtype=np.int64).reshape(-1)
        try:
            matrix = _as_matrix(vectors, "vectors", self.dimension)
        except ValueError as exc:
            raise VectorIndexError(str(exc)) from exc
        if len(ids_array) != len(matrix):
            raise VectorIndexError(f"{len(ids_array)} ids but {len(matrix)} vectors.")
        if len(np.unique(ids_array)) != len(ids_array):
            raise VectorIndexError("Ids in one add() call must be distinct.")
        present = [int(i) for i in ids_array if int(i) in self._positions]
        if present:
            raise VectorIndexError(f"Ids already in the index: {present[:10]}; remove them first.")
        if len(matrix) == 0:
            return
        grown = self._kind_for(len(self) + len(matrix))
        grows_past = _KIND_ORDER.index(grown) > _KIND_ORDER.index(self._kind)
        if self._index is None or grows_past:
            self._rebuild(ids_array, matrix)
            return
        start = len(self._ids)
        self._add_to(self._index, self._kind, matrix, start)
        self._ids = np.concatenate([self._ids, ids_array])
        for offset, item_id in enumerate(ids_array):
            self._positions[int(item_id)] = start + offset

    def remove(self, ids: Any) -> int:
        """Remove vectors by id (unknown ids are ignored); returns how many were removed.

        The vector content is gone from memory once this returns (erasure).
        """
        positions = [
            self._positions.pop(int(i)) for i in np.asarray(ids, dtype=np.int64).reshape(-1)
            if int(i) in self._positions
        ]  # fmt: skip
        if not positions:
            return 0
        if self._kind is IndexKind.IVF:
            self._erase_ivf(positions)
            if len(self._positions) <= (1 - _REBUILD_FRACTION) * len(self._ids):
                self._rebuild()
            return len(positions)
        self._stored_vectors()[positions] = 0.0
        if self._kind is IndexKind.FLAT:
            self._rebuild()
        else:
            self._removed.update(positions)
            if len(self._removed) >= _REBUILD_FRACTION * self._index.ntotal:
                self._rebuild()
        return len(positions)

    # -- search ------------------------------------------------------------------------------

    def search(self, queries: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` most similar live vectors per query.

        Returns:
            ``(scores, ids)``, both ``(q, k)``, best first (the order of ``top_k`` and FAISS);
            where fewer than ``k`` vectors exist, rows are padded with score ``-inf``, id ``-1``.
        """
        import faiss

        matrix = _as_matrix(queries, "queries", self.dimension)
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}.")
        ids = np.full((len(matrix), k), -1, dtype=np.int64)
        scores = np.full((len(matrix), k), -np.inf, dtype=np.float32)
        if self._index is None or len(self) == 0 or len(matrix) == 0:
            return scores, ids
        fetch = min(k, len(self._ids))
        params: Any = None
        if self._kind is IndexKind.HNSW:
            search_parameters: Any = faiss.SearchParametersHNSW  # type: ignore[attr-defined]
            params = search_parameters(efSearch=max(self.ef_search, fetch))
            if self._removed:
                # The selector objects must outlive the search call.
                removed = np.fromiter(sorted(self._removed), dtype=np.int64)
                batch = faiss.IDSelectorBatch(removed)
                selector = faiss.IDSelectorNot(batch)
                params.sel = selector
        # OpenMP fan-out costs more than it saves on a handful of queries (13 ms against 1 ms
        # for one query on 10k vectors, 2 cores); the thread count is process-wide, so a
        # concurrent search may briefly run single-threaded too — slower, never wrong.
        threads = _single_thread() if len(matrix) <= _SINGLE_THREAD_QUERIES else _unchanged()
        with threads:
            found_scores, positions = self._index.search(matrix, fetch, params=params)
        valid = positions >= 0
        ids[:, :fetch] = np.where(valid, self._ids[np.where(valid, positions, 0)], -1)
        scores[:, :fetch] = np.where(valid, found_scores, -np.inf)
        return scores, ids

    # -- persistence -------------------------------------------------------------------------

    def _payload(self) -> dict[str, np.ndarray]:
        import faiss

        meta = {
            "format": _FORMAT_VERSION,
            "kind": self._kind.value,
            "dimension": self.dimension,
            "hnsw_threshold": self.hnsw_threshold,
            "hnsw_m": self.hnsw_m,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search,
            "ivf_threshold": self.ivf_threshold,
            "ivf_probe": self.ivf_probe,
        }
        index = self._index if self._index is not None else self._new_faiss_index(IndexKind.FLAT)
        live = np.zeros(len(self._ids), dtype=bool)
        live[list(self._positions.values())] = True
        return {
            "meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
            "index": faiss.serialize_index(index),
            "ids": self._ids,
            "live": live,
        }

    @staticmethod
    def _hash(payload: dict[str, np.ndarray]) -> str:
        digest = hashlib.sha256()
        for name in sorted(payload):
            array = np.ascontiguousarray(payload[name])
            digest.update(f"{name}:{array.dtype.str}:{array.shape}\n".encode())
            digest.update(array.tobytes())
        return digest.hexdigest()[:16]

    @property
    def content_hash(self) -> str:
        """Short sha256 of the index content; the file name ``save`` uses."""
        return self._hash(self._payload())

    def save(self, directory: str | Path) -> Path:
        """Write the index to ``directory/<content_hash>.faissidx`` atomically; returns the path.

        Saving the same content twice writes the same file name, so callers can key caches on it.
        """
        payload = self._payload()
        target = Path(directory) / f"{self._hash(payload)}.faissidx"
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                np.savez(stream, allow_pickle=False, **payload)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target

    @classmethod
    def load(cls, path: str | Path) -> VectorIndex:
        """Read an index written by ``save``; its content must match the hash in its name.

        Raises:
            VectorIndexError: the file is missing, unreadable, truncated or was modified.
        """
        import faiss

        path = Path(path)
        try:
            with np.load(io.BytesIO(path.read_bytes()), allow_pickle=False) as archive:
                payload = {name: archive[name] for name in ("meta", "index", "ids", "live")}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise VectorIndexError(f"Cannot read vector index {str(path)!r}: {exc}") from exc
        actual = cls._hash(payload)
        if actual != path.stem:
            raise VectorIndexError(
                f"Vector index {str(path)!r} has content hash {actual}, its name says "
                f"{path.stem}: the file was modified or truncated. Rebuild it from the vectors."
            )
        meta = json.loads(payload["meta"].tobytes())
        if meta.get("format") != _FORMAT_VERSION:
            raise VectorIndexError(
                f"Vector index {str(path)!r} has format {meta.get('format')}, this code reads "
                f"{_FORMAT_VERSION}. Rebuild it."
            )
        index = cls(
            meta["dimension"],
            hnsw_threshold=meta["hnsw_threshold"],
            hnsw_m=meta["hnsw_m"],
            ef_construction=meta["ef_construction"],
            ef_search=meta["ef_search"],
            ivf_threshold=meta.get("ivf_threshold", 500_000),
            ivf_probe=meta.get("ivf_probe", 64),
        )
        try:
            index._index = faiss.deserialize_index(payload["index"])
        except RuntimeError as exc:
            raise VectorIndexError(f"Vector index {str(path)!r} is corrupt: {exc}") from exc
        index._kind = IndexKind(meta["kind"])
        index._ids = payload["ids"].astype(np.int64)
        live = payload["live"].astype(bool)
        index._positions = {int(index._ids[p]): int(p) for p in np.flatnonzero(live)}
        stored = len(index._ids)
        if index._kind is IndexKind.IVF:
            index._index.nprobe = index.ivf_probe
            stored = len(index._positions)  # removed vectors left the inverted lists
        else:
            index._removed = {int(p) for p in np.flatnonzero(~live)}
        if index._index.ntotal != stored or index._index.d != index.dimension:
            raise VectorIndexError(f"Vector index {str(path)!r} is inconsistent; rebuild it.")
        return index
