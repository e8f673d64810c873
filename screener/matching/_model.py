"""What the matching stage says about a CV and a role: each skill found, related or missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from rubrics import Citation

__all__ = ["Evidence", "MatchKind", "MatchThresholds", "RoleMatch", "SkillMatch", "SkillStatus"]


class SkillStatus(StrEnum):
    FOUND = "found"  # an exact alias, or a paraphrase above the calibrated threshold
    RELATED = "related"  # a weaker paraphrase: worth a recruiter's question, half credit
    MISSING = "missing"


class MatchKind(StrEnum):
    ALIAS = "alias"  # the CV names the skill or one of its aliases (certain)
    SEMANTIC = "semantic"  # a CV chunk's embedding is close to the skill's


# The CV text a finding rests on (``cv_text[start:end]`` on ``page``, in ``section``): the same
# quotation type the rubric engine cites, so a skill hit's evidence goes into a screening as is.
Evidence = Citation


@dataclass(frozen=True, slots=True)
class SkillMatch:
    skill_id: str
    name: str
    required: bool
    weight: float
    status: SkillStatus
    via: MatchKind | None
    similarity: float  # best chunk cosine; 1.0 for an alias hit
    evidence: Evidence | None
    # Share of the skill's weight it adds to coverage: 1 found, RELATED_CREDIT for a related
    # concept, 0 for a related named tool (only its name is evidence) and for missing.
    credit: float = 0.0
    # Every section the skill was named in (alias hits): a skill named only under "Skills" and
    # never in experience or projects is what the keyword-stuffing red flag looks for.
    mentioned_in: tuple[str, ...] = ()
    # Label of the role's group of alternatives this skill belongs to ("Python, Go or PHP").
    any_of: str | None = None


@dataclass(frozen=True, slots=True)
class MatchThresholds:
    """Cosine cut-offs for semantic hits, calibrated per skill (see benchmarks/calibrate.py)."""

    found: float
    related: float
    per_skill: dict[str, tuple[float, float]] = field(default_factory=dict)
    model_hash: str = ""

    def for_skill(self, skill_id: str) -> tuple[float, float]:
        """(found, related) cut-offs for a skill.

        ``found`` never drops below the global ``found`` (the median over skills): a skill that
        no calibration CV comes near (generative vision, say) would otherwise accept any weak
        resemblance as evidence.
        """
        found, related = self.per_skill.get(skill_id, (self.found, self.related))
        return max(found, self.found), related


@dataclass(frozen=True, slots=True)
class RoleMatch:
    """Per-skill findings for one CV against one role, and the role coverage they add up to."""

    role_id: str
    role_version: str
    model_hash: str
    coverage: float  # 0-100, see coverage_score
    skills: tuple[SkillMatch, ...]

    def with_status(self, status: SkillStatus) -> list[SkillMatch]:
        return [s for s in self.skills if s.status is status]
