"""Split CV text into headed sections (English, German and Turkish headings).

A heading is a short line of its own whose words, once lower-cased and stripped of punctuation,
name a known section ("Professional Experience", "Berufserfahrung", "İş Deneyimi"). Text before
the first heading is the ``header`` section (name, contacts, often a summary).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Section", "SectionKind", "detect_sections", "normalise_heading"]


class SectionKind(StrEnum):
    HEADER = "header"
    SUMMARY = "summary"
    EXPERIENCE = "experience"
    EDUCATION = "education"
    SKILLS = "skills"
    PROJECTS = "projects"
    PUBLICATIONS = "publications"
    CERTIFICATIONS = "certifications"
    LANGUAGES = "languages"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Section:
    """``text[start:end]`` is the section's body; ``text[heading_start:start]`` its heading."""

    kind: SectionKind
    heading: str
    heading_start: int
    start: int
    end: int


# Phrases are matched against the whole normalised heading line, so "skills" is a heading but
# "skills in python and sql" is not. Keep them lower-case, accents folded (see normalise_heading).
_HEADINGS: dict[SectionKind, tuple[str, ...]] = {
    SectionKind.SUMMARY: (
        "summary",
        "professional summary",
        "career summary",
        "executive summary",
        "profile",
        "professional profile",
        "personal profile",
        "career profile",
        "about",
        "about me",
        "objective",
        "career objective",
        "objectives",
        "professional objective",
        "overview",
        "career overview",
        "professional overview",
        "introduction",
        "personal statement",
        "highlights",
        "summary of qualifications",
        "qualifications summary",
        # de
        "profil",
        "kurzprofil",
        "zusammenfassung",
        "uber mich",
        "berufsziel",
        "zielsetzung",
        # tr
        "ozet",
        "profil ozeti",
        "hakkimda",
        "kariyer hedefi",
        "amac",
        "ozgecmis ozeti",
    ),
    SectionKind.EXPERIENCE: (
        "experience",
        "work experience",
        "professional experience",
        "employment",
        "employment history",
        "work history",
        "career history",
        "professional history",
        "relevant experience",
        "industry experience",
        "experience summary",
        "experiences",
        "professional background",
        "work",
        "career",
        "positions held",
        "internships",
        "internship",
        "research experience",
        "teaching experience",
        "job history",
        "working experience",
        "related experience",
        "military experience",
        "research",
        "volunteer experience",
        "leadership experience",
        "employment details",
        "company details",
        # de
        "berufserfahrung",
        "berufliche erfahrung",
        "berufliche laufbahn",
        "berufspraxis",
        "praktische erfahrung",
        "werdegang",
        "beruflicher werdegang",
        "erfahrung",
        "praktika",
        "beschaftigungsverlauf",
        "berufstatigkeit",
        # tr
        "deneyim",
        "deneyimler",
        "is deneyimi",
        "is deneyimleri",
        "is tecrubesi",
        "tecrube",
        "tecrubeler",
        "mesleki deneyim",
        "profesyonel deneyim",
        "staj",
        "stajlar",
        "calisma gecmisi",
    ),
    SectionKind.EDUCATION: (
        "education",
        "educational background",
        "education and training",
        "academic background",
        "academic qualifications",
        "qualifications",
        "education background",
        "academics",
        "academic history",
        "education history",
        "education details",
        "educational qualification",
        "educational qualifications",
        "academic profile",
        "training",
        "education & training",
        "education and certifications",
        "education and certification",
        "degrees",
        "academic credentials",
        "education and courses",
        "scholastic profile",
        "academic details",
        # de
        "ausbildung",
        "bildung",
        "bildungsweg",
        "studium",
        "schulbildung",
        "akademische ausbildung",
        "hochschulbildung",
        "ausbildung und studium",
        "schul und berufsausbildung",
        # tr
        "egitim",
        "egitim bilgileri",
        "egitim durumu",
        "ogrenim",
        "ogrenim durumu",
        "akademik gecmis",
    ),
    SectionKind.SKILLS: (
        "skills",
        "technical skills",
        "skill details",
        "core skills",
        "key skills",
        "skill set",
        "skillset",
        "skill highlights",
        "core competencies",
        "competencies",
        "core qualifications",
        "areas of expertise",
        "expertise",
        "technologies",
        "technical expertise",
        "tools",
        "tech stack",
        "technical proficiencies",
        "proficiencies",
        "strengths",
        "core strengths",
        "computer skills",
        "it skills",
        "software skills",
        "technical summary",
        "abilities",
        "skills and abilities",
        "relevant skills",
        "professional skills",
        "programming skills",
        "technical competencies",
        "key competencies",
        "knowledge",
        "tools and technologies",
        "skills summary",
        "skills & abilities",
        "additional skills",
        "interests and skills",
        "tools and tech",
        "tech and tools",
        "skills and tools",
        # de
        "kenntnisse",
        "fachkenntnisse",
        "fahigkeiten",
        "kompetenzen",
        "edv kenntnisse",
        "it kenntnisse",
        "technische kenntnisse",
        "fahigkeiten und kenntnisse",
        "besondere kenntnisse",
        "faehigkeiten",
        "skills und kenntnisse",
        # tr
        "yetenekler",
        "yetenek",
        "beceriler",
        "yetkinlikler",
        "teknik beceriler",
        "teknik yetenekler",
        "bilgisayar becerileri",
        "uzmanlik alanlari",
    ),
    SectionKind.PROJECTS: (
        "projects",
        "project details",
        "project",
        "personal projects",
        "selected projects",
        "key projects",
        "academic projects",
        "project experience",
        "projects undertaken",
        "notable projects",
        "side projects",
        "open source",
        "open source contributions",
        # de
        "projekte",
        "projekterfahrung",
        "ausgewahlte projekte",
        # tr
        "projeler",
        "proje",
        "projelerim",
    ),
    SectionKind.PUBLICATIONS: (
        "publications",
        "selected publications",
        "papers",
        "research papers",
        "publications and presentations",
        "conference papers",
        "patents",
        "presentations",
        # de
        "publikationen",
        "veroffentlichungen",
        "veroeffentlichungen",
        # tr
        "yayinlar",
        "makaleler",
        "yayinlarim",
    ),
    SectionKind.CERTIFICATIONS: (
        "certifications",
        "certification",
        "certificates",
        "licenses",
        "licenses and certifications",
        "licenses & certifications",
        "courses",
        "certifications and licenses",
        "training and certifications",
        "professional development",
        "awards",
        "honors",
        "honors and awards",
        "awards and honors",
        "accomplishments",
        "achievements",
        "awards & achievements",
        # de
        "zertifikate",
        "zertifizierungen",
        "weiterbildung",
        "fortbildungen",
        "auszeichnungen",
        # tr
        "sertifikalar",
        "sertifika",
        "kurslar",
        "oduller",
        "basarilar",
    ),
    SectionKind.LANGUAGES: (
        "languages",
        "language skills",
        "language",
        "spoken languages",
        "language proficiency",
        # de
        "sprachen",
        "sprachkenntnisse",
        "fremdsprachen",
        # tr
        "diller",
        "yabanci diller",
        "yabanci dil",
        "dil bilgisi",
        "dil becerileri",
    ),
    SectionKind.OTHER: (
        "additional information",
        "interests",
        "hobbies",
        "activities",
        "volunteer",
        "volunteering",
        "references",
        "affiliations",
        "professional affiliations",
        "memberships",
        "personal details",
        "personal information",
        "extracurricular activities",
        "leadership",
        "contact",
        "additional",
        "miscellaneous",
        # de
        "interessen",
        "hobbys",
        "personliche daten",
        "sonstiges",
        "ehrenamt",
        "referenzen",
        # tr
        "ilgi alanlari",
        "hobiler",
        "kisisel bilgiler",
        "referanslar",
        "diger",
    ),
}

