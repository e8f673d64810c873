"""ParsePool: worker processes with time and memory bounds, on real and built files."""

from __future__ import annotations

import multiprocessing
import operator
import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest

from screener.documents._guard import ParsePool
from screener.documents._model import DocumentKind, ParsedDocument
from screener.errors import (
    CorruptDocument,
    DocumentTooLarge,
    ResourceLimitExceeded,
    UnsupportedFormat,
)
from screener.settings import DocumentLimits

VANETIK_CVS = Path("../shared/data/vanetik-vacancy-resume-matching/CV")
# About 2 s of text normalisation on this machine: far past the short timeouts used below.
SLOW_TEXT = b"x \r\n" * 4_900_000


@pytest.fixture
def good_text(tmp_path: Path) -> Path:
    path = tmp_path / "cv.txt"
    path.write_text("Jane Doe\nML Engineer: PyTorch, LoRA, FAISS\n", encoding="utf-8")
    return path


@pytest.fixture
def slow_text(tmp_path: Path) -> Path:
    path = tmp_path / "slow.txt"
    path.write_bytes(SLOW_TEXT)
    return path


def test_parse_files_batch_with_bad_files_reports_each_and_parses_the_rest(tmp_path, good_text):
    truncated = tmp_path / "truncated.docx"
    data = (VANETIK_CVS / "13.docx").read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    junk = tmp_path / "junk.bin"
    junk.write_bytes(random.Random(3).randbytes(2048))
    paths = [
        VANETIK_CVS / "15.docx",
        truncated,
        tmp_path / "missing.pdf",
        good_text,
        junk,
        tmp_path,
        VANETIK_CVS / "11.docx",
    ]

    with ParsePool(limits=DocumentLimits(), workers=2) as pool:
        results = list(pool.parse_files(paths))

    assert [path for path, _ in results] == paths  # input order
    kinds = [type(result) for _, result in results]
    assert kinds == [
        ParsedDocument,
        CorruptDocument,
        CorruptDocument,
        ParsedDocument,
        UnsupportedFormat,
        UnsupportedFormat,
        ParsedDocument,
    ]
    first, missing, directory = results[0][1], results[2][1], results[5][1]
    assert isinstance(first, ParsedDocument) and first.kind is DocumentKind.DOCX
    assert first.text.startswith("Frontend Developer - 8 years experience")
    assert isinstance(missing, CorruptDocument) and "No such file" in missing.message
    assert missing.filename == "missing.pdf"
    assert isinstance(directory, UnsupportedFormat) and "directory" in directory.message


def test_parse_files_over_timeout_kills_worker_and_goes_on(slow_text, good_text):
    limits = DocumentLimits(timeout_s=0.5)

    with ParsePool(limits=limits, workers=1) as pool:
        results = dict(pool.parse_files([slow_text, good_text]))

    timed_out = results[slow_text]
    assert isinstance(timed_out, ResourceLimitExceeded)
    assert timed_out.message == "parsing took longer than 0.5 s"
    assert timed_out.filename == "slow.txt"
    parsed = results[good_text]
    assert isinstance(parsed, ParsedDocument) and "PyTorch" in parsed.text


def test_parse_files_over_memory_bound_reports_resource_limit(tmp_path, good_text):
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 8_000_000)  # 40 MB: several copies overrun a 160 MiB worker
    limits = DocumentLimits(memory_mb=160, max_bytes=64 * 1024 * 1024)

    with ParsePool(limits=limits, workers=1) as pool:
        results = list(pool.parse_files([big, good_text]))

    exceeded = results[0][1]
    assert isinstance(exceeded, ResourceLimitExceeded)
    assert "memory_mb=160" in exceeded.message
    assert isinstance(results[1][1], ParsedDocument)


def test_parse_files_file_over_max_bytes_is_refused_without_reading(tmp_path):
    path = tmp_path / "huge.pdf"
    path.write_bytes(bytes(2048))

    with ParsePool(limits=DocumentLimits(max_bytes=1024), workers=1) as pool:
        [(_, result)] = list(pool.parse_files([path]))

    assert isinstance(result, DocumentTooLarge)
    assert "2,048 bytes; the limit is 1,024 bytes" in result.message


def test_parse_files_killed_worker_is_reported_and_replaced(slow_text, good_text):
    # other tests' servers and pools may still have children: find the one this pool started
    before = {child.pid for child in multiprocessing.active_children()}
    with ParsePool(limits=DocumentLimits(timeout_s=30), workers=1) as pool:
        assert isinstance(pool.parse_bytes(b"warm", "warm.txt"), ParsedDocument)
        [worker] = [c for c in multiprocessing.active_children() if c.pid not in before]
        killer = threading.Timer(0.3, os.kill, (worker.pid, signal.SIGKILL))
        killer.start()
        try:
            results = list(pool.parse_files([slow_text, good_text]))
        finally:
            killer.cancel()

    died = results[0][1]
    assert isinstance(died, ResourceLimitExceeded)
    assert "died" in died.message and "SIGKILL" in died.message
    assert isinstance(results[1][1], ParsedDocument)


