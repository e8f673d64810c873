"""Date ranges as CVs write them, in English, German and Turkish.

``Jan 2019 – Present``, ``01/2019 - 03/2021``, ``2018 to 2020``, ``März 2020 – heute``,
``Ocak 2019 - halen``, ``seit 2021``, ``2019 october - now``. A range is kept with the month
precision it was written in, because a year-only end ("2018 – 2020") must not be read as
December.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from screener.profile._model import DateIssue

__all__ = ["MONTH_NAME", "DateRange", "find_date_ranges", "merged_months"]

# Spellings as they appear; lookup goes through _fold, so accents and case do not matter there.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar jänner janner ocak oca",
        "february feb febr februar şubat subat şub sub",
        "march mar märz marz maerz mrz mart",
        "april apr nisan nis",
        "may mai mayıs mayis",
        "june jun juni haziran haz",
        "july jul juli temmuz tem",
        "august aug ağustos agustos ağu agu",
        "september sep sept eylül eylul eyl",
        "october oct oktober okt ekim eki",
        "november nov kasım kasim kas",
        "december dec dezember dez aralık aralik ara",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

# fmt: off
_PRESENT_WORDS = (
    "present", "current", "currently", "now", "today", "till date", "to date", "date", "ongoing",
    "bis heute", "heute", "aktuell", "derzeit", "jetzt", "laufend", "dato",
    "halen", "günümüz", "gunumuz", "devam ediyor", "devam", "hâlâ", "hala", "şu an", "su an",
    "şimdi", "simdi",
)
# fmt: on


def _alternation(words: list[str]) -> str:
    # Longest first: the regex engine takes the first alternative that matches.
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


# A month as CVs write it, in English, German or Turkish, full or short ("Sept.", "März", "Eki")
MONTH_NAME = rf"(?:{_alternation(list(_MONTHS))})\.?"
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_DATE = (
    r"(?:"
    rf"\d{{1,2}}\.\s?(?:0?[1-9]|1[0-2])\.\s?{_YEAR}"  # 15.03.2019 (German full date)
    rf"|{MONTH_NAME}\s*[,'’]?\s*(?:{_YEAR}|['’]\d{{2}})"  # Jan 2019, März 2020, Jan '19
    rf"|(?:0?[1-9]|1[0-2])\s?[/.\-]\s?{_YEAR}"  # 01/2019, 3.2020
    rf"|{_YEAR}\s?[/.\-]\s?(?:0[1-9]|1[0-2])(?![\d])"  # 2019-01
    # 2019 october, 2010 July (year first); a wider gap is a column's ("Since 2013  Apr 2012 -")
    rf"|{_YEAR},? {MONTH_NAME}(?![^\W\d_])"
    rf"|{_YEAR}"
    r")"
)
_PRESENT = rf"(?:{_alternation(list(_PRESENT_WORDS))})"
_SEPARATOR = r"(?:-+|–|—|−|~|→|to|till|until|through|thru|bis)"

# Two dates set apart by a wide gap and nothing else are a range whose dash a conversion lost
# ("4/2016  5/2022, LLC Confident" in the Vanetik DOCX files); one space is not enough
# ("2016 2018" may be two separate years).
_GAP = r"[ \t]{2,}"

_RANGE = re.compile(
    rf"(?<![\w/.])(?:(?P<start>{_DATE})(?:\s*{_SEPARATOR}\s*|{_GAP})(?P<end>{_DATE}|{_PRESENT})"
    rf"|(?:since|seit|ab)\s+(?P<since>{_DATE}))(?![\w/])",
    re.IGNORECASE,
)

_FULL_DATE = re.compile(rf"\d{{1,2}}\.\s?(?P<m>0?[1-9]|1[0-2])\.\s?(?P<y>{_YEAR})")
_NAMED = re.compile(rf"(?P<name>[^\W\d_]+)\.?\s*[,'’]?\s*(?P<y>{_YEAR}|['’]\d{{2}})")
_NUMERIC = re.compile(rf"(?P<m>\d{{1,2}})\s?[/.\-]\s?(?P<y>{_YEAR})")
_YEAR_MONTH = re.compile(rf"(?P<y>{_YEAR})\s?[/.\-]\s?(?P<m>\d{{2}})")
_YEAR_NAMED = re.compile(rf"(?P<y>{_YEAR}),? (?P<name>[^\W\d_]+)\.?")
_YEAR_ONLY = re.compile(_YEAR)


def _fold(word: str) -> str:
    word = word.replace("İ", "i").replace("ı", "i").lower()
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch)
    )


_FOLDED_MONTHS = {_fold(name): number for name, number in _MONTHS.items()}


@dataclass(frozen=True, slots=True)
class _Point:
    year: int
    month: int
    month_known: bool

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1


def _parse_point(raw: str) -> _Point | None:
    raw = raw.strip()
    if match := _FULL_DATE.fullmatch(raw):
        return _Point(int(match["y"]), int(match["m"]), True)
    if match := _NAMED.fullmatch(raw):
        month = _FOLDED_MONTHS.get(_fold(match["name"]))
        if month is None:
            return None
        year_text = match["y"].lstrip("'’")
        year = int(year_text)
        if len(year_text) == 2:  # '85 is 1985, '19 is 2019: nobody lists jobs before 1950
            year += 1900 if year >= 50 else 2000
        return _Point(year, month, True)
    if match := _NUMERIC.fullmatch(raw):
        return _Point(int(match["y"]), int(match["m"]), True)
    if match := _YEAR_MONTH.fullmatch(raw):
        return _Point(int(match["y"]), int(match["m"]), True)
    if (match := _YEAR_NAMED.fullmatch(raw)) and (
        month := _FOLDED_MONTHS.get(_fold(match["name"]))
    ):
        return _Point(int(match["y"]), month, True)
    if _YEAR_ONLY.fullmatch(raw):
        return _Point(int(raw), 1, False)
    return None


@dataclass(frozen=True, slots=True)
class DateRange:
    """A period read from the text; months are resolved against the reference date."""

    start: date
    end: date | None  # None when current
    current: bool
    start_index: int  # months since year 0, inclusive
    end_index: int  # exclusive
    months: int
    issue: DateIssue | None
    match_start: int
    match_end: int
    # whether a month (or day) is written at either end: "2007-2010" has none
    month_written: bool


def _resolve(start: _Point, end: _Point | None, reference: date, match: re.Match[str]) -> DateRange:
    reference_index = reference.year * 12 + reference.month - 1
    current = end is None
    if end is None:
        end_index = reference_index + 1
    elif end.month_known:
        end_index = end.index + 1
    elif end.year > start.year:
        # "2018 – 2020" reads as two years: a year-only end is the start of that year.
        end_index = end.year * 12
    else:
        end_index = (end.year + 1) * 12  # "2019 – 2019": within that year
    issue: DateIssue | None = None
    if end is not None and end.index < start.index and (end.month_known or end.year < start.year):
        issue = DateIssue.END_BEFORE_START
    elif start.index > reference_index or (end is not None and end.index > reference_index):
        issue = DateIssue.IN_FUTURE
    months = max(end_index - start.index, 0) if issue is not DateIssue.END_BEFORE_START else 0
    return DateRange(
        start=date(start.year, start.month, 1),
        end=None if end is None else date(end.year, end.month, 1),
        current=current,
        start_index=start.index,
        end_index=end_index,
        months=months,
        issue=issue,
        match_start=match.start(),
        match_end=match.end(),
        month_written=start.month_known or (end is not None and end.month_known),
    )


def find_date_ranges(
    text: str, reference: date, start: int = 0, end: int | None = None
) -> list[DateRange]:
    """Date ranges in ``text[start:end]``, with offsets into ``text``."""
    ranges: list[DateRange] = []
    for match in _RANGE.finditer(text, start, len(text) if end is None else end):
        raw_start = match["start"] or match["since"]
        first = _parse_point(raw_start)
        if first is None:
            continue
        raw_end = match["end"]
        last: _Point | None = None
        if raw_end is not None and re.search(r"\d", raw_end):
            last = _parse_point(raw_end)
            if last is None:
                continue
        ranges.append(_resolve(first, last, reference, match))
    return ranges


def merged_months(ranges: list[tuple[int, int]]) -> int:
    """Months covered by half-open ``[start, end)`` month intervals, overlaps counted once."""
    total = 0
    current_start: int | None = None
    current_end = 0
    for start, end in sorted(ranges):
        if current_start is None or start > current_end:
            if current_start is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None:
        total += current_end - current_start
    return total
