"""Contact details: e-mails, phones, links, the candidate's name and location.

All of it is personal data; it lands in ``ContactDetails`` and nowhere else.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from screener.profile._dates import find_date_ranges
from screener.profile._model import ContactDetails, Link, LinkKind, TextSpan
from screener.profile._places import cells, place_of_residence, trimmed
from screener.profile._skills import find_skill_mentions
from screener.sections import Section, SectionKind, normalise_heading

__all__ = ["extract_contacts", "find_links", "forget_recent_texts", "normalise_url"]

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# Indeed exports wrap the profile link at a hyphen or after the slash
# ("indeed.com/r/Jane-\nDoe/0123abcd"), so this one pattern may cross a line break.
_INDEED = re.compile(
    r"(?:https?://)?(?:www\.)?indeed\.com/r/(?P<slug>[\w.%]+(?:-\n?[\w.%]+)*-?)"
    r"(?:/\s?(?P<hash>[0-9a-f]{6,}))?(?:\?\S*)?",
    re.IGNORECASE,
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()]+"
    r"|(?<![\w@.])(?:[a-z0-9-]+\.)*(?:linkedin\.com|github\.com|gitlab\.com|kaggle\.com"
    r"|scholar\.google\.[a-z.]+|huggingface\.co|hf\.co|medium\.com)/[^\s<>\"'()]*"
    r"|(?<![\w@.])[a-z0-9-]+\.(?:github\.io|dev|ai|io|me)(?:/[^\s<>\"'()]*)?(?![\w.])",
    re.IGNORECASE,
)

# Every match of _INDEED or _URL holds one of these (same flags, so the same letters match):
# most CVs hold none, and a search for them costs a fraction of the full patterns' scan.
_INDEED_HINT = re.compile(r"indeed\.com/r/", re.IGNORECASE)
_URL_HINT = re.compile(r"://|www\.|\.(?:co|io|dev|ai|me|google)", re.IGNORECASE)

_LINK_KINDS: tuple[tuple[re.Pattern[str], LinkKind], ...] = (
    (re.compile(r"(?:^|\.)linkedin\.com/", re.I), LinkKind.LINKEDIN),
    (re.compile(r"(?:^|\.)github\.com/", re.I), LinkKind.GITHUB),
    (re.compile(r"(?:^|\.)kaggle\.com/", re.I), LinkKind.KAGGLE),
    (re.compile(r"(?:^|\.)scholar\.google\.", re.I), LinkKind.GOOGLE_SCHOLAR),
    (re.compile(r"(?:^|\.)(?:huggingface\.co|hf\.co)(?:/|$)", re.I), LinkKind.HUGGING_FACE),
    (re.compile(r"(?:^|\.)indeed\.com/r/", re.I), LinkKind.INDEED),
)
# Hosts that are not the candidate's own site: job boards, mail, social noise, publishers.
_NOT_PERSONAL = re.compile(
    r"(?:^|\.)(?:indeed|google|gmail|yahoo|outlook|hotmail|facebook|twitter|x|instagram|youtube"
    r"|medium|microsoft|amazon|apple|doi|arxiv|ieee|acm|springer|wikipedia|coursera|udemy"
    r"|gitlab|bitbucket|stackoverflow|researchgate|orcid|xing)\.",
    re.I,
)

# Digits with the separators phone numbers use, on one line. Validation happens in _is_phone.
_PHONE = re.compile(r"(?<![\w/.+-])(?:\+|00)?\(?\d[\d \t().\-/]{6,22}\d(?![\w/]|\.\d)")
_YEAR_RANGE = re.compile(r"^(?:19|20)\d\d\s*[-–/]\s*(?:(?:19|20)\d\d|\d\d)$")
_DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
# A phone holds no month and year, no year range and no grade: a date beside another number
# ("03/1999 01/1998", "05/2014 1361", "1994-1995 4.0", "11/05/12 18640") or a grade point
# average ("GPA: 3.35/4.0 3.35/4.0") had been blanked from the scoring text as a contact line,
# a degree or job line with it.
_DATE_OR_GRADE = re.compile(
    r"(?<!\d)(?:0?[1-9]|1[0-2])/(?:\d{1,2}/)?(?:19|20)?\d\d(?!\d)"
    r"|(?<!\d)(?:19|20)\d\d\s*[-–]\s*(?:(?:19|20)\d\d|\d\d)(?!\d)"
    r"|(?<!\d)\d\.\d{1,2}\s*/\s*\d(?:\.\d)?(?!\d)"
)
# Reading a date range needs a day for "present"; which one does not matter to its span.
_ANY_DAY = date(2000, 1, 1)

_NAME_NOISE = re.compile(
    r"curriculum|vitae|resume|résumé|lebenslauf|özgeçmiş|ozgecmis|\bcv\b|profile|contact"
    r"|summary|objective|address|phone|e-?mail|page\b|\broad\b|\bstreet\b|\bavenue\b|\bst\.|nagar"
    r"|universit|college|school|institut|department|\bltd\b|\binc\b|limited|highlights|details"
    r"|expertise|skills|education|experience|\btitle\b|certified|references|personal"
    r"|career|accomplishments|\bpositions?\b|company name|microsoft|\bwork\b|description"
    r"|expirience|\bprofessional\b|intermediate|beginner|proficien",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(?:[-'’][^\W\d_]+)*\.?$")
_NAME_LABEL = re.compile(r"^(?:name|full name|name des bewerbers|ad soyad|isim)\s*[:\-]\s*", re.I)
_JOB_WORDS = re.compile(
    r"\b(?:engineer|developer|scientist|analyst|consultant|manager|intern|lead|architect"
    r"|specialist|administrator|officer|director|designer|programmer|student|ingenieur"
    r"|entwickler|mühendis\w*|uzman\w*|data|software|machine|learning|senior|junior"
    # job nouns that are not surnames: a CV without a name often starts with its title
    # ("SALES ASSOCIATE", "GENERAL ACCOUNTANT"), which would then be blanked everywhere. Nouns
    # that are also surnames (Cook, Clerk, Driver, Nurse, Fellow, Head) stay out: a name missed
    # is a name left in the scoring text.
    r"|associate|assistant|executive|accountant|auditor|coordinator|representative|supervisor"
    r"|technician|generalist|advocate|advisor|adviser|recruiter|teacher|instructor|trainee"
    r"|researcher|lecturer|professor|cashier|receptionist|chef|operator|strategist"
    r"|controller|bookkeeper|paralegal|attorney|pharmacist"
    # words of a title or a department that are no one's name ("CUSTOMER SERVICE AGENT", "VICE
    # PRESIDENT", "BUSINESS DEVELOPMENT", "INFORMATION TECHNOLOGY", "CONSTRUCTION WORKER");
    # Teller and Foreman are surnames and stay out
    r"|agent|president|vice|vp|owner|worker|mechanic|inspector|attendant|sergeant"
    r"|apprentice|laborer|labourer|installer|estimator|counselor|counsellor|educator"
    r"|photographer|hygienist|storekeeper|underwriter|technologist|therapist|tester|secretary"
    r"|aide|rep|staff|employee|participant|leader|sales|business|development|construction"
    r"|management|service|customer|planning|strategic|technology|information|support|finance"
    r"|accounting|engineering|marketing|operations|resources|healthcare|consulting|banking"
    r"|automation|security|logistics|retail|warehouse|administration|training|technical)s?\b",
    re.IGNORECASE,
)
# Post-nominal letters after the name: "Jane Doe, PMP, MBA", "Ali Kaya, Ph.D.".
_CREDENTIALS = re.compile(
    r"(?:\s*,\s*(?:(?:[A-Z]\.?){2,6}|Ph\.?\s?D\.?|M\.?\s?Sc\.?|B\.?\s?Sc\.?|Dipl\.?-?\w*\.?))+\s*$"
)
_HEADER_SPLIT = re.compile(r"\s{2,}|\t|\s[|•·,]\s?|\s[-–—]\s")
_LOCATION_LABEL = re.compile(
    r"^\s*(?:location|address|city|adresse|wohnort|anschrift|adres|konum|şehir)\s*[:\-]\s*(.+)$",
    re.IGNORECASE | re.MULTILINE,
)
_INDEED_LOCATION = re.compile(r"^(?P<loc>[^\n]{2,80}?)\s+-\s+Email me on Indeed", re.MULTILINE)


def normalise_url(url: str) -> str:
    """Scheme, ``www.``, query, trailing slash and wrapped line breaks removed; lower-cased."""
    url = re.sub(r"\s+", "", url)
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.I)
    url = url.split("?", 1)[0].split("#", 1)[0]
    return url.rstrip("/.,;").lower()


def _classify(url: str) -> LinkKind | None:
    normalised = normalise_url(url)
    for pattern, kind in _LINK_KINDS:
        if pattern.search(normalised):
            return kind
    if _NOT_PERSONAL.search(normalised.split("/", 1)[0]):
        return None
    return LinkKind.PERSONAL_SITE


def find_links(text: str) -> list[Link]:
    """Profile links in the order they appear, one per normalised URL."""
    return list(_links_in(text))


# The profile and the redaction of personal data both read a CV's links, e-mails and phones,
# from the same text for nearly every CV, so each text's are kept for the second reader: the
# last 64 texts', as `screener rank` reads the profiles of a group of 32 CVs before it redacts
# them (``screener.screening.RANK_GROUP_SIZE``).
_FOUND_IN_LAST = 64


@functools.lru_cache(maxsize=_FOUND_IN_LAST)
def _links_in(text: str) -> tuple[Link, ...]:
    found: list[Link] = []
    seen: set[str] = set()
    taken: list[tuple[int, int]] = []
    indeed = _INDEED.finditer(text) if _INDEED_HINT.search(text) else ()
    urls = _URL.finditer(text) if _URL_HINT.search(text) else ()
    for match in indeed:
        slug = re.sub(r"\s+", "", match["slug"])
        url = f"indeed.com/r/{slug}" + (f"/{match['hash']}" if match["hash"] else "")
        taken.append(match.span())
        key = normalise_url(url)
        if key not in seen:
            seen.add(key)
            found.append(Link(LinkKind.INDEED, url, TextSpan(*match.span())))
    for match in urls:
        if any(start <= match.start() < end for start, end in taken):
            continue
        url = match.group().rstrip(".,;:")
        if "@" in url.split("/", 1)[0]:
            continue
        kind = _classify(url)
        key = normalise_url(url)
        if kind is None or key in seen or "." not in key.split("/", 1)[0]:
            continue
        seen.add(key)
        found.append(Link(kind, url, TextSpan(match.start(), match.start() + len(url))))
    found.sort(key=lambda link: link.span.start)
    return tuple(found)


def forget_recent_texts() -> None:
    """Drop the texts kept for the second reader (a candidate's erasure: no CV text stays)."""
    for found_in in (_links_in, _emails_in, _phones_in):
        found_in.cache_clear()


def find_emails(text: str) -> list[str]:
    return list(_emails_in(text))


@functools.lru_cache(maxsize=_FOUND_IN_LAST)
def _emails_in(text: str) -> tuple[str, ...]:
    emails: list[str] = []
    for match in _EMAIL.finditer(text):
        email = match.group().strip(".")
        if email.lower() not in (e.lower() for e in emails):
            emails.append(email)
    return tuple(emails)


def _is_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    stripped = candidate.strip()
    international = stripped.startswith(("+", "00"))
    if not (10 <= len(digits) <= 15 or (international and 9 <= len(digits) <= 15)):
        return False
    if _YEAR_RANGE.match(stripped) or _DATE_LIKE.match(stripped):
        return False
    if _DATE_OR_GRADE.search(stripped):
        return False
    # Two or more four-digit years side by side ("2016 2018") are dates, not a number.
    if re.fullmatch(r"(?:(?:19|20)\d\d[\s\-–/]*){2,}", stripped):
        return False
    # A job's dates in digits ("12/2012 - 09/2014", "01.2019 - 03.2021") look like a number;
    # taken for a phone, they were blanked from the scoring text with the rest of the contacts.
    if any(
        found.match_start == 0 and found.match_end == len(stripped)
        for found in find_date_ranges(stripped, _ANY_DAY)
    ):
        return False
    if stripped.count("(") != stripped.count(")"):
        return False
    return True


def find_phones(text: str) -> list[str]:
    return list(_phones_in(text))


@functools.lru_cache(maxsize=_FOUND_IN_LAST)
def _phones_in(text: str) -> tuple[str, ...]:
    phones: list[str] = []
    seen: set[str] = set()
    for match in _PHONE.finditer(text):
        candidate = match.group().strip(" \t-./")
        if candidate.startswith("(") and ")" not in candidate:
            candidate = candidate[1:]
        if not _is_phone(candidate):
            continue
        key = re.sub(r"\D", "", candidate)
        if key not in seen:
            seen.add(key)
            phones.append(candidate)
    return tuple(phones)


def _name_from_line(line: str) -> str | None:
    line = _NAME_LABEL.sub("", line.strip(" \t\"'“”")).strip(" \t|•·,\"'“”")
    line = _CREDENTIALS.sub("", line)
    if not line or len(line) > 45 or _NAME_NOISE.search(line) or _JOB_WORDS.search(line):
        return None
    if any(ch.isdigit() or ch in "@/:;()|" for ch in line):
        return None
    tokens = line.split()
    if not 2 <= len(tokens) <= 4 or not all(_NAME_TOKEN.match(t) for t in tokens):
        return None
    if not all(t[0].isupper() for t in tokens):
        return None
    # a line of technologies ("Python SQL" under a tools heading) is no name; one skill word
    # among others is ("Ruby Smith")
    covered = sum(m.span.end - m.span.start for m in find_skill_mentions(line))
    if covered >= sum(len(t) for t in tokens):
        return None
    return " ".join(tokens)


# "My name is Maria, I'm a new repatriate …": a name the CV says in a sentence, often in a
# cover letter or a summary, and often the first name alone
_NAME_INTRODUCTION = re.compile(
    r"(?i:\bmy name is|\bich hei(?:ß|ss)e|\bmein name ist|\bbenim ad[ıi]m)[ \t]+"
    r"((?:[^\W\d_a-zçğıöşüäß][^\W\d_]+)(?:[ \t]+[^\W\d_a-zçğıöşüäß][^\W\d_]+){0,2})"
)


def _name_from_introduction(text: str) -> str | None:
    match = _NAME_INTRODUCTION.search(text)
    if match is None:
        return None
    tokens = match.group(1).split()
    while tokens and (_NAME_NOISE.search(tokens[-1]) or _JOB_WORDS.search(tokens[-1])):
        tokens.pop()  # "My name is Anna Senior Developer …"
    if not tokens or not all(_NAME_TOKEN.match(t) for t in tokens):
        return None
    return " ".join(tokens)


def _name_from_indeed(links: Sequence[Link]) -> str | None:
    for link in links:
        if link.kind is LinkKind.INDEED:
            slug = link.url.split("/r/", 1)[1].split("/", 1)[0]
            parts = [p for p in slug.split("-") if p and not p.isdigit()]
            if 1 <= len(parts) <= 4:
                return " ".join(p if p[:1].isupper() else p.capitalize() for p in parts)
    return None


_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# An e-mail address, a web address or a bare domain on a header line: "deedy@fb.com",
# "sourabhbajaj.com", "linkedin.com/in/jane-doe".
_HANDLE = re.compile(r"[^\s|•·,;()<>]*[@./][^\s|•·,;()<>]*")
_MIN_SPELLED = 6  # letters a name must have to count as spelled by a handle, not by chance


# Letters without an ASCII decomposition, spelled the way addresses write them.
_ASCII_SPELLING = str.maketrans({"ı": "i", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l"})


def _letters(text: str) -> str:
    """Lower-case ASCII letters only: "Åsa-Björk O’Neil" → "asabjorkoneil", "Yılmaz" → "yilmaz"."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_ASCII_SPELLING))
    return "".join(ch for ch in folded if "a" <= ch <= "z")


def _name_from_handles(lines: Sequence[str]) -> str | None:
    """A run of 2-4 capitalised words that the candidate's own address spells, for headers
    that set the name on one line with other text ("Last Updated on 21st January 2015
    Debarghya Das" beside debarghyadas.com, "Sourabh Bajaj Email: sourabh@sourabhbajaj.com")."""
    handles = [_letters(h) for line in lines for h in _HANDLE.findall(line)]
    handles = [h for h in handles if len(h) >= _MIN_SPELLED]
    if not handles:
        return None
    for line in lines:
        words = list(_WORD.finditer(line))
        runs: list[list[str]] = []
        for previous, word in zip([None, *words], words, strict=False):
            capitalised = word.group()[0].isupper()
            joined = previous is not None and not line[previous.end() : word.start()].strip()
            if capitalised and joined and runs and runs[-1]:
                runs[-1].append(word.group())
            else:
                runs.append([word.group()] if capitalised else [])
        for run in runs:
            for size in range(min(len(run), 4), 1, -1):
                for start in range(len(run) - size + 1):
                    candidate = run[start : start + size]
                    spelled = "".join(_letters(w) for w in candidate)
                    if len(spelled) >= _MIN_SPELLED and any(spelled in h for h in handles):
                        name = _name_from_line(" ".join(candidate))
                        if name is not None:
                            return name
    return None


_NAME_LINES = 6
_NAMELESS_SECTIONS = frozenset(
    (
        SectionKind.EXPERIENCE,
        SectionKind.EDUCATION,
        SectionKind.SKILLS,
        SectionKind.PROJECTS,
        SectionKind.PUBLICATIONS,
        SectionKind.CERTIFICATIONS,
        SectionKind.LANGUAGES,
    )
)
# summaries that list qualities and skills, one to a line ("Highlights\nActive Listening\nTime
# Management"); a "Profile" or "About me" may hold the name
_LISTING_SUMMARIES = frozenset(
    ("highlights", "summary of qualifications", "qualifications summary")
)


def _contact_below(text: str, at: int, contacts: Sequence[str]) -> bool:
    """Whether one of the 5 lines below the line at ``at`` holds one of the CV's e-mails or
    phones (an address and a town may come first)."""
    below = text[at:].split("\n", 6)[1:6]
    return any(value in line for line in below for value in contacts)


def _guess_name(
    text: str,
    sections: Sequence[Section],
    links: Sequence[Link],
    header_end: int,
    contacts: Sequence[str],
) -> str | None:
    # a name the CV says itself comes before any guess from its layout
    if introduced := _name_from_introduction(text):
        return introduced
    # The name is nearly always among the first lines; past that, a two-word capitalised line
    # is more likely a company or a heading.
    headings = {s.heading for s in sections if s.heading}
    header = text[: max(header_end, 400)]
    # a line in a section of skills, jobs, degrees ... is no name, even among the first lines
    # ("Highlights\nActive Listening", "Areas of Expertise\nDairy Nutrition")
    nameless = [
        (s.heading_start, s.end)
        for s in sections
        if s.kind in _NAMELESS_SECTIONS
        or (s.kind is SectionKind.SUMMARY and normalise_heading(s.heading) in _LISTING_SUMMARIES)
    ]
    # the first non-empty lines with where they start (``splitlines``: an export's text may
    # break its lines with \r or \x0c as well as \n)
    first: list[tuple[int, str]] = []
    offset = 0
    for piece in header.splitlines(keepends=True):
        line = piece.splitlines()[0]
        if line.strip():
            first.append((offset, line))
            if len(first) == _NAME_LINES:
                break
        offset += len(piece)
    lines = [
        line
        for at, line in first
        if not any(start <= at < end for start, end in nameless)
        # a name set above its contact lines stays one: a template's header flattened into one
        # line read "Sample Resume  Education  …  Kim Kreiger  790 Brown St  Ph: 03 51 …"
        or _contact_below(header, at, contacts)
    ]
    for line in lines:
        if line.strip() in headings:
            continue
        # The name may share its line with contact details: "Jane Doe    Berlin  +49 …".
        first_piece = _HEADER_SPLIT.split(line.strip(" \t\"'“”"), maxsplit=1)[0]
        name = _name_from_line(line) or _name_from_line(first_piece)
        if name is not None:
            return name
    return _name_from_handles(lines) or _name_from_indeed(links)


def _header_end(text: str, sections: Sequence[Section]) -> int:
    """Where the first section's heading starts (the header is what comes before it)."""
    return next((s.heading_start for s in sections if s.kind is not SectionKind.HEADER), len(text))


# Where the header says where the candidate lives or names their site without a label, it does
# so in its first lines; further down a CV that has no headings, a place or a domain is an
# employer's or a school's.
_TOP_LINES = 12
_LINE = re.compile(r"[^\n]*\S[^\n]*")


def _header_top(text: str, header_end: int) -> int:
    """Where the header's first ``_TOP_LINES`` non-empty lines end (0 when it has none)."""
    lines = list(itertools.islice(_LINE.finditer(text, 0, header_end), _TOP_LINES))
    return lines[-1].end() if lines else 0


def _guess_location(text: str, top: int) -> tuple[str, TextSpan] | None:
    if match := _INDEED_LOCATION.search(text):
        return _stripped(text, *match.span("loc"), " -,")
    if match := _LOCATION_LABEL.search(text[:3000]):
        value, where = _stripped(text, *match.span(1), " \t\r")
        if not value:
            return None
        return value[:80], TextSpan(where.start, where.start + min(len(value), 80))
    if place := place_of_residence(text, top):
        return text[place[0] : place[1]], TextSpan(*place)
    return None


# A bare domain standing as a cell of its own in the header's first lines is the candidate's
# site ("debarghyadas.com| fb.co/dd", "Embedded Linux Engineer, 23 y.o.  nazaryev.ru"), under
# any of the common top-level domains, where ``_URL`` reads bare domains only under the few that
# are nearly always sites. In lower case, as an address is typed: a product named so is
# capitalised ("Salesforce.com", "Node.js", "ASP.NET"); a degree's first label has one letter
# ("B.Com").
_BARE_SITE = re.compile(
    r"[a-z0-9][a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|app|tech|site|online|xyz"
    r"|io|dev|ai|me|co|ru|de|tr|ae|il|uk|in|fr|nl|eu|us|ca|au|es|it|pl|ua|ch|at|se|no|fi|dk|be"
    r"|pt|gr|cz|ro|hu|jp|cn|kr|sg|br|mx|za|nz|ie)(?:/[^\s|,;]*)?"
)


def _header_sites(text: str, top: int) -> list[Link]:
    header = text[:top]
    sites = []
    for start, end in cells(header):
        if not _BARE_SITE.fullmatch(header, start, end):
            continue
        url = header[start:end]
        kind = _classify(url)
        if kind is not None and not find_skill_mentions(url):
            sites.append(Link(kind, url, TextSpan(start, end)))
    return sites


def _stripped(text: str, start: int, end: int, chars: str) -> tuple[str, TextSpan]:
    """``text[start:end]`` without ``chars`` at either end, and its span."""
    start, end = trimmed(text, start, end, chars)
    return text[start:end], TextSpan(start, end)


def extract_contacts(text: str, sections: Sequence[Section]) -> ContactDetails:
    header_end = _header_end(text, sections)
    top = _header_top(text, header_end)
    links = _links_in(text)
    seen = {normalise_url(link.url) for link in links}
    if sites := [s for s in _header_sites(text, top) if normalise_url(s.url) not in seen]:
        links = tuple(sorted((*links, *sites), key=lambda link: link.span.start))
    location, location_span = _guess_location(text, top) or (None, None)
    emails, phones = _emails_in(text), _phones_in(text)
    return ContactDetails(
        name=_guess_name(text, sections, links, header_end, (*emails, *phones)),
        emails=emails,
        phones=phones,
        links=links,
        location=location,
        location_span=location_span,
    )
