"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from embeddings import EmbeddingCache, EmbeddingModel

if TYPE_CHECKING:
    from screener.pipeline import ScreeningPipeline

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


@pytest.fixture(scope="session")
def screening_pipeline(
    embedding_model: EmbeddingModel, tmp_path_factory: pytest.TempPathFactory
) -> ScreeningPipeline:
    """The screening pipeline (seed roles, skill vectors, thresholds) over the session's model."""
    from screener.pipeline import ScreeningPipeline
    from screener.settings import EmbeddingSettings, Settings

    settings = Settings(
        embeddings=EmbeddingSettings(index_dir=tmp_path_factory.mktemp("screening-index"))
    )
    return ScreeningPipeline.create(settings, model=embedding_model)
