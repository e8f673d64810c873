"""Rubric rules as data: dimension rules, red flags and sourcing signals from ``rubrics/rules/``.

Every rule pairs a *condition* (``when``) with what it gives when the condition holds:

- a **dimension rule** gives ``points`` (scaled by how fully the condition holds, see
  ``full_at``) to one of the guide's three dimensions; a dimension's rules sum to 100 points;
- a **red-flag rule** gives a note with a severity (``info`` or ``warning``); it never changes a
  score. ``unless`` (a condition that must not hold) and ``applies_if`` (a condition that must
  hold, e.g. "the CV shows technical work at all") narrow it;
- a **sourcing rule** gives a note for the recruiter (Kaggle standing, open-source work, …).

Condition kinds are few and generic; the content (phrases, fields, thresholds) lives in YAML:

    phrases            aliases (whole word, see ``AliasMatcher``) or regexes, optionally only
                       in some sections of the redacted CV text and only ``near`` other
                       phrases; counts distinct phrases found
    skill              role skills the matching stage found (optionally only key skills, or
                       only those named in some sections)
    degree             an education entry at or above a level, optionally in listed fields
    publications       the profile's publication count
    experience_months  months of experience, optionally only recent or in matching job titles
    coverage           the role's skill coverage from the matching stage
    keyword_stuffing   role skills named only in the skills list, never in experience/projects
    hidden_text        text in the file a reader cannot see
    date_issues        impossible (end before start, in the future) or overlapping job dates

There is deliberately no condition on employment gaps, age, dates of birth, nationality,
language level, the country of a degree, name, photo, gender or family status.

A rule set's version is the short sha256 of its validated content (comments and layout do not
count), so any change of meaning changes the version that screenings carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache, cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rubrics._aliases import Alias, AliasMatcher, NearPhrases
from rubrics._roles import _alias_from_data, _problems, _read_yaml, content_hash
from rubrics.errors import RoleFileError, RuleFileError, RuleSetError

__all__ = [
    "DIMENSIONS",
    "Condition",
    "CoverageCondition",
    "DateIssuesCondition",
    "DegreeCondition",
    "DimensionName",
    "DimensionRule",
    "DimensionRules",
    "ExperienceCondition",
    "HiddenTextCondition",
    "KeywordStuffingCondition",
    "PhrasesCondition",
    "PublicationsCondition",
    "RedFlagRule",
    "RuleSet",
    "SectionName",
    "Severity",
    "SkillCondition",
    "SourcingRule",
    "load_rules",
]

DimensionName = Literal["mathematical_foundation", "engineering_maturity", "domain_application"]
DIMENSIONS: tuple[DimensionName, ...] = (
    "mathematical_foundation",
    "engineering_maturity",
    "domain_application",
)
# The section kinds of screener.sections, named here so rules can be validated without it.
SectionName = Literal[
    "header",
    "summary",
    "experience",
    "education",
    "skills",
    "projects",
    "publications",
    "certifications",
    "languages",
    "other",
]
Severity = Literal["info", "warning"]
DegreeLevelName = Literal["bachelor", "master", "phd"]
DIMENSION_POINTS = 100
_CODE = r"^[a-z0-9][a-z0-9-]{0,63}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _aliases(value: Any) -> Any:
    if isinstance(value, list):
        return [_alias_from_data(item) for item in value]
    return value


def _compile_patterns(patterns: list[str]) -> list[str]:
    for index, pattern in enumerate(patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"patterns[{index}] is not a valid regex: {exc}") from exc
    return patterns


class _PhraseSearch(_Frozen):
    """Aliases and regexes searched in the redacted CV text, optionally only in some sections."""

    phrases: list[Alias] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    sections: list[SectionName] | None = None

    @field_validator("phrases", mode="before")
    @classmethod
    def _phrases_from_strings(cls, value: Any) -> Any:
        return _aliases(value)

    @field_validator("patterns")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        return _compile_patterns(value)

    @model_validator(mode="after")
    def _something_to_find(self) -> _PhraseSearch:
        if not self.phrases and not self.patterns:
            raise ValueError("give at least one of phrases or patterns")
        return self

    @cached_property
    def matcher(self) -> AliasMatcher:
        return AliasMatcher((a.text.casefold(), a) for a in self.phrases)

    @cached_property
    def regexes(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in self.patterns)

    @cached_property
    def written(self) -> dict[str, str]:
        """Each phrase as the rule writes it ("A/B testing"), by the key the phrase evaluator
        counts distinct phrases under (the matcher's key, runs of spaces made one)."""
        return {" ".join(a.text.casefold().split()): a.text for a in self.phrases}


class PhrasesCondition(_PhraseSearch):
    """Holds when at least ``min_hits`` distinct phrases are found; full at ``full_at``.

    With ``near``, a phrase counts only where one of those phrases occurs close to it (an
    alias's ``near``, see ``AliasMatcher``): "deployed" is production work on a model only
    beside "model", "classifier" or "machine learning", not in "deployed the WCF web service".
    """

    kind: Literal["phrases"]
    min_hits: int = Field(default=1, ge=1)
    full_at: int | None = Field(default=None, ge=1)
    near: NearPhrases = ()

    @model_validator(mode="after")
    def _near_needs_phrases(self) -> PhrasesCondition:
        if self.near and self.patterns:
            raise ValueError("near applies to phrases; give it without patterns")
        return self

    @cached_property
    def matcher(self) -> AliasMatcher:
        near = {"near": self.near} if self.near else {}
        return AliasMatcher((a.text.casefold(), a.model_copy(update=near)) for a in self.phrases)


class SkillCondition(_Frozen):
    """Role skills the matching stage found (``statuses``), optionally only key skills, only
    listed skill ids, or only skills named (alias hits) or quoted in ``used_in`` sections.

    Full at ``full_at`` skills or at ``full_at_share`` of the selected role skills."""

    kind: Literal["skill"]
    skills: list[str] = Field(default_factory=list)
    required_only: bool = False
    statuses: list[Literal["found", "related"]] = Field(default_factory=lambda: ["found"])  # type: ignore[arg-type]
    used_in: list[SectionName] | None = None
    min_hits: int = Field(default=1, ge=1)
    full_at: int | None = Field(default=None, ge=1)
    full_at_share: float | None = Field(default=None, gt=0, le=1)


class DegreeCondition(_Frozen):
    """An education entry at ``min_level`` or above, in a field matching ``fields``/``patterns``
    (searched in the degree's field and its name as written); any field when both are empty."""

    kind: Literal["degree"]
    min_level: DegreeLevelName
    fields: list[Alias] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)

    @field_validator("fields", mode="before")
    @classmethod
    def _fields_from_strings(cls, value: Any) -> Any:
        return _aliases(value)

    @field_validator("patterns")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        return _compile_patterns(value)

    @cached_property
    def matcher(self) -> AliasMatcher:
        return AliasMatcher((a.text.casefold(), a) for a in self.fields)

    @cached_property
    def regexes(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in self.patterns)


