"""Remove personal data from CV text before anything scores it.

Scoring never sees name, contact details, photo captions, birth date or age, gender markers and
pronouns, forms of address, marital status, nationality, religion or address. Each is blanked
with spaces of the same length, so every character offset of the scoring text still points at
the same place in the CV and evidence can be quoted from the original.

What is blanked:
- the candidate's name wherever it occurs, profile links, and every short line that carries an
  e-mail address or phone number (contact lines: city, street and handles);
- where the candidate lives, labelled or as a header's line or cell of its own ("Haifa,
  Israel", "Israel, Beer Sheva", "San Francisco, CA"), and a year alone in a cell of its line;
- postal addresses without a label (a street and house number, a post-office box, a US city
  with state and ZIP code) with the rest of their line, or alone on a job's or a long line;
- profile handles after their label ("GitHub: @jdoe", "Twitter:// @jdoe", also below an empty
  label), bare @handles, ORCID iDs and LinkedIn addresses cut at their host ("/in/jane-doe"),
  wherever they stand;
- labelled personal details in English, German and Turkish ("Date of birth: …", "Birth year:
  …", "Familienstand: …", "Uyruk: …", "Residence: …"): at the start of a line the label and
  its value to the end of the line, after other details on a line the label and its value to
  the next column ("Tel-Aviv, Israel  Age: 28 years old"), and a form's fields run on in one
  line ("Hirurkar Date of Birth : 20th Oct-1985 Sex : Male Nationality : Indian", "Full Name:
  Hassan Aly Aboulela Marital Status: Single."); visa, work-permit, residence and military
  status count as personal; a value ends at its closing quote or at another field's label
  ("Residence: Holon Languages: Hebrew, English"), and a birth date's label needs no colon
  before a date ("Age & Date of Birth 51 yrs. 20.04.1964");
- age, citizenship and residence status without a label ("28 years old", "23 y.o.", "at age
  33", "Citizen of Israel", "US citizen", "dual citizenship", "permanent resident", "green card
  holder", "Present Resident in Berlin, Germany") and national origin said in a sentence ("a
  new repatriate from Russia", "made an Aliyah", "Im from Saratov", "I grew up in
  Guadalajara");
- a full date alone on a line or in a table cell, a birth date without its label ("16/03/1992");
- gendered forms of address and pronouns (Mr/Mrs/Ms, Herr/Frau, Bay/Bayan, he/she/his/her, er/sie
  as pronouns is too ambiguous in German and left alone);
- words of gender, family status and religion wherever they stand ("female", "married", "two
  sons", "Muslim", "Oklahoma Christian University", "Bible study"), and a marital status after a
  bare "Status" label ("Status: Single").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from screener.profile import ContactDetails
from screener.profile._contacts import find_emails, find_links, find_phones
from screener.profile._dates import MONTH_NAME
from screener.profile._places import cells

__all__ = ["redact_personal_data"]

# A birth date's labels: in ``_DISTINCT_LABELS`` with their colon, in ``_UNCOLONED_BIRTH_DATE``
# without it.
_BIRTH_DATE_LABELS = (
    r"date\s+of\s+birth|d\.?\s?o\.?\s?b\.?|birth\s*date|geburtsdatum|do[ğg]um\s+tarihi"
)
# Labels that can only name a personal detail, also where prose or a job's line runs into them
# (``_form_fields``) ...
_DISTINCT_LABELS = (
    rf"{_BIRTH_DATE_LABELS}|place\s+of\s+birth|marit[a-z]*\s+status|martial\s+status"
    r"|civil\s+status|family\s+status|nationality|(?:dual\s+|double\s+)?citizenship"
    r"|religion|gender|sex|military\s+status|full\s+name|visa\s+status"
    r"|familienstand|staatsangeh[öo]rigkeit|medeni\s+(?:hal|durum)"
    r"|uyruk|uyru[ğg]u|cinsiyet|askerlik\s+durumu"
)
# ... and these besides, personal where a line or a column starts with them ("Age: 28", "Address:
# …", "Location: Berlin"), but words of work too ("IP address:", "target age:")
_PERSONAL_LABELS = _DISTINCT_LABELS + (
    # en
    r"|birthday|born(?:\s+on)?|age|number\s+of\s*children"
    r"|visa(?:\s+(?:details|type))?|work\s+permit|(?:immigration|residency)\s+status"
    r"|residence\s+permit|faith|caste|father'?s\s+name|mother'?s\s+name|husband'?s\s+name|spouse"
    r"|children|address|permanent\s+address|current\s+address|residential\s+address|passport"
    r"|(?:city\s+of\s+|place\s+of\s+|country\s+of\s+)?residence|(?:current\s+)?location"
    r"|birth\s*year|year\s+of\s+birth|photo"
    # de
    r"|geburtsjahr|geburtstag|geboren(?:\s+am)?|geburtsort|alter|geschlecht|nationalit[äa]t"
    r"|konfession|adresse|anschrift|wohnort|kinder|foto"
    # tr
    r"|do[ğg]um\s+y[ıi]l[ıi]|do[ğg]um\s+yeri|ya[şs]|din|adres|ikametg[âa]h|ehliyet|foto[ğg]raf"
)
# "Date of Birth(Gender): 1993-12-20 (F)": a note in brackets may stand between label and colon
_LABEL_NOTE = r"(?:[ \t]*\([^)\n]{0,20}\))?"
# label, colon and value on one line: an empty "Birthday:" does not take the line below it
_PERSONAL_LINE = re.compile(
    rf"(?im)^[ \t•·*\-]*(?:{_PERSONAL_LABELS}){_LABEL_NOTE}[ \t]*[:\-–]"
    # the value runs to the end of the line, or to another label in a column of its own
    # ("Birthday:  Languages: Hebrew, English"); ``_value_end`` may end it sooner
    r"(?P<value>[^\n]*?)(?=[ ]{2,}[^\W\d_][\w ]{0,20}:|$)"
    # a nationality needs no colon at the start of its line ("Nationality Russian")
    r"|^[ \t•·*\-]*(?:nationality|citizenship|staatsangeh[öo]rigkeit|uyruk)[ \t]+[^\n]*$"
)
# The same labels after other details on one line ("Tel-Aviv, Israel  Age: 28 years old",
# "PERSONAL DETAILS: DOB: 20/07/1995. Marital status: Single"), with their colon: the label and
# its value up to the next column (a bar, a tab, a run of spaces) or the end of the line.
_PERSONAL_INLINE = re.compile(
    rf"(?im)(?:(?<=[|;•·\t])|(?<=\s\s)|(?<=[.:,]\s))[ \t]*\b(?:{_PERSONAL_LABELS}){_LABEL_NOTE}"
    r"[ \t]*:(?P<value>[^\n|\t]*?)(?=[ ]{2,}|\t|\||$)"
)
# A form's fields run on in one line of a PDF ("Hirurkar Date of Birth : 20th Oct-1985 Sex : Male
# Nationality : Indian", "Full Name: Hassan Aly Aboulela Marital Status: Single."): a label after
# a single space, or glued to the word before ("Personal InformationDate of Birth:"), counts when
# a space stands before its colon too, which prose does not put there, or when it can only be a
# personal detail's (``_DISTINCT_LABELS``: not "age", "address", "location" of a job's line).
_FIELD_COLON = re.compile(r"[ \t]*:[ \t]*")  # and the spaces after it, before the value
_FIELD_LABEL = re.compile(rf"(?i)(?:{_PERSONAL_LABELS}){_LABEL_NOTE}")
_DISTINCT_LABEL = re.compile(rf"(?i)(?:{_DISTINCT_LABELS}){_LABEL_NOTE}")
_FIELD_LABEL_CHARS = 45  # the longest label with a note in brackets
_WORD_START = re.compile(r"(?<!\S)\S|(?<=[a-z])(?=[A-Z])")
_COLUMN_BREAK = re.compile(r"[ ]{2,}|[\t|\n]")
# A personal value ends sooner than its line or column (``_value_end``): at its closing quote
# ('VISA STATUS:"Work Permit-No Visa sponsorship Required" Skills Staffing and recruiting …'), or
# at the label of another field after a single space ("Residence: Holon Languages: Hebrew,
# English"): what follows is the candidate's languages, skills or contacts (blanked by their own
# rules), not a personal detail.
_QUOTED = re.compile(r"[ \t]*(?:\"[^\"\n]*\"|“[^”\n]*”)")
_OTHER_FIELD = re.compile(
    r"(?i)[ \t]+(?:languages?|skills|technical\s+skills|technologies|experience|education|hobbies"
    r"|interests|e-?mail|phone|mobile|tel|linkedin|github|website|sprachen|diller|yetenekler)"
    r"[ \t]*:"
)
# age and citizenship said without a label: "28 years old", "at age 33", "Citizen of Israel", "US
# citizen"; not the end of an age range ("children 5-12 years old", "from 3 months to 12 years
# old")
_UNLABELLED_PERSONAL = re.compile(
    r"(?<![-–])(?<!to )\b\d{2}[ \t]+(?:years|yrs)[ \t]+old\b"
    r"|(?<![-–])(?<!bis )\b\d{2}[ \t]+Jahre[ \t]+alt\b|\b\d{2}[ \t]+ya[şs][ıi]nda\b"
    r"|\b[Cc]itizen[ \t]+of[ \t]+(?:the[ \t]+)?[A-Z][\w.]*(?:[ \t]+[A-Z][\w.]*){0,2}"
    r"|\b(?:U\.?S\.?|EU|[A-Z][a-z]+)[ \t]+citizen\b"
    r"|\b\d{2}[ \t]*y\.[ \t]?o\.(?!\w)"  # "Embedded Linux Engineer, 23 y.o."
    r"|\b(?:dual|double)[ \t]+(?:citizenship|nationality)\b[^.;,\n]*"
    # "I, Annika Kay, at age 33 now", "at the age of 15"; not "from the age of 3 months"
    r"|\b(?i:at[ \t]+(?:the[ \t]+)?age[ \t]+(?:of[ \t]+)?)\d{1,2}\b(?![ \t]*(?:months|[-–]))"
)
_UNLABELLED_WORDS = (
    *("years old", "yrs old", "jahre alt", "yaşında", "yasinda", "citizen", "y.o."),
    *("at age", "at the age"),
)
# residence status and national origin said in a sentence: "Israel permanent resident", "Green
# card holder", "a new repatriate from Russia, made an Aliyah in April", "will immigrate in March
# 2022", "Im from Saratov, Russian Federation", "I grew up in Guadalajara, Mexico"; not the words
# in someone's work ("immigration law", "immigrant families")
_ORIGIN = re.compile(
    r"\b(?:[A-Z][\w.]*[ \t]+)?(?i:permanent[ \t]+resident)\b"
    r"|\b(?i:green[ \t]+card(?:[ \t]+holder)?)\b"
    # "Present Resident in Berlin, Germany", "resident of Carroll County, Maryland"; not a
    # physician's "Resident in Internal Medicine"
    r"|\b(?i:(?:present|current|permanent|legal)[ \t]+resident[ \t]+(?:in|of)|resident[ \t]+of)"
    r"(?:[ \t,]+(?:the[ \t]+)?[A-Z][\w.-]*){1,5}"
    r"|\b(?i:(?:new[ \t]+)?(?:repatriate|immigrant|emigrant)[ \t]+from)(?:[ \t]+[A-Z][\w-]*){1,3}"
    r"|\b(?i:(?:made|make|making)[ \t]+(?:an?[ \t]+)?aliyah)\b[^.;,\n]*"
    r"|\b(?:I|I've|I[ \t]+have|[Ww]ill|[Rr]ecently|[Nn]ewly)[ \t]+(?:immigrated|immigrate"
    r"|emigrated|repatriated)\b[^.;,\n]*"
    r"|\b(?:I['’]?m|I[ \t]+am|I[ \t]+come|[Oo]riginally)[ \t]+from(?:[ \t,]+[A-Z][\w-]*){1,4}"
    r"|\b(?:grew[ \t]+up|was[ \t]+(?:born|raised)|[Bb]orn[ \t]+and[ \t]+raised)[ \t]+in"
    r"(?:[ \t,]+(?:the[ \t]+)?[A-Z][\w-]*){1,4}"
)
_ORIGIN_WORDS = (
    *("permanent resident", "resident in", "resident of", "green card", "repatriat", "immigra"),
    *("emigra", "aliyah"),
    *("m from", "am from", "come from", "originally from", "grew up", "born", "raised in"),
)
# A full date (day, month and year) standing alone on a line or in a table cell: in a CV's
# header that is a birth date written without its label ("|  | 9 march 1984 | Kiryat Bialik",
# "16/03/1992"). Elsewhere it is a certificate's date or a footer's; no date is evidence of a
# skill, and job and degree dates are read from the original text, so those go at no cost.
_FULL_DATE = (
    rf"\d{{1,2}}(?:st|nd|rd|th)?\.?[ \t]+{MONTH_NAME},?[ \t]+(?:19|20)\d\d"
    rf"|{MONTH_NAME}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+(?:19|20)\d\d"
    r"|\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d\d"
)
_LONE_DATE = re.compile(
    rf"(?im)(?:^|(?<=\|)|(?<=[ ]{{2}})|(?<=\t))[ \t]*({_FULL_DATE})[ \t]*(?=$|\||[ ]{{2}}|\t)"
)
# A birth date's label without a colon, as a form's table flattened into a line writes it ("Age
# & Date of Birth 51 yrs. 20.04.1964 Marital status …"): the label and what follows it up to
# the first full date; "DOB SST: Fall Prevention Training" (no date) stays.
_UNCOLONED_BIRTH_DATE = re.compile(
    rf"(?i)\b(?:age[ \t]*(?:&|and|/)[ \t]*)?(?:{_BIRTH_DATE_LABELS})(?!\w)"
    rf"(?![ \t]*[:\-–])[^\n:]{{0,25}}?(?:{_FULL_DATE})"
)
# words the pattern above needs, looked for first as most CVs say none of them ("dob " with its
# space: "adobe" holds "dob")
_BIRTH_WORDS = ("birth", "dob ", "d.o.b", "geburtsdatum", "doğum", "dogum")
# A marital status after a bare "Status" label, or after its own label without a colon ("Status:
# Single", "Marital status Married"): "Married" goes wherever it stands (``_STATUS_WORDS``), but
# "single" only here, as "single page app" is work.
_MARITAL_STATUS = re.compile(
    r"(?im)\b(?:(?:marit[a-z]*|martial|civil|family)[ \t]+)?status[ \t]*[:\-–]?[ \t]*"
    r"(?:single|married|unmarried|divorced|widowed|widower|widow|engaged|separated|ledig"
    r"|verheiratet|geschieden|bekar|evli)\b"
    # and then the line's end, a field's next word or "with …", not "status: single node"
    r"(?=[ \t]*(?:$|[,.;:|(\t]|[ ]{2}|with\b|mit\b|(?-i:[A-ZÄÖÜÇĞİŞ])))"
)
# Gender, family status and religion said without a label ("Highly motivated female", "Married
# with 1 child", "Muslim Student Organization", "Oklahoma Christian University", "Reading, Bible
# study"): the words go wherever they stand, as pronouns do; none is evidence of a skill, and
# degrees and employers are read from the original text. Looked up word by word: one pass of a
# plain letters pattern costs 0.30 ms a CV against 0.80 ms for an alternation of these words.
_STATUS_WORDS = frozenset(
    (
        *("male", "males", "female", "females", "woman", "women", "married", "unmarried"),
        *("divorced", "widow", "widowed", "widower"),
        *("christian", "christians", "catholic", "catholics", "muslim", "muslims", "islamic"),
        *("jewish", "hindu", "hindus", "buddhist", "buddhists", "sikh", "sikhs", "protestant"),
        *("evangelical", "baptist", "lutheran", "methodist", "mormon"),
        # scriptures ("Bible study" among hobbies); a church's or a ministry's job stays work
        *("bible", "biblical", "quran", "koran", "torah", "talmud", "bibel", "kuran"),
        # de, tr
        *("verheiratet", "geschieden", "verwitwet", "weiblich", "männlich", "katholisch"),
        *("evangelisch", "christlich", "jüdisch", "muslimisch"),
        *("evli", "bekar", "müslüman", "hristiyan", "yahudi"),
    )
)
# children only with their number ("1 child", "two sons"), not "child care" or a company's sons
_OFFSPRING = frozenset(("child", "children", "kid", "kids", "son", "sons", "daughter", "daughters"))
_COUNT_BEFORE = re.compile(r"(?i)(?:\b\d|\bone|\btwo|\bthree|\bfour|\bno)[ \t]+\Z")
_LETTERS = re.compile(r"[^\W\d_]+")


def _status_words(text: str) -> Iterable[tuple[int, int]]:
    """Spans of ``_STATUS_WORDS`` and of counted ``_OFFSPRING`` with their count."""
    for word in _LETTERS.finditer(text):
        folded = word.group().casefold()
        if folded in _STATUS_WORDS:
            yield word.span()
        elif folded in _OFFSPRING:
            count = _COUNT_BEFORE.search(text, max(0, word.start() - 8), word.start())
            if count:
                yield count.start(), word.end()


# Forms of address as they stand before a name ("Mr. John Doe", "Ms Jane Smith", "Frau
# Schmidt", "Bayan Yılmaz", "MR. MANISH PATIL"): capitalised, or in capitals with their dot, and
# a capital after them. So "MS Office", "MS SQL", "an MS in Statistics", SAP's "MRS", "MX-480",
# "near miss", "Tampa Bay" and "Bay Area" stay, as do Microsoft's "Ms Office" and "Ms Sql";
# "Bay" (Turkish "Mr") counts only where no capitalised word or comma stands before it, or after
# "Sayın" ("Dear"). Then the pronouns, lower-case or capitalised: in capitals "HIS" and "HIM"
# are hospital and health information systems.
_ADDRESS_TERMS = re.compile(
    r"\b(?<![/.-])(?:(?:Mr|Mrs|Ms|Mx|Miss|Herr|Frau|Bayan|Sayın)\b\.?|(?:MR|MRS|MS|MX|MISS)\.)"
    r"(?=\s{0,3}[A-ZÄÖÜÇĞİŞ])"
    r"(?!\s{0,3}(?i:office|excel|word|access|outlook|power\s?point|project|visio|sql|dynamics"
    r"|teams|windows|azure|exchange|share\s?point|publisher|visual|paint|navision|dos|asp))"
    r"|\b(?<![\w,][ \t])(?<![/.-])Bay(?=[ \t]+[A-ZÇĞİÖŞÜ][a-zçğıöşü]+\b)(?![ \t]+(?:Area|St)\b)"
    r"|\b(?<=Sayın[ \t])Bay\b"
    r"|\b(?:[Hh]e|[Ss]he|[Hh]im|[Hh]er|[Hh]is|[Hh]ers|[Hh]imself|[Hh]erself)\b"
)


# Profile handles: "GitHub: @jdoe", "Github:// jdoe", "twitter: https://x.com/@jdoe",
# "ORCID 0000-0002-1825-0097". The label stays (a Kaggle or GitHub profile is a sourcing
# signal); the handle or address after it goes. A label needs its colon, so a skill mention such
# as "GitHub, Docker" is left alone.
_HANDLE_LABELS = (
    r"github|gitlab|bitbucket|linkedin|xing|twitter|x|mastodon|bluesky|orcid|kaggle"
    r"|stack\s?overflow|medium|researchgate|google\s+scholar|scholar|skype|telegram|whatsapp"
    r"|discord|slack|hugging\s?face|leetcode|codeforces"
)
# Labels of a site, whose value is an address only where it has a dot: "Web: HTML5/CSS3,
# JQuery" lists technologies, "Web: jdoe.dev" is a site.
_SITE_LABELS = r"homepage|website|web|blog|portfolio"
# An empty label ("Telegram:" at a line's end) takes no next label for its value, so
# "Telegram:\nGithub: jdoe" still blanks "jdoe".
_NOT_A_LABEL = rf"(?!(?:{_HANDLE_LABELS}|{_SITE_LABELS})\s*:)"
_LABELLED_HANDLE = re.compile(
    rf"(?i)(?<![\w.])(?:{_HANDLE_LABELS})\s*:(?://)?\s*{_NOT_A_LABEL}"
    r"(@?[^\s|,;·•]+(?:\s+@[^\s|,;·•]+)?)"
)
_LABELLED_SITE = re.compile(
    rf"(?i)(?<![\w.])(?:{_SITE_LABELS})\s*:\s*{_NOT_A_LABEL}([^\s|,;·•]*\.[a-z][^\s|,;·•]*)"
)
# addresses on profile hosts carry the user name ("x.com/@jdoe", "gitlab.com/jdoe/project")
_PROFILE_URL = re.compile(
    r"(?i)(?<![\w.])(?:https?://)?(?:www\.)?(?:x|twitter|github|gitlab|bitbucket|linkedin|xing"
    r"|kaggle|huggingface|medium|stackoverflow|researchgate|orcid|scholar\.google|leetcode"
    r"|codeforces|mastodon\.\w+|bsky)\.(?:com|org|net|co|io|app|social)/[^\s|,;]+"
)
# every _PROFILE_URL match holds this (same flags); most CVs do not, and it is a quicker search
_PROFILE_HOST_HINT = re.compile(r"(?i)\.(?:com?|org|net|io|app|social)/")
# a LinkedIn address cut at its host, as a line wraps it ("/in/jane-doe-")
_PROFILE_PATH = re.compile(r"(?<![\w./])/in/[\w%-]{3,}/?")
_BARE_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_][\w.\-]{1,38}(?![\w@])")
_ORCID = re.compile(r"(?<!\d)\d{4}-\d{4}-\d{4}-\d{3}[\dX](?!\d)")

_CONTACT_LINE_CHARS = 160

# Postal addresses without a label, as CV headers carry them on a line of their own: a house
# number and a street ("123 Main Street", "1630 Research Ave", "Villa 7, Street 5"), a German
# street and number ("Hauptstraße 12", "Berliner Str. 5"), a Turkish street or quarter ("Bagdat
# Caddesi 120", "Atatürk Cad. No: 5", "Caferağa Mah."), a post-office box (the UAE's "P.O. Box
# 12345") or a US city, state and ZIP code ("Springfield, IL 62701"). House numbers stop at three
# digits after a German street, so "Spring 2019" is no "…ring 2019".
_POSTAL_ADDRESS = re.compile(
    r"(?<![\w$,.])(?!(?:19|20)\d\d\b)\d{1,5}[A-Za-z]?(?:[ \t]+[A-Z][\w'.-]*){1,4}[ \t]+(?:Street"
    r"|St|Avenue|Ave|Road|Rd|Boulevard"
    r"|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Parkway|Pkwy|Highway|Hwy|Square|Sq|Terrace)\b\.?"
    r"|\b(?:Street|Road|Avenue)[ \t]+\d{1,4}\b"
    r"|\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|damm)[ \t]+\d{1,3}[a-z]?\b"
    r"|\b(?:Straße|Strasse|Str\.)[ \t]+\d{1,3}[a-z]?\b"
    r"|\b(?:Cad(?:desi)?|Cd|Sok(?:ak|ağı|agi)?|Sk|Bulvarı|Bulvari|Blv)\.?[ \t]+"
    r"(?:No[ \t]*[:.]?[ \t]*)?\d{1,4}"
    r"|\bMah(?:allesi\b|\.)"
    r"|\bP\.?[ \t]?O\.?[ \t]?Box[ \t]*\d+"
    r"|\b[A-Z][a-zA-Z]+(?:[ \t][A-Z][a-zA-Z]+)?,[ \t]*[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?\b"
)
# a year on the line: a job's or a degree's line, where an employer's address is only a part
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_RANGE_DASH = re.compile(r"[-–—]")
# more words than this beside an address: the line says more than where someone lives
_ADDRESS_LINE_WORDS = 6
_WORD = re.compile(r"[^\W\d_]+")


def _blank(text: list[str], spans: Iterable[tuple[int, int]]) -> None:
    for start, end in spans:
        for index in range(max(start, 0), min(end, len(text))):
            if text[index] not in "\n\f":
                text[index] = " "


def _found(pattern: re.Pattern[str], text: str, group: int = 0) -> Iterator[tuple[int, int]]:
    """Spans of ``pattern``'s matches in ``text`` (of ``group`` in each)."""
    return (match.span(group) for match in pattern.finditer(text))


