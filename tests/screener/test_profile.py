"""Profile extraction on CV texts written for these tests (English, German, Turkish, Indeed)."""

from __future__ import annotations

from datetime import date

import pytest

from screener.profile import (
    DateIssue,
    DegreeLevel,
    LinkKind,
    extract_profile,
)
from screener.profile._contacts import find_emails, find_links, find_phones
from screener.profile._skills import find_skill_mentions
from screener.redaction import redact_personal_data

REFERENCE = date(2024, 6, 15)

GERMAN_CV = """Lena Schneider
Machine Learning Engineerin
München · +49 (0)151 2345 6789 · lena.schneider@example.de
github.com/lena-s · https://www.kaggle.com/lenas

BERUFSERFAHRUNG
Senior ML Engineer, Beispiel Robotics GmbH
03/2021 – heute
Modelle mit PyTorch und ONNX Runtime, MLflow, Kubernetes.

Werkstudentin Data Science, Musterbank AG
Okt. 2019 bis Feb. 2021

AUSBILDUNG
10/2018 – 09/2020  M.Sc. Informatik, Technische Universität München
2014 – 2018  Bachelor of Science in Mathematik, Universität Heidelberg

SPRACHEN
Deutsch (Muttersprache), Englisch (C1), Türkisch (B1)
"""

TURKISH_CV = """Mehmet Kaya
Veri Bilimci
İstanbul | +90 532 123 45 67 | mehmet.kaya@example.com.tr
linkedin.com/in/mehmet-kaya

İŞ DENEYİMİ
Kıdemli Veri Bilimci - Örnek Teknoloji A.Ş.
Ocak 2020 - halen
Python, scikit-learn, Spark ve Airflow ile tahmin modelleri.

Makine Öğrenmesi Mühendisi - Deneme Yazılım Ltd. Şti.
Eylül 2017 - Şubat 2020

EĞİTİM
Boğaziçi Üniversitesi - Bilgisayar Mühendisliği Yüksek Lisans, 2019
Orta Doğu Teknik Üniversitesi - Elektrik Mühendisliği Lisans, 2017

YABANCI DİLLER
İngilizce (ileri), Almanca (orta)
"""

INDEED_CV = """Jane Roe
Data Scientist - Contoso Analytics

Austin, Texas - Email me on Indeed: indeed.com/r/Jane-
Roe/0123456789abcdef

WORK EXPERIENCE

Data Scientist

Contoso Analytics -  Austin, Texas -

January 2018 to Present

Built churn models in R and Python; dashboards in Tableau.

Research Assistant

University of Texas -  Austin, Texas -

August 2015 to May 2018

EDUCATION

Master of Science in Statistics

University of Texas -  Austin, Texas

2014 to 2016

PUBLICATIONS

1. J. Roe et al. Churn prediction with survival forests. KDD 2019.
2. J. Roe, A. Smith. Calibrated uplift models. arXiv:1901.00001, 2019.
"""


def test_extract_profile_german_cv_resolves_heute_and_reads_degrees():
    profile = extract_profile(GERMAN_CV, reference_date=REFERENCE)

    assert profile.contacts.name == "Lena Schneider"
    assert profile.contacts.emails == ("lena.schneider@example.de",)
    assert profile.contacts.phones == ("+49 (0)151 2345 6789",)
    assert [link.kind for link in profile.contacts.links] == [LinkKind.GITHUB, LinkKind.KAGGLE]

    current, student_job = profile.experience
    assert current.current and current.end is None
    assert current.start == date(2021, 3, 1)
    assert current.months == 40  # March 2021 to June 2024, both months counted
    assert current.title == "Senior ML Engineer"
    assert current.organisation == "Beispiel Robotics GmbH"
    assert (student_job.start, student_job.end) == (date(2019, 10, 1), date(2021, 2, 1))
    assert student_job.months == 17
    assert profile.total_experience_months == 57

    master, bachelor = profile.education
    assert (master.level, master.field) == (DegreeLevel.MASTER, "Informatik")
    assert master.institution == "Technische Universität München"
    assert (bachelor.level, bachelor.field) == (DegreeLevel.BACHELOR, "Mathematik")
    assert profile.languages == ("German", "English", "Turkish")
    assert {"PyTorch", "ONNX", "MLflow", "Kubernetes"} <= {m.name for m in profile.skill_mentions}


def test_extract_profile_turkish_cv_resolves_halen_and_merges_overlap():
    profile = extract_profile(TURKISH_CV, reference_date=REFERENCE)

    assert profile.contacts.name == "Mehmet Kaya"
    assert profile.contacts.phones == ("+90 532 123 45 67",)
    assert profile.contacts.links[0].kind is LinkKind.LINKEDIN
    current, previous = profile.experience
    assert current.current and current.start == date(2020, 1, 1)
    assert current.organisation == "Örnek Teknoloji A.Ş."
    assert previous.title == "Makine Öğrenmesi Mühendisi"
    # Sep 2017 – Feb 2020 overlaps Jan 2020 – Jun 2024 by two months, counted once.
    assert current.months + previous.months == 54 + 30
    assert profile.total_experience_months == 82

    levels = [(entry.level, entry.field) for entry in profile.education]
    assert levels == [
        (DegreeLevel.MASTER, "Bilgisayar Mühendisliği"),
        (DegreeLevel.BACHELOR, "Elektrik Mühendisliği"),
    ]
    assert profile.education[0].institution == "Boğaziçi Üniversitesi"
    assert profile.languages == ("English", "German")


