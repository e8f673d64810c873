"""Build small real PDFs for tests: text runs with chosen colour, size, render mode and position.

The files are written with pypdf's writer and the standard Helvetica font, so every reader sees
a genuine PDF, not a mock.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

A4 = (595.0, 842.0)


@dataclass(frozen=True)
class Run:
    text: str
    x: float
    y: float
    size: float = 11.0
    rgb: tuple[float, float, float] = (0.0, 0.0, 0.0)
    render_mode: int = 0


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    rgb: tuple[float, float, float]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def page_content(runs: list[Run], rects: list[Rect] = ()) -> bytes:
    ops: list[str] = []
    for rect in rects:
        r, g, b = rect.rgb
        ops.append(f"q {r} {g} {b} rg {rect.x} {rect.y} {rect.width} {rect.height} re f Q")
    for run in runs:
        r, g, b = run.rgb
        ops.append(
            f"BT /F1 {run.size} Tf {r} {g} {b} rg {run.render_mode} Tr "
            f"{run.x} {run.y} Td ({_escape(run.text)}) Tj ET"
        )
    return "\n".join(ops).encode("latin-1")


def build_pdf(pages: list[list[Run]], rects: list[list[Rect]] | None = None) -> bytes:
    """A PDF with one page per entry of ``pages``."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    font_ref = writer._add_object(font)
    for index, runs in enumerate(pages):
        page = writer.add_blank_page(*A4)
        stream = DecodedStreamObject()
        stream.set_data(page_content(runs, (rects or [[]] * len(pages))[index]))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
        )
        page[NameObject("/ProcSet")] = ArrayObject([NameObject("/PDF"), NameObject("/Text")])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def lines_pdf(lines: list[str], *, size: float = 11.0) -> bytes:
    """A one-page PDF with ``lines`` top to bottom in black."""
    runs = [Run(line, 56, 780 - i * (size + 5), size) for i, line in enumerate(lines)]
    return build_pdf([runs])


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from raw object bodies (object 1 is the catalog) with a correct xref table.

    For malformed-input tests: the structure is valid enough to be opened, the content is not.
    """
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def page_tree(page_body: bytes, *extra: bytes) -> list[bytes]:
    """Catalog, a one-page tree and the page (object 3); ``extra`` objects follow as 4, 5, …"""
    return [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        page_body,
        *extra,
    ]
