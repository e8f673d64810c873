"""Degrees, their level, field and institution, in English, German and Turkish wording."""

from __future__ import annotations

import re
from collections.abc import Sequence

from screener.profile._dates import MONTH_NAME
from screener.profile._model import DegreeLevel, EducationEntry, TextSpan
from screener.profile._places import REGION_NAMES, US_STATE_CODES
from screener.sections import Section, SectionKind

__all__ = ["extract_education"]

# Abbreviations are matched case-sensitively ("MS" but not "ms", "BE" but not "be"); spelled-out
# words in any case. Order matters inside one level: longer forms first ("Yüksek Lisans" before
# "Lisans"), and levels are tried PhD → master → bachelor → other so "Master" in "Master thesis
# of a PhD" still finds the PhD on the same line first.
_NOT_WORD_BEFORE = r"(?<![\w.])"
_NOT_WORD_AFTER = r"(?![\w])"
# Doctorates of a profession's practice ("Doctor of Pharmacy", "Doctorate in Nursing Practice"),
# as against research doctorates ("Doctor of Philosophy", "Doctor of Education").
_PRACTICE_FIELDS = (
    r"pharmacy|medicine|dental\s+\w+|veterinary\s+medicine|physical\s+therapy|nursing\s+practice"
    r"|optometry|chiropractic|osteopathic\s+medicine|podiatric\s+medicine|audiology"
    r"|occupational\s+therapy"
)
_LEVEL_PATTERNS: tuple[tuple[DegreeLevel, str], ...] = (
    (
        DegreeLevel.PHD,
        r"Ph\.?\s?D\b\.?|(?i:doctor\s+of\s+(?!" + _PRACTICE_FIELDS + r")\w+"
        r"|doctorate(?!\s+(?:in|of)\s+(?:" + _PRACTICE_FIELDS + r"))|doctoral)|D\.\s?Phil\b\.?"
        r"|Dr\.[\s-]?(?:rer|Ing|phil|med|sc)\b\.?(?:\s?(?:nat|pol|oec)\b\.?)?"
        r"|(?i:doktora\b|doktorand\b|doktor\b)"
        # the German doctorate: "Promotion (Dr. rer. nat.) in Physik", "Promotion, TU München";
        # not "Health Promotion", "Trade & Promotion", "Promotion Strategy" or "promotion
        # implementation" (a fifth of the doctorates read in the Kaggle resumes were these)
        r"|(?<![^\W\d_] )(?<!& )Promotion\b(?=\s*(?:[(,:–-]|$)|\s+(?:in|im|zum|zur|an|am|bei)\b)",
    ),
    (
        DegreeLevel.MASTER,
        # professional doctorates, which train for a practice, not for research: Master's
        # level, as ISCED 2011 files them (level 7; research doctorates are level 8)
        r"(?i:(?:doctor|doctorate)\s+(?:of|in)\s+(?:" + _PRACTICE_FIELDS + r")|juris\s+doctor\w*)"
        r"|Pharm\.?\s?D\b\.?|J\.\s?D\.(?!\s*(?:Edwards|Power)\b)"
        r"|(?i:y[üu]ksek\s+lisans|magister|post\s*graduate|postgraduate|masters?\s+(?:in|of|degree)\b)"
        # Capitalised only: "Vendor master", "master data" are not degrees.
        r"|(?:Master|MASTER)(?:'?s|’s)?\b(?:\s+of\b)?(?!\s+(?:Data|Card|Class|Plan|Node))"
        r"|M\.\s?Sc\b\.?|MSc\b|M\.\s?S\b\.?"
        # "MS Office", "MS OFFICE", "MS-Excel": Microsoft products, not a Master of Science
        r"|MS\b(?![\s-]+(?i:Office|Word|Excel|Access|SQL|Project|Dynamics|Visio|PowerPoint"
        r"|Power\s+Point|Outlook|Windows|DOS|Team|Azure|CRM|Paint)\b)"
        r"|M\.?\s?Tech\b\.?|M\.\s?E\b\.?|M\.\s?A\b\.?|MBA\b"
        r"|M\.B\.A\b\.?|MCA\b|M\.C\.A\b\.?|M\.?\s?Eng\b\.?|M\.?\s?Phil\b\.?|M\.?\s?Res\b\.?"
        r"|(?i:dipl(?:om)?\b\.?(?:\s?-\s?\w+\.?)?)(?!a)|PGD[A-Z]{0,3}\b",
    ),
    (
        DegreeLevel.BACHELOR,
        r"(?i:bachelor(?:'?s)?\b(?:\s+of\b)?|lisans\b|licence\b|undergraduate)"
        r"|B\.\s?Sc\b\.?|BSc\b|B\.\s?S\b\.?|BS\b|B[.\-]?\s?(?i:tech)\b\.?|B\.\s?E\b\.?"
        r"|B\s?E\b(?=\s*(?:in\b|of\b|\(|,|$|-))"
        r"|B\.\s?A\b\.?|BCA\b|B\.C\.A\b\.?|B\.?\s?Com\b\.?|BBA\b|B\.B\.A\b\.?|B\.?\s?Eng\b\.?"
        r"|B\.?\s?Pharm\b\.?|B\.?\s?Arch\b\.?|B\.?\s?Ed\b\.?",
    ),
    (
        DegreeLevel.OTHER,
        r"(?i:diploma\b|associate(?:'?s)?\s+(?:of|degree)\b|high\s+school|higher\s+secondary"
        r"|senior\s+secondary|secondary\s+school|intermediate\b|matriculation|abitur|fachabitur"
        r"|ön\s*lisans|on\s+lisans|lise\b|ausbildung\b|class\s+x{1,2}i{0,2}\b)"
        r"|H\.?S\.?C\b\.?|S\.?S\.?C\b\.?|10th\b|12th\b|X{1,2}I{0,2}th\b|CBSE\b|ICSE\b"
        r"|(?:BTEC\s+)?H\.?N\.?[CD]\b",
    ),
)
_LEVELS = [
    (level, re.compile(_NOT_WORD_BEFORE + f"(?:{pattern})" + _NOT_WORD_AFTER))
    for level, pattern in _LEVEL_PATTERNS
]
# A short line of its own in an education section ("Bsc", "b.tech in computer science",
# "MSC in Computer science") is a degree whatever its case; in prose, case is what separates
# "MS" from "ms" and "BE" from "be".
_LEVELS_ANY_CASE = [
    (level, re.compile(_NOT_WORD_BEFORE + f"(?:{pattern})" + _NOT_WORD_AFTER, re.IGNORECASE))
    for level, pattern in _LEVEL_PATTERNS
]
_SHORT_LINE_WORDS = 8

