"""Word (DOCX) CVs: visible text in reading order, hidden text kept apart.

The zip container is checked before python-docx opens it (legacy ``.doc``, encryption,
decompression bombs), and every python-docx, lxml and zipfile failure is translated here into
the domain errors.

Reading order: headers, then the body, then footers. Each paragraph is one line (soft line
breaks inside it stay as ``\\n``); tables are read row by row, each cell once even when it spans
columns or rows; content controls, tracked insertions, hyperlinks and text boxes are read in
place; deleted revisions are not.

A run counts as hidden when it is marked ``w:vanish``, is at most 2 pt high, or has (nearly) the
colour of what lies beneath it — run shading or highlight, paragraph shading, table-cell shading,
text-box fill, page colour, else white. Formatting is resolved through character and paragraph
styles to the document defaults; table-style formatting is not.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import docx
from docx.document import Document as WordDocument
from docx.exceptions import PythonDocxError
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.exceptions import OpcError
from lxml import etree

from screener.documents._assemble import PageContent, assemble_document
from screener.documents._model import DocumentKind, HiddenReason, HiddenText, ParsedDocument
from screener.documents._sniff import (
    OLE_MAGIC,
    ZIP_MAGIC,
    check_size,
    is_encrypted_ooxml,
    is_word_archive,
)
from screener.errors import (
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    ResourceLimitExceeded,
    UnsupportedFormat,
)
from screener.settings import DocumentLimits

__all__ = ["read_docx"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_WPS_SHAPE = "{http://schemas.microsoft.com/office/word/2010/wordprocessingShape}wsp"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_V = "urn:schemas-microsoft-com:vml"
_WP_ANCHOR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}anchor"
# Elements whose children are read as if they stood in the parent's place.
_WRAPPERS = frozenset(
    _W + tag
    for tag in (
        "sdt",
        "sdtContent",
        "customXml",
        "smartTag",
        "ins",
        "moveTo",
        "hyperlink",
        "fldSimple",
        "dir",
        "bdo",
    )
)
_TINY_FONT_HALF_POINTS = 4  # w:sz counts half-points: 4 is 2 pt
_SAME_COLOUR_DISTANCE = 24  # largest per-channel difference of text that blends into its ground
_RATIO_CHECK_MIN_BYTES = 1024 * 1024  # small parts of repetitive XML compress well and are harmless
_MAX_MEMBERS = 10_000
_HIGHLIGHTS = {
    "black": "000000",
    "blue": "0000FF",
    "cyan": "00FFFF",
    "green": "00FF00",
    "magenta": "FF00FF",
    "red": "FF0000",
    "yellow": "FFFF00",
    "white": "FFFFFF",
    "darkBlue": "000080",
    "darkCyan": "008080",
    "darkGreen": "008000",
    "darkMagenta": "800080",
    "darkRed": "800000",
    "darkYellow": "808000",
    "darkGray": "808080",
    "lightGray": "C0C0C0",
}
_VML_BEHIND_TEXT = re.compile(r"z-index:\s*-")
_UNKNOWN_GROUND = "unknown"  # a picture, gradient or theme colour: colour checks are skipped
_PARSER_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    ValueError,
    IndexError,
    RecursionError,
    etree.LxmlError,
    PythonDocxError,
    OpcError,
)


def read_docx(data: bytes, filename: str, limits: DocumentLimits) -> ParsedDocument:
    """Read a Word CV.

    Raises:
        DocumentTooLarge: over ``limits.max_bytes``.
        UnsupportedFormat: a legacy ``.doc``, or not a Word document at all.
        EncryptedDocument: password-protected.
        ResourceLimitExceeded: the archive would inflate past the limits (a zip bomb).
        CorruptDocument: damaged, truncated or malformed.
        EmptyDocument: no visible text.
    """
    check_size(data, filename, limits)
    _check_container(data, filename, limits)
    try:
        document = docx.Document(io.BytesIO(data))
        page, notes = _Extractor(document).extract()
    except _PARSER_ERRORS as exc:
        if isinstance(exc, etree.LxmlError) and "memory" in str(exc).lower():
            raise ResourceLimitExceeded(
                "ran out of memory while parsing the Word document", filename=filename
            ) from exc
        if isinstance(exc, ValueError) and "is not a Word file" in str(exc):
            raise UnsupportedFormat(
                f"the archive is an Office file but not a Word document: {exc}", filename=filename
            ) from exc
        raise CorruptDocument(
            f"the Word document cannot be read ({type(exc).__name__}: {exc})", filename=filename
        ) from exc
    if not page.text:
        hidden_chars = sum(len(item.text) for item in page.hidden)
        detail = f" ({hidden_chars} characters are hidden)" if hidden_chars else ""
        raise EmptyDocument(f"the Word document has no visible text{detail}", filename=filename)
    return assemble_document(
        data=data,
        filename=filename,
        kind=DocumentKind.DOCX,
        pages=[page],
        warnings=notes,
        max_text_chars=limits.max_text_chars,
    )


def _check_container(data: bytes, filename: str, limits: DocumentLimits) -> None:
    """Refuse what python-docx must not open: OLE files, non-zips, bombs, encrypted members."""
    if data.startswith(OLE_MAGIC):
        if is_encrypted_ooxml(data):
            raise EncryptedDocument(
                "the Word document is password-protected; remove the password and upload it again",
                filename=filename,
            )
        raise UnsupportedFormat(
            "this is a legacy binary Word file (.doc); save it as DOCX or PDF and upload it again",
            filename=filename,
        )
    if not data.startswith(ZIP_MAGIC):
        raise UnsupportedFormat(
            "not a Word document: a DOCX file is a zip archive and this is not one",
            filename=filename,
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            is_word = is_word_archive(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise CorruptDocument(
            f"the Word document is damaged or truncated: its zip directory cannot be read ({exc})",
            filename=filename,
        ) from exc
    if not is_word:
        raise UnsupportedFormat(
            "the zip archive holds no word/document.xml, so it is not a Word document",
            filename=filename,
        )
    if len(members) > _MAX_MEMBERS:
        raise ResourceLimitExceeded(
            f"the archive has {len(members):,} members; at most {_MAX_MEMBERS:,} are read",
            filename=filename,
        )
    if any(member.flag_bits & 0x1 for member in members):
        raise EncryptedDocument("the Word document's archive is encrypted", filename=filename)
    inflated = sum(member.file_size for member in members)
    if inflated > limits.max_unzipped_bytes:
        raise ResourceLimitExceeded(
            f"the archive would inflate to {inflated:,} bytes; the limit is "
            f"{limits.max_unzipped_bytes:,} bytes (a decompression bomb?)",
            filename=filename,
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= _RATIO_CHECK_MIN_BYTES and ratio > limits.max_zip_ratio:
            raise ResourceLimitExceeded(
                f"archive member {member.filename!r} inflates {ratio:,.0f}-fold "
                f"({member.compress_size:,} to {member.file_size:,} bytes); the limit is "
                f"{limits.max_zip_ratio:g}-fold (a decompression bomb?)",
                filename=filename,
            )


@dataclass(frozen=True, slots=True)
class _Look:
    """The run formatting that decides visibility; ``None`` means not set at this level."""

    vanish: bool | None = None
    colour: str | None = None  # "RRGGBB" or "auto"
    half_points: int | None = None

    def under(self, other: _Look) -> _Look:
        """This look, with unset properties taken from ``other`` (a lower-priority level)."""
        return _Look(
            vanish=self.vanish if self.vanish is not None else other.vanish,
            colour=self.colour if self.colour is not None else other.colour,
            half_points=self.half_points if self.half_points is not None else other.half_points,
        )


class _StyleSheet:
    """Run formatting inherited from character styles, paragraph styles and document defaults."""

    def __init__(self, styles: etree._Element | None) -> None:
        self._run_props: dict[str, etree._Element | None] = {}
        self._based_on: dict[str, str] = {}
        self._default_paragraph_style: str | None = None
        self._defaults = _Look()
        self._cache: dict[tuple[str | None, str | None], _Look] = {}
        if styles is None:
            return
        for style in styles.iterchildren(_W + "style"):
            style_id = style.get(_W + "styleId")
            if not style_id:
                continue
            self._run_props[style_id] = style.find(_W + "rPr")
            parent = style.find(_W + "basedOn")
            if parent is not None and parent.get(_W + "val"):
                self._based_on[style_id] = parent.get(_W + "val", "")
            if style.get(_W + "type") == "paragraph" and _on(style.get(_W + "default")):
                self._default_paragraph_style = style_id
        defaults = styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        self._defaults = _look_of(defaults)

    def look(self, run: etree._Element, paragraph_style: str | None) -> _Look:
        """Effective look of ``run`` in a paragraph of style ``paragraph_style``."""
        run_props = run.find(_W + "rPr")
        run_style = _val(run_props, "rStyle")
        key = (run_style, paragraph_style or self._default_paragraph_style)
        inherited = self._cache.get(key)
        if inherited is None:
            inherited = self._chain(key[0]).under(self._chain(key[1])).under(self._defaults)
            self._cache[key] = inherited
        return _look_of(run_props).under(inherited)

    def _chain(self, style_id: str | None) -> _Look:
        look, seen = _Look(), set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            look = look.under(_look_of(self._run_props.get(style_id)))
            style_id = self._based_on.get(style_id)
        return look


@dataclass(slots=True)
class _Lines:
    """Accumulates one story's visible lines and hidden runs."""

    lines: list[str] = field(default_factory=list)
    hidden: list[HiddenText] = field(default_factory=list)