class PublicationsCondition(_Frozen):
    kind: Literal["publications"]
    min_count: int = Field(default=1, ge=1)
    full_at: int | None = Field(default=None, ge=1)


class ExperienceCondition(_Frozen):
    """Months of experience (overlaps counted once) of jobs whose title matches ``titles``
    (every dated job when empty), counting only jobs current or ended within
    ``recent_within_months`` of the reference date when that is set."""

    kind: Literal["experience_months"]
    min_months: int = Field(default=1, ge=1)
    full_at: int | None = Field(default=None, ge=1)
    recent_within_months: int | None = Field(default=None, ge=0)
    titles: list[Alias] = Field(default_factory=list)

    @field_validator("titles", mode="before")
    @classmethod
    def _titles_from_strings(cls, value: Any) -> Any:
        return _aliases(value)

    @cached_property
    def matcher(self) -> AliasMatcher:
        return AliasMatcher((a.text.casefold(), a) for a in self.titles)


class CoverageCondition(_Frozen):
    """The role coverage (0-100) as a fraction: points x coverage / 100."""

    kind: Literal["coverage"]
    min_coverage: float = Field(default=0.0, ge=0, le=100)


class KeywordStuffingCondition(_Frozen):
    """Role skills found by alias only outside ``used_in`` sections (e.g. only in the skills
    list): holds when at least ``min_skills`` of them make ``min_share`` of the alias-found
    skills. Needs the CV to have one of the ``used_in`` sections at all, so a CV whose sections
    were not recognised is not flagged."""

    kind: Literal["keyword_stuffing"]
    used_in: list[SectionName] = Field(default_factory=lambda: ["experience", "projects"])  # type: ignore[arg-type]
    listed_in: list[SectionName] = Field(default_factory=lambda: ["skills"])  # type: ignore[arg-type]
    min_skills: int = Field(default=3, ge=1)
    min_share: float = Field(default=0.5, gt=0, le=1)