def test_extract_profile_indeed_export_reads_wrapped_link_and_publications():
    profile = extract_profile(INDEED_CV, reference_date=date(2019, 6, 1))

    (link,) = profile.contacts.links
    assert link.kind is LinkKind.INDEED
    assert link.url == "indeed.com/r/Jane-Roe/0123456789abcdef"
    assert profile.contacts.location == "Austin, Texas"
    titles = [(entry.title, entry.organisation) for entry in profile.experience]
    assert titles == [
        ("Data Scientist", "Contoso Analytics"),
        ("Research Assistant", "University of Texas"),
    ]
    # Aug 2015 – Jun 2019 without gaps: the two jobs overlap from January to May 2018.
    assert profile.total_experience_months == 47
    (degree,) = profile.education
    assert degree.degree == "Master of Science in Statistics"
    assert degree.institution == "University of Texas"
    assert profile.publications_count == 2
    assert {"R", "Python", "Tableau"} <= {m.name for m in profile.skill_mentions}


def _titles_and_organisations(text: str) -> list[tuple[str | None, str | None]]:
    profile = extract_profile(text, reference_date=REFERENCE)
    return [(entry.title, entry.organisation) for entry in profile.experience]


def test_a_degree_s_dates_are_no_job_when_every_section_is_education_or_skills():
    """The categorised resumes' layout: "Education Details" and "Skill Details" headings, the
    jobs under a "Company Details" glued to the last skill; the degree's years were read as a
    job, the job after them still is."""
    text = (
        "Education Details\nMay 2013 to May 2017 B.E UIT-RGPV\nData Scientist\n\n"
        "Skill Details\nPython- Exprience - 12 months\n"
        "Keras- Exprience - Less than 1 year monthsCompany Details\n"
        "company - Matelabs\nData Scientist Jan 2018 to Dec 2019\nBuilt churn models.\n"
    )
    profile = extract_profile(text, reference_date=REFERENCE)
    assert [(e.start, e.end) for e in profile.experience] == [(date(2018, 1, 1), date(2019, 12, 1))]


def test_dates_on_a_degree_s_line_are_its_years_of_study_without_an_experience_heading():
    # no heading at all: the degree is read where it stands and its years are no job
    flattened = (
        "Jenkins, Docker, Ansible\n"
        "June 2015 to June 2017 Masters of science information technology Hyderabad JNTU\n"
        "Devops Engineer\nDevops Engineer - Acme\nJuly 2017 to May 2019\n"
    )
    profile = extract_profile(flattened, reference_date=REFERENCE)
    assert [e.degree for e in profile.education] and profile.education[0].span.start > 0
    assert [(e.start, e.end) for e in profile.experience] == [(date(2017, 7, 1), date(2019, 5, 1))]
    # under an experience heading a line naming a doctorate with dates is a job
    academic = "Experience\nPhD Researcher, Max Planck Institute, 2015 - 2019\nEducation\nMSc\n"
    assert [e.start for e in extract_profile(academic, reference_date=REFERENCE).experience] == [
        date(2015, 1, 1)
    ]


def test_a_job_written_twice_is_one_job():
    """A CV that repeats its experience section (a Kaggle export prints it again on a later
    page) lists each job once; another job with the same dates stays."""
    jobs = (
        "Charge Nurse 07/2018 to 09/2020\nCompany Name - City , State\nLed the night shift.\n"
        "Intake Nurse 09/2019 to 04/2020\nCompany Name - City , State\nAdmitted patients.\n"
    )
    other = "Hospice Volunteer 09/2019 to 04/2020\nCompany Name - City , State\nSat with them.\n"
    text = f"Experience\n{jobs}{other}Skills\nTriage\nExperience\n{jobs}"
    assert [organisation for _, organisation in _titles_and_organisations(text)] == [
        "Charge Nurse", "Intake Nurse", "Hospice Volunteer"
    ]  # fmt: skip


def test_experience_title_with_an_organisation_word_is_still_a_title():
    """Words such as "Software" and "Systems" name companies ("Acme Software") as well as jobs:
    a piece is a title when its last job word comes after its last organisation word."""
    text = (
        "Experience\n"
        "Google, Mountain View\n"
        "Software Engineer Oct 2016 – Present\n"
        "◦ Worked on the TensorFlow runtime for training on accelerators;\n"
        "Acme Software GmbH, Berlin\n"
        "Senior Systems Engineer Jan 2014 – Oct 2016\n"
        "◦ Built the billing service.\n"
        "Bosch Engineering Group\n"
        "Data Analyst 2012 – 2013\n"
        "◦ Reported on the fleet's sensor data every week;\n"
        "Developer Tools Software Inc., Austin\n"
        "Backend Engineer 2010 – 2011\n"
    )
    assert _titles_and_organisations(text) == [
        ("Software Engineer", "Google"),
        ("Senior Systems Engineer", "Acme Software GmbH"),
        ("Data Analyst", "Bosch Engineering Group"),
        ("Backend Engineer", "Developer Tools Software Inc."),
    ]


def test_experience_place_after_the_dates_and_dates_that_wrap_are_not_the_organisation():
    text = (
        "Experience\n"
        "FACEBOOK | SOFTWARE ENGINEER\n"
        "Jan 2015 - Present | New York, NY\n"
        "• Built the ads ranking service;\n"
        "June 2010 –\n"
        "May 2014\n"
        "Full Stack Developer, Uber, San Francisco, USA\n"
        "Developed and maintained web applications with the MERN stack for riders.\n"
    )
    assert _titles_and_organisations(text) == [
        ("SOFTWARE ENGINEER", "FACEBOOK"),
        ("Full Stack Developer", "Uber"),
    ]


def test_experience_date_labels_are_not_organisations_and_of_names_the_job():
    """AltaCV prints "Date:" before a job's dates; "Vice President of Location & Services"
    ends in an organisation word yet names a job; a title keeps its closing parenthesis."""
    text = (
        "EXPERIENCE\n"
        "President & CEO\n"
        "Yahoo!\n"
        "Date: July 2012 – Ongoing Location: Sunnyvale, CA\n"
        "• Led the acquisition of the company by Verizon;\n"
        "Vice President of Location & Services\n"
        "Google\n"
        "Date: Oct 2010 – July 2012 Location: Palo Alto, CA\n"
        "• Oversaw the engineers and product managers of Google Maps;\n"
        "Security Researcher (Compulsory Military Service)\n"
        "(Cyber Command)\n"
        "Date: Aug 2008 – Apr 2010 Location: Seoul\n"
    )
    assert _titles_and_organisations(text) == [
        ("President & CEO", "Yahoo!"),
        ("Vice President of Location & Services", "Google"),
        ("Security Researcher (Compulsory Military Service)", "Cyber Command"),
    ]