class _Extractor:
    def __init__(self, document: WordDocument) -> None:
        self._document = document
        self._styles = _StyleSheet(document.styles.element)
        body = document.element.body
        page_colour = _colour_attr(document.element.find(_W + "background"), "color")
        # A picture or shape behind the text can make white text readable; we cannot see it.
        self._behind_text = _has_shapes_behind_text(body)
        self._page_ground = _UNKNOWN_GROUND if self._behind_text else page_colour or "FFFFFF"
        self._colour_skipped = False

    def extract(self) -> tuple[PageContent, list[str]]:
        stories: list[_Lines] = []
        seen: set[str] = set()
        headers, footers = self._header_footer_elements()
        for element in [*headers, self._document.element.body, *footers]:
            story = _Lines()
            self._blocks(element, story, ground=self._page_ground, in_table=False)
            text = _tidy(story.lines)
            if element in headers or element in footers:
                if not text or text in seen:  # the first-page header often repeats the default
                    continue
                seen.add(text)
            story.lines = [text]
            stories.append(story)
        text = _tidy([line for story in stories for line in (*story.lines, "")])
        hidden = [item for story in stories for item in story.hidden]
        notes = []
        if self._colour_skipped:
            notes.append(
                "light text over a picture or shape behind the text was not checked for hiding"
            )
        return PageContent(text=text, hidden=hidden), notes

    def _header_footer_elements(self) -> tuple[list[etree._Element], list[etree._Element]]:
        parts: dict[str, list] = {RELATIONSHIP_TYPE.HEADER: [], RELATIONSHIP_TYPE.FOOTER: []}
        for rel in self._document.part.rels.values():
            if rel.reltype in parts and not rel.is_external:
                parts[rel.reltype].append(rel.target_part)
        headers, footers = (
            [part.element for part in sorted(found, key=lambda part: str(part.partname))]
            for found in parts.values()
        )
        return headers, footers

    def _blocks(
        self, container: etree._Element, out: _Lines, *, ground: str, in_table: bool
    ) -> None:
        for child in _content(container):
            if child.tag == _W + "p":
                self._paragraph(child, out, ground=ground, in_table=in_table)
            elif child.tag == _W + "tbl":
                self._table(child, out, ground=ground)

    def _table(self, table: etree._Element, out: _Lines, *, ground: str) -> None:
        table_ground = _shading(table.find(f"{_W}tblPr/{_W}shd")) or ground
        for row in _content(table):
            if row.tag != _W + "tr":
                continue
            for cell in _content(row):
                if cell.tag != _W + "tc":
                    continue
                merge = cell.find(f"{_W}tcPr/{_W}vMerge")
                if merge is not None and merge.get(_W + "val", "continue") == "continue":
                    continue  # the text sits in the cell that starts the vertical merge
                cell_ground = _shading(cell.find(f"{_W}tcPr/{_W}shd")) or table_ground
                self._blocks(cell, out, ground=cell_ground, in_table=True)

    def _paragraph(
        self, paragraph: etree._Element, out: _Lines, *, ground: str, in_table: bool
    ) -> None:
        paragraph_props = paragraph.find(_W + "pPr")
        style = _val(paragraph_props, "pStyle")
        paragraph_ground = (
            _shading(paragraph_props.find(_W + "shd")) if paragraph_props is not None else None
        ) or ground
        visible: list[str] = []
        hidden_reason: HiddenReason | None = None
        hidden_text: list[str] = []
        text_boxes: list[tuple[etree._Element, str]] = []

        def flush_hidden() -> None:
            chunk = "".join(hidden_text).strip()
            if hidden_reason is not None and chunk:
                out.hidden.append(HiddenText(page=1, reason=hidden_reason, text=chunk))
            hidden_text.clear()

        for run in _content(paragraph):
            if run.tag != _W + "r":
                continue
            text_boxes.extend(_text_boxes(run))
            text = run.text or ""
            if not text:
                continue
            reason = self._hidden_reason(run, style, paragraph_ground)
            if reason is not hidden_reason:
                flush_hidden()
                hidden_reason = reason
            if reason is None:
                visible.append(text)
            else:
                hidden_text.append(text)
        had_hidden = bool(hidden_text) or hidden_reason is not None
        flush_hidden()
        line = "".join(visible)
        if line.strip() or not (in_table or had_hidden):
            out.lines.append(line)  # an empty body paragraph is a blank line, as on the page
        for box, box_ground in text_boxes:
            self._blocks(box, out, ground=box_ground, in_table=False)

    def _hidden_reason(
        self, run: etree._Element, paragraph_style: str | None, ground: str
    ) -> HiddenReason | None:
        look = self._styles.look(run, paragraph_style)
        if look.vanish:
            return HiddenReason.HIDDEN_PROPERTY
        if look.half_points is not None and look.half_points <= _TINY_FONT_HALF_POINTS:
            return HiddenReason.TINY_FONT
        if look.colour is None or look.colour == "auto":
            return None  # "auto" text is drawn to contrast with whatever lies beneath
        run_props = run.find(_W + "rPr")
        if run_props is not None:
            highlight = _val(run_props, "highlight")
            ground = (
                _shading(run_props.find(_W + "shd"))
                or (_HIGHLIGHTS.get(highlight) if highlight else None)
                or ground
            )
        if ground == _UNKNOWN_GROUND:
            self._colour_skipped = self._colour_skipped or _is_light(look.colour)
            return None
        if _same_colour(look.colour, ground):
            return HiddenReason.BACKGROUND_COLOUR
        return None


