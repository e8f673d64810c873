"""What the documents stage hands to the rest of the pipeline."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["DocumentKind", "HiddenReason", "HiddenText", "PageSpan", "ParsedDocument"]


class DocumentKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    TXT = "txt"


class HiddenReason(StrEnum):
    """Why a piece of text is invisible to a human reader of the CV."""

    BACKGROUND_COLOUR = "background_colour"  # white on white, or near the colour beneath it
    TINY_FONT = "tiny_font"  # rendered below a legible size
    OFF_PAGE = "off_page"  # placed outside the visible page box
    INVISIBLE_RENDER = "invisible_render"  # PDF text render mode 3 (neither fill nor stroke)
    HIDDEN_PROPERTY = "hidden_property"  # Word's "hidden" character property (w:vanish)


@dataclass(frozen=True, slots=True)
class PageSpan:
    """One page's slice of ``ParsedDocument.text``: ``text[start:end]``."""

    number: int  # 1-based
    start: int
    end: int
    ocr: bool = False


@dataclass(frozen=True, slots=True)
class HiddenText:
    """Text present in the file that a reader cannot see; never scored."""

    page: int
    reason: HiddenReason
    text: str


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A CV as text in reading order, with the page each character came from.

    ``text`` is the visible text only; pages are joined by a form feed so offsets stay stable.
    Hidden text is kept apart in ``hidden`` and summarised in ``warnings``.
    """

    filename: str
    sha256: str
    kind: DocumentKind
    text: str
    pages: tuple[PageSpan, ...]
    hidden: tuple[HiddenText, ...] = ()
    ocr_used: bool = False
    warnings: tuple[str, ...] = field(default=())

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def hidden_chars(self) -> int:
        return sum(len(h.text) for h in self.hidden)

    def page_at(self, offset: int) -> int:
        """1-based page number holding character ``offset`` of ``text``."""
        starts = [p.start for p in self.pages]
        index = bisect.bisect_right(starts, offset) - 1
        return self.pages[max(index, 0)].number if self.pages else 1
