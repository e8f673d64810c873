"""Read a PDF CV: pypdf checks the structure, PDFium extracts the text and judges visibility.

pypdf opens the file (repairing what it can), decrypts an empty user password, counts the pages and
decodes every content stream under tight bounds, so malformed files, password-protected files and
decompression bombs fail here with a typed error. PDFium then extracts the text, about 25 times
faster than pypdf's extractor on the same CVs (``python -m benchmarks.speed``).

Reading order is PDFium's content-stream order. CV templates write each column as a run of its own
(LaTeX ``paracol``/``minipage``, Word text boxes), so stream order keeps a sidebar together
instead of interleaving it with the main column line by line, which is what a purely geometric
top-to-bottom order does on two-column layouts.

Hidden text is found from PDFium's page objects in painting order: a text object's render mode,
fill colour and alpha, its effective font size (font size times the text matrix), its origin
against the visible page box, and the colour of the shapes painted beneath it. A text object whose
colour is (nearly) the colour painted beneath it, that renders invisibly, is too small to read or
sits outside the page is kept apart from the scored text; the characters of the page's text are
routed by the object they came from.

The judge and the word-gap pass visit every glyph; both run in C (``_glyphs.c``, built by the
install), and in Python here, with the same results, where that was not built.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf.errors import (
    DependencyError,
    FileNotDecryptedError,
    LimitReachedError,
    PdfReadError,
    PyPdfError,
)

from screener.documents._assemble import PageContent, assemble_document
from screener.documents._model import DocumentKind, HiddenReason, HiddenText, ParsedDocument
from screener.documents._ocr import ocr_pdf_page
from screener.errors import (
    CorruptDocument,
    DocumentError,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    ResourceLimitExceeded,
)
from screener.settings import DocumentLimits

__all__ = ["read_pdf"]

logger = logging.getLogger(__name__)

# Below this effective size (points) no reader sees the glyphs; real CVs use 6 pt and up.
_TINY_FONT_PT = 1.5
# Colour distance (0..1 per channel, max over channels) under which text blends into its background.
_BACKGROUND_TOLERANCE = 0.12
# Text this far outside the visible page box (points) cannot be seen.
_OFF_PAGE_MARGIN = 2.0
# Height of the page bands that index painted shapes for the search beneath a glyph (points),
# and the tallest page indexed so (taller ones, only crafted files, search every shape).
_BAND_PT = 12.0
_MAX_BANDED_PT = 14_400.0
# pypdf's own bounds (75 MB per stream) suit any PDF; a CV page's content stream is kilobytes to a
# few megabytes, so tighter bounds stop decompression bombs and operator floods in seconds.
_CV_STREAM_BOUNDS: dict[str, Any] = {
    "zlib_maximum_output_length": 16_000_000,
    "lzw_maximum_output_length": 16_000_000,
    "run_length_maximum_output_length": 16_000_000,
    "array_based_stream_maximum_output_length": 16_000_000,
    "stream_parsing_work_maximum_count": 1_000_000,
    "page_tree_maximum_depth": 32,
}

_RGB = tuple[float, float, float]
_WHITE: _RGB = (1.0, 1.0, 1.0)
_Matrix = tuple[float, float, float, float, float, float]
# Forms nest forms; real CVs go one or two deep, a crafted file should not recurse for ever.
_MAX_FORM_DEPTH = 12
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_INVISIBLE_MODES = (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)
_FILLED_MODES = (
    pdfium_c.FPDF_TEXTRENDERMODE_FILL,
    pdfium_c.FPDF_TEXTRENDERMODE_FILL_STROKE,
    pdfium_c.FPDF_TEXTRENDERMODE_FILL_CLIP,
    pdfium_c.FPDF_TEXTRENDERMODE_FILL_STROKE_CLIP,
)


def _by_handle(function: Any, restype: Any, *argtypes: Any) -> Any:
    """PDFium's ``function`` called with page, object and text-page handles as plain integers.

    pypdfium2's bindings wrap every handle in a typed pointer object, in and out (0.1-0.3 us a
    call); the page judge below makes about six calls per glyph on pages set glyph by glyph
    (thousands per page) and the word-gap pass one more, so they call the same functions by
    address with integer handles: 1.4 instead of 2.2 us of calls per glyph for the judge.
    """
    address = ctypes.cast(function, ctypes.c_void_p).value
    assert address, "PDFium exports every function named here"
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_HANDLE = ctypes.c_void_p
_INT_P, _UINT_P = ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_uint)
_FLOAT_P = ctypes.POINTER(ctypes.c_float)
_count_objects = _by_handle(pdfium_c.FPDFPage_CountObjects, ctypes.c_int, _HANDLE)
_get_object = _by_handle(pdfium_c.FPDFPage_GetObject, _HANDLE, _HANDLE, ctypes.c_int)
_object_type = _by_handle(pdfium_c.FPDFPageObj_GetType, ctypes.c_int, _HANDLE)
_render_mode = _by_handle(pdfium_c.FPDFTextObj_GetTextRenderMode, ctypes.c_int, _HANDLE)
_font_size = _by_handle(pdfium_c.FPDFTextObj_GetFontSize, ctypes.c_int, _HANDLE, _FLOAT_P)
_object_matrix = _by_handle(
    pdfium_c.FPDFPageObj_GetMatrix, ctypes.c_int, _HANDLE, ctypes.POINTER(pdfium_c.FS_MATRIX)
)
_fill_colour = _by_handle(
    pdfium_c.FPDFPageObj_GetFillColor, ctypes.c_int, _HANDLE, _UINT_P, _UINT_P, _UINT_P, _UINT_P
)
_object_bounds = _by_handle(pdfium_c.FPDFPageObj_GetBounds, ctypes.c_int, _HANDLE, *[_FLOAT_P] * 4)
_draw_mode = _by_handle(pdfium_c.FPDFPath_GetDrawMode, ctypes.c_int, _HANDLE, _INT_P, _INT_P)
_form_count = _by_handle(pdfium_c.FPDFFormObj_CountObjects, ctypes.c_int, _HANDLE)
_form_object = _by_handle(pdfium_c.FPDFFormObj_GetObject, _HANDLE, _HANDLE, ctypes.c_ulong)
_char_object = _by_handle(pdfium_c.FPDFText_GetTextObject, _HANDLE, _HANDLE, ctypes.c_int)
_loose_char_box = _by_handle(
    pdfium_c.FPDFText_GetLooseCharBox,
    ctypes.c_int,
    _HANDLE,
    ctypes.c_int,
    ctypes.POINTER(pdfium_c.FS_RECTF),
)


def _handle(pointer: Any) -> int:
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0


def _multiply(a: _Matrix, b: _Matrix) -> _Matrix:
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def _apply(m: _Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


@dataclass(slots=True)
class _Box:
    left: float
    bottom: float
    right: float
    top: float


# A painted shape's bounds and fill colour: (left, bottom, right, top, colour); colour None for
# an image, whose colour under the text is unknown. Plain tuples: the scan beneath a glyph runs
# hundreds of thousands of times on a page set glyph by glyph.
_Painted = tuple[float, float, float, float, "_RGB | None"]


def _near(a: _RGB, b: _RGB) -> bool:
    """Colours within the background tolerance on every channel (written out: it runs once per
    glyph on pages set glyph by glyph)."""
    tolerance = _BACKGROUND_TOLERANCE
    return (
        abs(a[0] - b[0]) < tolerance
        and abs(a[1] - b[1]) < tolerance
        and (abs(a[2] - b[2]) < tolerance)
    )


class _PageJudge:
    """Walks a page's objects in painting order and judges each text object's visibility.

    Kaggle-style PDFs set every glyph as an object of its own (thousands per page), so the loop
    reads each property with one PDFium call by integer handle into preallocated buffers and
    stops at the first verdict. Objects are known by their handles (``int``).
    """

    def __init__(self, visible: _Box) -> None:
        self.visible = visible
        self.painted: list[_Painted] = []
        # The shapes painted so far by horizontal band of the visible page (_BAND_PT high, in
        # painting order), so the search beneath a glyph reads the few shapes of its band
        # instead of every shape of the page; a point outside the bands reads them all.
        self._bands: list[list[_Painted]] = []
        self._low = self._high = 0.0
        low, high = visible.bottom - _OFF_PAGE_MARGIN, visible.top + _OFF_PAGE_MARGIN
        if math.isfinite(low) and math.isfinite(high) and 0 < high - low <= _MAX_BANDED_PT:
            self._low = math.floor(low / _BAND_PT) * _BAND_PT
            count = math.floor((high - self._low) / _BAND_PT) + 1
            self._high = self._low + count * _BAND_PT
            self._bands = [[] for _ in range(count)]
        # Colours painted so far (white is the page): text whose colour is far from all of them
        # cannot blend into its background, which spares the search for the shape beneath it.
        self.backgrounds: set[_RGB] = {_WHITE}
        # fill colour -> whether it is near any background colour; cleared when one is added
        self._near_background: dict[_RGB, bool] = {}
        self.hidden: dict[int, HiddenReason] = {}
        self._matrix = pdfium_c.FS_MATRIX()
        self._floats = [ctypes.c_float() for _ in range(4)]
        self._uints = [ctypes.c_uint() for _ in range(4)]
        self._ints = [ctypes.c_int() for _ in range(2)]

    def visit_page(self, page: int) -> None:
        count = _count_objects(page)
        self._visit([_get_object(page, i) for i in range(count)], _IDENTITY, 0)

    def _visit(self, objects: list[int | None], outer: _Matrix, depth: int) -> None:
        get_type = _object_type
        text, path = pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH
        for obj in objects:
            if not obj:
                continue
            kind = get_type(obj)
            if kind == text:
                reason = self._text_verdict(obj, outer)
                if reason is not None:
                    self.hidden[obj] = reason
            elif kind == path:
                self._paint_path(obj, outer)
            elif kind in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_SHADING):
                box = self._box(obj, outer)
                if box is not None:
                    self._paint(box, None)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
                inner = _multiply(self._object_matrix(obj), outer)
                count = _form_count(obj)
                forms = [_form_object(obj, i) for i in range(max(count, 0))]
                self._visit(forms, inner, depth + 1)

    def _text_verdict(self, obj: int, outer: _Matrix) -> HiddenReason | None:
        mode = _render_mode(obj)
        if mode in _INVISIBLE_MODES:
            return HiddenReason.INVISIBLE_RENDER
        matrix = self._object_matrix(obj)
        if outer is not _IDENTITY:
            matrix = _multiply(matrix, outer)
        size = self._floats[0]
        font_size = size.value if _font_size(obj, size) else 0.0
        effective = abs(font_size * math.hypot(matrix[2], matrix[3]))
        if 0 < effective < _TINY_FONT_PT:
            return HiddenReason.TINY_FONT
        x, y = matrix[4], matrix[5]
        box, margin = self.visible, _OFF_PAGE_MARGIN
        if not (box.left - margin <= x <= box.right + margin):
            return HiddenReason.OFF_PAGE
        if not (box.bottom - margin <= y <= box.top + margin):
            return HiddenReason.OFF_PAGE
        if mode not in _FILLED_MODES:
            return None
        r, g, b, a = self._uints
        if not _fill_colour(obj, r, g, b, a):
            return None  # a pattern: its colour under the text is unknown
        if a.value == 0:
            return HiddenReason.INVISIBLE_RENDER
        colour = (r.value / 255, g.value / 255, b.value / 255)
        near = self._near_background.get(colour)
        if near is None:
            near = any(_near(colour, seen) for seen in self.backgrounds)
            self._near_background[colour] = near
        if not near:
            return None
        beneath = self._colour_beneath(x, y + effective * 0.3)
        if beneath is not None and _near(colour, beneath):
            return HiddenReason.BACKGROUND_COLOUR
        return None

    def _paint_path(self, obj: int, outer: _Matrix) -> None:
        fill_mode, stroke = self._ints
        if not _draw_mode(obj, fill_mode, stroke):
            return
        if fill_mode.value == pdfium_c.FPDF_FILLMODE_NONE:
            return
        box = self._box(obj, outer)
        if box is None:
            return
        r, g, b, a = self._uints
        if not _fill_colour(obj, r, g, b, a):
            self._paint(box, None)
        elif a.value > 0:  # a transparent fill paints nothing
            self._paint(box, (r.value / 255, g.value / 255, b.value / 255))

    def _paint(self, box: _Box, colour: _RGB | None) -> None:
        shape = (box.left, box.bottom, box.right, box.top, colour)
        self.painted.append(shape)
        # a NaN bound contains no point; infinite bounds reach the first or last band
        if not (box.bottom < self._high and box.top >= self._low):
            return
        first = 0 if box.bottom <= self._low else int((box.bottom - self._low) // _BAND_PT)
        last = len(self._bands) - 1
        if box.top < self._high:
            last = int((box.top - self._low) // _BAND_PT)
        for band in range(first, last + 1):
            self._bands[band].append(shape)
        if colour is not None and colour not in self.backgrounds:
            self.backgrounds.add(colour)
            self._near_background.clear()

    def _object_matrix(self, obj: int) -> _Matrix:
        m = self._matrix
        if not _object_matrix(obj, m):
            return _IDENTITY
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def _box(self, obj: int, outer: _Matrix) -> _Box | None:
        left, bottom, right, top = self._floats
        if not _object_bounds(obj, left, bottom, right, top):
            return None
        if outer is _IDENTITY:
            return _Box(left.value, bottom.value, right.value, top.value)
        corners = [
            _apply(outer, x, y)
            for x in (left.value, right.value)
            for y in (bottom.value, top.value)
        ]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        return _Box(min(xs), min(ys), max(xs), max(ys))

    def _colour_beneath(self, x: float, y: float) -> _RGB | None:
        shapes = self.painted
        if self._low <= y < self._high:
            shapes = self._bands[int((y - self._low) // _BAND_PT)]
        for left, bottom, right, top, colour in reversed(shapes):
            if left <= x <= right and bottom <= y <= top:
                return colour
        return _WHITE


def _python_hidden_objects(page: int, visible_box: _Box) -> dict[int, HiddenReason]:
    judge = _PageJudge(visible_box)
    judge.visit_page(page)
    return judge.hidden


def _hidden_objects(page: Any, visible_box: _Box) -> dict[int, HiddenReason]:
    """Text objects a reader cannot see, by handle, with the reason.

    Follows the painting order: a text object is judged against the shapes painted before it
    (the colour beneath its baseline), its render mode, its effective size and its position.
    The compiled judge gives the Python one's verdicts over twenty times faster.
    """
    if _COMPILED is None:
        return _python_hidden_objects(_handle(page), visible_box)
    box = visible_box
    codes = _COMPILED.hidden_objects(_handle(page), box.left, box.bottom, box.right, box.top)
    return {obj: _REASON_OF_CODE[code] for obj, code in codes.items()}


# A full-width form (U+FF00-U+FF1F: "－", "（", "：" …) written as UTF-8 bytes into a Latin-1
# font comes out "ï¼" plus a control character PDFium drops. Half the Kaggle PDFs separate
# "Company Name ï¼ City" this way and some their job dates ("05/2013 ï¼ 09/2013"), which then
# went unread; NFKC would make it "ï1⁄4". It is read as the hyphen it nearly always stands for.
_FULLWIDTH_MOJIBAKE = re.compile("ï¼[\x80-\x9f]?")


# Kaggle-style PDFs (each glyph placed on its own) set a word that ends in "f" closer to the next
# word than some letters inside words are set ("Bachelor ofScience", "ofthe", "StaffNurse",
# "ChefOct 2016"), since their fonts kern "f" into the space; no gap threshold tells those apart
# (on the glyph pairs of 32 Kaggle PDFs, letters inside words such as "ed" and "er" are set as far
# apart as "f" and the next word). A lower-case "f" before a capital and a lower-case letter, and
# "of" before a capital or a determiner, are never inside one word, so a space goes back.
_GLUED_AFTER_F = re.compile(
    r"(?<=[a-z]f)(?=[A-Z][a-z])|(?<=\bof)(?=[A-Z]|(?:the|a|an|all|our|my|his|her|their|its"
    r"|this|that|these|those|each|every|any|various)\b)"
)


def _clean(text: str) -> str:
    text = _FULLWIDTH_MOJIBAKE.sub("-", text)
    text = _GLUED_AFTER_F.sub(" ", text)
    # NFKC folds ligatures (ﬁ → fi) and full-width forms so skills match as written.
    text = unicodedata.normalize("NFKC", text)
    # PDFium joins a line that ends in a hyphen to the next and marks the hyphen U+FFFE; the page
    # shows a hyphen and a line break ("Active Directory-" over "TCP/IP networking-" in a
    # list), so both come back. A hyphen in text is always painted, yet some fonts map their
    # hyphen glyph to U+00AD, the soft hyphen, which left dates unread ("Sep. 2023 \xad Mar.").
    text = text.replace("\ufffe", "-\n").replace("\xad", "-")
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    # collapse runs of blank lines the layout produces, keep paragraph breaks
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


def _visible_box(page: pdfium.PdfPage) -> _Box:
    try:
        left, bottom, right, top = page.get_cropbox()
        return _Box(float(left), float(bottom), float(right), float(top))
    except (pdfium.PdfiumError, TypeError, ValueError):
        return _Box(0.0, 0.0, 612.0, 792.0)


def _extract_page(page: pdfium.PdfPage, number: int) -> PageContent:
    textpage = page.get_textpage()
    try:
        hidden = _hidden_objects(page.raw, _visible_box(page))
        chars, sources = _page_characters(textpage.raw)
        if not hidden:
            return PageContent(text=_clean(_utf16("".join(chars))))
        return _split_hidden(textpage.raw, chars, sources, hidden, number)
    finally:
        textpage.close()


# A gap wider than this share of the line height (loose glyph boxes, from ascent to descent) between
# two glyphs on a line is a word gap. Loose boxes of adjacent letters touch or overlap; word gaps
# in the CVs measured are 0.16-0.25 of it.
_WORD_GAP_SHARE = 0.1
# A line where most gaps are that wide is letter-spaced ("E X P E R I E N C E"), not words.
_LETTER_SPACED_SHARE = 0.5


def _page_characters(textpage: Any) -> tuple[list[str], list[int]]:
    """The page's characters in PDFium's (content-stream) order, with word gaps made spaces.

    PDFium inserts a space only where a gap exceeds its estimate of the font's space width, which
    misses the narrower word gaps of PDFs that place every glyph on its own (the Kaggle CVs came
    out "thatexcels inmanagingmultipletasks"). Gaps are measured on loose glyph boxes line by
    line. Returns the characters and, for each, its index in the text page (-1: inserted here).
    """
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count <= 0:
        return [], []
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buffer)
    units = buffer[: max(written - 1, 0)]
    if len(units) != count:  # surrogate pairs: fall back to one call per character
        units = [pdfium_c.FPDFText_GetUnicode(textpage, i) for i in range(count)]
    chars = [chr(unit) for unit in units]
    if _COMPILED is None:
        return _python_word_gaps(textpage, chars)
    out: list[str] = []
    sources: list[int] = []
    start = 0
    # a space goes before each character a word gap precedes (never the first)
    for end in [*_COMPILED.word_gaps(_handle(textpage), "".join(chars)), len(chars)]:
        if start:
            out.append(" ")
            sources.append(-1)
        out += chars[start:end]
        sources += range(start, end)
        start = end
    return out, sources


def _python_word_gaps(textpage: Any, chars: list[str]) -> tuple[list[str], list[int]]:
    """``_page_characters``' word-gap pass in Python, where _glyphs.c was not built."""
    box = pdfium_c.FS_RECTF()
    loose_box, handle = _loose_char_box, _handle(textpage)
    out: list[str] = []
    sources: list[int] = []
    line: list[tuple[int, float, float]] = []  # (index, gap before, line height) per glyph pair
    previous_right: float | None = None
    line_start = 0

    def flush() -> None:
        wide = [index for index, gap, height in line if gap > _WORD_GAP_SHARE * height]
        if wide and len(wide) < _LETTER_SPACED_SHARE * len(line):
            for index in reversed(wide):
                at = sources.index(index, line_start)
                out.insert(at, " ")
                sources.insert(at, -1)

    for index, char in enumerate(chars):
        if char.isspace():
            if char in "\r\n":
                flush()
                line = []
                line_start = len(out) + 1
            previous_right = None
            out.append(char)
            sources.append(index)
            continue
        if loose_box(handle, index, box):
            if previous_right is not None:
                line.append((index, box.left - previous_right, box.top - box.bottom))
            previous_right = box.right
        else:
            previous_right = None
        out.append(char)
        sources.append(index)
    flush()
    return out, sources