_INSTITUTION = re.compile(
    r"(?i:universit(?:y|ät|aet|é|e|a|at)\w*|üniversitesi|universitesi|hochschule|fachhochschule"
    r"|institute|institut|enstitüsü|college|school|academy|akademie|polytechnic|politecnico"
    r"|polytechnique|école|ecole|\btu\b|\beth\b|\bepfl\b|\biit\b|\bnit\b|\bbits\b|vidyalaya"
    r"|vidyapeeth|mahavidyalaya|gymnasium|lisesi)",
)
_SPLIT = re.compile(r"\s+[-–—|]\s+|\s*[|•·\t]\s*|,\s+(?=\S)|\s{2,}")
# Dates and date ranges are blanked (same length, so offsets hold) before a line is split:
# they sit anywhere ("2011 – 2015  Bachelor …", "M.Sc., 2019") and are never part of a degree.
# A month's name before the year is part of the date ("J.D. : Law May 2005 Fordham …" had the
# field "Law May").
_DATE_POINT = rf"(?:(?i:{MONTH_NAME}),?\s+)?(?:\d{{1,2}}[./])?(?:19|20)\d\d"
_DATE_TOKEN = re.compile(
    rf"(?<!\w)(?:{_DATE_POINT}|(?i:present|heute|halen|günümüz|today|current))"
    rf"(?:\s*(?:[-–—]|to|bis)\s*(?:{_DATE_POINT}|(?i:present|heute|halen|günümüz|today"
    r"|current|now)))?(?!\w)"
)
_TRAILING_JUNK = re.compile(r"[\s\-–—,:;|(]+$")
_DATES = re.compile(
    r"\(\s*\)|\b(?:since|seit)\b.*$|\bcgpa\b.*$|\bgpa\b.*$"
    r"|\bpercentage\b.*$|\bwith\s+\d.*$|\d+(?:\.\d+)?\s*%.*$",
    re.IGNORECASE,
)
_FIELD_PIECE = re.compile(
    r"(?P<sep>\s+[-–—|]\s+|\s*:\s+|\s{2,})"
    r"(?P<field>[A-Z][A-Za-z&]*(?:[ ][A-Za-z&]+){0,4})\s*(?:$|[,;|]|\s{2,})"
)
_FIELD_AFTER = re.compile(r"\b(?:in|im|of|für|fur)\s+(?P<field>[^,;|()]+)", re.IGNORECASE)
# "Secured first place in B.Tech.", "topper of B.Tech", "during my M.Sc.", "… machine - in BE":
# the degree is named inside a sentence about an award, a project or a time, not listed.
_MENTION_BEFORE = re.compile(
    r"(?i:(?:^|\b(?:place|position|rank|ranked|ranker|topper|topped|top|medal|medalist|medallist"
    r"|prize|scholarship|project|projects|semester|stood|secured)\b.*?)"
    r"\b(?:in|of|for|at)|\b(?:during|throughout|while\s+(?:doing|pursuing|studying)))"
    r"\s+(?:(?:my|the|his|her|our)\s+)?$"
)

