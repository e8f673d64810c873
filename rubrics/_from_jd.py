"""Custom roles from a job description.

``role_from_job_description`` turns JD text into a ``Role`` for a recruiter to review:

1. **Skills.** Alias matching (``rubrics._aliases``) against a vocabulary of every seed role's
   skills plus the general technologies of ``rubrics/taxonomy.yaml``. An alias claimed by several
   skills goes to the skill it names ("MLflow" -> MLflow, not MLOps), then to a seed skill over a
   taxonomy entry, then to the skill with fewer aliases (the more specific one).
2. **Required or plus**, per mention, from the wording around it, first rule that applies:
   a. a cue right after the mention, possibly after a list of other skills: "Docker and
      Kubernetes are a plus", "C++ is optional", "Python (required)";
   b. the nearest cue before it in the same clause: "Must have Python", "preferred: Go";
   c. a cue later in the same clause: "Knowledge of Spark would be an advantage";
   d. the last heading cue above it ("Requirements:", "Nice to have -", "Ihr Profil",
      "Tercih sebebi"), until a neutral heading ("Responsibilities", "What we offer") ends it;
   e. otherwise required: a JD names what it needs.
   Clauses end at sentence ends, semicolons, line ends, bullets and " - " separators. Cues come in
   English, German and Turkish. A skill is required when any of its mentions is.
   Required skills get weight 1.0, plus skills 0.5 (the seed roles' scale).
3. **Alternatives.** A run of skills joined only by commas, slashes and "or" is a group of
   alternatives when an "or" or a slash joins it ("PHP, Python or Go", "Java/C++", "PyTorch
   oder TensorFlow"), or when a cue just before it offers a choice ("one of: Python, Perl",
   "such as RabbitMQ, Redis", "e.g. WebLogic, Tomcat"); an "and" ends a run ("Python, SQL and
   Java or Scala" asks for Python, SQL and one of Java and Scala). Each group gets an ``any_of``
   label; coverage counts it once, met by any member. A skill in several lists stays in the
   first group it was offered in (a JD often lists its stack once, then says which items are
   interchangeable: "Skills: Python, Go, PHP ... APIs in PHP, Python or Go").
4. **Platforms and services.** A JD that names a platform and its services ("AWS development
   using EC2, S3") asks for the platform: the services (``part_of`` in the taxonomy) fold into
   the platform's skill, whose aliases then include them, so a CV naming EC2 meets it. A
   service named without its platform stays a skill of its own.
5. **Closest seed role**, which lends its dimension weights and Germany salary band: for each seed
   role, the share of its skill weight that the JD mentions, a required mention counting fully and
   a plus mention half; a JD title naming one of the role's ``titles`` adds 0.15. Ties go to the
   role with more matched skills, then to id order. A role is taken only when the JD names one
   of its AI/ML skills or titles: general skills (``general: true`` in the role files: Python,
   SQL, C++, Linux, Docker, cloud platforms ...) count toward the share, but a Java or .NET post
   that names only them is no Data Scientist post. A JD with no such evidence falls back to
   ``ml-engineer`` (the generalist role), and the analysis says so.
6. **Name** from the JD's title line (first non-empty line when it is short and not a sentence),
   else from the role id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rubrics._aliases import Alias, AliasMatcher, Mention
from rubrics._roles import Role, RoleSet, Skill, _validate_file
from rubrics.errors import JobDescriptionError

__all__ = [
    "JdSkill",
    "JobDescriptionAnalysis",
    "Requirement",
    "RoleMatch",
    "TaxonomyEntry",
    "analyse_job_description",
    "load_taxonomy",
    "role_from_job_description",
]

REQUIRED_WEIGHT = 1.0
PLUS_WEIGHT = 0.5
PLUS_MENTION_CREDIT = 0.5
TITLE_BONUS = 0.15
FALLBACK_ROLE = "ml-engineer"


class Requirement(StrEnum):
    REQUIRED = "required"
    PLUS = "plus"


class TaxonomyEntry(BaseModel):
    """A general technology of ``rubrics/taxonomy.yaml`` (no weight: the JD decides that)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str
    aliases: list[Alias] = Field(default_factory=list)
    description: str = Field(min_length=10)
    source: str = ""
    # a service of a platform, given as one of the platform skill's aliases ("EC2" of "AWS")
    part_of: str | None = None

    @field_validator("aliases", mode="before")
    @classmethod
    def _plain_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"text": a} if isinstance(a, str) else a for a in value]
        return value