def test_experience_job_told_as_a_sentence_and_entry_labels():
    """Indian CVs often write a job as a sentence ("Working as TITLE in ORG, City from ...");
    split into pieces, the whole clause became the title and the city (with "from") the
    organisation. A label inside an entry ("Project Description:") is no organisation."""
    text = (
        "WORK EXPERIENCE\n"
        "• Working as Configuration Engineer in Oracle, Hyderabad from July 2015 to Present.\n"
        "• Worked with Microsoft, Hyderabad as Software Engineer from January 2013 to June 2015.\n"
        "• Worked as a Data Analyst for Fidelity India Financial Inc. from June 2011 till\n"
        "Dec 2012.\n"
        "Currently Quality specialist, Acme Labs, 07/2012 to Current\n"
        "Test Engineer\n"
        "Infosys Limited -\n"
        "June 2009 to May 2011\n"
        "June 2009 - May 2011\n"
        "Project Description:\n"
        "Core banking integration layer for retail payments.\n"
    )
    assert _titles_and_organisations(text) == [
        ("Configuration Engineer", "Oracle"),
        ("Software Engineer", "Microsoft"),
        ("Data Analyst", "Fidelity India Financial Inc."),
        ("Quality specialist", "Acme Labs"),
        ("Test Engineer", "Infosys Limited"),
        (None, None),
    ]


def test_an_award_with_its_years_is_no_job() -> None:
    """Read as jobs, awards made overlapping-dates notes (two of the hand-checked examples)."""
    text = (
        "Experience\n"
        "Health Care Consultant, Company Name, January 2003 to January 2005\n"
        "2003-2004 Winner of the Tactical Action Unit of the Year Award.\n"
        "Student of the Month Program, Turner Elementary School, 2004-Present.\n"
        "Newspaper Staff Member, The Daily, Aug 2012 - Present\n"
        "Features editor of the campus newspaper, responsible for award-winning design.\n"
    )
    assert _titles_and_organisations(text) == [
        ("Health Care Consultant", "Company Name"),
        ("Newspaper Staff Member", "The Daily"),
    ]


def test_projects_with_bare_years_under_a_job_are_that_job_not_jobs_beside_it() -> None:
    """A construction inspector's projects had made an overlapping-dates note (hand check)."""
    inspector = (
        "Experience\n"
        "Construction Inspector\n"
        "June 1991 to February 2000 Company Name - City , State\n"
        "1994-1999 Construction Inspector for Materials Penn Dot projects (I-79 Meadowlands).\n"
        "My duties included running construction soil lab for the projects.\n"
        "1991-1993 Construction Inspector on Penn Dot projects SR 0018 -A) Bavington Pa.\n"
        "Oversaw construction of a new replacement single span bridge.\n"
    )
    jobs = extract_profile(inspector, reference_date=REFERENCE).experience
    assert [(j.start, j.end) for j in jobs] == [(date(1991, 6, 1), date(2000, 2, 1))]
    # a second job written with its months, like the first, stays a job beside it
    consultant = (
        "Experience\n"
        "Consultant Jan 2009 to Current Company Name - City , State\n"
        "Secretary to the Board of Directors Oct 2012 to Oct 2013 Company Name - City , State\n"
    )
    assert len(extract_profile(consultant, reference_date=REFERENCE).experience) == 2


def test_a_certification_with_bare_years_is_no_job_but_a_certification_post_is() -> None:
    """A certification's line ("Geriatric Resource Nurse (GRN) certification 2003-2008.") made
    an overlapping-dates note; "Account Certification Operations Analyst" with months is a job."""
    text = (
        "Experience\n"
        "Staff Nurse, Company Name, July 2000 to June 2007\n"
        "Geriatric Resource Nurse (GRN) certification 2003-2008.\n"
        "Account Certification Operations Analyst, Acme Bank, 01/2009 to 01/2010\n"
    )
    assert _titles_and_organisations(text) == [
        ("Staff Nurse", "Company Name"),
        ("Account Certification Operations Analyst", "Acme Bank"),
    ]


def test_a_sentence_joined_to_the_next_jobs_dates_is_not_its_title_or_organisation() -> None:
    """Kaggle-style PDFs join a job's last sentence to the next job's dates ("... working
    correctly. 07/2011 to 10/2017"); the sentence was read as that job's organisation."""
    text = (
        "Experience\n"
        "Project Engineer, Acme Homes, 03/2006 to 12/2010\n"
        "Made sure all equipment was properly installed and working correctly. 07/2011 to 10/2017\n"
        "Site Supervisor, Beta Builders\n"
        "Kept track of all inventory.\n"
    )
    assert _titles_and_organisations(text) == [
        ("Project Engineer", "Acme Homes"),
        ("Site Supervisor", "Beta Builders"),
    ]


def test_years_that_go_on_with_a_sentence_are_no_job() -> None:
    """An achievement whose sentence wraps onto the line of its years ("new patients by 32% from
    2007-2010") made overlapping-dates notes; a job's line starts with its title or dates."""
    text = (
        "Experience\n"
        "Marketing Representative, Company Name, January 2007 to May 2011\n"
        "Grew the practice and the referrals of\n"
        "new patients by 32% from 2007-2010. Created the training manual.\n"
        "Ran the regional tennis camps and\n"
        "hosted visitors (2002 -2004).\n"
        "Marketing Director, Acme Health, 2003 - 2007\n"
    )
    assert _titles_and_organisations(text) == [
        ("Marketing Representative", "Company Name"),
        ("Marketing Director", "Acme Health"),
    ]


