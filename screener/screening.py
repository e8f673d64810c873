"""Screening: one parsed CV and one role in, a scored, evidence-cited, explained result out.

``screen`` runs the matching stage (``ScreeningPipeline``) on the redacted CV text, hands the
facts to the rubric engine (``rubrics.RubricEngine``) and renders the explanation. ``rank``
screens a folder's worth of files (parsed in isolated workers, encoded a group of CVs at a
time, the pipeline built once by the caller) and orders them by fit, with each candidate's
percentile in the batch. Nothing here rejects a candidate: it ranks, notes and tags.

A ``Screening`` is deterministic for the same CV bytes, role, rubric version, model and
reference date: floats are rounded to 2 decimals, lists are in a fixed order and there is no
timestamp in it. ``screening_json`` gives its canonical JSON.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rubrics import (
    Assessment,
    Citation,
    CVFacts,
    DegreeFact,
    DimensionScore,
    HiddenFact,
    JobFact,
    Market,
    RedFlag,
    Role,
    RoleFacts,
    RubricEngine,
    RuleSet,
    SalaryFacts,
    SectionSpan,
    SkillFact,
    SourcingSignal,
    explain,
    load_rules,
)
from rubrics._roles import content_hash
from screener._json import to_jsonable
from screener.errors import DocumentError
from screener.matching import CVVectors, RoleMatch
from screener.parsing import ParseAhead, ParsedCV
from screener.pipeline import ScreeningPipeline
from screener.redaction import redact_personal_data
from screener.settings import Settings

__all__ = [
    "CV_SUFFIXES",
    "RANK_COLUMNS",
    "RANK_GROUP_SIZE",
    "RankedRow",
    "RoleRef",
    "SalaryBandView",
    "Screening",
    "SkillView",
    "SkillsView",
    "cv_facts",
    "cv_files",
    "rank",
    "rank_screenings",
    "rubric_version",
    "screen",
    "screen_files",
    "screening_processes",
    "screening_json",
]

CV_SUFFIXES = (".pdf", ".docx", ".txt")
RANK_COLUMNS = (
    "rank",
    "file",
    "fit",
    "mathematical_foundation",
    "engineering_maturity",
    "domain_application",
    "coverage",
    "red_flags",
    "error",
    "percentile",
)
# Parsed CVs that ``rank`` encodes in one pass: fuller packs of chunks, 6.1 against 5.6 CVs/s
# one CV at a time (120 Kaggle PDFs, 2-core CPU, bf16), few enough that progress moves often.
RANK_GROUP_SIZE = 32


@dataclass(frozen=True, slots=True)
class RoleRef:
    id: str
    name: str
    version: str


@dataclass(frozen=True, slots=True)
class SkillView:
    skill_id: str
    name: str
    required: bool
    weight: float
    via: str | None
    similarity: float
    evidence: Citation | None
    # Label shared by alternatives ("Python, Go or PHP"): any one of them meets the requirement.
    any_of: str | None = None


@dataclass(frozen=True, slots=True)
class SkillsView:
    found: tuple[SkillView, ...]
    related: tuple[SkillView, ...]
    missing: tuple[SkillView, ...]


@dataclass(frozen=True, slots=True)
class SalaryBandView:
    market: str
    market_name: str
    currency: str
    min: int
    max: int
    basis: str


@dataclass(frozen=True, slots=True)
class Screening:
    """One candidate screened for one role; ``to_jsonable`` gives the documented JSON shape."""

    fit: float
    dimensions: dict[str, DimensionScore]
    coverage: float
    skills: SkillsView
    red_flags: tuple[RedFlag, ...]
    sourcing_signals: tuple[SourcingSignal, ...]
    salary_band: SalaryBandView
    explanation: str
    role: RoleRef
    rubric_version: str
    model_hash: str
    cv_sha256: str


def rubric_version(role: Role, rules: RuleSet, pipeline: ScreeningPipeline) -> str:
    """Short hash over the role's content, the rule set and the market multipliers."""
    return content_hash(
        {"role": role.version, "rules": rules.version, "markets": pipeline.roles.markets.version}
    )