class _Taxonomy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    skills: list[TaxonomyEntry]


@cache
def load_taxonomy() -> tuple[TaxonomyEntry, ...]:
    """The packaged ``rubrics/taxonomy.yaml`` (read once)."""
    table: _Taxonomy = _validate_file(
        _Taxonomy, resources.files("rubrics").joinpath("taxonomy.yaml")
    )
    return tuple(table.skills)


# --- vocabulary ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SkillDef:
    id: str
    name: str
    aliases: tuple[Alias, ...]
    description: str
    seed: bool
    part_of: str | None = None


@dataclass(frozen=True)
class _Vocabulary:
    skills: dict[str, _SkillDef]
    matcher: AliasMatcher
    owners: dict[str, str]  # casefolded alias -> the skill that matches it


def _terms(skill: _SkillDef) -> list[Alias]:
    terms = list(skill.aliases)
    if not any(a.text.casefold() == skill.name.casefold() for a in terms):
        terms.insert(0, Alias(text=skill.name))
    return terms


@cache
def _vocabulary(roles: RoleSet) -> _Vocabulary:
    skills: dict[str, _SkillDef] = {}
    for role in roles:
        for s in role.skills:
            skills.setdefault(
                s.id, _SkillDef(s.id, s.name, tuple(s.aliases), s.description, seed=True)
            )
    for entry in load_taxonomy():
        skills.setdefault(
            entry.id,
            _SkillDef(
                entry.id,
                entry.name,
                tuple(entry.aliases),
                entry.description,
                seed=False,
                part_of=entry.part_of,
            ),
        )

    # an alias text (any case) claimed by several skills goes to one of them, with every
    # case variant that skill lists ("Unix" and "UNIX")
    claims: dict[str, list[tuple[tuple[int, int, int, str], str, Alias]]] = {}
    for skill in skills.values():
        for term in _terms(skill):
            rank = (
                0 if term.text.casefold() == skill.name.casefold() else 1,
                0 if skill.seed else 1,
                len(skill.aliases),
                skill.id,
            )
            claims.setdefault(term.text.casefold(), []).append((rank, skill.id, term))
    chosen: list[tuple[str, Alias]] = []
    for claimants in claims.values():
        winner = min(rank for rank, _, _ in claimants)[3]
        chosen.extend((skill_id, term) for _, skill_id, term in claimants if skill_id == winner)
    owners = {term.text.casefold(): skill_id for skill_id, term in chosen}
    return _Vocabulary(skills, AliasMatcher(chosen), owners)


# --- required / plus -----------------------------------------------------------------------------


def _cue_regex(phrases: Sequence[str]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)


