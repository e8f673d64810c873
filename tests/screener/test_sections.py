"""Section detection on English, German and Turkish headings and on real CVs."""

from __future__ import annotations

from pathlib import Path

from screener.documents import read_document
from screener.sections import SectionKind, detect_sections

GERMAN_CV = """Max Mustermann
max@example.de
Kurzprofil
Data Scientist mit Schwerpunkt Statistik.
Berufserfahrung
Data Scientist, Beispiel AG, 03/2019 - heute
Ausbildung
M.Sc. Statistik, LMU München
Kenntnisse
Python, R, SQL
Sprachen
Deutsch, Englisch
"""

TURKISH_CV = """Ayşe Yılmaz
ÖZET
NLP mühendisi.
İŞ DENEYİMİ
NLP Mühendisi, Örnek A.Ş., 2020 - halen
EĞİTİM
Orta Doğu Teknik Üniversitesi, Bilgisayar Mühendisliği Lisans
YETENEKLER
Python, PyTorch
YABANCI DİLLER
İngilizce
"""


def _kinds(text: str) -> list[SectionKind]:
    return [section.kind for section in detect_sections(text)]


def test_german_headings_are_detected_in_order() -> None:
    assert _kinds(GERMAN_CV) == [
        SectionKind.HEADER,
        SectionKind.SUMMARY,
        SectionKind.EXPERIENCE,
        SectionKind.EDUCATION,
        SectionKind.SKILLS,
        SectionKind.LANGUAGES,
    ]


def test_turkish_headings_with_dotted_capitals_are_detected() -> None:
    assert _kinds(TURKISH_CV) == [
        SectionKind.HEADER,
        SectionKind.SUMMARY,
        SectionKind.EXPERIENCE,
        SectionKind.EDUCATION,
        SectionKind.SKILLS,
        SectionKind.LANGUAGES,
    ]


def test_section_spans_tile_the_text_and_hold_their_body() -> None:
    sections = detect_sections(GERMAN_CV)
    assert sections[0].start == 0
    for before, after in zip(sections, sections[1:], strict=False):
        assert before.end == after.heading_start
    assert sections[-1].end == len(GERMAN_CV)
    experience = next(s for s in sections if s.kind is SectionKind.EXPERIENCE)
    assert GERMAN_CV[experience.heading_start : experience.start] == "Berufserfahrung"
    assert "Beispiel AG" in GERMAN_CV[experience.start : experience.end]
    assert "LMU" not in GERMAN_CV[experience.start : experience.end]


def test_sentence_mentioning_a_heading_word_is_not_a_heading() -> None:
    text = "Summary\nSkills in Python and SQL were used daily.\nExperience: 5 years.\n"
    assert _kinds(text) == [SectionKind.SUMMARY]


def test_text_without_headings_is_one_header_section() -> None:
    text = "Jane Doe\nPython developer\n"
    sections = detect_sections(text)
    assert [(s.kind, s.start, s.end) for s in sections] == [(SectionKind.HEADER, 0, len(text))]


def test_real_kaggle_cv_has_experience_education_and_skills() -> None:
    path = Path("../shared/data/kaggle-resume-pdfs/data/ACCOUNTANT/12802330.pdf")
    document = read_document(path.read_bytes(), path.name)
    kinds = set(_kinds(document.text))
    assert {SectionKind.EXPERIENCE, SectionKind.EDUCATION, SectionKind.SKILLS} <= kinds


def test_two_column_template_sections_keep_their_own_lines() -> None:
    path = Path("../shared/data/layout-diverse-cv-pdfs/deedy_resume_openfont.pdf")
    document = read_document(path.read_bytes(), path.name)
    sections: dict[SectionKind, str] = {}
    for s in detect_sections(document.text):
        sections[s.kind] = sections.get(s.kind, "") + document.text[s.start : s.end]
    assert "Java" in sections[SectionKind.SKILLS]
    assert "FACEBOOK" in sections[SectionKind.EXPERIENCE]
    assert "CORNELL UNIVERSITY" in sections[SectionKind.EDUCATION]


