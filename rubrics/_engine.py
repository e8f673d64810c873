"""The rubric engine: facts about one CV and one role in, dimension scores and notes out.

Pure and cheap: no model, no I/O. Phrase patterns are compiled once when the rule set is loaded;
assessing a CV is a handful of regex scans of its redacted text plus arithmetic on profile facts.

Scores
    Each of the three dimensions (mathematical foundation, engineering maturity, domain
    application) is the sum of the points of its fired rules, capped at 100 (each dimension's
    rules sum to 100 points). A rule whose condition holds only partly (e.g. 1 of the 2
    distinct phrases ``full_at`` asks for) gives that share of its points. Every fired rule
    carries its evidence (quoted redacted CV text with page and section) or the profile fact it
    used.

    Overall fit (0-100)::

        fit = FIT_COVERAGE_SHARE  x coverage
            + FIT_DIMENSIONS_SHARE x (w_math x math + w_eng x eng + w_domain x domain)
                                   x coverage / 100

    with the role's ``dimension_weights`` (summing to 1), FIT_DIMENSIONS_SHARE = 0.6,
    FIT_COVERAGE_SHARE = 0.4 and ``coverage`` the matching stage's role coverage (0-100).
    The dimensions count in proportion to coverage: mathematical depth or engineering maturity
    make a candidate a better fit for a role as far as the CV shows the role's skills, so a
    strong Java developer does not outrank data scientists for a Data Scientist role (measured:
    Data Scientist ROC-AUC on the categorised resumes 0.947 with the ungated 0.6/0.4 sum, 0.960
    gated, 0.961 for coverage alone; ``python -m benchmarks.ranking``, keys
    ``auc_fit_by_dimension_share``, ``auc_fit`` and ``auc_coverage``).
    Every number is rounded to 2 decimals.

Red flags and sourcing signals
    Notes with evidence; they never change a score and nothing here rejects a candidate.

Fairness
    The engine sees only the redacted scoring text and job-relevant profile facts (degrees, job
    titles and dates, publication count, hidden text). There is no condition kind for gaps, age,
    nationality, language level, degree country, name, photo, gender or family status.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from rubrics._aliases import longest_of_overlaps
from rubrics._rules import (
    DIMENSION_POINTS,
    CoverageCondition,
    DateIssuesCondition,
    DegreeCondition,
    DimensionName,
    ExperienceCondition,
    HiddenTextCondition,
    KeywordStuffingCondition,
    PhrasesCondition,
    PublicationsCondition,
    RuleSet,
    SkillCondition,
)

__all__ = [
    "FIT_COVERAGE_SHARE",
    "FIT_DIMENSIONS_SHARE",
    "Assessment",
    "CVFacts",
    "Citation",
    "DegreeFact",
    "DimensionScore",
    "FiredRule",
    "HiddenFact",
    "JobFact",
    "RedFlag",
    "RoleFacts",
    "RubricEngine",
    "SectionSpan",
    "SkillFact",
    "SourcingSignal",
    "combine_fit",
    "quote_bounds",
]

FIT_DIMENSIONS_SHARE = 0.6
FIT_COVERAGE_SHARE = 0.4
MAX_CITATIONS = 3
_QUOTE_CHARS = 220
_HIDDEN_QUOTE_CHARS = 120
_SHORT_LINE = 30
_ENTRY_LINES = 3
# The end of a sentence in prose: a lower-case word and a full stop ("… returns and exchanges.");
# "Corp." or "Sr." is part of a name.
_SENTENCE_END = re.compile(r"\b[a-z]{3,}\.\s+")
_SENTENCE_STOP = re.compile(r"\b[a-z]{3,}\.(?=\s|$)")  # the same, up to its full stop
_LABEL = re.compile(r"\s*[a-z][a-z ]{0,20}\s[-–:]\s")  # "company - ", "description - "
_LEVELS = {"other": 0, "bachelor": 1, "master": 2, "phd": 3}


# --- facts in ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Citation:
    """Quoted CV text a finding rests on: ``text`` is ``scoring_text[start:end]`` on ``page``.

    Hidden text (not part of the visible text) has ``start == end == -1`` and section
    ``hidden``."""

    text: str
    start: int
    end: int
    section: str
    page: int


@dataclass(frozen=True, slots=True)
class SectionSpan:
    """A headed section: ``kind`` (``experience``, ``skills``, …) from ``start`` (its heading)
    to ``end``."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class DegreeFact:
    level: str  # phd, master, bachelor, other
    degree: str
    field: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class JobFact:
    title: str | None
    organisation: str | None
    start: date | None
    end: date | None
    current: bool
    months: int
    span_start: int
    span_end: int
    date_issue: str | None = None  # end_before_start, in_future


