"""Read a PDF CV with pypdf: visible text in reading order, hidden text apart, OCR where needed.

Reading order is the content-stream order that pypdf follows. CV templates write each column as a
run of its own (LaTeX ``paracol``/``minipage``, Word text boxes), so stream order keeps a sidebar
together instead of interleaving it with the main column line by line, which is what a purely
geometric top-to-bottom order does on two-column layouts.

Hidden text is found by following the graphics state while pypdf extracts: fill colour, text render
mode, the effective font size, the painted shapes under the text and the visible page box. A text
run whose colour is (nearly) the colour painted beneath it, that renders invisibly, is too small
to read or sits outside the page is kept apart from the scored text.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pypdf
from pypdf.errors import (
    DependencyError,
    FileNotDecryptedError,
    LimitReachedError,
    PdfReadError,
    PyPdfError,
)
from pypdf.generic import TextStringObject

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

_Matrix = tuple[float, float, float, float, float, float]
_RGB = tuple[float, float, float]
_WHITE: _RGB = (1.0, 1.0, 1.0)


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


def _floats(operands: list[object]) -> list[float]:
    values: list[float] = []
    for operand in operands:
        try:
            values.append(float(operand))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
    return values


def _colour(operator: bytes, operands: list[object]) -> _RGB | None:
    """Fill colour set by ``g``, ``rg``, ``k``, ``sc`` or ``scn`` as RGB; None for patterns."""
    values = _floats(operands)
    values = [min(max(v, 0.0), 1.0) for v in values]
    if operator == b"g" or (operator in (b"sc", b"scn") and len(values) == 1):
        return (values[0],) * 3 if values else None
    if operator == b"rg" or (operator in (b"sc", b"scn") and len(values) == 3):
        return (values[0], values[1], values[2]) if len(values) == 3 else None
    if operator == b"k" or (operator in (b"sc", b"scn") and len(values) == 4):
        if len(values) != 4:
            return None
        c, m, y, k = values
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


@dataclass(slots=True)
class _Box:
    left: float
    bottom: float
    right: float
    top: float

    def contains(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.bottom <= y <= self.top

    def intersect(self, other: _Box) -> _Box:
        return _Box(
            max(self.left, other.left),
            max(self.bottom, other.bottom),
            min(self.right, other.right),
            min(self.top, other.top),
        )


@dataclass(slots=True)
class _GraphicsState:
    fill: _RGB | None = (0.0, 0.0, 0.0)
    render_mode: int = 0
    clip: _Box | None = None

    def copy(self) -> _GraphicsState:
        return _GraphicsState(self.fill, self.render_mode, self.clip)


@dataclass(slots=True)
class _Painted:
    box: _Box
    colour: _RGB | None  # None: an image, whose colour under the text is unknown


@dataclass(slots=True)
class _PageTracer:
    """Follows the graphics state through pypdf's operator callbacks and sorts text runs.

    pypdf reports text when it flushes a run, which can be after the fill colour changed (a run of
    ``Tj`` operators on one line is flushed at the next line). Each show-text operator is therefore
    recorded with the state in force when it ran, and a flushed run is attributed to those states,
    split in proportion to their text when they differ.
    """

    visible_box: _Box
    state: _GraphicsState = field(default_factory=_GraphicsState)
    stack: list[_GraphicsState] = field(default_factory=list)
    path: list[tuple[float, float]] = field(default_factory=list)
    pending_clip: bool = False
    painted: list[_Painted] = field(default_factory=list)
    shows: list[tuple[HiddenReason | None, int]] = field(default_factory=list)
    incoming: tuple[HiddenReason | None, int] | None = None
    visible: list[str] = field(default_factory=list)
    hidden: list[tuple[HiddenReason, str]] = field(default_factory=list)
    text_matrix: _Matrix = (1, 0, 0, 1, 0, 0)
    ctm: _Matrix = (1, 0, 0, 1, 0, 0)
    font_size: float = 12.0

    # -- operators -------------------------------------------------------------------------------

    def before(self, operator: bytes, operands: list[object], cm: list[float], tm: list[float]):
        self.ctm = tuple(cm)  # type: ignore[assignment]
        self.text_matrix = tuple(tm)  # type: ignore[assignment]
        if operator == b"q":
            self.stack.append(self.state.copy())
        elif operator == b"Q":
            if self.stack:
                self.state = self.stack.pop()
        elif operator in (b"g", b"rg", b"k", b"sc", b"scn"):
            self.state.fill = _colour(operator, operands)
        elif operator == b"cs":
            # a new colour space resets the fill to its initial (black-ish) value
            self.state.fill = (0.0, 0.0, 0.0)
        elif operator == b"Tr":
            values = _floats(operands)
            self.state.render_mode = int(values[0]) if values else 0
        elif operator == b"Tf":
            values = _floats(operands)
            if values:
                self.font_size = values[-1]
        elif operator == b"re":
            values = _floats(operands)
            if len(values) == 4:
                x, y, w, h = values
                self.path.extend((_apply(self.ctm, x, y), _apply(self.ctm, x + w, y + h)))
                self.path.extend((_apply(self.ctm, x + w, y), _apply(self.ctm, x, y + h)))
        elif operator in (b"m", b"l"):
            values = _floats(operands)
            if len(values) == 2:
                self.path.append(_apply(self.ctm, values[0], values[1]))
        elif operator in (b"c", b"v", b"y"):
            values = _floats(operands)
            self.path.extend(
                _apply(self.ctm, values[i], values[i + 1]) for i in range(0, len(values) - 1, 2)
            )
        elif operator in (b"W", b"W*"):
            self.pending_clip = True
        elif operator in (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"):
            box = self._path_box()
            if box is not None:
                self.painted.append(_Painted(box, self.state.fill))
            self._end_path()
        elif operator in (b"n", b"S", b"s"):
            self._end_path()
        elif operator == b"Do":
            # an image or form drawn into the unit square of the current matrix
            corners = [_apply(self.ctm, x, y) for x in (0, 1) for y in (0, 1)]
            self.painted.append(_Painted(_bounding_box(corners), None))
        elif operator in (b"Tj", b"TJ", b"'", b'"'):
            if operator == b"TJ":
                _widen_word_gaps(operands)
            self.incoming = (self._verdict(), _shown_length(operands))

    def after(self, operator: bytes, operands: list[object], cm: list[float], tm: list[float]):
        if self.incoming is not None:
            self.shows.append(self.incoming)
            self.incoming = None

    def text(self, text: str, cm: list[float], tm: list[float], font: object, size: float):
        if not text:
            return
        shows, self.shows = self.shows, []
        if not shows:
            verdict = self._verdict(
                at=_multiply(tuple(tm), tuple(cm)),  # type: ignore[arg-type]
            )
            self._emit(text, verdict)
            return
        position_verdict = self._verdict(
            at=_multiply(tuple(tm), tuple(cm)),  # type: ignore[arg-type]
            size=size,
        )
        verdicts = [verdict or position_verdict for verdict, _ in shows]
        if len(set(verdicts)) == 1:
            self._emit(text, verdicts[0])
            return
        total = sum(length for _, length in shows) or 1
        cursor = 0
        for index, (verdict, length) in enumerate(
            zip(verdicts, (n for _, n in shows), strict=True)
        ):
            end = (
                len(text) if index == len(shows) - 1 else cursor + round(len(text) * length / total)
            )
            self._emit(text[cursor:end], verdict)
            cursor = end

    # -- helpers ---------------------------------------------------------------------------------

    def _emit(self, text: str, verdict: HiddenReason | None) -> None:
        if not text:
            return
        if verdict is None or not text.strip():
            self.visible.append(text)
        else:
            self.hidden.append((verdict, text))
            # keep line structure: the reader sees a line break where the hidden run ended one
            if text.endswith("\n"):
                self.visible.append("\n")

    def _path_box(self) -> _Box | None:
        return _bounding_box(self.path) if self.path else None

    def _end_path(self) -> None:
        if self.pending_clip:
            box = self._path_box()
            if box is not None:
                self.state.clip = box if self.state.clip is None else self.state.clip.intersect(box)
            self.pending_clip = False
        self.path = []

    def _verdict(self, at: _Matrix | None = None, size: float | None = None) -> HiddenReason | None:
        if self.state.render_mode in (3, 7):
            return HiddenReason.INVISIBLE_RENDER
        matrix = at if at is not None else _multiply(self.text_matrix, self.ctm)
        x, y = matrix[4], matrix[5]
        vertical_scale = math.hypot(matrix[2], matrix[3])
        effective = abs((size if size is not None else self.font_size) * vertical_scale)
        if 0 < effective < _TINY_FONT_PT:
            return HiddenReason.TINY_FONT
        box = self.visible_box
        if self.state.clip is not None:
            box = box.intersect(self.state.clip)
        margin = _OFF_PAGE_MARGIN
        if not (box.left - margin <= x <= box.right + margin):
            return HiddenReason.OFF_PAGE
        if not (box.bottom - margin <= y <= box.top + margin):
            return HiddenReason.OFF_PAGE
        if self.state.render_mode in (0, 2, 4, 6) and self.state.fill is not None:
            beneath = self._colour_beneath(x, y + effective * 0.3)
            if beneath is not None and _distance(self.state.fill, beneath) < _BACKGROUND_TOLERANCE:
                return HiddenReason.BACKGROUND_COLOUR
        return None

    def _colour_beneath(self, x: float, y: float) -> _RGB | None:
        for painted in reversed(self.painted):
            if painted.box.contains(x, y):
                return painted.colour
        return _WHITE


def _bounding_box(points: list[tuple[float, float]]) -> _Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return _Box(min(xs), min(ys), max(xs), max(ys))


def _distance(a: _RGB, b: _RGB) -> float:
    return max(abs(a[i] - b[i]) for i in range(3))


# A TJ offset (thousandths of an em, negative moves right) at least this wide is a word gap.
# Kerning stays within ±80 or so; typesetters separate words by 140-350 (justified lines shrink
# the gap, hence the margin below the usual 200).
_WORD_GAP = 100.0


def _widen_word_gaps(operands: list[object]) -> None:
    """Put a space before every word-sized gap of a TJ array.

    pypdf emits a space only for offsets wider than the font's own space glyph, which misses the
    narrower inter-word gaps many templates use (Awesome-CV came out "DevOpsEngineer").
    """
    if not operands or not isinstance(operands[0], list):
        return
    array = operands[0]
    for index in range(len(array) - 1, 0, -1):
        item = array[index]
        if isinstance(item, int | float) and not isinstance(item, bool) and -item >= _WORD_GAP:
            array.insert(index, TextStringObject(" "))


def _shown_length(operands: list[object]) -> int:
    """Rough glyph count of a show-text operator, to split a mixed run proportionally."""
    total = 0
    for operand in operands:
        if isinstance(operand, list):
            total += _shown_length(operand)
        elif isinstance(operand, bytes | str):
            total += len(operand)
    return max(total, 1)


def _clean(text: str) -> str:
    # NFKC folds ligatures (ﬁ → fi) and full-width forms so skills match as written.
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    # collapse runs of blank lines the layout produces, keep paragraph breaks
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


def _page_box(page: pypdf.PageObject) -> _Box:
    try:
        box = page.cropbox
        return _Box(float(box.left), float(box.bottom), float(box.right), float(box.top))
    except (PyPdfError, KeyError, TypeError, ValueError):
        return _Box(0.0, 0.0, 612.0, 792.0)


def _extract_page(page: pypdf.PageObject, number: int) -> PageContent:
    tracer = _PageTracer(visible_box=_page_box(page))
    page.extract_text(
        visitor_operand_before=tracer.before,
        visitor_operand_after=tracer.after,
        visitor_text=tracer.text,
    )
    hidden = [
        HiddenText(page=number, reason=reason, text=cleaned)
        for reason, raw in tracer.hidden
        # a stray icon glyph outside the page is not content; only words can stuff keywords
        if (cleaned := _clean(raw).strip()) and any(ch.isalnum() for ch in cleaned)
    ]
    return PageContent(text=_clean("".join(tracer.visible)), hidden=hidden)


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

    pages: list[PageContent] = []
    warnings: list[str] = []
    for index in range(page_count):
        try:
            content = _extract_page(reader.pages[index], index + 1)
        except RecursionError as exc:
            raise ResourceLimitExceeded(
                f"page {index + 1} is nested too deeply to read", filename=filename
            ) from exc
        except LimitReachedError:
            raise
        except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # One unreadable page should not lose the rest of the CV.
            logger.warning("pdf page unreadable", extra={"file": filename, "page": index + 1})
            warnings.append(f"page {index + 1} could not be read: {type(exc).__name__}")
            content = PageContent(text="")
        if len(content.text.strip()) < limits.min_text_chars_per_page:
            # pypdf skips a content stream over its bounds silently; PDFium would render it in
            # full, so decode it here first and let a bomb stop the document instead of the OCR.
            reader.pages[index].get_contents()
            ocr_text = ocr_pdf_page(data, index, filename=filename, limits=limits)
            if len(ocr_text.strip()) > len(content.text.strip()):
                content = PageContent(text=ocr_text, hidden=content.hidden, ocr=True)
        pages.append(content)

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