def _bind_compiled_passes() -> Any:
    """The glyph passes compiled from _glyphs.c, handed PDFium's functions and this module's
    thresholds; None where the extension was not built (``pip install`` builds it), so the
    Python passes run."""
    try:
        from screener.documents import _glyphs  # type: ignore[attr-defined]
    except ImportError:
        logger.info("compiled glyph passes not built; the PDF reader runs the Python ones")
        return None
    # _glyphs.c writes the PDFium constants it reads out; they are part of PDFium's stable API
    object_types = (
        pdfium_c.FPDF_PAGEOBJ_TEXT,
        pdfium_c.FPDF_PAGEOBJ_PATH,
        pdfium_c.FPDF_PAGEOBJ_IMAGE,
        pdfium_c.FPDF_PAGEOBJ_SHADING,
        pdfium_c.FPDF_PAGEOBJ_FORM,
    )
    assert object_types == (1, 2, 3, 4, 5) and pdfium_c.FPDF_FILLMODE_NONE == 0
    assert _INVISIBLE_MODES == (3, 7) and _FILLED_MODES == (0, 2, 4, 6)
    functions = (
        _count_objects,
        _get_object,
        _object_type,
        _render_mode,
        _font_size,
        _object_matrix,
        _fill_colour,
        _object_bounds,
        _draw_mode,
        _form_count,
        _form_object,
        _loose_char_box,
    )
    thresholds = (
        _TINY_FONT_PT,
        _BACKGROUND_TOLERANCE,
        _OFF_PAGE_MARGIN,
        _BAND_PT,
        _MAX_BANDED_PT,
        _MAX_FORM_DEPTH,
        _WORD_GAP_SHARE,
        _LETTER_SPACED_SHARE,
    )
    _glyphs.bind(tuple(ctypes.cast(f, ctypes.c_void_p).value for f in functions), thresholds)
    return _glyphs


