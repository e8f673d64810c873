"""The profile stage: candidate facts read from a CV's text.

``extract_profile`` turns text (and, if already computed, its sections) into a
``CandidateProfile``: contacts, education, experience with months resolved against a reference
date, publications, spoken languages and skill mentions from the packaged gazetteer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from screener.profile._contacts import extract_contacts, forget_recent_texts
from screener.profile._education import extract_education
from screener.profile._experience import extract_experience
from screener.profile._languages import count_publications, find_languages
from screener.profile._model import (
    CandidateProfile,
    ContactDetails,
    DateIssue,
    DegreeLevel,
    EducationEntry,
    ExperienceEntry,
    Link,
    LinkKind,
    SkillMention,
    TextSpan,
)
from screener.profile._skills import find_skill_mentions
from screener.sections import Section, detect_sections

__all__ = [
    "CandidateProfile",
    "ContactDetails",
    "DateIssue",
    "DegreeLevel",
    "EducationEntry",
    "ExperienceEntry",
    "Link",
    "LinkKind",
    "SkillMention",
    "TextSpan",
    "extract_profile",
    "forget_recent_texts",
]


_LONG_LINE = re.compile(r"[^\n]{300,}")
_WIDE_GAP = re.compile(r"[ \t]{2,}")


def _relayout(text: str) -> str:
    """Break over-long lines at wide gaps, keeping every character offset.

    Text flattened by some exporters (a whole CV on one line, fields separated by runs of
    spaces) defeats every line-based rule; a run of n spaces becomes a line break followed by
    n-1 spaces, so spans found in the result index the original text unchanged.
    """

    def split_line(line: re.Match[str]) -> str:
        return _WIDE_GAP.sub(lambda gap: "\n" + " " * (len(gap.group()) - 1), line.group())

    return _LONG_LINE.sub(split_line, text)


def extract_profile(
    text: str, sections: Sequence[Section] | None = None, *, reference_date: date
) -> CandidateProfile:
    """Read a candidate profile from CV text.

    Args:
        text: the document text; every ``TextSpan`` in the result indexes into it.
        sections: ``detect_sections(text)`` when the caller already has it.
        reference_date: the day "present", "heute" or "halen" stands for; passed explicitly so
            the same text always gives the same profile.

    Returns:
        The profile. Experience periods with impossible dates stay in ``experience`` with a
        ``date_issue`` but are left out of ``total_experience_months``.
    """
    laid_out = _relayout(text)
    if sections is None or laid_out != text:
        sections = detect_sections(laid_out)
    education = tuple(extract_education(laid_out, sections))
    experience, months = extract_experience(
        laid_out, sections, reference_date, degrees=[e.span for e in education]
    )
    return CandidateProfile(
        contacts=extract_contacts(laid_out, sections),
        education=education,
        experience=tuple(experience),
        total_experience_months=months,
        publications_count=count_publications(laid_out, sections),
        languages=tuple(find_languages(laid_out, sections)),
        skill_mentions=tuple(find_skill_mentions(text)),
        reference_date=reference_date,
    )