def cv_facts(parsed: ParsedCV, prepared: CVVectors) -> CVFacts:
    """The facts the rubric engine may see: redacted text, sections, job-relevant profile."""
    profile = parsed.profile
    return CVFacts(
        text=prepared.text,
        sections=tuple(SectionSpan(s.kind.value, s.heading_start, s.end) for s in parsed.sections),
        page_starts=tuple((p.start, p.number) for p in parsed.document.pages),
        degrees=tuple(
            DegreeFact(e.level.value, e.degree, e.field, e.span.start, e.span.end)
            for e in profile.education
        ),
        jobs=tuple(
            JobFact(
                title=e.title,
                organisation=e.organisation,
                start=e.start,
                end=e.end,
                current=e.current,
                months=e.months,
                span_start=e.span.start,
                span_end=e.span.end,
                date_issue=e.date_issue.value if e.date_issue else None,
            )
            for e in profile.experience
        ),
        publications_count=profile.publications_count,
        # hidden text is quoted to the recruiter, never scored; personal data is blanked anyway
        hidden=tuple(
            HiddenFact(h.page, h.reason.value, redact_personal_data(h.text, profile.contacts))
            for h in parsed.document.hidden
        ),
        reference_date=profile.reference_date,
    )


def _role_facts(role: Role, match: RoleMatch) -> RoleFacts:
    return RoleFacts(
        role_id=role.id,
        weights=role.dimension_weights.as_dict(),
        coverage=match.coverage,
        skills=tuple(
            SkillFact(
                skill_id=s.skill_id,
                name=s.name,
                required=s.required,
                weight=s.weight,
                status=s.status.value,
                via=s.via.value if s.via else None,
                similarity=round(s.similarity, 2),
                evidence=s.evidence,
                mentioned_in=s.mentioned_in,
                any_of=s.any_of,
            )
            for s in match.skills
        ),
    )


def _skills_view(skills: Sequence[SkillFact]) -> SkillsView:
    def views(status: str) -> tuple[SkillView, ...]:
        chosen = sorted(
            (s for s in skills if s.status == status),
            key=lambda s: (not s.required, -s.weight, s.name.casefold(), s.skill_id),
        )
        return tuple(
            SkillView(s.skill_id, s.name, s.required, round(s.weight, 2), s.via, s.similarity,
                      s.evidence, s.any_of)
            for s in chosen
        )  # fmt: skip

    return SkillsView(views("found"), views("related"), views("missing"))


def screen(
    parsed: ParsedCV,
    role: Role | str,
    *,
    market: Market | str,
    pipeline: ScreeningPipeline,
    rules: RuleSet | None = None,
    prepared: CVVectors | None = None,
) -> Screening:
    """Screen one parsed CV for one role.

    Args:
        parsed: the CV (``screener.parsing``).
        role: a ``Role`` (it must be in ``pipeline.roles`` so its skill vectors exist) or its id.
        market: the market for the salary band (``de``, ``tr``, ``ae``, ``us`` or a name).
        pipeline: the loaded pipeline (model, roles, skill vectors, thresholds).
        rules: the rubric; default the packaged ``rubrics/rules/``.
        prepared: ``pipeline.prepare(parsed)`` if already computed (screening for many roles).

    Raises:
        UnknownRole, UnknownMarket: with the valid choices.
    """
    role = role if isinstance(role, Role) else pipeline.roles.get(role)
    band = role.salary_band(market, markets=pipeline.roles.markets)
    rules = rules or load_rules()
    engine = RubricEngine(rules)
    prepared = prepared if prepared is not None else pipeline.prepare(parsed)
    match = pipeline.match(prepared, role)
    role_facts = _role_facts(role, match)
    assessment: Assessment = engine.assess(cv_facts(parsed, prepared), role_facts)
    salary = SalaryFacts(band.market_name, band.currency, band.min, band.max, band.basis)
    skills = _skills_view(role_facts.skills)
    ordered = [*skills.found, *skills.related, *skills.missing]
    by_id = {s.skill_id: s for s in role_facts.skills}
    return Screening(
        fit=assessment.fit,
        dimensions={str(name): score for name, score in assessment.dimensions.items()},
        coverage=assessment.coverage,
        skills=skills,
        red_flags=assessment.red_flags,
        sourcing_signals=assessment.sourcing_signals,
        salary_band=SalaryBandView(
            band.market.value, band.market_name, band.currency, band.min, band.max, band.basis
        ),
        explanation=explain(
            assessment,
            role_name=role.name,
            weights=role_facts.weights,
            skills=[by_id[s.skill_id] for s in ordered],
            salary=salary,
            rules=rules,
        ),
        role=RoleRef(role.id, role.name, role.version),
        rubric_version=rubric_version(role, rules, pipeline),
        model_hash=match.model_hash,
        cv_sha256=parsed.document.sha256,
    )


