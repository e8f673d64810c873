"""Place names: the regions of the markets served, the world's countries
(``screener/data/countries.txt``), and where a candidate lives as CV headers write it without a
label ("Berlin, Germany", "Tel-Aviv, Israel", "Israel, Beer Sheva", "San Francisco, CA").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources

__all__ = ["REGION_NAMES", "US_STATE_CODES", "cells", "place_of_residence", "trimmed"]

REGION_NAMES = (
    # Indian states and union territories
    "Andhra Pradesh|Arunachal Pradesh|Assam|Bihar|Chhattisgarh|Goa|Gujarat|Haryana"
    "|Himachal Pradesh|Jharkhand|Karnataka|Kerala|Madhya Pradesh|Maharashtra|Manipur|Meghalaya"
    "|Mizoram|Nagaland|Odisha|Orissa|Punjab|Rajasthan|Sikkim|Tamil Nadu|Telangana|Tripura"
    "|Uttar Pradesh|Uttarakhand|Uttaranchal|West Bengal|New Delhi|Delhi|NCR|Chandigarh"
    "|Puducherry|Pondicherry|Jammu|Kashmir|Ladakh"
    # US states
    "|Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia"
    "|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland"
    "|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada"
    "|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma"
    "|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah"
    "|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming"
    # German states; the emirates
    "|Bayern|Bavaria|Baden-Württemberg|Hessen|Hesse|Nordrhein-Westfalen|Niedersachsen|Sachsen"
    "|Thüringen|Brandenburg|Schleswig-Holstein|Rheinland-Pfalz|Saarland|Abu Dhabi|Sharjah"
    # countries
    r"|India|Germany|Deutschland|Turkey|Türkiye|Turkiye|United Arab Emirates|UAE|U\.A\.E"
    r"|United States|USA|U\.S\.A|United Kingdom|UK|England|Scotland|Ireland|Canada|Australia"
    "|Singapore|Pakistan|Bangladesh|Nepal|Sri Lanka|Netherlands|Switzerland|Austria|France"
)
US_STATE_CODES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ"
    "|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)


def _countries() -> str:
    data = resources.files("screener").joinpath("data/countries.txt").read_text(encoding="utf-8")
    names = {line.strip() for line in data.splitlines() if line.strip() and line[0] != "#"}
    # longest first, so "United States of America" is not cut to "United States"
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


# A town: one to three words, each starting with a capital ("Beer Sheva", "Tel-Aviv",
# "KarmiEl", "St. Gallen", "Rishon LeZion"); the letter class is a letter that is not lower-case.
_WORD = r"[^\W\d_a-zçğıöşüäßéèáàâêîôûñ][\w'’.]*(?:-[^\W\d_][\w'’.]*)*"
_TOWN = rf"{_WORD}(?:[ \t]+{_WORD}){{0,2}}"
_COUNTRY = _countries()
# The whole of a header's cell: "<town>[, <town or region>], <country, region or US state>" or
# "<country>, <town>", with a postcode ("Pune, Maharashtra 411001") and a note in brackets
# ("KarmiEl, Israel (Able to relocate)") after it. The place with its postcode, what the
# profile reports and the redaction blanks, is group "place"; the note is no personal detail.
_RESIDENCE = re.compile(
    rf"(?P<place>(?:(?:{_TOWN}[ \t]*,[ \t]*)?{_TOWN}[ \t]*,[ \t]*"
    rf"(?:(?i:{_COUNTRY}|{REGION_NAMES})|{US_STATE_CODES})(?!\w)"
    rf"|(?i:{_COUNTRY})[ \t]*,[ \t]*{_TOWN})"
    r"(?:[ \t]*\d{5,6}(?:-\d{4})?)?)"
    r"(?:[ \t]*\([^)\n]{0,40}\))?[ \t.;]*"
)
# Where a cell ends: a line break, a column's gap, a table's border, a bullet or a dash between
# details ("Austin, Texas - Email me on Indeed").
_CELL_BREAK = re.compile(r"[ ]{2,}|[\t|•·\n]|[ \t][-–—][ \t]")


def trimmed(text: str, start: int, end: int, chars: str) -> tuple[int, int]:
    """``start:end`` narrowed past ``chars`` at either end of ``text[start:end]``."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def cells(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the cells of ``text``: each line, split at columns, table borders, bullets and
    dashes between details, without the spaces and commas around it."""
    start = 0
    for end, following in (
        *((brk.start(), brk.end()) for brk in _CELL_BREAK.finditer(text)),
        (len(text), len(text)),
    ):
        cell = trimmed(text, start, end, " ,")
        if cell[0] < cell[1]:
            yield cell
        start = following


def place_of_residence(text: str, end: int) -> tuple[int, int] | None:
    """Span of the place in the first cell of ``text[:end]`` (the header's first lines) that is
    a place and nothing else ("Haifa, Israel" in "Haifa, Israel      Languages …"), without its
    note ("KarmiEl, Israel" of "KarmiEl, Israel (Able to relocate)"); None when there is none.

    Only the header's cells count: a job's or a degree's line names where the employer or the
    school is, and a place inside a sentence is no address.
    """
    header = text[:end]
    for start, stop in cells(header):
        if match := _RESIDENCE.fullmatch(header, start, stop):
            return match.start("place"), match.end("place")
    return None