def test_years_after_a_percentage_or_a_sum_of_money_on_their_line_are_no_job() -> None:
    """Achievements on lines of their own ("Decreased annual IT budget by at least $50K each
    year from 2003-2006.", "Ranked Top 10% nationally 2008-2009") were read as jobs with the
    achievement as organisation, and made overlapping-dates notes."""
    text = (
        "Experience\n"
        "IT Manager, Company Name, September 1999 to October 2006\n"
        "Decreased annual IT budget by at least $50K each year from 2003-2006.\n"
        "Ranked Top 10% nationally 2008-2009, and ranked #1 in the District.\n"
        "Increased sales by 12.1% 2003 to 2005\n"
        "Network Administrator, Acme Health, 1996 - 1999\n"
    )
    assert _titles_and_organisations(text) == [
        ("IT Manager", "Company Name"),
        ("Network Administrator", "Acme Health"),
    ]


def test_dates_inside_a_sentence_are_no_job_but_a_job_line_with_dates_in_parentheses_is() -> None:
    """Years in a sentence of prose ("While going to school fulltime (2008-2011) I supported
    myselfas a bartender ...", "Scrum development methods since 2014, ...") were read as jobs
    and made overlapping-dates notes; a job's header keeps its dates in parentheses."""
    text = (
        "Experience\n"
        "Company Name January 2004 to January 2011 Bartender\n"
        "While going to school fulltime (2008-2011) I supported myselfas a bartender where I"
        " strengthened my customer relations skills.\n"
        "Software Engineering Manager\n"
        "September 2009 to Current Company Name - City , State\n"
        "Scrum development methods since 2014, team of 3 to 6 from Burbank; Naperville office"
        " closed in 2013.\n"
        "Adopted Scrum since 2014 (ScrumMaster), team of 3 to 6 from Burbank; Naperville office"
        " closed in 2013.\n"
        "Software Engineer (2016 - 2019) at Acme GmbH\n"
        "Designed the ranking service.\n"
    )
    profile = extract_profile(text, reference_date=date(2026, 1, 1))
    assert [(e.title, e.organisation, e.start, e.current) for e in profile.experience] == [
        (None, "Company Name", date(2004, 1, 1), False),
        ("Software Engineering Manager", "Company Name", date(2009, 9, 1), True),
        ("Software Engineer", "Acme GmbH", date(2016, 1, 1), False),
    ]


def test_a_certificate_s_validity_is_no_job_but_a_certified_post_is() -> None:
    """A certificate listed with its validity ("Certified ScrumMaster, Scrum Alliance, Dec 2014
    - Dec 2016.") made an overlapping-dates note; a certified post with its company is a job."""
    text = (
        "Relevant Experience\n"
        "Certified ScrumMaster, Scrum Alliance, Dec 2014 - Dec 2016.\n"
        "Certified Fitness Trainer , 01/2012 to Current Company Name\n"
    )
    profile = extract_profile(text, reference_date=date(2026, 1, 1))
    assert [(e.organisation, e.start, e.current) for e in profile.experience] == [
        ("Company Name", date(2012, 1, 1), True),
    ]


def test_extract_profile_name_from_indeed_link_when_first_lines_are_not_a_name():
    text = (
        "CURRICULUM VITAE\nSoftware Engineer\n"
        "Email me on Indeed: indeed.com/r/Ravi-Kumar/1a2b3c4d\n"
    )
    profile = extract_profile(text, reference_date=REFERENCE)
    assert profile.contacts.name == "Ravi Kumar"


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("Last Updated on 21st January 2015 Jane Doe\njanedoe.com | jd@example.com", "Jane Doe"),
        ("Ayşe Yılmaz E-posta: ayse.yilmaz@example.com.tr\n", "Ayşe Yılmaz"),
        ("Lebenslauf Max Mustermann Tel.: 0151 1234567\nmax.mustermann@web.de", "Max Mustermann"),
    ],
)
def test_contacts_name_on_a_line_with_other_text_when_the_address_spells_it(
    header: str, name: str
) -> None:
    profile = extract_profile(f"{header}\nEXPERIENCE\nBuilt things.\n", reference_date=REFERENCE)
    assert profile.contacts.name == name


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("SALES ASSOCIATE\nCareer Focus\n", None),
        ("GENERAL ACCOUNTANT\nCompany Name City\n", None),
        # titles and departments of the shared Kaggle CVs, most of which carry no name
        ("CUSTOMER SERVICE AGENT\n", None),
        ("VICE PRESIDENT INFORMATION TECHNOLOGY\n", None),
        ("BUSINESS DEVELOPMENT\n", None),
        ("CONSTRUCTION WORKER\n", None),
        ("Automation Tester\n", None),
        ("Strategic Planning\n", None),
        ("EXECUTIVE CHEF\nJane Doe\n", "Jane Doe"),
        # surnames that are also job nouns stay names: a name missed stays in the scoring text
        ("Tim Cook\n", "Tim Cook"),
        ("Paul Nurse\n", "Paul Nurse"),
        ("Edward Teller\n", "Edward Teller"),
    ],
)
def test_contacts_a_job_title_line_is_not_a_name(header: str, name: str | None) -> None:
    """CVs without a name often start with the job title; taken for the name, the title was
    blanked from the scoring text wherever it occurred."""
    text = f"{header}Experience\nSales Associate, Acme Stores 01/2015 - 02/2018\n"
    profile = extract_profile(text, reference_date=REFERENCE)
    assert profile.contacts.name == name
    redacted = redact_personal_data(text, profile.contacts)
    assert "Sales Associate, Acme Stores 01/2015 - 02/2018" in redacted


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # lines of the shared CVs: the name said in a sentence, technologies and headings
        # that had been taken for it
        ("Full-time, on-site\nSummary\nMy name is Maria, Im a new repatriate.\n", "Maria"),
        ("Contact\nHello, my name is David, and I am a Frontend Developer\n", "David"),
        ("To Whom It May Concern, My name is Vincent Hall, and I hate forms.\n", "Vincent Hall"),
        ("Ich heiße Ayşe Yılmaz und entwickle ML-Systeme.\n", "Ayşe Yılmaz"),
        ("T O O L S  &  T E C H\nPython SQL\n", None),
        ("Web Dev Positions\n", None),
        ("DESCRIPTION WORK EXPIRIENCE\n", None),
        ("Ruby Smith\n", "Ruby Smith"),
    ],
)
def test_contacts_name_said_in_a_sentence_and_lines_that_are_no_name(
    text: str, name: str | None
) -> None:
    profile = extract_profile(
        f"{text}Experience\nBuilt Python and SQL tools.\n", reference_date=REFERENCE
    )
    assert profile.contacts.name == name
    # a line of technologies taken for the name had blanked them wherever they occurred
    assert "Python and SQL" in redact_personal_data(text + "Python and SQL", profile.contacts)