@dataclass(frozen=True, slots=True)
class HiddenFact:
    page: int
    reason: str
    text: str  # already redacted by the caller


@dataclass(frozen=True, slots=True)
class SkillFact:
    """One role skill as the matching stage saw it."""

    skill_id: str
    name: str
    required: bool
    weight: float
    status: str  # found, related, missing
    via: str | None  # alias, semantic
    similarity: float
    evidence: Citation | None
    mentioned_in: tuple[str, ...] = ()
    any_of: str | None = None  # group of alternatives the skill belongs to


@dataclass(frozen=True, slots=True)
class CVFacts:
    """What the engine may know about a CV: redacted text, sections, job-relevant facts."""

    text: str
    sections: tuple[SectionSpan, ...]
    page_starts: tuple[tuple[int, int], ...]  # (offset, page number), by offset
    degrees: tuple[DegreeFact, ...] = ()
    jobs: tuple[JobFact, ...] = ()
    publications_count: int = 0
    hidden: tuple[HiddenFact, ...] = ()
    reference_date: date = field(default_factory=date.today)

    def has_section(self, kinds: Sequence[str]) -> bool:
        return any(s.kind in kinds for s in self.sections)


@dataclass(frozen=True, slots=True)
class RoleFacts:
    """The role's dimension weights and what the matching stage found for it."""

    role_id: str
    weights: dict[str, float]
    coverage: float
    skills: tuple[SkillFact, ...]


# --- results out ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FiredRule:
    code: str
    name: str
    points: float
    evidence: tuple[Citation, ...] = ()
    fact: str | None = None


@dataclass(frozen=True, slots=True)
class DimensionScore:
    score: float
    rules: tuple[FiredRule, ...]


@dataclass(frozen=True, slots=True)
class RedFlag:
    code: str
    severity: str  # info, warning
    note: str
    evidence: tuple[Citation, ...] = ()


@dataclass(frozen=True, slots=True)
class SourcingSignal:
    code: str
    name: str
    note: str
    evidence: tuple[Citation, ...] = ()


@dataclass(frozen=True, slots=True)
class Assessment:
    fit: float
    coverage: float
    dimensions: dict[DimensionName, DimensionScore]
    red_flags: tuple[RedFlag, ...]
    sourcing_signals: tuple[SourcingSignal, ...]


@dataclass(frozen=True, slots=True)
class _Outcome:
    fraction: float  # share of the rule's points, 0-1
    evidence: tuple[Citation, ...] = ()
    fact: str | None = None


def combine_fit(dimensions: dict[str, float], weights: dict[str, float], coverage: float) -> float:
    """The documented fit formula (module docstring), rounded to 2 decimals."""
    weighted = sum(weights[name] * score for name, score in dimensions.items())
    gated = FIT_DIMENSIONS_SHARE * weighted * coverage / 100.0
    return round(FIT_COVERAGE_SHARE * coverage + gated, 2)


def _job_titles(jobs: Sequence[JobFact], shown: int = 4) -> str:
    """``: Data Scientist, ML Engineer``: which jobs a count rests on (the cited lines are often
    only their dates); distinct titles in CV order, at most ``shown``."""
    titles = list(dict.fromkeys(j.title for j in jobs if j.title))
    if not titles:
        return ""
    more = f" and {len(titles) - shown} more" if len(titles) > shown else ""
    return ": " + ", ".join(titles[:shown]) + more


# --- citations -----------------------------------------------------------------------------------


