"""The candidate facts the profile stage extracts from a CV's text.

Personal data (name, e-mails, phones, links, location) sits in ``ContactDetails`` and nowhere
else, so later stages can score a profile without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

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
]


@dataclass(frozen=True, slots=True)
class TextSpan:
    """Characters ``start:end`` of the document text the fact was read from."""

    start: int
    end: int


class LinkKind(StrEnum):
    LINKEDIN = "linkedin"
    GITHUB = "github"
    KAGGLE = "kaggle"
    GOOGLE_SCHOLAR = "google_scholar"
    HUGGING_FACE = "hugging_face"
    INDEED = "indeed"
    PERSONAL_SITE = "personal_site"


@dataclass(frozen=True, slots=True)
class Link:
    kind: LinkKind
    url: str
    span: TextSpan


class DegreeLevel(StrEnum):
    PHD = "phd"
    MASTER = "master"
    BACHELOR = "bachelor"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class EducationEntry:
    level: DegreeLevel
    degree: str  # the degree as written, e.g. "M.Sc. in Computer Science"
    field: str | None
    institution: str | None
    span: TextSpan


class DateIssue(StrEnum):
    """Why an experience period was left out of ``total_experience_months``."""

    END_BEFORE_START = "end_before_start"
    IN_FUTURE = "in_future"  # starts or ends after the reference date


@dataclass(frozen=True, slots=True)
class ExperienceEntry:
    title: str | None
    organisation: str | None
    start: date | None
    end: date | None  # None with ``current`` true: still in the job at the reference date
    current: bool
    months: int
    span: TextSpan
    # Set when the dates cannot be right; the entry is kept so a red-flag rule can cite it.
    date_issue: DateIssue | None = None


@dataclass(frozen=True, slots=True)
class SkillMention:
    name: str  # canonical name from the gazetteer
    text: str  # as written in the CV
    span: TextSpan


@dataclass(frozen=True, slots=True)
class ContactDetails:
    """Personal data: shown to authorised recruiters, never used for scoring."""

    name: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    location: str | None = None
    # where ``location`` was read; the redaction blanks it there, not wherever a job's line
    # names the same town
    location_span: TextSpan | None = None


@dataclass(frozen=True, slots=True)
class CandidateProfile:
    contacts: ContactDetails
    education: tuple[EducationEntry, ...] = ()
    experience: tuple[ExperienceEntry, ...] = ()
    total_experience_months: int = 0  # overlapping periods counted once
    publications_count: int = 0
    languages: tuple[str, ...] = ()
    skill_mentions: tuple[SkillMention, ...] = ()
    reference_date: date = field(default_factory=date.today)
