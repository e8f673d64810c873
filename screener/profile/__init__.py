"""The profile stage: candidate facts read from a CV's text.

``extract_profile`` turns text (and, if already computed, its sections) into a
``CandidateProfile``: contacts, education, experience with months resolved against a reference
date, publications, spoken languages and skill mentions from the packaged gazetteer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from screener.profile._contacts import extract_contacts
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
]


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
    if sections is None:
        sections = detect_sections(text)
    experience, months = extract_experience(text, sections, reference_date)
    return CandidateProfile(
        contacts=extract_contacts(text, sections),
        education=tuple(extract_education(text, sections)),
        experience=tuple(experience),
        total_experience_months=months,
        publications_count=count_publications(text, sections),
        languages=tuple(find_languages(text, sections)),
        skill_mentions=tuple(find_skill_mentions(text)),
        reference_date=reference_date,
    )
