"""Matching stage: a parsed CV's evidence for each skill of a role.

Exact alias hits are certain evidence; semantic hits (FAISS over the role skill vectors, with
calibrated thresholds) catch paraphrases such as "adapted Llama with low-rank adapters" for
PEFT / LoRA. See ``_match`` for the statuses and the coverage score.
"""

from screener.matching._match import (
    RELATED_CREDIT,
    CVChunker,
    CVVectors,
    SkillMatcher,
    assess_role,
    coverage_score,
    is_name_list,
    prose_chunks,
    semantic_best,
)
from screener.matching._model import (
    Evidence,
    MatchKind,
    MatchThresholds,
    RoleMatch,
    SkillMatch,
    SkillStatus,
)
from screener.matching._pool import CandidatePool, PoolHit
from screener.matching._skills import SkillVectors, skill_texts
from screener.matching._thresholds import THRESHOLDS_FILE, load_thresholds

__all__ = [
    "RELATED_CREDIT",
    "THRESHOLDS_FILE",
    "CVChunker",
    "CVVectors",
    "CandidatePool",
    "PoolHit",
    "Evidence",
    "MatchKind",
    "MatchThresholds",
    "RoleMatch",
    "SkillMatch",
    "SkillMatcher",
    "SkillStatus",
    "SkillVectors",
    "assess_role",
    "coverage_score",
    "is_name_list",
    "load_thresholds",
    "prose_chunks",
    "semantic_best",
    "skill_texts",
]
