"""From a file to a parsed CV: document text, sections and candidate profile in one result."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from screener._json import to_jsonable
from screener.documents import ParsedDocument, ParsePool
from screener.errors import DocumentError
from screener.profile import CandidateProfile, extract_profile
from screener.sections import Section, detect_sections
from screener.settings import Settings

__all__ = ["ParsedCV", "parse_paths", "parse_result_json"]


@dataclass(frozen=True, slots=True)
class ParsedCV:
    document: ParsedDocument
    sections: tuple[Section, ...]
    profile: CandidateProfile


def analyse(document: ParsedDocument, *, reference_date: date) -> ParsedCV:
    """Sections and profile of an already parsed document."""
    sections = detect_sections(document.text)
    profile = extract_profile(document.text, sections, reference_date=reference_date)
    return ParsedCV(document, tuple(sections), profile)


def parse_paths(
    paths: Iterable[Path], *, settings: Settings, reference_date: date
) -> Iterator[tuple[Path, ParsedCV | DocumentError]]:
    """Parse files in isolated worker processes; one result per path, in input order.

    A file that fails yields its ``DocumentError``; the others go on.
    """
    with ParsePool(limits=settings.documents, workers=settings.parse_workers) as pool:
        for path, result in pool.parse_files(paths):
            if isinstance(result, DocumentError):
                yield path, result
            else:
                yield path, analyse(result, reference_date=reference_date)


def parse_result_json(path: Path, result: ParsedCV | DocumentError) -> dict[str, Any]:
    """The ``screener parse --json`` line for one file."""
    if isinstance(result, DocumentError):
        return {"file": str(path), "error": {"type": result.kind, "message": result.message}}
    document = result.document
    return {
        "file": str(path),
        "sha256": document.sha256,
        "pages": document.page_count,
        "ocr_used": document.ocr_used,
        "warnings": list(document.warnings),
        "text": document.text,
        "hidden_text": to_jsonable(document.hidden),
        "sections": [
            {
                "kind": s.kind.value,
                "heading": s.heading,
                "start": s.start,
                "end": s.end,
                "page": document.page_at(s.heading_start),
            }
            for s in result.sections
        ],
        "profile": to_jsonable(result.profile),
    }