def screening_json(screening: Screening, *, indent: int | None = 2) -> str:
    """Canonical JSON of a screening: the same screening always gives the same bytes."""
    return json.dumps(to_jsonable(screening), ensure_ascii=False, indent=indent)


# --- ranking -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankedRow:
    """One file of a ranked batch. ``rank`` and scores are ``None`` for a file that failed.

    ``percentile``: share of the other screened candidates with a lower fit (ties count half),
    0-100; 100 for the only candidate of a batch."""

    rank: int | None
    file: str
    fit: float | None
    mathematical_foundation: float | None
    engineering_maturity: float | None
    domain_application: float | None
    coverage: float | None
    red_flags: tuple[str, ...]
    error: str | None
    percentile: float | None
    screening: Screening | None = None

    def columns(self) -> dict[str, Any]:
        """The table row (``RANK_COLUMNS``), red-flag codes joined by ``; ``."""
        row = {name: getattr(self, name) for name in RANK_COLUMNS}
        row["red_flags"] = "; ".join(self.red_flags)
        return row


def rank_screenings(results: Sequence[tuple[str, Screening | str]]) -> list[RankedRow]:
    """Order screened files by fit (then file name); failures (an error text) come last.

    Equal fits share a rank (1, 2, 2, 4).
    """
    done = sorted(
        ((name, s) for name, s in results if isinstance(s, Screening)),
        key=lambda item: (-item[1].fit, item[0]),
    )
    fits = [s.fit for _, s in done]
    rows: list[RankedRow] = []
    for name, screening in done:
        below = sum(f < screening.fit for f in fits)
        ties = sum(f == screening.fit for f in fits) - 1
        others = len(fits) - 1
        percentile = 100.0 if others == 0 else round(100.0 * (below + 0.5 * ties) / others, 2)
        first = fits.index(screening.fit) + 1
        dims = screening.dimensions
        rows.append(
            RankedRow(
                rank=first,
                file=name,
                fit=screening.fit,
                mathematical_foundation=dims["mathematical_foundation"].score,
                engineering_maturity=dims["engineering_maturity"].score,
                domain_application=dims["domain_application"].score,
                coverage=screening.coverage,
                red_flags=tuple(f.code for f in screening.red_flags),
                error=None,
                percentile=percentile,
                screening=screening,
            )
        )
    for name, error in sorted((n, e) for n, e in results if isinstance(e, str)):
        rows.append(RankedRow(None, name, None, None, None, None, None, (), error, None))
    return rows


def cv_files(folder: Path) -> list[Path]:
    """CV files (PDF, DOCX, TXT) directly in ``folder``, by name."""
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in CV_SUFFIXES),
        key=lambda p: p.name,
    )