def _content(element: etree._Element) -> Iterator[etree._Element]:
    """Children of ``element``, looking through wrappers such as content controls."""
    for child in element:
        if child.tag in _WRAPPERS:
            yield from _content(child)
        else:
            yield child


def _has_shapes_behind_text(body: etree._Element) -> bool:
    """True when a drawing (DrawingML ``behindDoc``) or VML shape (negative z-index) sits under
    the text: a dark panel there makes white text readable, and we cannot see its colour."""
    if any(anchor.get("behindDoc") == "1" for anchor in body.iter(_WP_ANCHOR)):
        return True
    return any(
        _VML_BEHIND_TEXT.search(shape.get("style") or "") for shape in body.iter(f"{{{_V}}}*")
    )


def _text_boxes(run: etree._Element) -> list[tuple[etree._Element, str]]:
    """Text-box contents anchored in ``run``, each with the colour of the box's fill.

    Word writes a modern shape and a VML fallback holding the same text; only the first is read.
    """
    boxes = []
    for box in run.iter(_W + "txbxContent"):
        ancestor = box.getparent()
        nested = False
        while ancestor is not None and ancestor is not run:
            if ancestor.tag in (_MC_FALLBACK, _W + "txbxContent"):
                nested = True
                break
            ancestor = ancestor.getparent()
        if not nested:
            boxes.append((box, _box_fill(box)))
    return boxes