def quote_bounds(
    text: str,
    start: int,
    end: int,
    section_starts: Sequence[int] = (),
    *,
    sentence: bool = True,
) -> tuple[int, int]:
    """The sentence or line holding ``text[start:end]``, cut to a quotable length, spaces
    trimmed.

    Evidence everywhere (rules, skill hits) is quoted this way, so a recruiter reads whole
    sentences where the CV writes prose and whole lines where it lists. A PDF breaks prose into
    lines anywhere ("algorithms. Utilized TensorFlow and PyTorch for developing predictive
    models. Analyzed"), so with ``sentence`` the quote starts after the last full stop before the
    hit and ends at the first one after it, reaching into the line before or after where the
    sentence runs on across the break (one line ends in a lower-case word, a comma or a hyphen
    and the next starts in lower case). A line with no full stop, such as a skills list, is
    quoted whole; a sentence too long to quote falls back to its line. Cut to length, a quote
    starts and ends at word breaks.
    ``section_starts`` (ascending offsets of the CV's section headings): a heading glued to the
    end of a line ("Keras- Exprience - Less than 1 year monthsCompany Details") belongs to the
    next section, so a quote of the line's text stops before it.
    """
    index = bisect.bisect_right(section_starts, start)
    low = section_starts[index - 1] if index else 0
    high = max(section_starts[index], end) if index < len(section_starts) else len(text)
    line_start = max(text.rfind("\n", 0, start) + 1, low)
    line_end = text.find("\n", end)
    line_end = min(len(text) if line_end < 0 else line_end, high)
    if sentence:
        sentence_start = _sentence_start(text, line_start, line_end, start, low)
        sentence_end = _sentence_end(text, line_end, start, end, high)
        if sentence_end - sentence_start <= _QUOTE_CHARS:
            line_start, line_end = sentence_start, sentence_end
    if line_end - line_start > _QUOTE_CHARS:
        half = max((_QUOTE_CHARS - (end - start)) // 2, 0)
        if start - half > line_start:
            line_start = start - half
            while line_start < start and not text[line_start - 1].isspace():
                line_start += 1
        if end + half < line_end:
            line_end = end + half
            while line_end > end and not text[line_end].isspace():
                line_end -= 1
    while line_start < line_end and text[line_start].isspace():
        line_start += 1
    while line_end > line_start and text[line_end - 1].isspace():
        line_end -= 1
    return line_start, line_end


def _runs_on(line: str) -> bool:
    """Whether a line breaks a sentence off: it ends in a lower-case word, a comma or a hyphen."""
    stripped = line.rstrip()
    return bool(stripped) and (stripped[-1].islower() or stripped[-1] in ",-")


def _continues(line: str) -> bool:
    """Whether a line goes on with a sentence broken off: it starts in lower case, and not with
    a label ("company - Matelabs", "description - ML Platform for …")."""
    return line.lstrip()[:1].islower() and not _LABEL.match(line)


def _sentence_start(text: str, line_start: int, line_end: int, start: int, low: int) -> int:
    """After the last sentence end before ``start`` on its line, or on the line before where
    the sentence runs on from it."""
    found = [m.end() for m in _SENTENCE_END.finditer(text, line_start, start)]
    if found:
        return found[-1]
    previous_end = line_start - 1
    if not _continues(text[line_start:line_end]) or previous_end <= low:
        return line_start
    previous = max(text.rfind("\n", 0, previous_end) + 1, low)
    if not _runs_on(text[previous:previous_end]):
        return line_start
    found = [m.end() for m in _SENTENCE_END.finditer(text, previous, previous_end)]
    return found[-1] if found else previous


def _sentence_end(text: str, line_end: int, start: int, end: int, high: int) -> int:
    """Through the first sentence end after the hit on its line, or on the line after where the
    sentence runs on into it."""
    for stop in _SENTENCE_STOP.finditer(text, start, line_end):
        if stop.end() >= end:
            return stop.end()
    following = line_end + 1
    if following >= high or not _runs_on(text[start:line_end]):
        return line_end
    next_end = text.find("\n", following)
    next_end = min(len(text) if next_end < 0 else next_end, high)
    if not _continues(text[following:next_end]):
        return line_end
    first_stop = _SENTENCE_STOP.search(text, following, next_end)
    return first_stop.end() if first_stop else next_end


def _unique(citations: Sequence[Citation]) -> tuple[Citation, ...]:
    """Distinct citations, at most MAX_CITATIONS; a blank one (its line was all personal data,
    blanked in the scoring text) quotes nothing a recruiter could read and is left out.

    One stretch of text is quoted once: two hits on one long line are cut to different windows
    of it, and the recruiter read the same skills list twice, the second time from mid-word
    ("ystems: Windows XP, 7, Ubuntu …"). A quote that shares text with one already kept is left
    out, unless it holds all of it: then it stands where the first it holds stood.
    """
    kept: list[Citation] = []
    for citation in citations:
        if not citation.text.strip():
            continue
        inside = [i for i, k in enumerate(kept) if _within(k, citation)]
        if inside:
            kept[inside[0]] = citation
            kept = [k for i, k in enumerate(kept) if i not in inside[1:]]
        elif not any(_shares_text(citation, k) for k in kept):
            kept.append(citation)
    return tuple(kept[:MAX_CITATIONS])


def _within(inner: Citation, outer: Citation) -> bool:
    """Whether ``inner`` quotes nothing ``outer`` does not; hidden text (no position) only
    when it is the same text."""
    if inner.start < 0 or outer.start < 0:
        return inner.start == outer.start and inner.text == outer.text
    return outer.start <= inner.start and inner.end <= outer.end


def _shares_text(a: Citation, b: Citation) -> bool:
    if a.start < 0 or b.start < 0:
        return _within(a, b)
    return a.start < b.end and b.start < a.end


# --- conditions ----------------------------------------------------------------------------------


def _months(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_text(day: date | None) -> str:
    return f"{day.year:04d}-{day.month:02d}" if day else "?"


def _job_text(job: JobFact) -> str:
    end = "present" if job.current else _month_text(job.end)
    title = f"{' '.join(job.title.split())[:60]}, " if job.title else ""
    return f"{title}{_month_text(job.start)} to {end}"


class _Evaluator:
    """Evaluates conditions on one CV and one role; phrase hits are computed once per rule."""

    def __init__(self, cv: CVFacts, role: RoleFacts) -> None:
        self.cv = cv
        self.role = role
        self._section_starts = [sec.start for sec in cv.sections]
        self._page_offsets = [p[0] for p in cv.page_starts]

    def section_at(self, offset: int) -> str:
        index = bisect.bisect_right(self._section_starts, offset) - 1
        return self.cv.sections[index].kind if index >= 0 else "header"

    def page_at(self, offset: int) -> int:
        index = bisect.bisect_right(self._page_offsets, offset) - 1
        return self.cv.page_starts[max(index, 0)][1] if self.cv.page_starts else 1

    def cite(self, start: int, end: int, *, sentence: bool = True) -> Citation:
        start, end = quote_bounds(self.cv.text, start, end, self._section_starts, sentence=sentence)
        return Citation(
            self.cv.text[start:end], start, end, self.section_at(start), self.page_at(start)
        )

    def cite_span(self, start: int, end: int) -> Citation:
        """The first non-blank line of a fact's span (an education or job entry); a short one
        (a job's dates alone) runs on over the next non-blank lines of its section until one is
        not short, at most ``_ENTRY_LINES`` lines, so the quote names the entry (a job's span is
        its dates; a template wraps "2021 –" over "Present" above the title)."""
        text = self.cv.text
        index = bisect.bisect_right(self._section_starts, start) - 1
        section_start, section_end = (0, len(text))
        if index >= 0:
            section_start, section_end = self.cv.sections[index].start, self.cv.sections[index].end
        # from the start of the span's line: "Data Scientist, 12/2015 to Current" is no date alone;
        # but not from the previous job's last sentence where a PDF joined it to this one's line
        # ("Processed merchandise returns and exchanges. Company Name March 2006 to June 2010")
        cursor = max(text.rfind("\n", 0, start) + 1, section_start)
        for sentence_end in _SENTENCE_END.finditer(text, cursor, start):
            cursor = sentence_end.end()
        limit = max(end, section_end)
        lines: list[tuple[int, int]] = []
        while cursor < limit and len(lines) < _ENTRY_LINES:
            line_end = text.find("\n", cursor, limit)
            line_end = limit if line_end < 0 else line_end
            if text[cursor:line_end].strip():
                lines.append((cursor, line_end))
                if len(text[cursor:line_end].strip()) >= _SHORT_LINE:
                    break
            cursor = line_end + 1
        if not lines:
            return self.cite(start, start, sentence=False)
        # an entry's lines as they stand: its first sentence alone may be only its title
        first = self.cite(lines[0][0], lines[0][0], sentence=False)
        if first.start < lines[0][0]:  # the joined sentence stays out
            first = Citation(
                text[lines[0][0] : first.end], lines[0][0], first.end, first.section, first.page
            )
        if len(lines) == 1:
            return first
        last = self.cite(lines[-1][0], lines[-1][0], sentence=False)
        return Citation(
            text[first.start : last.end], first.start, last.end, first.section, first.page
        )

    def __call__(self, condition: object) -> _Outcome | None:
        handler: Callable[[object], _Outcome | None] = getattr(self, f"_{type(condition).__name__}")
        return handler(condition)

    def _PhrasesCondition(self, c: PhrasesCondition) -> _Outcome | None:  # noqa: N802
        cv = self.cv
        hits: list[tuple[int, int, str]] = [
            (m.start, m.end, m.key) for m in c.matcher.find(cv.text)
        ]
        for regex in c.regexes:
            hits.extend((m.start(), m.end(), m.group().casefold()) for m in regex.finditer(cv.text))
        if c.regexes:
            hits = [hits[i] for i in longest_of_overlaps(hits)]
        if c.sections is not None:
            allowed = set(c.sections)
            hits = [h for h in hits if self.section_at(h[0]) in allowed]
        first: dict[str, tuple[int, int]] = {}
        for start, end, key in sorted(hits):
            first.setdefault(" ".join(key.split()), (start, end))
        if len(first) < c.min_hits:
            return None
        full_at = c.full_at or c.min_hits
        spans = sorted(first.values())
        # phrases are told as the rule writes them ("A/B testing", "Bayesian", "ARIMA")
        found = [c.written.get(key, key) for key in sorted(first, key=lambda k: first[k])]
        return _Outcome(
            min(1.0, len(first) / full_at),
            _unique([self.cite(s, e) for s, e in spans]),
            f"found: {', '.join(found[:8])}{' …' if len(found) > 8 else ''}",
        )

    def _SkillCondition(self, c: SkillCondition) -> _Outcome | None:  # noqa: N802
        selection = [
            s
            for s in self.role.skills
            if (not c.skills or s.skill_id in c.skills) and (s.required or not c.required_only)
        ]
        statuses = set(c.statuses)
        used = set(c.used_in) if c.used_in is not None else None

        def counts(skill: SkillFact) -> bool:
            if skill.status not in statuses:
                return False
            if used is None:
                return True
            section = skill.evidence.section if skill.evidence else None
            return bool(used.intersection(skill.mentioned_in)) or section in used

        hits = [s for s in selection if counts(s)]
        # alternatives ("PHP, Python or Go") are one requirement, met by any of them
        requirements = {s.any_of or s.skill_id for s in selection}
        met = {s.any_of or s.skill_id for s in hits}
        if len(met) < c.min_hits or not selection:
            return None
        if c.full_at_share is not None:
            fraction = len(met) / (c.full_at_share * len(requirements))
        elif c.full_at is not None:
            fraction = len(met) / c.full_at
        else:
            fraction = 1.0
        where = f" in {'/'.join(c.used_in)}" if c.used_in else ""
        return _Outcome(
            min(1.0, fraction),
            _unique([s.evidence for s in hits if s.evidence is not None]),
            f"{len(met)} of {len(requirements)} {'key ' if c.required_only else ''}skills{where}: "
            + ", ".join(s.name for s in hits),
        )

    def _DegreeCondition(self, c: DegreeCondition) -> _Outcome | None:  # noqa: N802
        wanted = _LEVELS[c.min_level]
        for degree in sorted(self.cv.degrees, key=lambda d: (-_LEVELS.get(d.level, 0), d.start)):
            if _LEVELS.get(degree.level, 0) < wanted:
                continue
            subject = f"{degree.field or ''} {degree.degree}"
            if (c.fields or c.patterns) and not (
                c.matcher.find(subject) or any(r.search(subject) for r in c.regexes)
            ):
                continue
            described = degree.degree if not degree.field else f"{degree.degree} ({degree.field})"
            return _Outcome(
                1.0,
                (self.cite_span(degree.start, degree.end),),
                f"{degree.level} degree: {' '.join(described.split())}",
            )
        return None

    def _PublicationsCondition(self, c: PublicationsCondition) -> _Outcome | None:  # noqa: N802
        count = self.cv.publications_count
        if count < c.min_count:
            return None
        full_at = c.full_at or c.min_count
        return _Outcome(min(1.0, count / full_at), (), f"{count} publication(s) listed")

    def _ExperienceCondition(self, c: ExperienceCondition) -> _Outcome | None:  # noqa: N802
        reference = _months(self.cv.reference_date)
        intervals: list[tuple[int, int]] = []
        jobs: list[JobFact] = []
        for job in self.cv.jobs:
            if job.start is None or job.date_issue is not None:
                continue
            if c.titles and not (job.title and c.matcher.find(job.title)):
                continue
            end = reference if job.current or job.end is None else _months(job.end)
            if c.recent_within_months is not None and end < reference - c.recent_within_months:
                continue
            intervals.append((_months(job.start), min(end, reference) + 1))
            jobs.append(job)
        months = 0
        covered_to = -1
        for start, end in sorted(intervals):
            start = max(start, covered_to)
            if end > start:
                months += end - start
                covered_to = end
        if months < c.min_months:
            return None
        full_at = c.full_at or c.min_months
        relevant = " with relevant titles" if c.titles else ""
        if c.recent_within_months is None:
            fact = f"{months} months in {len(jobs)} job(s){relevant}"
        else:
            # the months are the jobs' whole length, not the part inside the window
            fact = (
                f"{len(jobs)} job(s){relevant} current or ended within the last "
                f"{c.recent_within_months} months, {months} months in all"
            )
        return _Outcome(
            min(1.0, months / full_at),
            _unique([self.cite_span(j.span_start, j.span_end) for j in jobs]),
            fact + _job_titles(jobs),
        )

    def _CoverageCondition(self, c: CoverageCondition) -> _Outcome | None:  # noqa: N802
        coverage = self.role.coverage
        if coverage <= 0 or coverage < c.min_coverage:
            return None
        return _Outcome(coverage / 100.0, (), f"role skill coverage {coverage:.2f}/100")

    def _KeywordStuffingCondition(self, c: KeywordStuffingCondition) -> _Outcome | None:  # noqa: N802
        if not self.cv.has_section(c.used_in):
            return None
        used, listed = set(c.used_in), set(c.listed_in)
        named = [s for s in self.role.skills if s.via == "alias" and s.mentioned_in]
        stuffed = [
            s
            for s in named
            if not used.intersection(s.mentioned_in) and listed.intersection(s.mentioned_in)
        ]
        if len(stuffed) < c.min_skills or len(stuffed) < c.min_share * len(named):
            return None
        return _Outcome(
            1.0,
            _unique([s.evidence for s in stuffed if s.evidence is not None]),
            f"{len(stuffed)} of {len(named)} role skills named only in the "
            f"{'/'.join(c.listed_in)} list, never in {'/'.join(c.used_in)}: "
            + ", ".join(s.name for s in stuffed),
        )

    def _HiddenTextCondition(self, c: HiddenTextCondition) -> _Outcome | None:  # noqa: N802
        hidden = [h for h in self.cv.hidden if h.text.strip()]
        chars = sum(len(h.text) for h in hidden)
        if chars < c.min_chars:
            return None
        pages = sorted({h.page for h in hidden})
        reasons = sorted({h.reason.replace("_", " ") for h in hidden})
        quotes = [
            Citation(" ".join(h.text.split())[:_HIDDEN_QUOTE_CHARS], -1, -1, "hidden", h.page)
            for h in sorted(hidden, key=lambda h: (-len(h.text), h.page, h.text))
        ]
        return _Outcome(
            1.0,
            _unique(quotes),
            f"{chars} hidden characters on page(s) {', '.join(map(str, pages))} "
            f"({', '.join(reasons)})",
        )

    def _DateIssuesCondition(self, c: DateIssuesCondition) -> _Outcome | None:  # noqa: N802
        cv = self.cv
        if c.check == "impossible":
            bad = [j for j in cv.jobs if j.date_issue is not None]
            if not bad:
                return None
            facts = [
                f"{_month_text(j.start)} to {_month_text(j.end)}: {j.date_issue.replace('_', ' ')}"
                for j in bad
                if j.date_issue
            ]
            return _Outcome(
                1.0,
                _unique([self.cite_span(j.span_start, j.span_end) for j in bad]),
                "; ".join(facts),
            )
        reference = _months(cv.reference_date)
        dated = [
            (j, _months(j.start), reference if j.current or j.end is None else _months(j.end))
            for j in cv.jobs
            if j.start is not None and j.date_issue is None
        ]
        overlaps: list[tuple[JobFact, JobFact, int]] = []
        for index, (a, a_start, a_end) in enumerate(dated):
            for b, b_start, b_end in dated[index + 1 :]:
                same_employer = (
                    a.organisation
                    and b.organisation
                    and a.organisation.casefold() == b.organisation.casefold()
                )
                # the same dates twice are one job read twice (e.g. repeated on a later page)
                same_job = (a_start, a_end) == (b_start, b_end)
                overlap = min(a_end, b_end) - max(a_start, b_start)
                if not same_employer and not same_job and overlap >= c.min_overlap_months:
                    overlaps.append((a, b, overlap))
        if not overlaps:
            return None
        a, b, months = max(overlaps, key=lambda o: (o[2], -o[0].span_start))
        return _Outcome(
            1.0,
            _unique(
                [
                    self.cite_span(job.span_start, job.span_end)
                    for pair in overlaps
                    for job in pair[:2]
                ]
            ),
            f"{len(overlaps)} overlapping pair(s) of jobs; the longest overlap is {months} "
            f"months ({_job_text(a)} and {_job_text(b)})",
        )


class RubricEngine:
    """Scores CVs against roles with one rule set. Build once; ``assess`` is pure.

    Args:
        rules: the validated rule set (``load_rules()``).
    """

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        # compile every pattern now, not on the first CV
        for dimension in rules.dimensions.values():
            for rule in dimension.rules:
                _warm(rule.when)
        for flag in rules.red_flags:
            for condition in (flag.when, flag.unless, flag.applies_if):
                _warm(condition)
        for signal in rules.sourcing_signals:
            _warm(signal.when)

    @property
    def version(self) -> str:
        return self.rules.version

    def assess(self, cv: CVFacts, role: RoleFacts) -> Assessment:
        """Dimension scores, fit, red flags and sourcing signals for one CV and role."""
        evaluate = _Evaluator(cv, role)
        dimensions: dict[DimensionName, DimensionScore] = {}
        for name, dimension in self.rules.dimensions.items():
            fired: list[FiredRule] = []
            for rule in dimension.rules:
                outcome = evaluate(rule.when)
                if outcome is None or outcome.fraction <= 0:
                    continue
                points = round(rule.points * min(outcome.fraction, 1.0), 2)
                fired.append(
                    FiredRule(rule.code, rule.name, points, outcome.evidence, outcome.fact)
                )
            score = round(min(float(DIMENSION_POINTS), sum(r.points for r in fired)), 2)
            dimensions[name] = DimensionScore(score, tuple(fired))

        red_flags: list[RedFlag] = []
        for flag in self.rules.red_flags:
            if flag.applies_if is not None and evaluate(flag.applies_if) is None:
                continue
            outcome = evaluate(flag.when)
            if outcome is None or (flag.unless is not None and evaluate(flag.unless) is not None):
                continue
            note = f"{outcome.fact}. {flag.note}" if outcome.fact else flag.note
            red_flags.append(RedFlag(flag.code, flag.severity, note, outcome.evidence))

        signals: list[SourcingSignal] = []
        for signal in self.rules.sourcing_signals:
            outcome = evaluate(signal.when)
            if outcome is not None:
                note = f"{signal.note} ({outcome.fact})" if outcome.fact else signal.note
                signals.append(SourcingSignal(signal.code, signal.name, note, outcome.evidence))

        fit = combine_fit(
            {name: score.score for name, score in dimensions.items()},
            role.weights,
            role.coverage,
        )
        return Assessment(
            fit=fit,
            coverage=round(role.coverage, 2),
            dimensions=dimensions,
            red_flags=tuple(red_flags),
            sourcing_signals=tuple(signals),
        )


def _warm(condition: object) -> None:
    for attribute in ("matcher", "regexes"):
        if condition is not None and hasattr(type(condition), attribute):
            getattr(condition, attribute)