def _line_of(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the line (or lines) holding ``text[start:end]``, without the line breaks."""
    line_end = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if line_end < 0 else line_end


def _value_end(text: str, value: int, end: int) -> int:
    """Where a personal value that starts at ``value`` and could run to ``end`` ends."""
    if quoted := _QUOTED.match(text, value, end):
        return quoted.end()
    other = _OTHER_FIELD.search(text, value, end)
    return other.start() if other else end


def _labelled_values(pattern: re.Pattern[str], text: str) -> Iterable[tuple[int, int]]:
    """Spans of ``pattern``'s personal labels with their values (group ``value``, if any)."""
    for match in pattern.finditer(text):
        value = match.start("value")
        yield match.start(), match.end() if value < 0 else _value_end(text, value, match.end())


def _form_fields(text: str) -> list[tuple[int, int]]:
    """Spans of personal form fields (``_FIELD_COLON``): label, colon and value, up to the next
    column, the next such label or the end of the line. Found from the colons back, as only a
    few of a CV's words stand before one."""
    labels: list[tuple[int, int]] = []  # label start, value start
    for colon in _FIELD_COLON.finditer(text):
        label = _FIELD_LABEL if text[colon.start()] != ":" else _DISTINCT_LABEL
        line_start = text.rfind("\n", 0, colon.start()) + 1
        window = max(line_start, colon.start() - _FIELD_LABEL_CHARS)
        for word in _WORD_START.finditer(text, window, colon.start()):
            if label.fullmatch(text, word.start(), colon.start()):
                labels.append((word.start(), colon.end()))
                break
    spans = []
    for index, (start, value) in enumerate(labels):
        column = _COLUMN_BREAK.search(text, value)
        end = _value_end(text, value, column.start() if column else len(text))
        if index + 1 < len(labels):
            end = min(end, labels[index + 1][0])
        spans.append((start, end))
    return spans


def _years_beside(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """Years alone in a cell of the short line that holds ``text[start:end]`` (the home): the
    birth year ("English, Hebrew | Beer Sheva, Israel | 1987"). Not one end of a range ("2006
    – 2012"), and not on a long line, a table's row flattened into one."""
    start, end = _line_of(text, start, end)
    if end - start > _CONTACT_LINE_CHARS:
        return
    for cell_start, cell_end in cells(text[start:end]):
        a, b = start + cell_start, start + cell_end
        if _YEAR.fullmatch(text, a, b) and not _RANGE_DASH.search(text, max(a - 3, 0), b + 3):
            yield a, b


def _occurrences(haystack: str, needle: str) -> Iterable[tuple[int, int]]:
    if len(needle.strip()) < 2:
        return
    for match in re.finditer(re.escape(needle), haystack, flags=re.IGNORECASE):
        yield match.span()


def redact_personal_data(text: str, contacts: ContactDetails | None = None) -> str:
    """``text`` with personal data blanked; same length, same line structure.

    Args:
        text: the CV text.
        contacts: the profile's contact details of this text; their name is blanked wherever
            it occurs, their location where the profile read it. E-mails, phones and links are
            found in the text itself either way.
    """
    chars = list(text)
    _blank(chars, _labelled_values(_PERSONAL_LINE, text))
    _blank(chars, _labelled_values(_PERSONAL_INLINE, text))
    _blank(chars, _form_fields(text))
    lowered = text.lower()
    if any(word in lowered for word in _UNLABELLED_WORDS):  # most CVs say none of them
        _blank(chars, _found(_UNLABELLED_PERSONAL, text))
    if any(word in lowered for word in _ORIGIN_WORDS):
        _blank(chars, _found(_ORIGIN, text))
    _blank(chars, _found(_LONE_DATE, text, 1))
    if any(word in lowered for word in _BIRTH_WORDS):
        _blank(chars, _found(_UNCOLONED_BIRTH_DATE, text))
    if "status" in lowered:
        _blank(chars, _found(_MARITAL_STATUS, text))
    _blank(chars, _found(_ADDRESS_TERMS, text))
    _blank(chars, _status_words(text))
    _blank(chars, ((link.span.start, link.span.end) for link in find_links(text)))
    if _PROFILE_HOST_HINT.search(text):
        _blank(chars, _found(_PROFILE_URL, text))
    _blank(chars, _found(_PROFILE_PATH, text))
    _blank(chars, _found(_LABELLED_HANDLE, text, 1))
    _blank(chars, _found(_LABELLED_SITE, text, 1))
    _blank(chars, _found(_BARE_HANDLE, text))
    _blank(chars, _found(_ORCID, text))
    # A short line that carries an e-mail or phone number is a contact line: the city, street
    # and handles beside them are personal too, and nothing on it is evidence of a skill. In a
    # long line (a CV flattened onto one line) only the value itself goes.
    for value in (*find_emails(text), *find_phones(text)):
        for start, end in _occurrences(text, value):
            line_start, line_end = _line_of(text, start, end)
            short = line_end - line_start <= _CONTACT_LINE_CHARS
            _blank(chars, [(line_start, line_end) if short else (start, end)])
    # An address's line is personal as a whole (the city and postcode beside the street); on a
    # job's or a degree's line, or one that says more, only the address itself goes.
    for match in _POSTAL_ADDRESS.finditer(text):
        line_start, line_end = _line_of(text, *match.span())
        line = text[line_start:line_end]
        rest = _WORD.findall(_POSTAL_ADDRESS.sub(" ", line))
        whole = len(rest) <= _ADDRESS_LINE_WORDS and not _YEAR.search(line)
        _blank(chars, [(line_start, line_end) if whole else match.span()])
    if contacts is not None:
        if contacts.name:
            _blank(chars, _occurrences(text, contacts.name))
            # "Jane Doe" is also "Doe" in a footer and "Jane" in a signature; parts match as
            # capitalised words only, so a name part like "May" leaves "may" alone.
            for part in contacts.name.split():
                if len(part) >= 3:
                    pattern = re.compile(rf"(?<!\w){re.escape(part)}(?!\w)")
                    _blank(chars, _found(pattern, text))
        # Where the candidate lives goes where the profile read it, not where a job's line
        # names the same town: the same CV with another address then reads the same. (The
        # span is the CV text's; another text, such as a hidden one, is left as it is.)
        span = contacts.location_span
        if span is not None and text[span.start : span.end] == contacts.location:
            _blank(chars, [(span.start, span.end)])
            _blank(chars, _years_beside(text, span.start, span.end))
        # the profile's links besides those found in the text above: a site the header names
        # as a bare domain of its own ("nazaryev.ru")
        _blank(
            chars,
            (
                (link.span.start, link.span.end)
                for link in contacts.links
                if text[link.span.start : link.span.end] == link.url
            ),
        )
    return "".join(chars)