@pytest.mark.parametrize(
    ("header", "name"),
    [
        # Kaggle CVs: the first lines of a list of skills or qualities under its heading
        (
            "CHILD ADVOCATE MANAGER\nSummary\nTo manage people.\nHighlights\nActive Listening\n",
            None,
        ),
        ("FARM MANAGER\nAreas of Expertise\nDairy Nutrition\nFood Safety\n", None),
        ("SALES\nSkills\nSelf Starter\nMotivated\n", None),
        ("NURSE\nCertifications\nRegistered Nurse\n", None),
        ("HR MANAGER\nEducation\nGraduate Teaching Licensure , Education May 21, 2010\n", None),
        # a name under a heading of the header's kind, or a profile's, is still a name
        ("Profile\nJane Doe\nData scientist with five years of NLP work.\n", "Jane Doe"),
        ("Personal Information\nJane Doe\n", "Jane Doe"),
        # a dotin sample's header, under a stray "Education" heading, with its contact lines
        (
            "Sample Resume\nEducation\nDO NOT COPY this sample.\nKim Kreiger\n790 Brown St\n"
            "Traralgon VIC 3844\nPh: 03 51 7777 (H)\nPh: 1230456789 (M)\n",
            "Kim Kreiger",
        ),
    ],
)
def test_contacts_a_line_in_a_list_of_skills_is_no_name(header: str, name: str | None) -> None:
    text = f"{header}Experience\nSales Associate, Acme Stores 01/2015 - 02/2018\n"
    assert extract_profile(text, reference_date=REFERENCE).contacts.name == name


def test_contacts_no_name_from_an_address_that_spells_no_capitalised_words() -> None:
    text = "Updated on 21st January 2015 by the team\nteamhire.com | jobs@teamhire.com\nSkills\n"
    assert extract_profile(text, reference_date=REFERENCE).contacts.name is None


def test_experience_impossible_dates_kept_but_not_counted():
    text = (
        "EXPERIENCE\nData Engineer, Alpha Labs\n2021 - 2019\n\n"
        "ML Engineer, Beta Systems\nJan 2025 - Present\n\n"
        "Analyst, Gamma Corp\nJan 2020 - Dec 2020\n"
    )
    profile = extract_profile(text, reference_date=REFERENCE)
    issues = [entry.date_issue for entry in profile.experience]
    assert issues == [DateIssue.END_BEFORE_START, DateIssue.IN_FUTURE, None]
    assert profile.total_experience_months == 12


@pytest.mark.parametrize(
    ("written", "months"),
    [
        ("01/2019 - 03/2021", 27),
        ("2018 to 2020", 24),
        ("November 2017 to Present", 80),
        ("März 2022 – bis heute", 28),
        ("Şubat 2023 - devam ediyor", 17),
        ("EYLÜL 2022 – Günümüz", 22),
        # the dash lost in a conversion: a wide gap between two dates
        ("4/2016  5/2022", 74),
        ("2021  now", 42),
        # the year first (Vanetik DOCX, a Kaggle agronomist)
        ("2017 july - 2019 october", 28),
        ("2019 october - now", 57),
        ("2010 July - 2014 Dec", 54),
        ("2003 April -2003 Oct.", 7),
    ],
)
def test_experience_months_date_formats(written, months):
    text = f"EXPERIENCE\nEngineer, Acme Inc\n{written}\n"
    (entry,) = extract_profile(text, reference_date=REFERENCE).experience
    assert entry.months == months


@pytest.mark.parametrize(
    ("line", "title", "organisation"),
    [
        # a Vanetik DOCX and a Dataturks CV: the job, then its employer
        (
            "2019 october - now: Mobile Developer (part time) in project KeepIn Ltd., Herzliya",
            "Mobile Developer (part time)",
            "KeepIn Ltd.",
        ),
        ("Jr. ASP.NET Developer in True Vision Technology, 2016 - 2018", "Jr. ASP.NET Developer",
         "True Vision Technology"),
        ("Nov 2021 - Present Java Developer @ Sber Technologies", "Java Developer",
         "Sber Technologies"),
        # no employer after "in": the piece stays whole
        ("Jan 2019 - Present: Developer in Python", "Developer in Python", None),
    ],
)  # fmt: skip
def test_a_title_in_or_at_an_employer_is_split(line, title, organisation):
    (entry,) = extract_profile(f"EXPERIENCE\n{line}\n", reference_date=REFERENCE).experience
    assert (entry.title, entry.organisation) == (title, organisation)


