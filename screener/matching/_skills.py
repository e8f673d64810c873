"""Role skills as vectors: every skill of every role, kept in one FAISS index file.

Each skill is embedded from two texts — its one-line description with its name, and its name with
its aliases — so a CV chunk that paraphrases the skill meets at least one of them. The index is
built once per (model, role set) and saved next to the embedding cache under a name that holds
both hashes, so a restart loads it instead of encoding again. A CV's chunks are compared with
all skill vectors at once (one matrix product: ~45 chunks against a few hundred skill texts need
no index, and FAISS's threads only fought the encoder's for the cores).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from embeddings import EmbeddingModel, VectorIndex, VectorIndexError
from rubrics import Role, RoleSet

__all__ = ["SkillVectors", "skill_texts"]

logger = logging.getLogger(__name__)

_ALIASES_IN_TEXT = 8  # enough variants to anchor the vector, short enough to stay focused


def skill_texts(name: str, description: str, aliases: list[str]) -> tuple[str, str]:
    """The two texts a skill is embedded from."""
    variants = [a for a in aliases if a.casefold() != name.casefold()][:_ALIASES_IN_TEXT]
    listed = f"{name} ({', '.join(variants)})" if variants else name
    return f"{name}: {description}", listed


class SkillVectors:
    """Vectors of every distinct skill in a role set.

    A skill id means the same skill in every role (the role files guarantee it), so a skill
    shared by several roles is embedded once.
    """

    def __init__(
        self, index: VectorIndex, rows: list[str], key: str, text_hashes: dict[str, str]
    ) -> None:
        self._rows = rows  # vector id -> skill id
        ids = index.ids
        self._vectors = index.vectors()  # row j is vector id ids[j]
        # columns of the similarity matrix grouped by skill, in ``skill_ids`` order, for one
        # maximum per skill over its texts
        column = {skill_id: i for i, skill_id in enumerate(self.skill_ids)}
        of_vector = np.array([column[rows[i]] for i in ids], dtype=np.int64)
        self._by_skill = np.argsort(of_vector, kind="stable")
        self._skill_starts = np.searchsorted(of_vector[self._by_skill], np.arange(len(column)))
        self.key = key
        # skill id -> short hash of the texts it was embedded from; calibrated thresholds record
        # these, so an edited skill is noticed and a new (custom) skill is not mistaken for one
        self.text_hashes = text_hashes

    @classmethod
    def build(
        cls, roles: RoleSet | list[Role], model: EmbeddingModel, *, cache_dir: Path | None = None
    ) -> SkillVectors:
        texts: list[str] = []
        rows: list[str] = []
        text_hashes: dict[str, str] = {}
        for role in roles:
            for skill in role.skills:
                if skill.id in text_hashes:
                    continue
                own = skill_texts(skill.name, skill.description, skill.alias_texts)
                text_hashes[skill.id] = hashlib.sha256("\n".join(own).encode()).hexdigest()[:12]
                texts.extend(own)
                rows.extend([skill.id] * len(own))
        # scoped like the vector cache: model, precision and batching scheme change the vectors
        key = hashlib.sha256(
            "\n".join([model.cache_namespace, *texts]).encode("utf-8")
        ).hexdigest()[:16]
        # One folder per (model and precision, skill texts); the index file inside is named by
        # its own content hash, which VectorIndex.load checks.
        folder = cache_dir / f"skills-{key}" if cache_dir else None
        saved = sorted(folder.glob("*.faissidx")) if folder is not None and folder.is_dir() else []
        if saved:
            try:
                return cls(VectorIndex.load(saved[0]), rows, key, text_hashes)
            except VectorIndexError:
                logger.warning(
                    "skill index cache unreadable; rebuilding", extra={"path": str(folder)}
                )
        vectors = model.encode(texts)
        index = VectorIndex(vectors.shape[1])
        index.add(np.arange(len(rows), dtype=np.int64), vectors)
        if folder is not None:
            index.save(folder)
        return cls(index, rows, key, text_hashes)

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def skill_ids(self) -> list[str]:
        """Distinct skill ids, in the column order of ``similarities``."""
        return list(dict.fromkeys(self._rows))

    def similarities(self, chunk_vectors: np.ndarray) -> np.ndarray:
        """Cosine of every chunk (rows) to every skill (columns, ``skill_ids`` order).

        A skill's cosine is the best over its texts, and never below -1.
        """
        if len(chunk_vectors) == 0 or len(self._vectors) == 0:
            return np.full((len(chunk_vectors), len(self._skill_starts)), -1.0, dtype=np.float32)
        scores = np.asarray(chunk_vectors, dtype=np.float32) @ self._vectors.T
        best = np.maximum.reduceat(scores[:, self._by_skill], self._skill_starts, axis=1)
        return np.maximum(best, np.float32(-1.0))

    def best_per_skill(self, chunk_vectors: np.ndarray) -> dict[str, tuple[float, int]]:
        """For each skill, the best cosine over all chunks and the index of that chunk."""
        if len(chunk_vectors) == 0:
            return {}
        matrix = self.similarities(chunk_vectors)
        best_rows = matrix.argmax(axis=0)
        return {
            skill_id: (float(matrix[best_rows[col], col]), int(best_rows[col]))
            for col, skill_id in enumerate(self.skill_ids)
        }