def test_parse_bytes_returns_document_or_error():
    docx_data = (VANETIK_CVS / "11.docx").read_bytes()

    with ParsePool(limits=DocumentLimits(), workers=1) as pool:
        parsed = pool.parse_bytes(docx_data, "11.docx")
        legacy = pool.parse_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "old.doc")
        empty = pool.parse_bytes(b"   \n", "blank.txt")

    assert isinstance(parsed, ParsedDocument)
    assert "UniVerse BASIC" in parsed.text
    assert isinstance(legacy, UnsupportedFormat) and "DOCX or PDF" in legacy.message
    assert type(empty).__name__ == "EmptyDocument" and empty.filename == "blank.txt"


def test_parse_files_abandoned_iteration_leaves_pool_consistent(tmp_path, slow_text, good_text):
    other = tmp_path / "other.txt"
    other.write_text("Second CV: NLP Engineer", encoding="utf-8")

    with ParsePool(limits=DocumentLimits(timeout_s=30), workers=2) as pool:
        for path, _ in pool.parse_files([good_text, slow_text]):
            assert path == good_text
            break  # slow.txt is still being parsed; its late result must not leak
        [(path, result)] = list(pool.parse_files([other]))

    assert path == other
    assert isinstance(result, ParsedDocument) and result.text == "Second CV: NLP Engineer"


def test_parse_pool_negative_workers_is_refused():
    with pytest.raises(ValueError, match="workers"):
        ParsePool(limits=DocumentLimits(), workers=-1)


@pytest.mark.parametrize("background", [False, True])
def test_background_workers_run_at_the_lowest_cpu_priority(background: bool) -> None:
    before = {child.pid for child in multiprocessing.active_children()}
    with ParsePool(limits=DocumentLimits(), workers=1, background=background) as pool:
        assert isinstance(pool.parse_bytes(b"warm", "warm.txt"), ParsedDocument)
        [worker] = [c for c in multiprocessing.active_children() if c.pid not in before]
        niceness = os.getpriority(os.PRIO_PROCESS, worker.pid)
    own = os.getpriority(os.PRIO_PROCESS, 0)
    assert niceness == (19 if background else own)


def test_the_then_step_runs_in_the_worker_and_its_result_comes_back(good_text: Path) -> None:
    # a stdlib callable pickles to the worker by name, as the product's ``analyse`` partial does
    with ParsePool(limits=DocumentLimits(), workers=1, then=operator.attrgetter("text")) as pool:
        [(_, from_file)] = list(pool.parse_files([good_text]))
        from_bytes = pool.parse_bytes(b"Jane Doe\nPyTorch\n", "cv.txt")
    assert from_file == "Jane Doe\nML Engineer: PyTorch, LoRA, FAISS"
    assert from_bytes == "Jane Doe\nPyTorch"


def test_a_then_step_that_fails_is_that_file_s_error_and_the_next_file_goes_on(
    good_text: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot a pdf")
    # a document has no such field: the step raises AttributeError on every document it gets
    failing = operator.attrgetter("no_such_field")
    with ParsePool(limits=DocumentLimits(), workers=1, then=failing) as pool:
        results = [r for _, r in pool.parse_files([good_text, broken, good_text])]
    first, unread, last = results
    assert isinstance(first, CorruptDocument) and isinstance(last, CorruptDocument)
    assert "read but could not be analysed (AttributeError" in first.message
    assert first.filename == "cv.txt"
    # a file that cannot be read says so, the step never sees it
    assert isinstance(unread, CorruptDocument) and "analysed" not in unread.message


def _analysis_stuck_on_stuck(document: ParsedDocument) -> ParsedDocument:
    """A ``then`` step that never ends on a text saying "stuck", as a pathological pattern on a
    hostile text would not; other texts (the worker's warm-up among them) pass."""
    while "stuck" in document.text:
        time.sleep(0.05)
    return document


def test_a_then_step_is_held_to_the_file_s_deadline_and_the_next_file_goes_on(
    good_text: Path,
) -> None:
    limits = DocumentLimits(timeout_s=1.5)
    with ParsePool(limits=limits, workers=1, then=_analysis_stuck_on_stuck) as pool:
        pool.parse_bytes(b"warm", "warm.txt")  # the worker started
        started = time.monotonic()
        stuck = pool.parse_bytes(b"Jane Doe\nstuck on this\n", "stuck.txt")
        waited = time.monotonic() - started
        [(_, after)] = list(pool.parse_files([good_text]))
    assert isinstance(stuck, ResourceLimitExceeded)
    assert "longer than 1.5 s" in stuck.message and stuck.filename == "stuck.txt"
    assert waited < 10
    assert isinstance(after, ParsedDocument)  # a fresh worker took the next file