# Exports such as the categorised resumes write "B.Tech. Ghatkesar, Andhra Pradesh Aurora's …"
# or "B.Sc. Computer Science Pune, Maharashtra Pune University": the town where the degree was
# taken, then ", <state or country>". A comma followed by one of these regions (not part of a
# school's name, "Kerala University") marks the words before it as a place, not a field of study.
# (the regions are the markets', ``_places.REGION_NAMES``)
_REGION_AFTER = re.compile(
    rf"\s*,\s*(?:(?i:{REGION_NAMES})|{US_STATE_CODES})(?![\w.])"
    r"(?!\s+(?i:universit\w*|college|institute|technical|technological|agricultural|vidyapee?th))"
)
# Words of a field of study, so that only the town before ", <region>" is cut from "Computer
# Science Pune, Maharashtra" and a field that happens to stand before a region stays whole.
_FIELD_WORD = re.compile(
    r"(?i:\w*(?:ing|ics|ogy|ion|ions|ment|ence|ance|ure|ures|ry|ies|ism|ical|ial|onal|ural|tal"
    r"|our|phy|cy|ce|ces|ts|ms|tik|sik|nik|zik|gie|mie|hie|schaft|schaften|wesen|lehre|bau|ği|ğı)"
    r"|computers?|data|law|laws|maths?|civil|food|hotel|design|business|english|hindi|marathi"
    r"|tamil|telugu|kannada|malayalam|bengali|gujarati|urdu|sanskrit|arabic|french|german"
    r"|spanish|sales|retail|hr|human|resources?|networks?|web|software|structures?|engg|eng"
    r"|tech|comp|mech|elec|biotech|telecom|automobile|textile|pharma|media|mass|fine|film|music"
    r"|botany|zoology|economy|honou?rs|medizin|jura|işletme|ekonomi|kimya|hukuk|tıp|iktisat"
    r"|and|of|in|with|und|ve|.*[&/+(),-].*)"
    r"|[A-Z]{2,5}"  # CSE, ECE, IT, MPC
)
# Town names of more than one word start with one of these ("Navi Mumbai", "New York").
_PLACE_FIRST_WORD = re.compile(
    r"(?i:new|navi|greater|north|south|east|west|san|santa|los|las|st\.?|saint|port|fort|mount"
    r"|abu|al|el|bad)"
)


def _line_bounds(text: str, start: int, end: int) -> list[tuple[int, int]]:
    bounds = []
    position = start
    for line in text[start:end].split("\n"):
        bounds.append((position, position + len(line)))
        position += len(line) + 1
    return bounds


def _clean(piece: str) -> str:
    piece = _DATES.sub("", piece)
    return _TRAILING_JUNK.sub("", piece.strip(" \t•·*-–—:|")).strip()


def _without_town(words: str, *, glued: bool = False) -> str:
    """``words`` stand just before ", <region>": leave out the town at their end.

    The town is the last word unless that reads as part of a field of study, with a first word
    such as "New" or "Navi" before it; when no word of a field is left, all the words go
    ("Savitribai Phule Pune", "Pimpri Chinchwad"). A school's name keeps its town ("Asmita Girls
    junior College, Maharashtra Board"). ``glued``: the first word continues the degree's name
    (".W." of "B.S.W., North Carolina") and stays.
    """
    tokens = words.split()
    keep = 1 if glued else 0
    if len(tokens) <= keep or _INSTITUTION.search(words) or _FIELD_WORD.fullmatch(tokens[-1]):
        return words
    tokens.pop()
    if all(_is_place_word(token) for token in tokens[keep:]):
        del tokens[keep:]
    while len(tokens) > keep and _PLACE_FIRST_WORD.fullmatch(tokens[-1]):
        tokens.pop()
    return words[: len(words) - len(words.lstrip())] + " ".join(tokens)