def _box_fill(box: etree._Element) -> str:
    ancestor = box.getparent()
    while ancestor is not None:
        if ancestor.tag == _WPS_SHAPE:
            properties = ancestor.find("{*}spPr")
            if properties is None or properties.find(_A + "noFill") is not None:
                return "FFFFFF"
            colour = properties.find(f"{_A}solidFill/{_A}srgbClr")
            if colour is not None:
                return _hex(colour.get("val")) or _UNKNOWN_GROUND
            return _UNKNOWN_GROUND if properties.find(_A + "solidFill") is not None else "FFFFFF"
        if ancestor.tag.startswith("{" + _V + "}") and ancestor.tag != f"{{{_V}}}textbox":
            if ancestor.get("filled") in ("f", "false"):
                return "FFFFFF"
            return _hex((ancestor.get("fillcolor") or "#FFFFFF").lstrip("#")) or _UNKNOWN_GROUND
        ancestor = ancestor.getparent()
    return _UNKNOWN_GROUND


def _look_of(run_props: etree._Element | None) -> _Look:
    if run_props is None:
        return _Look()
    vanish = run_props.find(_W + "vanish")
    colour = run_props.find(_W + "color")
    size = _val(run_props, "sz")
    colour_value = colour.get(_W + "val") if colour is not None else None
    return _Look(
        vanish=None if vanish is None else _on(vanish.get(_W + "val", "1")),
        colour="auto" if colour_value == "auto" else _hex(colour_value),
        half_points=int(size) if size and size.isdigit() else None,
    )