def test_a_month_after_a_column_gap_is_the_next_date_s():
    # a dotin CV's dates column: "since 2013", then a range, not "since April 2013"
    text = "EXPERIENCE\nEngineer, Acme Inc\nSince 2013  Apr 2012 - Nov 2013\n"
    entries = extract_profile(text, reference_date=REFERENCE).experience
    assert [(e.start, e.end) for e in entries] == [
        (date(2013, 1, 1), None),
        (date(2012, 4, 1), date(2013, 11, 1)),
    ]


def test_skill_mentions_single_letters_only_in_lists():
    mentions = find_skill_mentions(
        "Languages: R, C, Go, C++, C#, .NET\nI go to the office. Plan B is r&d. Team R&D."
    )
    assert [m.text for m in mentions] == ["R", "C", "Go", "C++", "C#", ".NET"]


def test_skill_mentions_common_words_need_capitals():
    mentions = find_skill_mentions(
        "I excel at word games and have access to slack time. Excel, Word"
    )
    assert [(m.text, m.name) for m in mentions] == [("Excel", "Excel"), ("Word", "Microsoft Word")]


def test_skill_mentions_aliases_map_to_canonical_and_prefer_longest():
    text = "Fine-tuned with torch, QLoRA/PEFT and Hugging Face Transformers; ASP.NET; sklearn."
    pairs = [(m.text, m.name) for m in find_skill_mentions(text)]
    assert pairs == [
        ("torch", "PyTorch"),
        ("QLoRA", "QLoRA"),
        ("PEFT", "PEFT"),
        ("Hugging Face Transformers", "Hugging Face Transformers"),
        ("ASP.NET", "ASP.NET"),
        ("sklearn", "scikit-learn"),
    ]


def test_skill_mentions_skip_urls_and_emails():
    text = "see github.com/someone/pytorch-demo or mail keras@example.com"
    assert find_skill_mentions(text) == []


@pytest.mark.parametrize(
    "phone",
    [
        "+49 30 1234567",
        "0151 23456789",
        "+90 (532) 123 45 67",
        "+971 50 123 4567",
        "050 123 4567",
        "(415) 555-0132",
        "+1 415-555-0132",
    ],
)
def test_contacts_phone_international_formats(phone):
    profile = extract_profile(f"Max Muster\nTel: {phone}\n", reference_date=REFERENCE)
    assert profile.contacts.phones == (phone,)


def test_contacts_phone_ignores_year_ranges_and_dates():
    profile = extract_profile("Max Muster\n2016 - 2018\n01.02.2019\n", reference_date=REFERENCE)
    assert profile.contacts.phones == ()


@pytest.mark.parametrize(
    ("text", "phone", "kept"),
    [
        # Kaggle CVs write jobs as "Territory Manager Company Name - City , State 04/2012 -
        # 11/2013"; read as phones, those dates were blanked with the contacts
        (
            "Max Muster\nTel: 0151 23456789\nExperience\n"
            "Sales Representative Company Name - City , State 12/2012 - 09/2014\n"
            "Data Analyst, Acme GmbH 01.2019 - 03.2021\n",
            "0151 23456789",
            ("12/2012 - 09/2014", "01.2019 - 03.2021"),
        ),
        # real Kaggle lines: a GPA written twice, two dates of a fitness CV, a date and a
        # ticket number beside each other; their lines had been blanked as contact lines
        (
            "Max Muster\nTel: +49 30/1234567\nEducation\n"
            "Master of Science , Industrial Engineering Dec 2014 GPA: 3.35/4.0 3.35/4.0\n"
            "Experience\nPersonal Trainer 03/1999 01/1998\nResolved ticket 11/05/12 18640\n",
            "+49 30/1234567",
            ("Industrial Engineering Dec 2014", "03/1999 01/1998", "11/05/12 18640"),
        ),
    ],
)
def test_dates_and_grades_are_not_phones_and_stay_in_the_scoring_text(
    text: str, phone: str, kept: tuple[str, ...]
) -> None:
    profile = extract_profile(text, reference_date=REFERENCE)
    assert profile.contacts.phones == (phone,)
    redacted = redact_personal_data(text, profile.contacts)
    assert phone not in redacted
    for line in kept:
        assert line in redacted


def test_contacts_links_classified_by_host():
    text = (
        "Jo Lee\nhttps://www.linkedin.com/in/jolee/ | github.com/jolee | kaggle.com/jolee |"
        " https://scholar.google.com/citations?user=abc | huggingface.co/jolee | https://jolee.dev\n"
    )
    kinds = [link.kind for link in extract_profile(text, reference_date=REFERENCE).contacts.links]
    assert kinds == [
        LinkKind.LINKEDIN,
        LinkKind.GITHUB,
        LinkKind.KAGGLE,
        LinkKind.GOOGLE_SCHOLAR,
        LinkKind.HUGGING_FACE,
        LinkKind.PERSONAL_SITE,
    ]


@pytest.mark.parametrize(
    "link",
    [
        "http://jolee.example/cv",
        "WWW.jolee.example",
        "HF.CO/jolee",
        "scholar.google.de/citations?user=abc",
        "jolee.github.io",
        "jolee.ai",
        "jolee.me",
        "JOLEE.IO",
        "indeed.com/r/Jo-Lee/0123abcd",
    ],
)
def test_a_link_of_each_form_is_found_when_it_is_the_cv_s_only_link(link: str) -> None:
    # the CV holds nothing else a link's pattern could start from, so the quick search that
    # decides whether the full patterns run must find this link's form on its own
    text = f"Jo Lee\nSKILLS Python, SQL\nProfile {link}\n"
    assert [found.url for found in find_links(text)] == [link]


def test_education_phd_wording_in_three_languages():
    text = (
        "EDUCATION\nPhD, Machine Learning, ETH Zurich\n"
        "Promotion (Dr. rer. nat.) in Physik, Universität Bonn\n"
        "Doktora, Makine Öğrenmesi, İstanbul Teknik Üniversitesi\n"
    )
    education = extract_profile(text, reference_date=REFERENCE).education
    assert [entry.level for entry in education] == [DegreeLevel.PHD] * 3
    assert [entry.field for entry in education] == [
        "Machine Learning",
        "Physik",
        "Makine Öğrenmesi",
    ]