def _is_place_word(word: str) -> bool:
    return word[:1].isupper() and not _FIELD_WORD.fullmatch(word)


def _degree_piece(line: str, match: re.Match[str]) -> tuple[str, bool]:
    """The part of the line that names the degree, without dates, school, grades or town, and
    whether the line only mentions the degree ("Secured first place in B.Tech.")."""
    pieces = [(m.start(), m.end()) for m in _SPLIT.finditer(line)]
    start, end = 0, len(line)
    for sep_start, sep_end in pieces:
        if sep_end <= match.start():
            start = sep_end
        elif sep_start >= match.end():
            end = sep_start
            break
    mention = bool(_MENTION_BEFORE.search(line[start : match.start()]))
    if mention:
        start = match.start()
    # the words after the degree's name; glued to it (".W." of "B.S.W.") they keep their first
    glued = bool(line[match.end() : match.end() + 1].strip())
    piece = line[start : match.end()] + _place_cut(line, match.end(), end, glued=glued)
    # "B.Tech in CS from X University" / "Master at TU Berlin": the school is not the degree.
    piece = re.split(r"\s+(?:from|at|an der|@)\s+", piece, maxsplit=1)[0]
    institution = _INSTITUTION.search(piece)
    if institution and institution.start() > match.end() - start:
        piece = piece[: institution.start()]
        piece = re.sub(r"\b\w+\s*$", "", piece) if piece.rstrip().endswith(("of", "der")) else piece
    degree = _clean(piece)
    # "Bachelor of Science - Computer Science", "B.S. | Hospitality Management": a degree with no
    # field of its own takes the field-like piece that follows it.
    if end < len(line) and not _FIELD_AFTER.search(degree[len(match.group()) :] or ""):
        following = _FIELD_PIECE.match(line, end)
        if following:
            field = _place_cut(line, following.start("field"), following.end("field"))
            if field and not _INSTITUTION.search(field):
                degree = _clean(f"{degree} {following['sep'].strip()} {field}")
    return degree, mention


def _place_cut(line: str, start: int, end: int, *, glued: bool = False) -> str:
    """``line[start:end]``, less the town at its end when ", <region>" follows it
    (``_without_town``)."""
    piece = line[start:end]
    return _without_town(piece, glued=glued) if _REGION_AFTER.match(line, end) else piece


def _is_school_name(degree: str, matched: str) -> bool:
    before = degree.split(matched, 1)[0].strip()
    return bool(before) and before[:1].isupper() and bool(_INSTITUTION.search(degree))


def _blank_dates(line: str) -> str:
    return _DATE_TOKEN.sub(lambda m: " " * len(m.group()), line)


def _after_colon(field: str) -> str:
    """The field of "Bachelor of Science : Psychology", as the Kaggle exports write every
    degree, is "Psychology", not "Science : Psychology"; a field without a colon stays whole."""
    named, _, after = field.partition(" : ")
    # "Master of Business Administration : 1" (a page or list number): the name is the field
    return after.strip() if any(c.isalpha() for c in after) else named.strip()


def _field_of(degree: str, match_text: str, next_piece: str | None) -> str | None:
    after = degree.split(match_text, 1)[1] if match_text in degree else ""
    if found := _FIELD_AFTER.search(after):
        return _after_colon(_clean(found["field"])) or None
    rest = _clean(after.strip(" .()"))
    if rest and len(rest.split()) <= 6 and not re.fullmatch(r"(?i:degree|science|arts)", rest):
        return _after_colon(rest)
    before = _clean(degree.split(match_text, 1)[0]) if match_text in degree else ""
    # Turkish names the field first: "Bilgisayar Mühendisliği Yüksek Lisans".
    if before and len(before.split()) <= 6:
        return before
    # "PhD, Machine Learning, ETH Zurich": the field is the next comma piece.
    if next_piece and not _INSTITUTION.search(next_piece) and len(next_piece.split()) <= 6:
        return _clean(next_piece) or None
    return None


