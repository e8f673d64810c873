"""Array search functions and the FAISS-backed VectorIndex."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embeddings import (
    IndexKind,
    VectorIndex,
    VectorIndexError,
    max_similarity_per_target,
    top_k,
)

DIM = 32


def unit_vectors(count: int, seed: int, dimension: int = DIM) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_top_k_orders_by_score_and_breaks_ties_by_index() -> None:
    matrix = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    scores, indices = top_k(np.array([[0.0, 1.0]]), matrix, k=3)
    np.testing.assert_array_equal(indices, [[0, 2, 3]])
    np.testing.assert_allclose(scores, [[1.0, 1.0, 0.8]])
    assert top_k(np.array([[0.0, 1.0]]), matrix, k=10)[1].shape == (1, 4)


def test_max_similarity_per_target_returns_best_chunk_per_target() -> None:
    chunks = np.array([[1.0, 0.0], [0.0, 1.0], [0.8, 0.6]], dtype=np.float32)
    targets = np.array([[0.0, 1.0], [1.0, 0.0], [0.6, 0.8]], dtype=np.float32)
    scores, indices = max_similarity_per_target(chunks, targets)
    np.testing.assert_array_equal(indices, [1, 0, 2])
    np.testing.assert_allclose(scores, [1.0, 1.0, 0.96], atol=1e-6)
    empty_scores, empty_indices = max_similarity_per_target(np.empty((0, 2)), targets)
    assert np.all(np.isneginf(empty_scores)) and np.all(empty_indices == -1)


def test_flat_and_hnsw_agree_on_top1_for_random_unit_vectors() -> None:
    vectors = unit_vectors(3000, seed=1)
    ids = np.arange(1000, 4000)
    queries = vectors[::30] + 0.05 * unit_vectors(100, seed=2)
    flat = VectorIndex(DIM, hnsw_threshold=10**6)
    hnsw = VectorIndex(DIM, hnsw_threshold=1000)
    flat.add(ids, vectors)
    hnsw.add(ids, vectors)
    assert flat.kind is IndexKind.FLAT and hnsw.kind is IndexKind.HNSW
    flat_scores, flat_ids = flat.search(queries, k=5)
    hnsw_scores, hnsw_ids = hnsw.search(queries, k=5)
    np.testing.assert_array_equal(hnsw_ids[:, 0], flat_ids[:, 0])
    np.testing.assert_allclose(hnsw_scores[:, 0], flat_scores[:, 0], atol=1e-5)
    exact_scores, exact_rows = top_k(queries, vectors, k=5)
    np.testing.assert_array_equal(flat_ids, ids[exact_rows])


def test_index_switches_to_hnsw_when_add_crosses_threshold() -> None:
    index = VectorIndex(DIM, hnsw_threshold=500)
    index.add(np.arange(400), unit_vectors(400, seed=3))
    assert index.kind is IndexKind.FLAT
    index.add(np.arange(400, 600), unit_vectors(200, seed=4))
    assert index.kind is IndexKind.HNSW and len(index) == 600


# every kind of index; the IVF one probes all its lists, so its results are exact here
KINDS = {
    "flat": {"hnsw_threshold": 10**6, "ivf_threshold": 10**7},
    "hnsw": {"hnsw_threshold": 100, "ivf_threshold": 10**7},
    "ivf": {"hnsw_threshold": 50, "ivf_threshold": 100, "ivf_probe": 10**4},
}


@pytest.mark.parametrize("options", KINDS.values(), ids=KINDS.keys())
def test_remove_by_id_erases_vector_from_results(options: dict[str, int]) -> None:
    vectors = unit_vectors(400, seed=5)
    index = VectorIndex(DIM, **options)
    index.add(np.arange(400) * 10, vectors)
    _, before = index.search(vectors[7], k=1)
    assert before[0, 0] == 70
    assert index.remove([70, 70, 99999]) == 1
    assert 70 not in index and len(index) == 399
    _, after = index.search(vectors[7], k=400)
    assert 70 not in after
    assert sorted(after[0][after[0] >= 0].tolist()) == [i * 10 for i in range(400) if i != 7]
    index.add([70], vectors[7])  # the id can be reused after removal
    assert index.search(vectors[7], k=1)[1][0, 0] == 70


@pytest.mark.parametrize("options", KINDS.values(), ids=KINDS.keys())
def test_vectors_come_back_in_the_order_of_the_live_ids(options: dict[str, int]) -> None:
    vectors = unit_vectors(400, seed=6)
    index = VectorIndex(DIM, **options)
    index.add(np.arange(400) * 10, vectors)
    index.remove([30, 3990])
    kept = [i for i in range(400) if i not in (3, 399)]
    np.testing.assert_array_equal(index.ids, np.array(kept) * 10)
    np.testing.assert_allclose(index.vectors(), vectors[kept], atol=1e-6)
    assert VectorIndex(DIM).vectors().shape == (0, DIM)


def test_index_switches_to_ivf_when_add_crosses_its_threshold() -> None:
    index = VectorIndex(DIM, hnsw_threshold=100, ivf_threshold=1000)
    vectors = unit_vectors(1200, seed=18)
    index.add(np.arange(600), vectors[:600])
    assert index.kind is IndexKind.HNSW
    index.add(np.arange(600, 1200), vectors[600:])
    assert index.kind is IndexKind.IVF and len(index) == 1200
    scores, ids = index.search(vectors[:50], k=1)
    np.testing.assert_array_equal(ids[:, 0], np.arange(50))  # each vector finds itself
    np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-5)


def test_ivf_removal_erases_the_vector_inside_its_list() -> None:
    index = VectorIndex(DIM, hnsw_threshold=50, ivf_threshold=100)
    vectors = unit_vectors(300, seed=19)
    index.add(np.arange(300), vectors)
    lists = index._index.invlists
    index.remove([42])
    stored = np.concatenate(
        [
            np.frombuffer(bytes(faiss_codes(lists, number)), dtype=np.float32).reshape(-1, DIM)
            for number in range(lists.nlist)
        ]
    )
    assert len(stored) == 299
    assert not np.any(np.all(np.isclose(stored, vectors[42]), axis=1))


def faiss_codes(lists: Any, number: int) -> np.ndarray:
    import faiss

    size = lists.list_size(number) * lists.code_size
    return np.asarray(faiss.rev_swig_ptr(lists.get_codes(number), size))


def test_hnsw_rebuilds_as_flat_when_most_vectors_removed() -> None:
    index = VectorIndex(DIM, hnsw_threshold=200)
    vectors = unit_vectors(300, seed=6)
    index.add(np.arange(300), vectors)
    index.remove(np.arange(150))
    assert index.kind is IndexKind.FLAT and len(index) == 150
    np.testing.assert_array_equal(index.search(vectors[200], k=1)[1], [[200]])


def test_search_pads_when_fewer_vectors_than_k() -> None:
    index = VectorIndex(DIM)
    scores, ids = index.search(unit_vectors(1, seed=7), k=3)
    assert ids.tolist() == [[-1, -1, -1]] and np.all(np.isneginf(scores))
    index.add([5], unit_vectors(1, seed=8))
    assert index.search(unit_vectors(1, seed=9), k=3)[1].tolist() == [[5, -1, -1]]


def test_add_refuses_duplicate_ids_and_wrong_dimension() -> None:
    index = VectorIndex(DIM)
    index.add([1, 2], unit_vectors(2, seed=10))
    with pytest.raises(VectorIndexError, match="already in the index: \\[2\\]"):
        index.add([2, 3], unit_vectors(2, seed=11))
    with pytest.raises(VectorIndexError, match="shape"):
        index.add([4], unit_vectors(1, seed=12, dimension=DIM + 1))


@pytest.mark.parametrize("options", KINDS.values(), ids=KINDS.keys())
def test_save_and_load_round_trip_gives_same_results(
    tmp_path: Path, options: dict[str, int]
) -> None:
    vectors = unit_vectors(300, seed=13)
    index = VectorIndex(DIM, **options)
    index.add(np.arange(300) + 7, vectors)
    index.remove([10])
    path = index.save(tmp_path)
    assert path.name == f"{index.content_hash}.faissidx"
    assert index.save(tmp_path) == path  # same content, same name
    loaded = VectorIndex.load(path)
    assert loaded.kind is index.kind and len(loaded) == 299 and 10 not in loaded
    queries = unit_vectors(20, seed=14)
    for expected, actual in zip(index.search(queries, 5), loaded.search(queries, 5), strict=True):
        np.testing.assert_array_equal(expected, actual)


def test_load_refuses_modified_file(tmp_path: Path) -> None:
    index = VectorIndex(DIM)
    index.add(np.arange(50), unit_vectors(50, seed=15))
    path = index.save(tmp_path)
    other = index.save(tmp_path / "other")
    renamed = tmp_path / "ffffffffffffffff.faissidx"  # valid archive, content of another hash
    other.rename(renamed)
    with pytest.raises(VectorIndexError, match=f"content hash {path.stem}, its name says ffff"):
        VectorIndex.load(renamed)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(VectorIndexError, match=path.stem):
        VectorIndex.load(path)
    truncated = tmp_path / "0123456789abcdef.faissidx"
    truncated.write_bytes(bytes(data[:100]))
    with pytest.raises(VectorIndexError, match="Cannot read"):
        VectorIndex.load(truncated)


def test_hnsw_build_is_deterministic() -> None:
    vectors = unit_vectors(1500, seed=16)
    queries = unit_vectors(50, seed=17)
    results = []
    for _ in range(2):
        index = VectorIndex(DIM, hnsw_threshold=100, ef_search=16)
        index.add(np.arange(1500), vectors)
        results.append(index.search(queries, 10))
    np.testing.assert_array_equal(results[0][1], results[1][1])
    np.testing.assert_array_equal(results[0][0], results[1][0])