_PLUS_CUES = _cue_regex(
    [
        r"nice[\s-]to[\s-]haves?",
        r"good[\s-]to[\s-]haves?",
        r"(?:a|big|huge|definite) plus",
        r"pluses",
        r"plus points?",
        r"bonus(?: points)?",
        r"preferred(?: qualifications| skills"
        r"| experience| requirements)?",
        r"preferably",
        r"preferable",
        r"ideally",
        r"optional",
        r"not required",
        r"not mandatory",
        r"not a must",
        r"desirable",
        r"desired(?: skills"
        r"| qualifications)?",
        r"advantageous",
        r"an advantage",
        r"an asset",
        r"beneficial",
        r"helpful",
        r"would be (?:great|nice)",
        r"extra credit",
        r"additional qualifications",
        r"wünschenswert",
        r"von Vorteil",
        r"idealerweise",
        r"ein Plus",
        r"Pluspunkte?",
        r"gerne auch",
        r"tercih sebebi(?:dir)?",
        r"tercih edilir",
        r"tercihen",
        r"artı",
        r"avantaj(?:dır)?",
        r"olması tercih",
    ]
)
_REQUIRED_CUES = _cue_regex(
    [
        r"requirements?",
        r"required(?: skills| experience| qualifications)?",
        r"requires?",
        r"must[\s-]haves?",
        r"must",
        r"mandatory",
        r"essential",
        r"(?:minimum|basic) "
        r"(?:qualifications|requirements)",
        r"qualifications",
        r"what you(?:'ll| will)? need",
        r"what you bring",
        r"you have",
        r"you bring",
        r"your profile",
        r"who you are",
        r"we expect",
        r"necessary",
        r"Voraussetzungen",
        r"Voraussetzung",
        r"Anforderungen",
        r"erforderlich",
        r"zwingend",
        r"Muss",
        r"(?:Ihr|Dein) Profil",
        r"Das bringst du mit",
        r"Was Sie mitbringen",
        r"setzen voraus",
        r"vorausgesetzt",
        r"gerekli(?:dir)?",
        r"aranan nitelikler",
        r"gereksinimler",
        r"zorunlu(?:dur)?",
        r"şart(?:tır)?",
        r"olmazsa olmaz",
    ]
)
_NEUTRAL_HEADINGS = _cue_regex(
    [
        r"responsibilities",
        r"what you(?:'ll| will) do",
        r"what you will be doing",
        r"your (?:tasks|role|responsibilities)",
        r"about (?:us|the company|the role|the team)",
        r"benefits",
        r"what we offer",
        r"we offer",
        r"what's in it for you",
        r"perks",
        r"(?:Ihre|Deine) Aufgaben",
        r"Aufgaben",
        r"(?:Was )?wir bieten",
        r"Sorumluluklar",
        r"İş tanımı",
        r"Neler sunuyoruz",
        r"Yan haklar",
        r"equal opportunity",
    ]
)
_WEAK_REQUIRED = re.compile(
    r"(?<!\w)(?:experience (?:with|in)|knowledge of|proficien\w*|familiar\w* with|skilled in|"
    r"Erfahrung|Kenntnisse|deneyim\w*|bilgi\w*)(?!\w)",
    re.IGNORECASE,
)
# a line break ends a clause unless the next line continues it (PDF text wraps mid-sentence)
_CLAUSE_END = re.compile(r"[.!?](?=\s)|\n(?![^\S\n]*[a-z,;)&])|[;•▪●◦]|\s[-–—]\s|:(?=\s)")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|incl|approx|z\.B|bzw|ca|Dr|Mr|Ms))\.$", re.I)
_HEADING_END = re.compile(r"^[^\S\n]*(?:[\w'’&/().]+[^\S\n]*){0,4}?(?::|\s[-–—]\s|\n|$)")
_FILLER = re.compile(
    r"^(?:[\s,/&()+]|and|or|und|oder|ve|veya|is|are|would|will|be|also|considered|as|a|an|"
    r"very|big|strong|definite(?:ly)?|huge|experience|knowledge|skills?|of|in|with|ist|sind|"
    r"wäre|sehr|olması|bilgisi|deneyimi)*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int
    end: int
    kind: str  # "required", "plus", "neutral"
    heading: bool
    text: str


def _clause_bounds(text: str) -> list[int]:
    bounds = [0]
    for match in _CLAUSE_END.finditer(text):
        if match.group() == "." and _ABBREVIATION.search(
            text[max(0, match.start() - 6) : match.end()]
        ):
            continue
        bounds.append(match.end())
    bounds.append(len(text) + 1)
    return bounds


def _find_cues(text: str, mention_spans: Sequence[tuple[int, int]]) -> list[_Cue]:
    raw: list[tuple[int, int, str]] = []
    for kind, regex in (
        ("plus", _PLUS_CUES),
        ("required", _REQUIRED_CUES),
        ("neutral", _NEUTRAL_HEADINGS),
    ):
        raw.extend((m.start(), m.end(), kind) for m in regex.finditer(text))
    raw.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    kept: list[tuple[int, int, str]] = []
    for cue in raw:
        overlaps_mention = any(cue[0] < e and s < cue[1] for s, e in mention_spans)
        if overlaps_mention or any(cue[0] < k[1] and k[0] < cue[1] for k in kept):
            continue
        kept.append(cue)
    kept.sort()
    cues = []
    for start, end, kind in kept:
        cues.append(
            _Cue(
                start,
                end,
                kind,
                _is_heading(text, start, end, kind, mention_spans),
                text[start:end],
            )
        )
    return cues


def _is_heading(
    text: str, start: int, end: int, kind: str, mention_spans: Sequence[tuple[int, int]]
) -> bool:
    tail = _HEADING_END.match(text[end : end + 60])
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    capitalised = text[start].isupper()
    if kind == "neutral":
        return capitalised or tail is not None
    if tail is None:
        return False
    stop = end + tail.end()
    if any(start <= s < stop for s, _ in mention_spans):
        return False
    prefix = re.split(r"[.;:!?•]\s|\s[-–—]\s", before)[-1]
    prefix_clear = len(prefix.split()) <= 3 and not any(
        line_start + len(before) - len(prefix) <= s < start for s, _ in mention_spans
    )
    return capitalised or prefix_clear


@dataclass(frozen=True)
class JdSkill:
    """A skill found in a job description, with its required/plus call and why."""

    skill_id: str
    name: str
    requirement: Requirement
    reason: str
    mentions: tuple[str, ...]
    first_position: int
    seed: bool
    any_of: str | None = None  # label of the group of alternatives it belongs to
    # services folded into this platform skill ("AWS development using EC2, S3": AWS includes
    # ec2 and s3); a CV that names one of them meets it
    includes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleMatch:
    """How well a seed role overlaps a job description."""

    role_id: str
    score: float
    matched_skill_ids: tuple[str, ...]
    title_match: bool
    # matched skills the role does not mark ``general`` (Python, SQL, Docker ... are not)
    ai_ml_skill_ids: tuple[str, ...]

    @property
    def names_the_role(self) -> bool:
        """Whether the JD asks for this kind of AI/ML work: one of the role's own skills, or
        one of its titles."""
        return bool(self.ai_ml_skill_ids) or self.title_match


@dataclass(frozen=True)
class JobDescriptionAnalysis:
    """What ``analyse_job_description`` found: skills, role overlaps and the closest role."""

    title: str | None
    skills: tuple[JdSkill, ...]
    role_matches: tuple[RoleMatch, ...]
    closest_role_id: str
    closest_reason: str

    @property
    def required(self) -> list[JdSkill]:
        return [s for s in self.skills if s.requirement is Requirement.REQUIRED]

    @property
    def plus(self) -> list[JdSkill]:
        return [s for s in self.skills if s.requirement is Requirement.PLUS]


class _Resolver:
    """Decides required or plus for a span of the JD (rules a-e of the module docstring)."""

    def __init__(self, text: str, mentions: Sequence[Mention]) -> None:
        self.text = text
        self.spans = [(m.start, m.end) for m in mentions]
        self.cues = _find_cues(text, self.spans)
        self.bounds = _clause_bounds(text)

    def _clause(self, position: int) -> tuple[int, int]:
        start = 0
        for bound in self.bounds:
            if bound > position:
                return start, bound
            start = bound
        return start, len(self.text)

    def _strong(self, cue: _Cue) -> bool:
        return cue.kind in ("required", "plus")

    def resolve(self, start: int, end: int) -> tuple[Requirement, str]:
        clause_start, clause_end = self._clause(start)
        in_clause = [
            c for c in self.cues if clause_start <= c.start < clause_end and self._strong(c)
        ]
        before = [c for c in in_clause if c.end <= start]
        # a heading ("Nice to have:") speaks for what follows it, never for what precedes it
        after = [c for c in in_clause if c.start >= end and not c.heading]
        # a. a cue attached after the mention (through a list of skills when nothing came before)
        if after:
            cue = after[0]
            between = self.text[end : cue.start]
            through = [(s, e) for s, e in self.spans if end <= s and e <= cue.start]
            stripped = between
            for s, e in sorted(through, reverse=True):
                stripped = stripped[: s - end] + " " + stripped[e - end :]
            if _FILLER.match(stripped) and (not through or not before):
                return _requirement(cue), f'"{cue.text}" right after it'
        # b. nearest cue before it in the clause
        if before:
            cue = before[-1]
            return _requirement(cue), f'"{cue.text}" earlier in the sentence'
        # c. a later cue in the clause
        if after:
            cue = after[0]
            return _requirement(cue), f'"{cue.text}" later in the sentence'
        # d. the last heading above it, unless a neutral heading closed it
        headings = [c for c in self.cues if c.heading and c.end <= start]
        if headings and self._strong(headings[-1]):
            cue = headings[-1]
            return _requirement(cue), f'under "{cue.text}"'
        # e. default
        weak = _WEAK_REQUIRED.search(self.text, clause_start, start)
        if weak:
            return Requirement.REQUIRED, f'"{weak.group()}"'
        return Requirement.REQUIRED, "named in the job description without a qualifier"


def _requirement(cue: _Cue) -> Requirement:
    return Requirement.PLUS if cue.kind == "plus" else Requirement.REQUIRED


# --- alternatives --------------------------------------------------------------------------------

# what may stand between two skills of one list: "A, B", "A/B", "A or B", "A, and/or B"
_LIST_GAP = re.compile(
    r"^[^\S\n]*(?:[,/&][^\S\n]*)?(?:(?:and/or|or|and|oder|und|veya|ya da|ve)[^\S\n]+)?$",
    re.IGNORECASE,
)
_OR_GAP = re.compile(r"/|(?<!\w)(?:or|and/or|oder|veya|ya da)(?!\w)", re.IGNORECASE)
_AND_GAP = re.compile(r"&|(?<!\w)(?:and|und|ve)(?![\w/])", re.IGNORECASE)
# a cue right before a list that offers a choice among its items
_CHOICE_CUE = re.compile(
    r"(?<!\w)(?:(?:at least )?one (?:or more )?of(?: the following)?|any of|either|such as|"
    r"e\.\s?g\.|for example|for instance|like|or|eine[rsn]? (?:der|von)|z\.\s?B\.|wie|"
    r"oder|veya|ya da|örneğin|gibi)[^\S\n]*[:(]?[^\S\n]*,?[^\S\n]*$",
    re.IGNORECASE,
)
_CUE_WINDOW = 40


def _alternative_groups(text: str, mentions: Sequence[Mention]) -> dict[str, str]:
    """``any_of`` label per skill id for the JD's lists of alternatives (module docstring, 3)."""
    ordered = sorted(mentions, key=lambda m: m.start)
    # runs of mentions joined by list separators; an "and" splits a run into parts that are
    # each asked for ("Python, SQL and Java or Scala": Python, SQL, one of Java and Scala)
    runs: list[tuple[list[Mention], bool]] = []  # (mentions, starts the written list)
    for mention in ordered:
        gap = text[runs[-1][0][-1].end : mention.start] if runs else ""
        if runs and _LIST_GAP.match(gap) and not _AND_GAP.search(gap):
            runs[-1][0].append(mention)
        else:
            runs.append(([mention], not (runs and _LIST_GAP.match(gap))))
    grouped: dict[str, str] = {}
    number = 0
    for run, starts_list in runs:
        skills = list(dict.fromkeys(m.key for m in run))
        gaps = [text[a.end : b.start] for a, b in zip(run, run[1:], strict=False)]
        line_start = text.rfind("\n", 0, run[0].start) + 1
        before = text[max(line_start, run[0].start - _CUE_WINDOW) : run[0].start]
        offers_choice = any(_OR_GAP.search(g) for g in gaps) or (
            starts_list and bool(_CHOICE_CUE.search(before))
        )
        if len(skills) < 2 or not offers_choice:
            continue
        number += 1
        for skill_id in skills:
            grouped.setdefault(skill_id, f"any-of-{number}")
    # a skill in two lists stays in the first; a list left with one skill is no choice
    sizes: dict[str, int] = {}
    for label in grouped.values():
        sizes[label] = sizes.get(label, 0) + 1
    return {k: v for k, v in grouped.items() if sizes[v] >= 2}


# --- analysis ------------------------------------------------------------------------------------

_TITLE_PREFIX = re.compile(
    r"^(?:job title|job description|title|position|role|stelle|pozisyon)\s*[:\-–]\s*", re.I
)
_TITLE_EXPERIENCE = re.compile(r"\s*\((?=[^)]*(?:year|experience|jahr|yıl))[^)]*\)?\s*$", re.I)


def _title_line(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip().strip("#*•-– ").strip()
        if not line:
            continue
        line = _TITLE_EXPERIENCE.sub("", _TITLE_PREFIX.sub("", line)).strip()
        words = line.split()
        if 0 < len(words) <= 12 and len(line) <= 80 and not line.endswith((".", ":", "!", "?")):
            return line
        return None
    return None


def _score_roles(
    text: str, title: str | None, roles: RoleSet, resolver: _Resolver
) -> list[RoleMatch]:
    matches = []
    for role in roles:
        credit: dict[str, float] = {}
        for mention in role.matcher.find(text):
            requirement, _ = resolver.resolve(mention.start, mention.end)
            value = 1.0 if requirement is Requirement.REQUIRED else PLUS_MENTION_CREDIT
            credit[mention.key] = max(credit.get(mention.key, 0.0), value)
        total = sum(s.weight for s in role.skills)
        score = sum(s.weight * credit.get(s.id, 0.0) for s in role.skills) / total
        title_match = bool(title) and any(
            re.search(r"(?<!\w)" + re.escape(t) + r"(?!\w)", title or "", re.I) for t in role.titles
        )
        if title_match:
            score += TITLE_BONUS
        matched = tuple(s.id for s in role.skills if s.id in credit)
        own = tuple(s.id for s in role.skills if s.id in credit and not s.general)
        matches.append(RoleMatch(role.id, round(score, 4), matched, title_match, own))
    matches.sort(key=lambda m: (-m.score, -len(m.matched_skill_ids), m.role_id))
    return matches


def _fold_services(
    found: dict[str, dict[str, Any]], vocabulary: _Vocabulary
) -> dict[str, list[str]]:
    """Fold a platform's services into the platform where the JD names both ("AWS development
    using EC2, S3"): the JD asks for the platform, one requirement, not three. The platform takes
    the service's mentions and, if the service was required, its call. Returns platform id ->
    folded service ids; ``found`` loses the services. A service named without its platform
    stays a skill of its own."""
    includes: dict[str, list[str]] = {}
    for skill_id in list(found):
        platform = vocabulary.skills[skill_id].part_of
        owner = vocabulary.owners.get(platform.casefold()) if platform else None
        if owner is None or owner == skill_id or owner not in found:
            continue
        service, whole = found.pop(skill_id), found[owner]
        whole["texts"].extend(t for t in service["texts"] if t not in whole["texts"])
        if (
            whole["requirement"] is Requirement.PLUS
            and service["requirement"] is Requirement.REQUIRED
        ):
            whole["requirement"], whole["reason"] = service["requirement"], service["reason"]
        includes.setdefault(owner, []).append(skill_id)
    return includes


def analyse_job_description(text: str, *, roles: RoleSet) -> JobDescriptionAnalysis:
    """Find a JD's skills, call each required or plus, and rank the seed roles by overlap.

    Args:
        text: the job description as plain text (the caller extracts PDF/DOCX text).
        roles: the seed roles; their skills and the packaged taxonomy form the vocabulary.

    Raises:
        JobDescriptionError: the text is empty.
    """
    if not text or not text.strip():
        raise JobDescriptionError("the job description is empty")
    vocabulary = _vocabulary(roles)
    mentions = vocabulary.matcher.find(text)
    resolver = _Resolver(text, mentions)

    found: dict[str, dict[str, Any]] = {}
    for mention in mentions:
        requirement, reason = resolver.resolve(mention.start, mention.end)
        entry = found.setdefault(
            mention.key,
            {"requirement": requirement, "reason": reason, "texts": [], "first": mention.start},
        )
        if mention.text not in entry["texts"]:
            entry["texts"].append(mention.text)
        if requirement is Requirement.REQUIRED and entry["requirement"] is Requirement.PLUS:
            entry["requirement"], entry["reason"] = requirement, reason
    includes = _fold_services(found, vocabulary)
    groups = _alternative_groups(text, mentions)
    skills = tuple(
        JdSkill(
            skill_id=skill_id,
            name=vocabulary.skills[skill_id].name,
            requirement=entry["requirement"],
            reason=entry["reason"],
            mentions=tuple(entry["texts"]),
            first_position=entry["first"],
            seed=vocabulary.skills[skill_id].seed,
            any_of=groups.get(skill_id),
            includes=tuple(includes.get(skill_id, ())),
        )
        for skill_id, entry in sorted(found.items(), key=lambda item: item[1]["first"])
    )

    title = _title_line(text)
    role_matches = tuple(_score_roles(text, title, roles, resolver))
    best = next((m for m in role_matches if m.score > 0 and m.names_the_role), None)
    if best is not None:
        closest, reason = (
            best.role_id,
            (
                f"covers {best.score:.0%} of {best.role_id}'s weighted skills"
                + (" (title matches)" if best.title_match else "")
            ),
        )
    else:
        closest = FALLBACK_ROLE if FALLBACK_ROLE in roles else roles.ids[0]
        general = [s.name for s in skills if s.seed]
        if general:
            reason = (
                f"only general skills ({', '.join(general)}), no AI/ML one; fell back to "
                f"{closest}, the generalist role: review the dimension weights"
            )
        else:
            reason = f"no seed-role skill found; fell back to {closest}"
    return JobDescriptionAnalysis(title, skills, role_matches, closest, reason)


def role_from_job_description(
    text: str,
    *,
    role_id: str,
    name: str | None = None,
    roles: RoleSet,
    analysis: JobDescriptionAnalysis | None = None,
) -> Role:
    """A custom role from a job description, for the recruiter to review and save.

    Skills come from the JD (required: weight 1.0, plus: 0.5); dimension weights and the Germany
    salary band from the closest seed role, recorded in ``based_on``.

    Args:
        text: the job description as plain text.
        role_id: id of the new role (lower-case slug, e.g. ``acme-ml-platform``).
        name: display name; default the JD's title line, else derived from ``role_id``.
        roles: the seed roles.
        analysis: a result of ``analyse_job_description`` for the same text, to skip redoing it.

    Raises:
        JobDescriptionError: empty text, no known skill found, or an invalid ``role_id``.
    """
    analysis = analysis or analyse_job_description(text, roles=roles)
    if not analysis.skills:
        raise JobDescriptionError(
            "no known skill found in the job description; write the role file by hand"
        )
    vocabulary = _vocabulary(roles)
    closest = roles.get(analysis.closest_role_id)
    ordered = sorted(
        analysis.skills, key=lambda s: (s.requirement is Requirement.PLUS, s.first_position)
    )
    skills = []
    # seed roles may give one alias to different skills ("Ray": GPU scheduling in MLOps,
    # distributed data in Data Scientist); a role needs each alias on one skill, so the skill
    # listed first (required before plus, then order in the JD) keeps it
    claimed: set[str] = set()
    for found in ordered:
        definition = vocabulary.skills[found.skill_id]
        required = found.requirement is Requirement.REQUIRED
        # a platform's folded services match as the platform ("EC2" meets "AWS")
        terms = [*definition.aliases]
        for service in found.includes:
            terms.extend(_terms(vocabulary.skills[service]))
        skill = Skill(
            id=definition.id,
            name=definition.name,
            aliases=[a for a in terms if a.text.casefold() not in claimed],
            description=definition.description,
            weight=REQUIRED_WEIGHT if required else PLUS_WEIGHT,
            required=required,
            any_of=found.any_of,
        )
        claimed.update(term.text.casefold() for term in skill.match_terms)
        skills.append(skill)
    display_name = name or analysis.title or role_id.replace("-", " ").title()
    try:
        return Role(
            id=role_id,
            name=display_name,
            focus=f"From a job description; closest seed role {closest.name} ({closest.focus})",
            titles=[display_name],
            dimension_weights=closest.dimension_weights,
            salary_germany=closest.salary_germany,
            skills=skills,
            based_on=closest.id,
        )
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise JobDescriptionError(f"cannot build role {role_id!r}: {exc}") from exc
