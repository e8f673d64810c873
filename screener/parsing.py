"""From a file to a parsed CV: document text, sections, candidate profile and the text scoring
reads, in one result.

Files are parsed and analysed in the isolated worker processes (``ParsePool`` with ``analyse``
as its ``then`` step): none of this needs the model, so it runs on every core beside the process
that encodes, and a text that sends a pattern into a long search is bounded by the file's
deadline like a slow PDF. Given the model's chunker, the workers cut the chunks too (``screener
rank``), which leaves the encoding process only what needs the vectors.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from screener._json import to_jsonable
from screener.documents import ParsedDocument, ParsePool
from screener.errors import DocumentError
from screener.profile import CandidateProfile, extract_profile
from screener.redaction import redact_personal_data
from screener.sections import Section, detect_sections
from screener.settings import Settings

if TYPE_CHECKING:
    from embeddings import Chunk
    from screener.matching import CVChunker

__all__ = [
    "ParseAhead",
    "ParsedCV",
    "analyse",
    "analysing_pool",
    "parse_paths",
    "parse_result_json",
]


@dataclass(frozen=True, slots=True)
class ParsedCV:
    document: ParsedDocument
    sections: tuple[Section, ...]
    profile: CandidateProfile
    # the document's text with personal data blanked (same length and lines): what chunking,
    # encoding and matching read
    scoring_text: str
    # the scoring text's chunks where ``analyse`` was given the model's chunker, else None (they
    # are cut when the CV is encoded)
    chunks: tuple[Chunk, ...] | None = None


def analyse(
    document: ParsedDocument, *, reference_date: date, chunker: CVChunker | None = None
) -> ParsedCV:
    """Sections, profile and scoring text of an already parsed document, and its chunks where
    ``chunker`` is given (``SkillMatcher.chunker``)."""
    sections = tuple(detect_sections(document.text))
    profile = extract_profile(document.text, sections, reference_date=reference_date)
    scoring_text = redact_personal_data(document.text, profile.contacts)
    chunks = tuple(chunker(scoring_text, sections)) if chunker is not None else None
    return ParsedCV(document, sections, profile, scoring_text, chunks)


def analysing_pool(
    settings: Settings,
    *,
    reference_date: date,
    background: bool = False,
    chunker: CVChunker | None = None,
) -> ParsePool[ParsedCV]:
    """A ``ParsePool`` whose workers also ``analyse`` each document they parse."""
    return ParsePool(
        limits=settings.documents,
        workers=settings.parse_workers,
        background=background,
        then=functools.partial(analyse, reference_date=reference_date, chunker=chunker),
    )


def parse_paths(
    paths: Iterable[Path], *, settings: Settings, reference_date: date
) -> Iterator[tuple[Path, ParsedCV | DocumentError]]:
    """Parse and analyse files in isolated worker processes; one result per path, in input
    order.

    A file that fails yields its ``DocumentError``; the others go on.
    """
    with analysing_pool(settings, reference_date=reference_date) as pool:
        yield from pool.parse_files(paths)


_END = object()


@dataclass(frozen=True, slots=True)
class _Failure:
    error: BaseException


class ParseAhead:
    """``parse_paths`` with the parsing run ahead of the reader, held while it encodes.

    ``screener rank`` alternates steps that keep one core busy (matching, the rules) with
    encoding, which keeps every core busy. A thread feeds the parse workers while the
    reader works, up to ``ahead`` files ahead, and starts no new file while the reader is
    inside ``paused()``: workers parsing beside the encoder slowed both. Measured on 500 Kaggle
    PDFs, 2 cores, `screener rank`: 12.2-12.9 CVs/s parsing only when the reader asks, 12.0-12.2
    parsing ahead all the time, 13.5-13.6 parsing ahead held while encoding. The workers run at
    the lowest CPU priority, so the reader's own single-core steps are not slowed by them (5
    paired runs: 13.6 CVs/s on average at normal priority, 14.1 at nice 19). Sections, profile
    and scoring text are found in the workers too (``analysing_pool``), off the reader's core,
    and the chunks cut where ``chunker`` is given.

    Use as a context manager; leaving it stops the thread and the workers. A file being parsed
    is waited for at most ``CLOSE_WAIT_S`` (Ctrl-C should not wait for a slow file); after that
    the thread stops the workers by itself once the file is done.
    """

    CLOSE_WAIT_S = 2.0

    def __init__(
        self,
        paths: Iterable[Path],
        *,
        settings: Settings,
        reference_date: date,
        ahead: int,
        chunker: CVChunker | None = None,
    ) -> None:
        if ahead < 1:
            raise ValueError(f"ahead must be at least 1, got {ahead}.")
        self._paths = paths
        self._settings = settings
        self._reference_date = reference_date
        self._chunker = chunker
        self._results: queue.Queue[Any] = queue.Queue(maxsize=ahead)
        self._running = threading.Event()
        self._running.set()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._feed, name="parse-ahead", daemon=True)
        self._started = False

    def __enter__(self) -> ParseAhead:
        self._thread.start()
        self._started = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[tuple[Path, ParsedCV | DocumentError]]:
        if not self._started:
            raise RuntimeError("use ParseAhead in a with statement")
        while (item := self._results.get()) is not _END:
            if isinstance(item, _Failure):
                raise item.error
            yield item

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No new file starts parsing inside this block (files already started finish)."""
        self._running.clear()
        try:
            yield
        finally:
            self._running.set()

    def close(self) -> None:
        self._closed.set()
        self._running.set()
        deadline = time.monotonic() + self.CLOSE_WAIT_S
        while self._thread.is_alive() and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                while True:  # unblock a waiting put
                    self._results.get_nowait()
            self._thread.join(timeout=0.05)

    def _feed(self) -> None:
        try:
            with (
                analysing_pool(
                    self._settings,
                    reference_date=self._reference_date,
                    background=True,
                    chunker=self._chunker,
                ) as pool,
                contextlib.closing(pool.parse_files(self._paths)) as parsed,
            ):
                for item in parsed:
                    self._running.wait()  # held here, the pool dispatches nothing new
                    if not self._put(item):
                        return
        except BaseException as error:  # handed to the reader, raised there
            self._put(_Failure(error))
        finally:
            self._put(_END)

    def _put(self, item: Any) -> bool:
        while not self._closed.is_set():
            try:
                self._results.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False


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
