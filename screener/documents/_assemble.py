"""Join per-page reader output into one ``ParsedDocument`` with stable page offsets."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from screener.documents._model import DocumentKind, HiddenText, PageSpan, ParsedDocument

__all__ = ["PageContent", "assemble_document"]

PAGE_BREAK = "\f"


@dataclass(slots=True)
class PageContent:
    """What a format reader produces for one page (a DOCX or TXT file is one page)."""

    text: str
    hidden: list[HiddenText] = field(default_factory=list)
    ocr: bool = False


def assemble_document(
    *,
    data: bytes,
    filename: str,
    kind: DocumentKind,
    pages: list[PageContent],
    warnings: list[str] | None = None,
    max_text_chars: int | None = None,
) -> ParsedDocument:
    """Concatenate page texts (form-feed separated) and summarise hidden text as warnings."""
    parts: list[str] = []
    spans: list[PageSpan] = []
    offset = 0
    for number, page in enumerate(pages, start=1):
        if number > 1:
            parts.append(PAGE_BREAK)
            offset += len(PAGE_BREAK)
        parts.append(page.text)
        spans.append(PageSpan(number, offset, offset + len(page.text), page.ocr))
        offset += len(page.text)
    text = "".join(parts)
    notes = list(warnings or [])
    if max_text_chars is not None and len(text) > max_text_chars:
        text = text[:max_text_chars]
        notes.append(f"text truncated to the first {max_text_chars} characters")
    hidden = tuple(h for page in pages for h in page.hidden)
    if hidden:
        by_reason: Counter[str] = Counter()
        for item in hidden:
            by_reason[item.reason.value] += len(item.text)
        detail = ", ".join(f"{reason}: {chars}" for reason, chars in sorted(by_reason.items()))
        notes.append(
            f"hidden text: {sum(by_reason.values())} characters a reader cannot see were "
            f"excluded from scoring ({detail})"
        )
    return ParsedDocument(
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=kind,
        text=text,
        pages=tuple(spans),
        hidden=hidden,
        ocr_used=any(page.ocr for page in pages),
        warnings=tuple(notes),
    )