_COMPILED = _bind_compiled_passes()
# _glyphs.c's reason codes
_REASON_OF_CODE = {
    1: HiddenReason.INVISIBLE_RENDER,
    2: HiddenReason.TINY_FONT,
    3: HiddenReason.OFF_PAGE,
    4: HiddenReason.BACKGROUND_COLOUR,
}


def _split_hidden(
    textpage: Any,
    chars: list[str],
    sources: list[int],
    hidden: dict[int, HiddenReason],
    number: int,
) -> PageContent:
    """Route each character to the visible text or to a hidden run, by the object it came from.

    Characters PDFium generates (spaces and line breaks between objects) join a hidden run only
    when the same kind of hidden text continues on the same line.
    """
    textpage_handle = _handle(textpage)
    visible: list[str] = []
    runs: list[tuple[HiddenReason, list[str]]] = []
    current: tuple[HiddenReason, list[str]] | None = None
    pending: list[str] = []
    for char, index in zip(chars, sources, strict=True):
        obj = _char_object(textpage_handle, index) if index >= 0 else None
        if not obj:
            pending.append(char)
            continue
        reason = hidden.get(obj)
        same_line = not any(c in "\r\n" for c in pending)
        if reason is not None and current is not None and current[0] is reason and same_line:
            current[1].extend(pending)
        else:
            visible.extend(pending)
            current = None
        pending = []
        if reason is None:
            visible.append(char)
            continue
        if current is None:
            current = (reason, [])
            runs.append(current)
        current[1].append(char)
    visible.extend(pending)
    items = [
        HiddenText(page=number, reason=reason, text=cleaned)
        for reason, run in runs
        # a stray icon glyph outside the page is not content; only words can stuff keywords
        if (cleaned := _clean(_utf16("".join(run))).strip()) and any(c.isalnum() for c in cleaned)
    ]
    return PageContent(text=_clean(_utf16("".join(visible))), hidden=items)


