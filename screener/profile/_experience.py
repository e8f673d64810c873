"""Jobs: a date range anchors each entry; title and organisation come from the lines around it.

CVs put the header of a job in three places relative to its dates: above them (Indeed and most
templates: title, then "Company - City", then dates), on the same line ("ML Engineer, Acme GmbH
 Jan 2019 – Present"), or below them (dates first). The nearest short, header-like lines are read
in that order of preference; text after the dates on their line comes after the lines above,
since it is mostly a place ("Jan 2015 - Present | New York, NY"). A job told as a sentence
("Worked as Data Analyst for Fidelity from June 2013") gives its title and organisation from the
sentence's own words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from screener.profile._dates import DateRange, find_date_ranges, merged_months
from screener.profile._model import ExperienceEntry, TextSpan
from screener.sections import Section, SectionKind

__all__ = ["extract_experience"]

_TITLE_WORDS = re.compile(
    r"(?i:\b(?:engineer|developer|scientist|analyst|consultant|manager|intern|internship|trainee"
    r"|researcher|research\s+assistant|lead|architect|specialist|administrator|admin|officer"
    r"|director|head|associate|executive|designer|programmer|tester|coordinator|assistant"
    r"|professor|lecturer|fellow|postdoc|technician|representative|advisor|adviser|founder"
    r"|co-founder|owner|president|vp|supervisor|sde|member\s+of\s+technical\s+staff|staff"
    r"|teacher|instructor|tutor|student|clerk|accountant|auditor|operator|agent|leader|expert"
    r"|strategist|partner|editor|writer|recruiter|cto|ceo|cfo|coo|svp|evp|avp|dba"
    r"|werkstudent(?:in)?|praktikant(?:in)?|doktorand(?:in)?|mitarbeiter(?:in)?|leiter(?:in)?"
    r"|berater(?:in)?|geschäftsführer(?:in)?|wissenschaftler(?:in)?|\w*ingenieur(?:in)?"
    r"|\w*entwickler(?:in)?|mühendis\w*|muhendis\w*|uzman\w*|geliştirici\w*|gelistirici\w*"
    r"|bilimci\w*|stajyer\w*|yönetici\w*|müdür\w*|araştırmacı\w*|danışman\w*|analist\w*|asistan\w*"
    r")s?\b)"
)
_ORG_WORDS = re.compile(
    r"(?i:\b(?:inc|ltd|llc|llp|gmbh|ag|se|kg|co|corp|corporation|company|limited|pvt|plc|group"
    r"|holding|holdings|technologies|technology|solutions|systems|services|labs?|software"
    r"|consulting|bank|university|universität|institute|hochschule|a\.?ş|ltd\.?\s*şti"
    r"|teknoloji|bilişim|yazılım|üniversitesi|fz-?llc|fze|dmcc)\b\.?)"
)
_SPLIT = re.compile(r"\s+[-–—|]\s+|\s*[|•·\t]\s*|,\s+|\s{3,}|\s+(?:at|@|bei|for)\s+|\s+-$")
_BULLET = re.compile(r"^\s*(?:[•·▪■►*●o-]|\d+[.)])\s+")
_LABEL = re.compile(
    r"^(?i:company|employer|organi[sz]ation|client|title|role|position|designation|firma"
    r"|arbeitgeber|şirket|pozisyon|unvan)\s*[:\-]\s*"
)
# A job told as a sentence, common in Indian CVs: "(Currently) working as TITLE at/in/with/for
# ORG", or "worked with/at/for ORG as TITLE". An organisation does not start with an article
# ("Working as SAP consultant in a client project with Infosys" names no organisation).
_WORKED = (
    r"(?i:(?:currently\s+)?(?:i\s+)?(?:have\s+|had\s+|am\s+|was\s+)?"
    r"(?:working|worked|work|employed|serving|served))"
)
# "as", "as a", "as the" before a title
_AS = r"\s+(?i:as)\s+(?i:an?\s+|the\s+)?"
_TITLE_THEN_ORG = re.compile(
    _WORKED + _AS + r"(?P<title>.+?)\s+(?i:at|in|with|for|@)\s+(?!(?i:an?|the)\b)(?P<org>.+)"
)
_TITLE_ONLY = re.compile(_WORKED + _AS + r"(?P<title>[^,;.]+)")
_ORG_THEN_TITLE = re.compile(
    _WORKED + r"\s+(?i:at|in|with|for)\s+(?!(?i:an?|the)\b)(?P<org>.+?)" + _AS + r"(?P<title>.+)"
)
# A piece that names the job, then its employer: "Mobile Developer in KeepIn Ltd.", "Data
# Scientist at Acme GmbH", "Java Developer @ Sber Technologies", "Working as Java Developer in …".
_TITLE_AT_ORG = re.compile(
    r"(?:" + _WORKED + _AS + r")?(?P<title>.+?)\s+(?i:at|in|@)\s+(?:(?i:project)\s+)?(?P<org>.+)"
)
_MAX_HEADER_CHARS = 90
# The word a template puts before a job's dates ("Date: July 2012 – Ongoing"): neither a title
# nor an organisation.
_DATE_LABEL = re.compile(
    r"(?i:dates?|period|duration|from|since|zeitraum|dauer|seit|tarih|dönem|süre)"
)

# Labels of the parts of a job entry ("Project Description", "Roles and Responsibilities",
# "Team Size: 15 members") and lengths ("11 months"): neither a title nor an organisation.
_ENTRY_LABEL = re.compile(
    r"(?i:(?:project\s+)?(?:description|summary|details|name|title|profile)"
    r"|projects?|roles?(?:\s+(?:and|&)\s+responsibilit(?:y|ies))?|responsibilit(?:y|ies)"
    r"|key\s+responsibilit(?:y|ies)|team\s+size\b.*|environment|technologies|tools|client"
    r"|achievements?|[\d.]+\+?\s+(?:months?|years?|yrs?))"
)
# An award or honour listed with its years is no job ("2003-2004 Winner of the Tactical Action
# Unit of the Year Award.", "Student of the Month Program, 2004-Present"); read as one it made
# overlapping-dates notes.
_AWARD = re.compile(
    r"(?i:\b(?:awards?(?!-winning)|awarded|winner|honou?rs?|honou?red|recipient|prize"
    r"|medal(?:ist)?|scholarship|dean'?s\s+list|(?:employee|student|associate|member)\s+of\s+the"
    r"\s+(?:month|quarter|year))\b)"
)
# A certification listed with bare years is no job ("Geriatric Resource Nurse (GRN)
# certification 2003-2008."); with a month it may be ("Account Certification Analyst 01/2009").
_CERTIFICATION = re.compile(r"(?i:\bcertification\b)")
# A certificate's name ("Certified ScrumMaster", "Certificate in Data Science")
_CERTIFIED = re.compile(r"(?i:\bcertif(?:ied|icate|ication)s?\b)")
# A word written in lower case is the body of a sentence; a job's header names things in
# capitals ("Company Name", "Senior Data Scientist") and joins them with few small words.
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*(?![\w'’-])")
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_][\w'’-]*")
_SENTENCE_STOP = re.compile(r"[.!?](?:\s|$)")
# the dates follow a lower-case word, perhaps in parentheses: "fulltime (2008-2011)", "methods
# since 2014"
_LEADS_INTO_DATES = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*\s*\(?\s*$")
# a word the date reader takes as part of the dates ("since 2014")
_OPENING_WORD = re.compile(r"since\s+")
_MIN_SENTENCE_LOWER_WORDS = 6
_MIN_SENTENCE_LOWER_SHARE = 0.6
# A percentage or a sum of money: "32%", "$50K", "€ 2M", "1.5 million"
_AMOUNT = re.compile(r"\d\s?%|[$€£]\s?\d|\d\s?(?:million|billion)\b", re.IGNORECASE)
_LEADING_NOW = re.compile(r"^(?i:currently|presently)\s+")
_AWARD_REACH = 80


def _no_job(text: str, found: DateRange) -> bool:
    """Whether dates belong to no job of their own.

    An award's or honour's words beside them on their line (within ``_AWARD_REACH``
    characters, so a CV flattened into one long line is not judged as a whole). Bare years
    ("from 2007-2010", "(2002 -2004)") beside a certification's name, on a line that goes on
    with a sentence begun above ("new patients by 32% from 2007-2010"), or after an amount on
    their own line ("Decreased annual IT budget by at least $50K each year from 2003-2006."):
    an achievement or a certificate of a job. A job's own line starts with its title,
    organisation or dates, and names no percentage or sum of money before them. Dates, months
    or not, inside a sentence of prose (``_in_sentence``) or closing a certificate's line
    (``_listed_certificate``).
    """
    line_start, line_end = _line_at(text, found.match_start)
    start = max(line_start, found.match_start - _AWARD_REACH)
    end = min(line_end, found.match_end + _AWARD_REACH)
    if _AWARD.search(text, start, end) is not None:
        return True
    if _in_sentence(text, found, line_start, line_end):
        return True
    if _listed_certificate(text, found, line_start, line_end):
        return True
    if found.month_written:
        return False  # a month or a day: a job's dates more often than anything else's
    before = _BULLET.sub("", text[line_start : found.match_start]).lstrip()
    return (
        _CERTIFICATION.search(text, start, end) is not None
        or before[:1].islower()
        or _AMOUNT.search(before) is not None
        or (not before and _ends_wrapped_sentence(text, line_start, found.match_end, line_end))
    )


def _ends_wrapped_sentence(text: str, line_start: int, dates_end: int, line_end: int) -> bool:
    """Bare years alone on their line with a full stop, under a line that breaks off after a
    lower-case word: the end of a sentence the layout wrapped ("… 11% COGS year over year
    reduction from" over "2008 to 2009."). A job's dates on a line of their own end in no
    full stop."""
    above = text[:line_start].rstrip()
    return _only_full_stop(text, dates_end, line_end) and above[-1:].islower()


def _only_full_stop(text: str, start: int, end: int) -> bool:
    return text[start:end].strip() == "."


def _in_sentence(text: str, found: DateRange, line_start: int, line_end: int) -> bool:
    """Whether dates sit inside a sentence of prose, not on a job's line.

    "While going to school fulltime (2008-2011) I supported myself as a bartender ...", "Scrum
    development methods since 2014, team of 3 to 6 from Burbank; ...": lower-case words lead
    into the dates and the sentence goes on after them in lower case (or ends with them), most
    of its words in lower case. A job's header names its title, organisation or place next to
    its dates ("Software Engineer (2016 - 2019) at Acme GmbH", "registered nurse 07/1994 to
    08/2015 Company Name", "... strategic planning July 2015 - March 2017 -" over the next
    job's title), and a job told as a sentence names its title ("Worked as Data Analyst for
    Fidelity from June 2013").
    """
    before = text[line_start : found.match_start]
    # a sentence that ended before the dates is another one ("... working correctly. 07/2011
    # to 10/2017" are the next job's dates)
    stops = list(_SENTENCE_STOP.finditer(before))
    if stops:
        before = before[stops[-1].end() :]
    # "since 2014" is read as dates with its word; "since" leads into them as a sentence's word
    # would, and alone ("Adopted Scrum since 2014 (ScrumMaster), team of 3 to 6 ...") where
    # another lower-case word needs a second one before it
    opening = _OPENING_WORD.match(text, found.match_start, found.match_end)
    if opening is not None:
        before += opening.group()
    lead = _LEADS_INTO_DATES.search(before)
    words_needed = 1 if opening is not None else 2
    if (
        lead is None
        or len(_LOWER_WORD.findall(before)) < words_needed
        or _TITLE_WORDS.search(before) is not None
    ):
        return False
    after = text[found.match_end : line_end]
    stop = _SENTENCE_STOP.search(after)
    if stop is not None:
        after = after[: stop.start()]
    next_words = _WORD.findall(after)[:2]
    ends_with_dates = stop is not None and not next_words
    goes_on = any(_LOWER_WORD.fullmatch(word) for word in next_words)
    if not (ends_with_dates or goes_on):
        return False
    sentence = f"{before} {after}"
    lower = len(_LOWER_WORD.findall(sentence))
    return (
        lower >= _MIN_SENTENCE_LOWER_WORDS
        and lower >= _MIN_SENTENCE_LOWER_SHARE * len(_WORD.findall(sentence))
        and _sentence_job(text[line_start:line_end]) is None
    )


def _listed_certificate(text: str, found: DateRange, line_start: int, line_end: int) -> bool:
    """Whether dates are a certificate's validity: its name, and no job's title, before them,
    and nothing but a full stop after them ("Certified ScrumMaster, Scrum Alliance, Dec 2014 -
    Dec 2016."). A certified post is a job's header, its organisation after its dates or on
    the next line ("Certified Fitness Trainer , 01/2012 to Current Company Name")."""
    before = text[line_start : found.match_start]
    return (
        _CERTIFIED.search(before) is not None
        and _only_full_stop(text, found.match_end, line_end)
        and not any(_is_title(piece) for piece in _pieces(before))
    )


_TRAILING_DATE_LABEL = re.compile(r"\s+(?i:from|since|seit|till|until)$")


def _line_at(text: str, position: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end == -1 else end


# A sentence ends in a lower-case word and a full stop; "Acme A.Ş." or "Foo Inc." do not.
_PROSE_END = re.compile(r"\b[a-z]{3,}\.\s*$")


def _header_like(line: str) -> bool:
    stripped = line.strip()
    prose_end = stripped.endswith(";") or bool(_PROSE_END.search(stripped))
    return (
        0 < len(stripped) <= _MAX_HEADER_CHARS
        and not prose_end
        and not _BULLET.match(line)
        and len(stripped.split()) <= 12
    )


def _without_stray_parentheses(piece: str) -> str:
    """Parentheses around the whole piece or left unpaired go: "(Acme)" and "Acme)" give
    "Acme", "Software Engineer (" before its dates in parentheses gives "Software Engineer",
    while "Researcher (Military Service)" keeps its closing one (stripping every parenthesis
    at the ends cut it off)."""
    if piece.endswith("(") and _balanced(piece[:-1]):
        piece = piece[:-1].rstrip()
    if piece.startswith("(") and piece.endswith(")") and _balanced(piece[1:-1]):
        piece = piece[1:-1]
    elif piece.startswith("(") and ")" not in piece:
        piece = piece[1:]
    elif piece.endswith(")") and "(" not in piece:
        piece = piece[:-1]
    return piece.strip(" \t•·*:-–—")


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _pieces(line: str) -> list[str]:
    pieces = []
    for piece in _SPLIT.split(line):
        piece = _LABEL.sub("", _without_stray_parentheses(piece.strip(" \t•·*:-–—"))).strip()
        # "Oracle, Hyderabad from July 2015": the word that leads into the dates is not a place;
        # "Currently Quality Specialist" is the job of a Quality Specialist
        piece = _LEADING_NOW.sub("", _TRAILING_DATE_LABEL.sub("", piece))
        if (
            piece
            and re.search(r"[^\W\d_]", piece)
            and not re.fullmatch(r"(?i)present|current|ongoing", piece)
            and not _DATE_LABEL.fullmatch(piece)
            and not _ENTRY_LABEL.fullmatch(piece)
        ):
            pieces.append(piece)
    return pieces


def _is_title(piece: str) -> bool:
    """A piece with a job word is a title unless an organisation word comes after its last job
    word: "Senior Software Engineer" is a title, "Developer Tools Software Inc." an
    organisation; a job word followed by "of" or "for" names the job whatever follows."""
    jobs = list(_TITLE_WORDS.finditer(piece))
    if not jobs:
        return False
    # "Vice President of Location & Services", "Head of Data Solutions": what the job is of
    if re.match(r"\s+(?:of|for|für)\b", piece[jobs[0].end() :], re.I):
        return True
    orgs = list(_ORG_WORDS.finditer(piece))
    return not orgs or jobs[-1].end() > orgs[-1].end()


def _sentence_job(line: str) -> tuple[str, str | None] | None:
    """Title and organisation of a job written as a sentence: "Working as Configuration
    Engineer in Oracle, Hyderabad from July 2015", "Worked with Infosys Limited as a Software
    Test Engineer". Split into pieces, the first gave the whole clause as the title and the
    place as the organisation."""
    clause = _BULLET.sub("", line).strip()
    found = _TITLE_THEN_ORG.match(clause) or _ORG_THEN_TITLE.match(clause)
    if found is None:
        alone = _TITLE_ONLY.fullmatch(clause)
        title = _TRAILING_DATE_LABEL.sub("", alone["title"].strip()) if alone else ""
        return (title, None) if _is_title(title) else None
    title = _TRAILING_DATE_LABEL.sub("", found["title"].strip(" ,;:"))
    pieces = _pieces(found["org"])
    if not pieces or not _is_title(title) or _is_title(pieces[0]):
        return None
    return title, pieces[0]


def _title_and_org(lines: Sequence[str]) -> tuple[str | None, str | None]:
    """Pick the title (has a job word) and the organisation from candidate lines, nearest first."""
    title: str | None = None
    org: str | None = None
    fallback_org: str | None = None
    for line in lines:
        sentence = _sentence_job(line)
        if sentence is not None:
            title = title or sentence[0]
            org = org or sentence[1]
            if org is not None:
                break
            continue
        for piece in _pieces(line):
            if len(piece) > 70:
                continue
            split = _TITLE_AT_ORG.fullmatch(piece)
            if (
                split is not None
                and title is None
                and _is_title(split["title"])
                and not _is_title(split["org"])
                and _ORG_WORDS.search(split["org"])
            ):
                title, org = split["title"], org or split["org"]
                continue
            is_title = _is_title(piece)
            if is_title and title is None:
                title = piece
            elif not is_title:
                if org is None and _ORG_WORDS.search(piece):
                    org = piece
                elif fallback_org is None and piece != title:
                    fallback_org = piece
        if title is not None and (org or fallback_org):
            break
    return title, org or fallback_org


def _regions(text: str, sections: Sequence[Section]) -> list[tuple[int, int]]:
    regions = [(s.start, s.end) for s in sections if s.kind is SectionKind.EXPERIENCE]
    if regions:
        return regions
    # No experience heading: read everything except the parts where dates mean something else.
    skip = {
        SectionKind.EDUCATION,
        SectionKind.PUBLICATIONS,
        SectionKind.CERTIFICATIONS,
        SectionKind.LANGUAGES,
        SectionKind.SKILLS,
    }
    regions = [(s.start, s.end) for s in sections if s.kind not in skip]
    if regions:
        return regions
    # Every section is one of those ("Education Details" and "Skill Details" only): the text
    # outside the degrees, publications, certificates and languages, where a degree's dates
    # would become a job. A skills section stays in: it runs on into the jobs where their
    # heading is lost in the line before it.
    dated_otherwise = skip - {SectionKind.SKILLS}
    position = 0
    for start, end in sorted(
        (s.heading_start, s.end) for s in sections if s.kind in dated_otherwise
    ):
        if start > position:
            regions.append((position, start))
        position = max(position, end)
    if position < len(text):
        regions.append((position, len(text)))
    return regions


def _dates_line_end(text: str, found: DateRange) -> int:
    """End of the line where a job's dates end: they may wrap ("July 2015 –" over "May 2020")."""
    return _line_at(text, max(found.match_end - 1, found.match_start))[1]


def _entry(text: str, found: DateRange, previous_end: int, next_start: int) -> ExperienceEntry:
    line_start = _line_at(text, found.match_start)[0]
    line_end = _dates_line_end(text, found)
    # Before the dates a line holds the job ("ML Engineer, Acme GmbH  Jan 2019 – Present");
    # after them mostly where it was ("Jan 2015 - Present | New York, NY"), so what follows the
    # dates is read last, after the header lines above.
    before_dates = text[line_start : found.match_start]
    if _PROSE_END.search(before_dates):
        # the previous job's last sentence, its line joined to these dates ("Designed an
        # effective behavioral modification program. September 2011 to May 2012"): no part of
        # this job
        before_dates = ""
    after_dates = text[found.match_end : line_end]
    before: list[str] = []
    position = line_start - 1
    while position > previous_end and len(before) < 3:
        start, end = _line_at(text, position)
        line = text[start:end]
        position = start - 1
        if not line.strip():
            continue
        if not _header_like(line):
            break
        before.append(line)
    after: list[str] = []
    position = line_end + 1
    while position < next_start and len(after) < 2:
        start, end = _line_at(text, position)
        line = text[start:end]
        position = end + 1
        if not line.strip():
            continue
        if not _header_like(line):
            break
        after.append(line)
    title, org = _title_and_org([before_dates, *before, after_dates])
    if title is None or org is None:
        title_after, org_after = _title_and_org(after)
        title, org = title or title_after, org or org_after
    return ExperienceEntry(
        title=title,
        organisation=org,
        start=found.start,
        end=found.end,
        current=found.current,
        months=found.months,
        span=TextSpan(found.match_start, found.match_end),
        date_issue=found.issue,
    )


# An employer named with a job's dates: "… at Acme GmbH", or the Kaggle CVs' placeholder
_EMPLOYER_ON_LINE = re.compile(r"\bat\s+[A-Z]|Company Name")


def _assignment_of(text: str, found: DateRange, job: DateRange) -> bool:
    """Whether ``found`` is an assignment listed under the job above it, not a job beside it:
    bare years ("1994-1999 Construction Inspector for Materials, Penn Dot projects") within the
    months of that job ("June 1991 to February 2000"), naming no employer of its own. A job
    written with its months and the periods under it with years only are one job and its
    projects, not overlapping jobs; a second job written like the first ("Secretary to the
    Board Oct 2012 to Oct 2013" under "Consultant Jan 2009 to Current") or at an employer of its
    own ("Software Engineer (2016 - 2019) at Acme GmbH") stays a job."""
    line_start, line_end = _line_at(text, found.match_start)
    # the employer may follow on the next line ("Fine Wine Specialist , 2008 to 2008" over
    # "Company Name – City , State")
    next_end = _line_at(text, line_end + 1)[1] if line_end < len(text) else line_end
    return (
        job.month_written
        and not found.month_written
        and found.issue is None
        and found.start.year >= job.start.year
        and (job.current or (not found.current and found.end_index <= job.end_index))
        and not _EMPLOYER_ON_LINE.search(text, line_start, next_end)
    )


def extract_experience(
    text: str,
    sections: Sequence[Section],
    reference_date: date,
    *,
    degrees: Sequence[TextSpan] = (),
) -> tuple[list[ExperienceEntry], int]:
    """Experience entries in text order and the months they cover, overlaps counted once.

    ``degrees``: where the education entries were read. Without an experience heading, dates
    on a degree's line ("August 2014 to May 2018 B.Tech. … Institute") are its years of study,
    not a job; under an experience heading they stay a job ("PhD Researcher, MPI, 2015-2019").
    """
    entries: list[ExperienceEntry] = []
    intervals: list[tuple[int, int]] = []
    seen: set[tuple[str | None, str | None, date | None, date | None, bool]] = set()
    in_experience = any(s.kind is SectionKind.EXPERIENCE for s in sections)
    degree_lines = set() if in_experience else {_line_at(text, d.start) for d in degrees}
    for region_start, region_end in _regions(text, sections):
        ranges = find_date_ranges(text, reference_date, region_start, region_end)
        ranges = [
            r
            for r in ranges
            if not _no_job(text, r) and _line_at(text, r.match_start) not in degree_lines
        ]
        job: DateRange | None = None  # the last job written with its months
        for index, found in enumerate(ranges):
            previous_end = _dates_line_end(text, ranges[index - 1]) if index else region_start
            next_start = (
                _line_at(text, ranges[index + 1].match_start)[0]
                if index + 1 < len(ranges)
                else region_end
            )
            if job is not None and _assignment_of(text, found, job):
                continue
            job = found if found.month_written else None
            entry = _entry(text, found, previous_end, next_start)
            # The same title, organisation and dates again are the same job written twice (an
            # experience section repeated on a later page), not a second job beside it.
            key = (entry.title, entry.organisation, entry.start, entry.end, entry.current)
            if key in seen:
                continue
            seen.add(key)
            entries.append(entry)
            if found.issue is None:
                intervals.append((found.start_index, found.end_index))
    return entries, merged_months(intervals)