_PHRASE_TO_KIND: dict[str, SectionKind] = {
    phrase: kind for kind, phrases in _HEADINGS.items() for phrase in phrases
}

_MAX_HEADING_CHARS = 60
_LINE = re.compile(r"[^\n\f]*")


_LETTER_SPACED = re.compile(r"\S(?: {1,3}\S)+")


def _collapse_letter_spacing(line: str) -> str:
    """ "W O R K  E X P E R I E N C E" → "WORK EXPERIENCE" (designer templates space headings)."""
    stripped = line.strip()
    if not _LETTER_SPACED.fullmatch(stripped) or len(stripped.replace(" ", "")) < 3:
        return line
    words = re.split(r"\s{2,}|\t", stripped)
    if not all(len(token) == 1 for word in words for token in word.split(" ")):
        return line
    return " ".join(word.replace(" ", "") for word in words)


def normalise_heading(line: str) -> str:
    """Lower-case, fold accents and Turkish letters, keep letters and single spaces."""
    line = _collapse_letter_spacing(line)
    folded = line.replace("İ", "i").replace("ı", "i").lower()
    folded = folded.replace("&", " and ").replace("ß", "ss")
    folded = unicodedata.normalize("NFKD", folded)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = re.findall(r"[a-z]+", folded)
    return " ".join(words)