def test_promotion_is_a_doctorate_only_as_the_german_degree():
    # lines of real Kaggle resumes whose "Promotion" had made a doctorate (and a PhD holder)
    english = (
        "EDUCATION\nMaster of Science : Exercise Science and Health Promotion\n"
        "Bachelor of Science : Corporate Finance & Advertising and Promotion Strategy\n"
        "Service Area: Trade & Promotion\nPromotion And Stock Marketing Drums Foods International\n"
        "New program and promotion implementation\n"
    )
    levels = [e.level for e in extract_profile(english, reference_date=REFERENCE).education]
    assert DegreeLevel.PHD not in levels
    german = (
        "AUSBILDUNG\nPromotion in Informatik, TU München, 2015 – 2019\n"
        "Promotion, Universität Heidelberg\n"
    )
    education = extract_profile(german, reference_date=REFERENCE).education
    assert [e.level for e in education] == [DegreeLevel.PHD] * 2


def test_professional_doctorates_are_master_level_and_research_ones_doctorates():
    # lines of real Kaggle resumes: a pharmacist's and a nurse practitioner's doctorates train
    # for a practice (ISCED level 7), a lawyer's J.D. had been no degree at all
    text = (
        "EDUCATION\nDoctor of Pharmacy University of the Incarnate Word - City , State\n"
        "Doctorate in Nursing Practice : Pediatric Primary Care 2016 Rush University\n"
        "J.D. : Criminal Law Duke University Law School - City , State\n"
        "Doctor of Education Degree : Higher Education Administration Delta State University\n"
        "Doctor of Philosophy : Public Health, Walden University\n"
    )
    education = extract_profile(text, reference_date=REFERENCE).education
    assert [e.level for e in education] == [DegreeLevel.MASTER] * 3 + [DegreeLevel.PHD] * 2
    erp = "EDUCATION\nB.Sc. Accounting, Ohio State University\nJ.D. Edwards ERP user training\n"
    levels = [e.level for e in extract_profile(erp, reference_date=REFERENCE).education]
    assert levels == [DegreeLevel.BACHELOR]


def _degrees_and_fields(text: str) -> list[tuple[str, str | None]]:
    return [(e.degree, e.field) for e in extract_profile(text, reference_date=REFERENCE).education]


def test_a_kaggle_degree_line_gives_the_field_after_the_colon_and_no_month():
    # lines of real Kaggle resumes: "Degree : Field Month Year School"; the month had stayed in
    # the field ("Law May", "Accounting May") and "Science :" before it
    text = (
        "EDUCATION\nJ.D. : Law May 2005 Fordham University School of Law - City , State\n"
        "Bachelor of Science : Psychology Dec. 2011 Walden University\n"
        "Master of Arts : Teaching July 2014 University of Phoenix\n"
        "Master of Science : Informatik März 2019 TU München\n"
    )
    assert _degrees_and_fields(text) == [
        ("J.D. : Law", "Law"),
        ("Bachelor of Science : Psychology", "Psychology"),
        ("Master of Arts : Teaching", "Teaching"),
        ("Master of Science : Informatik", "Informatik"),
    ]
    # a field named after "in" is read as before
    plain = "EDUCATION\nMaster of Science in Statistics, 2019\n"
    assert [e.field for e in extract_profile(plain, reference_date=REFERENCE).education] == [
        "Statistics"
    ]


def test_languages_ignored_outside_language_lines():
    text = "Jo Lee\nSUMMARY\nWorked for a German bank on English-language NLP.\n"
    assert extract_profile(text, reference_date=REFERENCE).languages == ()


def test_contacts_name_drops_post_nominal_letters():
    profile = extract_profile(
        "Jane Q Doe, PMP, MBA  Berlin  +49 30 1234567\nExperience\n", reference_date=REFERENCE
    )
    assert profile.contacts.name == "Jane Q Doe"


def test_education_school_leaving_certificates_only_without_a_degree():
    with_degree = "Education\nB.Tech in Computer Science, 2016\nClass XII, CBSE, 2012\nSSC, 2010\n"
    degrees = [e.degree for e in extract_profile(with_degree, reference_date=REFERENCE).education]
    assert degrees == ["B.Tech in Computer Science"]

    school_only = "Education\nHigh School Diploma, 2012\n"
    entries = extract_profile(school_only, reference_date=REFERENCE).education
    assert [(e.level, e.degree) for e in entries] == [(DegreeLevel.OTHER, "High School Diploma")]


def test_education_degree_takes_the_field_after_a_dash():
    text = "Education\nBachelor of Science - Computer Science\nStanford University\n"
    (entry,) = extract_profile(text, reference_date=REFERENCE).education
    assert entry.level is DegreeLevel.BACHELOR
    assert entry.degree == "Bachelor of Science - Computer Science"
    assert entry.institution == "Stanford University"


def test_education_microsoft_office_in_capitals_is_no_masters_degree():
    text = "Education\nMCA, YMCA University, Faridabad\nSkills\nMS OFFICE- 2 years\nMS-Excel\n"
    entries = extract_profile(text, reference_date=REFERENCE).education
    assert [(e.level, e.degree.split(",")[0]) for e in entries] == [(DegreeLevel.MASTER, "MCA")]


# The categorised resumes (Updated Resume Dataset, Data Science) write the town and state between
# the degree and the school, and an award line glued to the "Education Details" heading.
GHATKESAR_CV = (
    "SKILLS C Basics, IOT, Python, MATLAB, Data Science, Machine Learning, HTML, Microsoft Word,"
    " Microsoft Excel, Microsoft Powerpoint. RECOGNITION Academic Secured First place in"
    " B.Tech.Education Details \n"
    "August 2014 to May 2018 B.Tech.  Ghatkesar, Andhra Pradesh Aurora's Scientific and"
    " Technological Institute\n"
    "June 2012 to May 2014  Secondary Education Warangal, Telangana SR Junior College\n"
)


