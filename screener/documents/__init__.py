"""Documents stage: CV bytes (PDF, DOCX, TXT) → visible text per page, hidden text apart.

``read_document`` parses in the calling process; ``ParsePool`` runs it in worker processes with
bounded time and memory, which is what batches and the CLI use on untrusted files.
"""

from __future__ import annotations

from screener.documents._assemble import PageContent, assemble_document
from screener.documents._guard import ParsePool, ParseResult
from screener.documents._model import (
    DocumentKind,
    HiddenReason,
    HiddenText,
    PageSpan,
    ParsedDocument,
)
from screener.settings import DocumentLimits

__all__ = [
    "DocumentKind",
    "HiddenReason",
    "HiddenText",
    "PageContent",
    "PageSpan",
    "ParsePool",
    "ParseResult",
    "ParsedDocument",
    "assemble_document",
    "read_document",
]


def read_document(
    data: bytes, filename: str = "", *, limits: DocumentLimits | None = None
) -> ParsedDocument:
    """Parse one CV file's bytes.

    Args:
        data: the file's bytes.
        filename: the name shown in errors and output; its extension is a hint only, the format
            is sniffed from the bytes.
        limits: size, page, time and OCR bounds; the service defaults when omitted.

    Raises:
        DocumentError: one of its subclasses, saying why this file could not be read.
    """
    from screener.documents._docx import read_docx
    from screener.documents._pdf import read_pdf
    from screener.documents._sniff import check_size, sniff_kind
    from screener.documents._text import read_text

    limits = limits or DocumentLimits()
    check_size(data, filename, limits)
    kind = sniff_kind(data, filename)
    if kind is DocumentKind.PDF:
        return read_pdf(data, filename, limits)
    if kind is DocumentKind.DOCX:
        return read_docx(data, filename, limits)
    return read_text(data, filename, limits)