def _heading_kind(line: str) -> SectionKind | None:
    stripped = line.strip().strip("•·-–—:|#*▪■►").strip()
    if not stripped or len(stripped.replace(" ", "")) > _MAX_HEADING_CHARS:
        return None
    if stripped[-1] in ".,;" or any(ch.isdigit() for ch in stripped):
        return None
    return _PHRASE_TO_KIND.get(normalise_heading(stripped))


# A heading set in a margin column shares its line with the first line of the section
# ("EXPERIENCE Experience with external APIs;", "EDUCATION Belarusian State University"), as
# PDF and DOCX conversions of such layouts give it. Two shapes count: the whole run of capital
# words that opens the line is a heading ("LEADERSHIP DEVELOPMENT PROGRAM" is not, though
# "leadership" alone would be), or a heading in any case is followed by dates ("Work experience
# 04/2022 - 07/2022"), which "Experience with external APIs" or "Experience: 5 years" are not.
_CAPITALS_RUN = re.compile(r"[^\S\n]*((?:[A-ZÄÖÜÇĞİŞ&]{2,}[^\S\n]+)*[A-ZÄÖÜÇĞİŞ]{2,})(?=[:\s]+\S)")
_BEFORE_DATES = re.compile(
    r"[^\S\n]*([^\W\d_][^\d\n:|]{1,40}?)[:\s]+(?=(?:\d{1,2}[./])?(?:19|20)\d{2}\b)"
)


def _inline_heading(line: str) -> tuple[SectionKind, int] | None:
    """A heading that opens a line of section text: its kind and where the body starts."""
    for shape in (_CAPITALS_RUN, _BEFORE_DATES):
        found = shape.match(line)
        if found is None:
            continue
        rest = line[found.end(1) :]
        if shape is _CAPITALS_RUN and re.match(r"[^\S\n]+[A-ZÄÖÜÇĞİŞ]{2,}\b", rest):
            continue  # capitals go on: the run is longer than the heading ("SKILLS MATRIX")
        phrase = normalise_heading(found.group(1))
        if phrase == "project":
            continue  # "PROJECT: Billing Developer Apr 2007 - Mar 2009" labels a job's project
        kind = _PHRASE_TO_KIND.get(phrase)
        if kind is not None:
            return kind, found.end(1)
    return None


# A heading glued to the end of the line before it, its line break lost ("Keras- Exprience - 6
# monthsCompany Details", "… to real life solutions.Education Details"), as text exports that
# join fields give it. Two words at least, so a one-word heading after a slash or inside a joined
# name ("Certifications/Licenses", "PeopleTools") stays text.
_GLUED_HEADING = re.compile(
    r"(?<=[^\W_]|[.)])([A-ZÄÖÜÇĞİŞ][^\W\d_]*(?:[^\S\n]+[^\W\d_]+){1,3})[^\S\n]*$"
)


def _glued_heading(line: str) -> tuple[SectionKind, int] | None:
    """A heading that ends a line of text it is glued to: its kind and where it starts."""
    found = _GLUED_HEADING.search(line)
    if found is None:
        return None
    kind = _PHRASE_TO_KIND.get(normalise_heading(found.group(1)))
    return None if kind is None else (kind, found.start(1))


def _lines(text: str) -> Iterator[tuple[int, int]]:
    for match in _LINE.finditer(text):
        if match.start() != match.end():
            yield match.start(), match.end()


def detect_sections(text: str) -> list[Section]:
    """Headed sections of ``text`` in order, covering it from the first character to the last.

    Returns:
        Sections whose bodies tile the text: each runs from the end of its heading line to the
        start of the next heading. A CV without any known heading is one ``header`` section.
    """
    headings: list[tuple[SectionKind, str, int, int]] = []
    for start, end in _lines(text):
        kind = _heading_kind(text[start:end])
        if kind is not None:
            headings.append((kind, text[start:end].strip(), start, end))
            continue
        inline = _inline_heading(text[start:end])
        if inline is not None:
            body = start + inline[1]
            headings.append((inline[0], text[start:body].strip(), start, body))
            continue
        glued = _glued_heading(text[start:end])
        if glued is not None:
            at = start + glued[1]
            headings.append((glued[0], text[at:end].strip(), at, end))

    sections: list[Section] = []
    first_heading = headings[0][2] if headings else len(text)
    if first_heading > 0 and text[:first_heading].strip():
        sections.append(Section(SectionKind.HEADER, "", 0, 0, first_heading))
    for index, (kind, heading, start, end) in enumerate(headings):
        body_end = headings[index + 1][2] if index + 1 < len(headings) else len(text)
        sections.append(Section(kind, heading, start, end, body_end))
    return sections
