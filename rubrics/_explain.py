"""Recruiter-readable explanation of an assessment, from fixed templates (no generative model).

Layout: a summary (fit, strengths, gaps, red flags, salary band for the market), then each
dimension's fired rules with the quoted CV evidence (page and text), then the role's skills
found / related / missing, red flags and sourcing signals in full, and the oversight note.
The same inputs always give the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rubrics._engine import Assessment, Citation, SkillFact
from rubrics._rules import RuleSet

__all__ = ["DIMENSION_TITLES", "OVERSIGHT_NOTE", "SalaryFacts", "explain"]

DIMENSION_TITLES = {
    "mathematical_foundation": "Mathematical foundation",
    "engineering_maturity": "Engineering maturity",
    "domain_application": "Domain application",
}
OVERSIGHT_NOTE = (
    "AI-assisted screening: it ranks, notes and cites evidence; it never rejects. "
    "A person reviews the CV and decides."
)
STRONG_AT = 60.0
WEAK_BELOW = 35.0
_QUOTE = 140
# what a status means where it is not plain; the recruiter pages say the same
_STATUS_GLOSS = {
    "related": ", similar wording, not the skill itself (a concept counts half, a tool nothing)"
}


@dataclass(frozen=True, slots=True)
class SalaryFacts:
    market_name: str
    currency: str
    min: int
    max: int
    basis: str


def _quote(citation: Citation) -> str:
    text = " ".join(citation.text.split())
    if len(text) > _QUOTE:
        text = text[: _QUOTE - 1].rstrip() + "…"
    where = "hidden text" if citation.section == "hidden" else citation.section
    return f'p.{citation.page} ({where}): "{text}"'


def _names(items: Sequence[str], limit: int) -> str:
    shown = list(items[:limit])
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _money(value: int) -> str:
    return f"{value:,}"


def _inline(name: str) -> str:
    """A rule's name inside a sentence: its first letter in lower case, unless its first word
    is an acronym or a name ("ML", "PhD", "CI/CD", "Kaggle"); the rest as written ("Bayesian")."""
    first = name.split(" ", 1)[0]
    if first in _NAMES or any(c.isupper() for c in first[1:]):
        return name
    return name[:1].lower() + name[1:]


# First words of rule names that are names, not words (``_inline``).
_NAMES = frozenset({"Kaggle"})


def explain(
    assessment: Assessment,
    *,
    role_name: str,
    weights: dict[str, float],
    skills: Sequence[SkillFact],
    salary: SalaryFacts,
    rules: RuleSet,
) -> str:
    """The explanation text for one candidate and role.

    Args:
        assessment: the engine's result.
        role_name: the role's display name.
        weights: the role's dimension weights.
        skills: the role's skills as the matching stage saw them.
        salary: the role's band in the market asked for.
        rules: the rule set the assessment came from (to name what was not shown).
    """
    lines: list[str] = []
    dims = assessment.dimensions
    lines.append(
        f"{role_name}: fit {assessment.fit:.0f}/100 "
        f"(role skill coverage {assessment.coverage:.0f}/100)"
    )
    lines.append("")
    lines.append("Summary")
    strong = [name for name, d in dims.items() if d.score >= STRONG_AT]
    weak = [name for name, d in dims.items() if d.score < WEAK_BELOW]
    key_found = [s.name for s in skills if s.required and s.status == "found"]
    # a missing alternative is no gap when another skill of its group was found
    met_groups = {s.any_of for s in skills if s.any_of and s.status == "found"}
    key_missing = [
        s.name
        for s in skills
        if s.required and s.status == "missing" and (s.any_of is None or s.any_of not in met_groups)
    ]
    strengths = [
        f"{DIMENSION_TITLES[name].lower()} {dims[name].score:.0f}/100 ("
        + "; ".join(_inline(r.name) for r in sorted(dims[name].rules, key=lambda r: -r.points)[:3])
        + ")"
        for name in strong
    ]
    if key_found:
        strengths.append(f"key skills shown: {_names(key_found, 6)}")
    lines.append(f"- Strengths: {'; '.join(strengths) if strengths else 'none stand out'}.")
    gaps = [f"{DIMENSION_TITLES[name].lower()} {dims[name].score:.0f}/100" for name in weak]
    unshown = sorted(
        (
            (rule.points * weights.get(name, 0.0), _inline(rule.name))
            for name, dimension in rules.dimensions.items()
            for rule in dimension.rules
            if rule.code not in {r.code for r in dims[name].rules}
        ),
        key=lambda item: (-item[0], item[1]),
    )
    if unshown:
        gaps.append("no evidence of " + _names([name for _, name in unshown], 3))
    if key_missing:
        gaps.append(f"key skills not found: {_names(key_missing, 6)}")
    lines.append(f"- Gaps: {'; '.join(gaps) if gaps else 'none found'}.")
    if assessment.red_flags:
        flags = ", ".join(f"{f.code} ({f.severity})" for f in assessment.red_flags)
        lines.append(f"- Red flags to discuss: {flags}.")
    else:
        lines.append("- Red flags: none found.")
    if assessment.sourcing_signals:
        lines.append(
            "- Sourcing signals: " + ", ".join(s.name for s in assessment.sourcing_signals) + "."
        )
    lines.append(
        f"- Salary band ({salary.market_name}): {salary.currency} {_money(salary.min)}-"
        f"{_money(salary.max)} a year, gross ({salary.basis})."
    )

    for name, dimension in dims.items():
        lines.append("")
        lines.append(
            f"{DIMENSION_TITLES[name]}: {dimension.score:.0f}/100 "
            f"(weight {weights.get(name, 0.0):.2f} for this role)"
        )
        if not dimension.rules:
            lines.append("- no rule of this dimension found evidence in the CV")
        for rule in dimension.rules:
            lines.append(
                f"- {rule.name} (+{rule.points:g})" + (f": {rule.fact}" if rule.fact else "")
            )
            for citation in rule.evidence:
                lines.append(f"    {_quote(citation)}")

    lines.append("")
    lines.append(f"Skills for {role_name}")
    for status in ("found", "related", "missing"):
        chosen = [s for s in skills if s.status == status]
        if not chosen:
            continue
        lines.append(f"- {status} ({len(chosen)}){_STATUS_GLOSS.get(status, '')}:")
        for skill in chosen:
            kind = "key" if skill.required else "plus"
            others = [o.name for o in skills if o.any_of == skill.any_of and o is not skill]
            others = others if skill.any_of else []
            if others:
                kind += ", or " + " / ".join(others)
            if skill.evidence is not None and status != "missing":
                lines.append(f"    {skill.name} [{kind}, {skill.via}] {_quote(skill.evidence)}")
            else:
                lines.append(f"    {skill.name} [{kind}]")

    if assessment.red_flags:
        lines.append("")
        lines.append("Red flags")
        for flag in assessment.red_flags:
            lines.append(f"- [{flag.severity}] {flag.code}: {flag.note}")
            for citation in flag.evidence:
                lines.append(f"    {_quote(citation)}")
    if assessment.sourcing_signals:
        lines.append("")
        lines.append("Sourcing signals")
        for signal in assessment.sourcing_signals:
            lines.append(f"- {signal.name}: {signal.note}")
            for citation in signal.evidence:
                lines.append(f"    {_quote(citation)}")
    lines.append("")
    lines.append(OVERSIGHT_NOTE)
    return "\n".join(lines)
