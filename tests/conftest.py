"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from embeddings import EmbeddingCache, EmbeddingModel

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def embedding_model() -> Iterator[EmbeddingModel]:
    """The real pinned model, verified against models.lock and loaded once per test session.

    fp32 on CPU so vectors are identical on every machine kind; an in-memory cache as in
    production (tests that count model calls use texts of their own).
    """
    model = EmbeddingModel(
        REPO_ROOT / "models.lock", device="cpu", batch_size=32, precision="fp32",
        cache=EmbeddingCache(max_items=10_000),
    )  # fmt: skip
    model.warm_up()
    yield model