def test_education_town_before_a_region_is_no_field():
    (entry,) = extract_profile(GHATKESAR_CV, reference_date=REFERENCE).education
    assert (entry.level, entry.degree, entry.field) == (DegreeLevel.BACHELOR, "B.Tech.", None)

    text = (
        "Education Details \n"
        "May 2015 M.S. Data Science New York, NY Columbia University\n"
        "June 2008 to May 2012 B.E. Computer Science Pune, Maharashtra Pune University\n"
        "August 2006 Diploma Computer Engineering Navi Mumbai, Maharashtra Bharati Vidyapeeth\n"
    )
    assert _degrees_and_fields(text) == [
        ("M.S. Data Science", "Data Science"),
        ("B.E. Computer Science", "Computer Science"),
        ("Diploma Computer Engineering", "Computer Engineering"),
    ]


def test_education_field_before_a_country_or_school_stays_whole():
    text = (
        "Education\nM.Sc., Informatik, Germany\nB.Sc. Physics, India\n"
        "B.S.W., North Carolina Central University\n"
    )
    assert _degrees_and_fields(text)[:2] == [("M.Sc.", "Informatik"), ("B.Sc. Physics", "Physics")]
    # the school's state opens its name: the degree keeps all of its own letters
    assert _degrees_and_fields(text)[2][0] == "B.S.W."


def test_education_award_sentence_naming_a_degree_is_no_second_degree():
    (entry,) = extract_profile(GHATKESAR_CV, reference_date=REFERENCE).education
    assert entry.span.start == GHATKESAR_CV.index("B.Tech.  Ghatkesar")

    text = (
        "Education\nB.Tech in Computer Science, 2016\n"
        "Achievements\nTopper of B.Tech batch in the department, 2015\n"
        "Projects\nPaddle operated juicer machine - in B.Tech\n"
    )
    degrees = [e.degree for e in extract_profile(text, reference_date=REFERENCE).education]
    assert degrees == ["B.Tech in Computer Science"]


def test_education_award_sentence_stands_for_a_degree_the_cv_lists_nowhere_else():
    text = "Jo Lee\nAchievements\nGold medalist in M.Sc. Physics, 2012\n"
    entries = extract_profile(text, reference_date=REFERENCE).education
    assert [(e.level, e.degree, e.field) for e in entries] == [
        (DegreeLevel.MASTER, "M.Sc. Physics", "Physics")
    ]


def test_years_ending_a_wrapped_sentence_are_no_job_but_a_job_s_own_dates_line_is():
    # CONSULTANT/10984392.pdf of the Kaggle resumes: an achievement's years wrapped onto a line
    text = (
        "Experience\n"
        "Founder, President and CEO\n"
        "January 2002 to January 2011 Company Name - City , State\n"
        "Applied high level cost analysis to company, deploying new procurement processes to"
        " secure 11% COGS year over year reduction from\n"
        "2008 to 2009.\n"
        "Managed the front desk and ordered supplies\n"
        "2012 to 2014\n"
        "Cashier, Company Name - City , State\n"
    )
    experience = extract_profile(text, reference_date=REFERENCE).experience
    assert sorted(e.start.year for e in experience if e.start) == [2002, 2012]


def test_contacts_read_twice_from_one_text_are_the_same_and_each_reader_s_own() -> None:
    """The profile and the redaction read a CV's links, e-mails and phones from the same text;
    the second reading is the first one's result, never a list another reader changed."""
    text = "Jane Doe\njane@example.org | +49 30 1234567 | github.com/janedoe\nData Scientist\n"
    profile = extract_profile(text, reference_date=date(2026, 1, 1))
    links, emails, phones = find_links(text), find_emails(text), find_phones(text)
    assert [link.url for link in links] == ["github.com/janedoe"]
    assert (tuple(links), tuple(emails), tuple(phones)) == (
        profile.contacts.links, profile.contacts.emails, profile.contacts.phones,
    )  # fmt: skip
    for found in (links, emails, phones):
        found.clear()
    assert find_links(text) and find_emails(text) == ["jane@example.org"] and find_phones(text)
    assert "github" not in redact_personal_data(text, profile.contacts)


@pytest.mark.parametrize(
    ("header", "location"),
    [
        ("Jane Doe\nBerlin, Germany\n", "Berlin, Germany"),
        ("Golang Developer\nKarmiEl, Israel (Able to relocate)\n", "KarmiEl, Israel"),
        ("Java Developer\nIsrael, Rishon Lezion\n", "Israel, Rishon Lezion"),
        ("Ali Kaya | Kadıköy, İstanbul, Türkiye | ali@example.com\n", "Kadıköy, İstanbul, Türkiye"),
        ("Jane Doe\nSilicon Valley, CA, USA\n", "Silicon Valley, CA, USA"),
        # cells that name no place
        ("Jane Doe\nPython, Java, SQL\nMachine Learning, Deep Learning\n", None),
        ("Jane Doe\nLooking for roles in Berlin, Germany or remote\n", None),
    ],
)
def test_contacts_where_the_candidate_lives_from_the_header_without_a_label(
    header: str, location: str | None
) -> None:
    text = header + "Experience\nML Engineer, Acme GmbH, Munich, Germany, 2019 - 2023\n"
    profile = extract_profile(text, reference_date=date(2026, 1, 1))
    assert profile.contacts.location == location


def test_contacts_a_job_s_town_is_not_where_the_candidate_lives() -> None:
    text = "Jane Doe\nML Engineer\nExperience\nAcme GmbH\nMunich, Germany\n2019 - 2023\n"
    assert extract_profile(text, reference_date=date(2026, 1, 1)).contacts.location is None