def _next_piece(line: str, degree_end: int) -> str | None:
    separator = _SPLIT.search(line, degree_end)
    if separator is None:
        return None
    following = _SPLIT.search(line, separator.end())
    piece = _place_cut(line, separator.end(), following.start() if following else len(line))
    return piece.strip() or None


def _institution_near(text: str, lines: list[tuple[int, int]], index: int) -> str | None:
    for offset in (0, 1, -1, 2, -2):
        position = index + offset
        if not 0 <= position < len(lines):
            continue
        line = _blank_dates(text[lines[position][0] : lines[position][1]])
        found = _INSTITUTION.search(line)
        if not found:
            continue
        for piece in _SPLIT.split(line):
            if _INSTITUTION.search(piece):
                piece = re.split(r"\b(?:from|at)\s+", piece)[-1]
                cleaned = _clean(piece)
                if cleaned and len(cleaned) <= 100:
                    return cleaned
    return None


def _regions(text: str, sections: Sequence[Section]) -> tuple[list[tuple[int, int]], bool]:
    """Where to look, and whether that is an education section (else the whole text)."""
    regions = [(s.start, s.end) for s in sections if s.kind is SectionKind.EDUCATION]
    return (regions, True) if regions else ([(0, len(text))], False)


# School-leaving qualifications (SSC/HSC, Class X/XII, high school, Abitur, lise).
_SCHOOL_LEAVING = re.compile(
    r"(?i:high\s+school|higher\s+secondary|senior\s+secondary|secondary\s+school|intermediate"
    r"|matriculation|abitur|fachabitur|\blise\b|class\s+x{1,2}i{0,2}\b|state\s+board|\bsslc\b)"
    r"|H\.?S\.?C\b|S\.?S\.?C\b|10th|12th|X{1,2}I{0,2}th\b|CBSE|ICSE"
)


def extract_education(text: str, sections: Sequence[Section]) -> list[EducationEntry]:
    """Degrees found in the education section (or the whole text when there is none).

    School-leaving certificates are kept only when the CV names no higher qualification: they
    are what a recruiter needs to see then, and noise beside a degree.
    """
    entries = _all_education(text, sections)
    higher = [e for e in entries if not _SCHOOL_LEAVING.search(e.degree)]
    return higher if any(e.level is not DegreeLevel.OTHER for e in higher) else entries


def _all_education(text: str, sections: Sequence[Section]) -> list[EducationEntry]:
    # (entry, whether a sentence only mentions it): a degree named in passing ("first place in
    # B.Tech.") stands for the degree only when the CV lists none of that level itself.
    found: list[tuple[EducationEntry, bool]] = []
    seen: set[tuple[DegreeLevel, str, bool]] = set()
    regions, in_section = _regions(text, sections)
    for region_start, region_end in regions:
        lines = _line_bounds(text, region_start, region_end)
        for index, (line_start, line_end) in enumerate(lines):
            line = _blank_dates(text[line_start:line_end])
            if len(line) > 200:  # a prose paragraph, not an education line
                continue
            short = in_section and len(line.split()) <= _SHORT_LINE_WORDS
            for level, pattern in _LEVELS_ANY_CASE if short else _LEVELS:
                match = pattern.search(line)
                if match is None:
                    continue
                degree, mention = _degree_piece(line, match)
                if level is DegreeLevel.OTHER and _is_school_name(degree, match.group()):
                    break  # "Padmavani High School" names a school, not a qualification
                if degree.endswith((" in", " of", " and", "&", ",")) and index + 1 < len(lines):
                    # The degree wraps: "… in Marketing and\nHuman Resource".
                    following = text[lines[index + 1][0] : lines[index + 1][1]].strip()
                    if following and not _INSTITUTION.search(following) and len(following) < 60:
                        degree = _clean(f"{degree} {following}")
                if not degree:
                    break
                key = (level, degree.lower(), mention)
                if key not in seen:
                    seen.add(key)
                    entry = EducationEntry(
                        level=level,
                        degree=degree,
                        field=_field_of(degree, match.group(), _next_piece(line, match.end())),
                        institution=_institution_near(text, lines, index),
                        span=TextSpan(line_start + match.start(), line_end),
                    )
                    found.append((entry, mention))
                break
    listed = {entry.level for entry, mention in found if not mention}
    return [entry for entry, mention in found if not (mention and entry.level in listed)]