class HiddenTextCondition(_Frozen):
    kind: Literal["hidden_text"]
    min_chars: int = Field(default=1, ge=1)


class DateIssuesCondition(_Frozen):
    """``impossible``: a job whose dates cannot be right (end before start, in the future);
    ``overlap``: two jobs overlapping by at least ``min_overlap_months``."""

    kind: Literal["date_issues"]
    check: Literal["impossible", "overlap"]
    min_overlap_months: int = Field(default=1, ge=1)


Condition = Annotated[
    PhrasesCondition
    | SkillCondition
    | DegreeCondition
    | PublicationsCondition
    | ExperienceCondition
    | CoverageCondition
    | KeywordStuffingCondition
    | HiddenTextCondition
    | DateIssuesCondition,
    Field(discriminator="kind"),
]


class DimensionRule(_Frozen):
    code: Annotated[str, Field(pattern=_CODE)]
    name: str = Field(min_length=1, max_length=120)
    points: float = Field(gt=0, le=DIMENSION_POINTS)
    when: Condition


class RedFlagRule(_Frozen):
    code: Annotated[str, Field(pattern=_CODE)]
    severity: Severity
    note: str = Field(min_length=10, max_length=400)
    when: Condition
    unless: Condition | None = None
    applies_if: Condition | None = None


class SourcingRule(_Frozen):
    code: Annotated[str, Field(pattern=_CODE)]
    name: str = Field(min_length=1, max_length=120)
    note: str = Field(min_length=10, max_length=400)
    when: Condition


def _sum_to_full_marks(rules: list[DimensionRule]) -> list[DimensionRule]:
    total = sum(rule.points for rule in rules)
    if abs(total - DIMENSION_POINTS) > 1e-9:
        raise ValueError(f"points must sum to {DIMENSION_POINTS}, got {total:g}")
    return rules


class DimensionRules(_Frozen):
    """One dimension's rules; their points sum to 100, so a dimension scores 0-100."""

    dimension: DimensionName
    description: str = ""
    rules: list[DimensionRule] = Field(min_length=1)

    @field_validator("rules")
    @classmethod
    def _full_marks(cls, rules: list[DimensionRule]) -> list[DimensionRule]:
        return _sum_to_full_marks(rules)


class _RuleFile(_Frozen):
    """One file of ``rubrics/rules/``: a dimension's rules, red flags, or sourcing signals."""

    dimension: DimensionName | None = None
    description: str = ""
    rules: list[DimensionRule] | None = None
    red_flags: list[RedFlagRule] | None = None
    sourcing_signals: list[SourcingRule] | None = None

    @field_validator("rules")
    @classmethod
    def _full_marks(cls, rules: list[DimensionRule] | None) -> list[DimensionRule] | None:
        return None if rules is None else _sum_to_full_marks(rules)

    @model_validator(mode="after")
    def _one_kind(self) -> _RuleFile:
        given = [
            name
            for name, value in (
                ("rules", self.rules),
                ("red_flags", self.red_flags),
                ("sourcing_signals", self.sourcing_signals),
            )
            if value is not None
        ]
        if len(given) != 1:
            raise ValueError("a rule file holds exactly one of rules, red_flags, sourcing_signals")
        if (self.rules is None) != (self.dimension is None):
            raise ValueError("dimension and rules go together")
        return self