def _utf16(text: str) -> str:
    """Join the UTF-16 surrogate halves PDFium reports as separate characters."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _check_stream_bounds(page: pypdf.PageObject) -> None:
    """Decode the page's content streams and forms under pypdf's bounds (bombs stop here).

    PDFium decodes streams without a size bound; this pass lets a decompression bomb fail the
    document in seconds before PDFium sees it.
    """
    page.get_contents()
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    if xobjects is None:
        return
    for reference in xobjects.get_object().values():
        xobject = reference.get_object()
        if xobject.get("/Subtype") == "/Form":
            xobject.get_data()


@contextlib.contextmanager
def _unreadable_as(what: str, filename: str) -> Iterator[None]:
    """Translate pypdf's failures on ``what`` ("the PDF structure") into domain errors."""
    try:
        yield
    except (DocumentError, LimitReachedError):
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptDocument(f"{what} cannot be read: {exc}", filename=filename) from exc
    except RecursionError as exc:
        raise ResourceLimitExceeded(
            f"{what} is nested too deeply to read", filename=filename
        ) from exc


def _open(data: bytes, filename: str) -> pypdf.PdfReader:
    with _unreadable_as("the PDF structure", filename):
        return _decrypted(data, filename)


def _decrypted(data: bytes, filename: str) -> pypdf.PdfReader:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many CVs are "encrypted" with an empty user password only to restrict printing;
            # those open. A real user password cannot be guessed and is reported as such.
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise EncryptedDocument(
                    f"the PDF uses an encryption this reader cannot open: {exc}", filename=filename
                ) from exc
            if not opened:
                raise EncryptedDocument(
                    "the PDF is password-protected; ask the candidate for an unprotected copy",
                    filename=filename,
                )
        return reader
    except (DocumentError, LimitReachedError):
        raise
    except FileNotDecryptedError as exc:
        raise EncryptedDocument(f"the PDF is encrypted: {exc}", filename=filename) from exc


