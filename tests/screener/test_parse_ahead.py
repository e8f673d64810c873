"""Parsing ahead of the reader for ``screener rank``: same results, held while paused."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from screener.documents import read_document
from screener.errors import DocumentError
from screener.parsing import ParseAhead, analyse, parse_paths
from screener.redaction import redact_personal_data
from screener.settings import DocumentLimits, Settings

REFERENCE = date(2026, 1, 1)
KAGGLE = Path("../shared/data/kaggle-resume-pdfs/data")


def _pdfs(count: int) -> list[Path]:
    return sorted(KAGGLE.glob("*/*.pdf"))[:count]


def test_every_file_comes_back_in_order_as_parse_paths_gives_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot a pdf")
    paths = [*_pdfs(3), broken, *_pdfs(5)[3:]]
    settings = Settings(parse_workers=2)
    expected = list(parse_paths(paths, settings=settings, reference_date=REFERENCE))
    with ParseAhead(paths, settings=settings, reference_date=REFERENCE, ahead=2) as parsing:
        got = list(parsing)
    assert [p for p, _ in got] == paths
    for (_, ours), (_, theirs) in zip(got, expected, strict=True):
        if isinstance(theirs, DocumentError):
            assert isinstance(ours, DocumentError) and ours.message == theirs.message
        else:
            assert not isinstance(ours, DocumentError)
            assert ours.document.text == theirs.document.text
            assert ours.profile == theirs.profile


def test_no_file_reaches_the_reader_while_paused() -> None:
    settings = Settings(parse_workers=2)
    with ParseAhead(_pdfs(4), settings=settings, reference_date=REFERENCE, ahead=4) as parsing:
        results = iter(parsing)
        first: list[object] = []
        reader = threading.Thread(target=lambda: first.append(next(results)))
        with parsing.paused():
            reader.start()
            reader.join(timeout=2.0)
            assert first == []  # a parsed file waits for the pause to end
        reader.join(timeout=30.0)
        assert len(first) == 1
        assert len(list(results)) == 3


def test_a_failure_while_listing_files_reaches_the_reader() -> None:
    def listing() -> Iterator[Path]:
        yield from _pdfs(1)
        raise OSError("the folder went away")

    settings = Settings(parse_workers=1)
    with ParseAhead(listing(), settings=settings, reference_date=REFERENCE, ahead=2) as parsing:
        results = iter(parsing)
        with pytest.raises(OSError, match="the folder went away"):
            list(results)


def test_leaving_early_stops_the_parsing() -> None:
    settings = Settings(parse_workers=2)
    with ParseAhead(_pdfs(40), settings=settings, reference_date=REFERENCE, ahead=1) as parsing:
        for _ in parsing:
            break
    assert not parsing._thread.is_alive()


def test_parse_ahead_is_used_in_a_with_statement() -> None:
    parsing = ParseAhead(_pdfs(1), settings=Settings(), reference_date=REFERENCE, ahead=1)
    with pytest.raises(RuntimeError, match="with statement"):
        next(iter(parsing))
    with pytest.raises(ValueError, match="ahead"):
        ParseAhead([], settings=Settings(), reference_date=REFERENCE, ahead=0)


def test_leaving_does_not_wait_for_a_slow_file(tmp_path: Path) -> None:
    slow = tmp_path / "slow.txt"
    slow.write_bytes(b"x \r\n" * 14_700_000)  # about 5 s of text normalisation
    settings = Settings(parse_workers=1, documents=DocumentLimits(max_bytes=80 * 1024 * 1024))
    started = time.monotonic()
    with ParseAhead([slow], settings=settings, reference_date=REFERENCE, ahead=1):
        time.sleep(0.5)  # the worker starts on the slow file
    assert time.monotonic() - started < 0.5 + ParseAhead.CLOSE_WAIT_S + 1.5


def test_the_workers_analyse_each_file_as_this_process_would(tmp_path: Path) -> None:
    named = tmp_path / "named.txt"
    named.write_text(
        "Jane Doe\njane.doe@example.com | +49 30 1234567\n\nEXPERIENCE\n"
        "ML Engineer, Acme GmbH, 2021 - 2024\nTrained PyTorch models.\n",
        encoding="utf-8",
    )
    paths = [*_pdfs(3), named]
    [*parsed] = parse_paths(paths, settings=Settings(parse_workers=2), reference_date=REFERENCE)
    for path, cv in parsed:
        assert not isinstance(cv, DocumentError)
        here = analyse(read_document(path.read_bytes(), path.name), reference_date=REFERENCE)
        assert cv == here
        # the text scoring reads has personal data blanked, line for line
        assert cv.scoring_text == redact_personal_data(cv.document.text, cv.profile.contacts)
        assert cv.scoring_text.count("\n") == cv.document.text.count("\n")
    assert parsed[-1][1].profile.contacts.name == "Jane Doe"
    for personal in ("Jane", "Doe", "jane.doe@example.com", "1234567"):
        assert personal not in parsed[-1][1].scoring_text
    assert "Trained PyTorch models." in parsed[-1][1].scoring_text


def test_this_process_neither_profiles_nor_redacts_the_files_the_workers_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_here(*args: object, **kwargs: object) -> object:
        raise AssertionError("analysed in the reading process")

    # the workers are fresh interpreters: they run the real functions, this process the stubs
    monkeypatch.setattr("screener.parsing.extract_profile", not_here)
    monkeypatch.setattr("screener.parsing.redact_personal_data", not_here)
    settings = Settings(parse_workers=2)
    paths = _pdfs(3)
    parsed = list(parse_paths(paths, settings=settings, reference_date=REFERENCE))
    with ParseAhead(paths, settings=settings, reference_date=REFERENCE, ahead=2) as parsing:
        ahead = list(parsing)
    for _, cv in [*parsed, *ahead]:
        assert not isinstance(cv, DocumentError) and cv.scoring_text.strip()