def _val(properties: etree._Element | None, tag: str) -> str | None:
    if properties is None:
        return None
    element = properties.find(_W + tag)
    return element.get(_W + "val") if element is not None else None


def _on(value: str | None) -> bool:
    return value not in (None, "0", "false", "off")


def _shading(shd: etree._Element | None) -> str | None:
    """Colour a ``w:shd`` paints, or None when it paints nothing."""
    if shd is None:
        return None
    if shd.get(_W + "val") == "solid":
        return _colour_attr(shd, "color")
    return _colour_attr(shd, "fill")


def _colour_attr(element: etree._Element | None, name: str) -> str | None:
    return _hex(element.get(_W + name)) if element is not None else None


def _hex(value: str | None) -> str | None:
    if value is None or len(value) != 6:
        return None
    try:
        int(value, 16)
    except ValueError:
        return None
    return value.upper()


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _same_colour(text: str, ground: str) -> bool:
    return all(
        abs(a - b) <= _SAME_COLOUR_DISTANCE
        for a, b in zip(_channels(text), _channels(ground), strict=True)
    )


def _is_light(colour: str) -> bool:
    return _same_colour(colour, "FFFFFF")


def _tidy(lines: list[str]) -> str:
    """Join lines, trim line ends, collapse runs of blank lines, drop page-break characters."""
    out: list[str] = []
    for line in "\n".join(lines).translate({0x0C: "\n", 0x0B: "\n", 0x0D: "\n"}).split("\n"):
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