def rank(
    paths: Iterable[Path],
    role: Role | str,
    *,
    market: Market | str,
    pipeline: ScreeningPipeline,
    settings: Settings,
    reference_date: date,
    rules: RuleSet | None = None,
    progress: Callable[[int, int], None] | None = None,
    group_size: int = RANK_GROUP_SIZE,
) -> list[RankedRow]:
    """Parse (isolated workers) and screen every file, then rank them.

    Parsed CVs are encoded in groups of ``group_size`` (``ScreeningPipeline.prepare_many``):
    one encoding pass over a group's chunks fills the model's batches better than CV by CV. A
    chunk's vector does not depend on what it is encoded with (``embeddings`` never pads), so
    the screenings are those of screening each file on its own, in fp32 and bf16 alike. Chunks
    of names are not encoded: scoring reads prose chunks only and a ranking keeps no vectors
    (``SkillMatcher.prepare_many``). Files
    are parsed a group ahead while a group is screened, and held while it is encoded
    (``ParseAhead``). A file that cannot be read is a row with its error, never a failed batch.

    Sections, profile, the scoring text and its chunks are found in the parse workers, beside
    this process (``screener.parsing.analysing_pool``). With the model on a GPU the steps left
    around it (matching, the rules) set the pace, one core's worth in this process;
    ``settings.rank_processes`` (``screening_processes``) can screen the files in several
    processes side by side, each with its own model and its share of the parse workers
    (``screener._rank_processes``). ``pipeline`` is used as it is in one process only.

    Args:
        progress: called with (files done, files in all) after each file; a group's files
            are done together once the group is encoded.
        group_size: parsed CVs encoded together.
    """
    if group_size < 1:
        raise ValueError(f"group_size must be at least 1, got {group_size}.")
    paths = list(paths)
    role = role if isinstance(role, Role) else pipeline.roles.get(role)
    rules = rules or load_rules()
    processes = screening_processes(settings, files=len(paths), group_size=group_size)
    if processes > 1:
        from screener._rank_processes import screen_in_processes

        screened = screen_in_processes(
            paths, role, market=market, settings=settings, model=pipeline.model,
            reference_date=reference_date, rules=rules, group_size=group_size,
            processes=processes,
        )  # fmt: skip
    else:
        screened = screen_files(
            paths, role, market=market, pipeline=pipeline, settings=settings,
            reference_date=reference_date, rules=rules, group_size=group_size,
        )  # fmt: skip
    results: list[tuple[str, Screening | str]] = []
    for item in screened:
        results.append(item)
        if progress is not None:
            progress(len(results), len(paths))
    return rank_screenings(results)


def screening_processes(settings: Settings, *, files: int, group_size: int) -> int:
    """How many processes ``rank`` screens ``files`` files in: ``settings.rank_processes``,
    never more than there are groups of files.

    One by default. On the CPU the model's threads already take every core. With the model on
    a GPU one process is held to a core's pace by the steps around the model, but each further
    process starts Python, PyTorch and its own model, and on 637 Kaggle PDFs that start ate
    the gain (H100, 16 cores: 29.0 CVs/s in one process, 29.1 in 2, 28.3 in 4, 22.7 in 8;
    ``python -m benchmarks.speed``, scaling). Larger folders may repay it; none was measured.
    """
    return max(1, min(settings.rank_processes, files // group_size))


def screen_files(
    paths: Sequence[Path],
    role: Role,
    *,
    market: Market | str,
    pipeline: ScreeningPipeline,
    settings: Settings,
    reference_date: date,
    rules: RuleSet,
    group_size: int,
) -> Iterator[tuple[str, Screening | str]]:
    """``(file name, screening or error text)`` for each file, in input order, a group of
    ``group_size`` parsed CVs at a time (``rank`` without the ranking, in this process)."""
    group: list[tuple[str, ParsedCV | DocumentError]] = []
    on_cpu = not pipeline.model.device.startswith("cuda")

    def screen_group(parsing: ParseAhead) -> Iterator[tuple[str, Screening | str]]:
        prepared = iter(
            pipeline.prepare_many(
                [p for _, p in group if not isinstance(p, DocumentError)],
                # the CPU's cores go to the model while it encodes; a GPU leaves them to parsing
                while_encoding=parsing.paused if on_cpu else contextlib.nullcontext,
                names=False,  # a ranking keeps no vectors, and scoring reads prose only
            )
        )
        for name, parsed in group:
            if isinstance(parsed, DocumentError):
                yield name, f"{parsed.kind}: {parsed.message}"
            else:
                yield name, screen(
                    parsed, role, market=market, pipeline=pipeline, rules=rules,
                    prepared=next(prepared),
                )  # fmt: skip
        group.clear()

    with ParseAhead(
        paths,
        settings=settings,
        reference_date=reference_date,
        ahead=group_size,
        chunker=pipeline.matcher.chunker,
    ) as parsing:
        for path, parsed in parsing:
            group.append((path.name, parsed))
            if sum(not isinstance(p, DocumentError) for _, p in group) == group_size:
                yield from screen_group(parsing)
        yield from screen_group(parsing)