def read_pdf(data: bytes, filename: str, limits: DocumentLimits) -> ParsedDocument:
    """Read a PDF CV into visible text per page, hidden text apart, OCR for image-only pages.

    Raises:
        EncryptedDocument, CorruptDocument, EmptyDocument, DocumentTooLarge,
        ResourceLimitExceeded, OcrUnavailable.
    """
    with pypdf.apply_configuration(None, **_CV_STREAM_BOUNDS):
        try:
            return _read_pdf(data, filename, limits)
        except LimitReachedError as exc:
            raise ResourceLimitExceeded(
                f"the PDF exceeds a safety bound while decoding: {exc}", filename=filename
            ) from exc


def _read_pages(
    document: pdfium.PdfDocument,
    data: bytes,
    filename: str,
    page_count: int,
    limits: DocumentLimits,
) -> tuple[list[PageContent], list[str]]:
    pages: list[PageContent] = []
    warnings: list[str] = []
    for index in range(min(page_count, len(document))):
        try:
            page = document[index]
        except pdfium.PdfiumError as exc:
            # One unreadable page should not lose the rest of the CV.
            logger.warning("pdf page unreadable", extra={"file": filename, "page": index + 1})
            warnings.append(f"page {index + 1} could not be read: {exc}")
            content = PageContent(text="")
        else:
            try:
                content = _extract_page(page, index + 1)
            finally:
                page.close()
        if len(content.text.strip()) < limits.min_text_chars_per_page:
            ocr_text = ocr_pdf_page(data, index, filename=filename, limits=limits)
            if len(ocr_text.strip()) > len(content.text.strip()):
                content = PageContent(text=ocr_text, hidden=content.hidden, ocr=True)
        pages.append(content)
    return pages, warnings


def _read_pdf(data: bytes, filename: str, limits: DocumentLimits) -> ParsedDocument:
    reader = _open(data, filename)
    with _unreadable_as("the PDF page tree", filename):
        page_count = len(reader.pages)
    if page_count == 0:
        raise EmptyDocument("the PDF has no pages", filename=filename)
    if page_count > limits.max_pages:
        raise DocumentTooLarge(
            f"the PDF has {page_count} pages; the limit is {limits.max_pages}", filename=filename
        )

    with _unreadable_as("the PDF page tree", filename):
        for index in range(page_count):
            _check_stream_bounds(reader.pages[index])
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise CorruptDocument(f"the PDF cannot be read: {exc}", filename=filename) from exc
    try:
        pages, warnings = _read_pages(document, data, filename, page_count, limits)
    finally:
        document.close()
    if not any(page.text.strip() for page in pages):
        raise EmptyDocument("no readable text in the PDF, even after OCR", filename=filename)
    return assemble_document(
        data=data,
        filename=filename,
        kind=DocumentKind.PDF,
        pages=pages,
        warnings=warnings,
        max_text_chars=limits.max_text_chars,
    )