def test_letter_spaced_designer_headings_are_detected() -> None:
    text = "LISA\nW O R K  E X P E R I E N C E\nAnalyst\nE D U C A T I O N & C O U R S E S\nBSc\n"
    assert _kinds(text) == [SectionKind.HEADER, SectionKind.EXPERIENCE, SectionKind.EDUCATION]
    # initials are not a heading
    assert _kinds("J D\nfoo\n") == [SectionKind.HEADER]


def test_a_margin_heading_on_the_first_line_of_its_section_is_detected() -> None:
    """Margin headings come out on the same line as the section's first line (Vanetik 20.docx);
    the body starts after the heading."""
    text = (
        "Full-Stack Developer\n"
        "SUMMARY Main stack: PHP, Node.js, React.js.\n"
        "WORK Tanndu  Full Stack Developer (2021 - now)\n"
        "EXPERIENCE Experience with external APIs;\n"
        "EDUCATION Belarusian State University  Bachelor's Degree\n"
        "Work experience 04/2022 - 07/2022 (project employment)\n"
    )
    sections = detect_sections(text)
    assert [(s.kind, s.heading, text[s.start : s.end].split("\n")[0]) for s in sections] == [
        (SectionKind.HEADER, "", "Full-Stack Developer"),
        (SectionKind.SUMMARY, "SUMMARY", " Main stack: PHP, Node.js, React.js."),
        (SectionKind.EXPERIENCE, "WORK", " Tanndu  Full Stack Developer (2021 - now)"),
        (SectionKind.EXPERIENCE, "EXPERIENCE", " Experience with external APIs;"),
        (SectionKind.EDUCATION, "EDUCATION", " Belarusian State University  Bachelor's Degree"),
        (SectionKind.EXPERIENCE, "Work experience", " 04/2022 - 07/2022 (project employment)"),
    ]


def test_a_line_that_only_starts_like_a_heading_is_no_heading() -> None:
    text = (
        "Jane Doe\n"
        "LEADERSHIP DEVELOPMENT PROGRAM for new managers\n"
        "Experience: 5 years of Python\n"
        "Experience with 2 cloud providers\n"
        "PROJECT: Billing Developer Apr 2007 - Mar 2009 Client: IBM\n"
    )
    assert _kinds(text) == [SectionKind.HEADER]


def test_a_heading_glued_to_the_line_before_is_detected() -> None:
    # the categorised resumes lose the line break before "Company Details" (most of them) and
    # some before "Education Details": the jobs had been read as part of the skills list
    text = (
        "Summary: ML engineer who turns research into products.Education Details\n"
        "May 2013 to May 2017 B.E UIT-RGPV\nSkill Details\n"
        "Keras- Exprience - Less than 1 year monthsCompany Details\n"
        "company - Matelabs\ndescription - Deployed automated classification models.\n"
    )
    sections = detect_sections(text)
    assert [s.kind for s in sections] == [
        SectionKind.HEADER,
        SectionKind.EDUCATION,
        SectionKind.SKILLS,
        SectionKind.EXPERIENCE,
    ]
    assert [s.heading for s in sections[1:]] == [
        "Education Details",
        "Skill Details",
        "Company Details",
    ]
    assert text[sections[2].start : sections[2].end].endswith("1 year months")
    # one word after a slash or inside a joined name stays text (lines of Kaggle resumes)
    for line in ("Certifications/Licenses", "Financials using PeopleSoft 9.2 PeopleTools"):
        assert _kinds(f"Experience\nAnalyst at Acme\n{line}\n") == [SectionKind.EXPERIENCE]


def test_detail_headings_of_indian_job_sites_are_detected() -> None:
    text = (
        "Education Details\nMCA, YMCAUST Faridabad\nSkill Details\nPython- Exprience - 6 months\n"
        "Company Details\ncompany - Itechpower\nProject Details\nBilling portal in Django\n"
        "Employment Details\nAnalyst, Infosys, 2019 - 2021\n"
    )
    assert _kinds(text) == [
        SectionKind.EDUCATION,
        SectionKind.SKILLS,
        SectionKind.EXPERIENCE,
        SectionKind.PROJECTS,
        SectionKind.EXPERIENCE,
    ]
