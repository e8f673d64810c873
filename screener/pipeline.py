"""The screening pipeline's heavy parts, built once: model, roles, skill vectors, thresholds.

``ScreeningPipeline.create`` verifies and loads the pinned model, validates the role files and
builds (or loads) the skill index; a CLI command or the API lifespan builds it once and reuses it
for every CV. Parsing is not here: files go through ``screener.parsing`` (isolated workers) and
arrive as ``ParsedCV``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date

from embeddings import EmbeddingCache, EmbeddingModel
from rubrics import AliasMatcher, Role, RoleSet, load_roles
from screener.documents import read_document
from screener.matching import (
    CVVectors,
    MatchThresholds,
    RoleMatch,
    SkillMatcher,
    SkillVectors,
    load_thresholds,
)
from screener.parsing import ParsedCV, analyse
from screener.settings import Settings

__all__ = ["ScreeningPipeline"]


@dataclass
class ScreeningPipeline:
    model: EmbeddingModel
    roles: RoleSet
    skill_vectors: SkillVectors
    matcher: SkillMatcher
    all_skills_matcher: AliasMatcher  # every skill of every role, for corpus-wide statistics

    @classmethod
    def create(
        cls,
        settings: Settings,
        *,
        model: EmbeddingModel | None = None,
        roles: RoleSet | None = None,
        thresholds: MatchThresholds | None = None,
    ) -> ScreeningPipeline:
        """Load everything; raises ``ModelLockError`` or ``RubricError`` with a clear message.

        ``model`` reuses an already loaded model (it is warmed up if it is not yet).
        """
        config = settings.embeddings
        if model is None:
            model = EmbeddingModel(
                config.lock_path,
                device=config.device,
                batch_size=config.batch_size,
                precision=config.precision,
                cache=EmbeddingCache(max_items=config.cache_items, path=config.cache_path),
            )
        model.warm_up()
        roles = roles or load_roles()
        skill_vectors = SkillVectors.build(roles, model, cache_dir=config.index_dir)
        thresholds = thresholds or load_thresholds(
            model.model_hash, skill_texts=skill_vectors.text_hashes
        )
        terms = {
            (s.id, t.text, t.match): (s.id, t)
            for r in roles
            for s in r.skills
            for t in s.match_terms
        }
        return cls(
            model=model,
            roles=roles,
            skill_vectors=skill_vectors,
            matcher=SkillMatcher(model, skill_vectors, thresholds),
            all_skills_matcher=AliasMatcher(terms.values()),
        )

    def prepare(self, parsed: ParsedCV) -> CVVectors:
        """Chunk (unless the parse worker did) and encode a parsed CV's scoring text (once, for
        any number of roles)."""
        return self.prepare_many([parsed])[0]

    def prepare_many(
        self,
        parsed: Sequence[ParsedCV],
        *,
        while_encoding: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
        names: bool = True,
    ) -> list[CVVectors]:
        """``prepare`` for a batch of CVs: their chunks go through the model together, inside
        ``while_encoding()``; ``names=False`` skips the chunks of names, which scoring never
        reads (``SkillMatcher.prepare_many``)."""
        return self.matcher.prepare_many(
            [(cv.scoring_text, cv.sections, cv.document.page_at) for cv in parsed],
            while_encoding=while_encoding,
            names=names,
            chunks=[cv.chunks for cv in parsed],
        )

    def prepare_text(self, text: str, *, reference_date: date | None = None) -> CVVectors:
        """A CV given as plain text (data sets of CV texts, tests)."""
        document = read_document(text.encode("utf-8"), "cv.txt")
        return self.prepare(analyse(document, reference_date=reference_date or date.today()))

    def match(self, cv: CVVectors, role: Role | str) -> RoleMatch:
        return self.matcher.match(cv, role if isinstance(role, Role) else self.roles.get(role))