class RuleSet:
    """The whole rubric: rules of the three dimensions, red flags and sourcing signals.

    Attributes:
        dimensions: per dimension name (in ``DIMENSIONS`` order) its rules.
        red_flags: red-flag rules in file order.
        sourcing_signals: sourcing rules in file order.
        version: short sha256 of the validated content.
    """

    def __init__(
        self,
        dimensions: Iterable[DimensionRules],
        red_flags: Iterable[RedFlagRule],
        sourcing_signals: Iterable[SourcingRule],
    ) -> None:
        by_name: dict[str, DimensionRules] = {}
        for dimension in dimensions:
            if dimension.dimension in by_name:
                raise RuleSetError(f"dimension {dimension.dimension!r} is defined twice")
            by_name[dimension.dimension] = dimension
        missing = [d for d in DIMENSIONS if d not in by_name]
        if missing:
            raise RuleSetError(f"no rules for dimension(s): {', '.join(missing)}")
        self.dimensions: dict[DimensionName, DimensionRules] = {d: by_name[d] for d in DIMENSIONS}
        self.red_flags = tuple(red_flags)
        self.sourcing_signals = tuple(sourcing_signals)
        codes: dict[str, str] = {}
        for where, code in (
            *((d, r.code) for d, rules in self.dimensions.items() for r in rules.rules),
            *(("red_flags", r.code) for r in self.red_flags),
            *(("sourcing_signals", r.code) for r in self.sourcing_signals),
        ):
            if code in codes:
                raise RuleSetError(f"rule code {code!r} is used in {codes[code]} and {where}")
            codes[code] = where

    def __repr__(self) -> str:
        return f"RuleSet(version={self.version})"

    @cached_property
    def version(self) -> str:
        return content_hash(
            {
                "dimensions": {d: r.model_dump(mode="json") for d, r in self.dimensions.items()},
                "red_flags": [r.model_dump(mode="json") for r in self.red_flags],
                "sourcing_signals": [r.model_dump(mode="json") for r in self.sourcing_signals],
            }
        )


def _load_file(source: Traversable | Path) -> _RuleFile:
    try:
        data = _read_yaml(source)
    except RoleFileError as exc:
        raise RuleFileError(exc.filename, exc.problems) from exc
    if not isinstance(data, Mapping):
        raise RuleFileError(source.name, [("", "expected a mapping of fields at the top level")])
    try:
        return _RuleFile.model_validate(data)
    except ValidationError as exc:
        raise RuleFileError(source.name, _problems(exc)) from exc


def _load(folder: Traversable | Path) -> RuleSet:
    if not folder.is_dir():
        raise RuleSetError(f"rule directory not found: {folder}")
    files = sorted(
        (f for f in folder.iterdir() if f.is_file() and f.name.endswith((".yaml", ".yml"))),
        key=lambda f: f.name,
    )
    if not files:
        raise RuleSetError(f"no rule files (*.yaml) in {folder}")
    dimensions: list[DimensionRules] = []
    red_flags: list[RedFlagRule] = []
    sourcing: list[SourcingRule] = []
    for source in files:
        loaded = _load_file(source)
        if loaded.rules is not None and loaded.dimension is not None:
            dimensions.append(
                DimensionRules(
                    dimension=loaded.dimension, description=loaded.description, rules=loaded.rules
                )
            )
        red_flags.extend(loaded.red_flags or ())
        sourcing.extend(loaded.sourcing_signals or ())
    return RuleSet(dimensions, red_flags, sourcing)


@cache
def _load_packaged() -> RuleSet:
    return _load(resources.files("rubrics").joinpath("rules"))


def load_rules(directory: Traversable | Path | str | None = None) -> RuleSet:
    """Load and validate every ``*.yaml`` rule file of a folder (default: the packaged
    ``rubrics/rules/``, read once).

    Raises:
        RuleFileError: a file is not YAML or fails validation (names the file and field path).
        RuleSetError: the files do not form a rubric (dimension missing or twice, code twice).
    """
    if directory is None:
        return _load_packaged()
    return _load(Path(directory) if isinstance(directory, str) else directory)
