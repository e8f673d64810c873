"""``screener rank`` in several processes side by side, for a model on a GPU.

With the model on a GPU, encoding takes little of a ranking's time; the steps left around it
(matching, the rules: the parse workers find sections, profile and chunks) run on one core of
the process that holds the model, and set the pace. Here the files are dealt out to processes
(every ``processes``-th file to each, so each gets the same mix), each of which loads its own
model, parses with its share of the parse workers and screens its files as one process would
(``screen_files``); the screenings come back over a queue as they are done and are ranked
together by the caller. On the CPU a CV's screening does not depend on which process
screened it or what it was encoded with (tests check it); on a GPU bf16 kernels can differ in
their last bits with the shape of a pass, in one process as in several.

The processes are spawned, not forked: a forked child of a process that has used CUDA cannot
use it. A process that fails reports its traceback, one that dies without a word (killed, out
of memory) is noticed by its exit code; either fails the ranking, and the others are stopped.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from embeddings import EmbeddingModel
from rubrics import Market, Role, RuleSet
from screener.settings import Settings

__all__ = ["ScreeningProcessError", "screen_in_processes"]

_ROW, _DONE, _FAILED = "row", "done", "failed"
# How often the caller, waiting for screenings, checks that every process is still alive.
_POLL_S = 1.0


class ScreeningProcessError(RuntimeError):
    """A screening process failed or died; the ranking is incomplete."""


@dataclass(frozen=True, slots=True)
class _Share:
    """One process's files and what it screens them with (pickled to the process)."""

    paths: list[Path]
    role: Role
    market: Market | str
    settings: Settings
    reference_date: date
    rules: RuleSet
    group_size: int


def screen_in_processes(
    paths: Sequence[Path],
    role: Role,
    *,
    market: Market | str,
    settings: Settings,
    model: EmbeddingModel,
    reference_date: date,
    rules: RuleSet,
    group_size: int,
    processes: int,
) -> Iterator[tuple[str, Any]]:
    """``(file name, screening or error text)`` for every file, in the order they are done.

    Each process loads its model as ``model`` (the caller's) was loaded: device, precision and
    batch size come from it, not from ``settings``, since fp32 and bf16 vectors differ and the
    rows must be those one process would give.

    Raises:
        ScreeningProcessError: a process failed (its traceback in the message) or died.
    """
    context = multiprocessing.get_context("spawn")
    results: Any = context.Queue()
    parse_workers = max(1, (settings.parse_workers or os.cpu_count() or 1) // processes)
    embeddings = settings.embeddings.model_copy(
        update={
            "device": model.device,
            "precision": model.precision.value,
            "batch_size": model.batch_size,
        }
    )
    share_settings = settings.model_copy(
        update={"parse_workers": parse_workers, "embeddings": embeddings}
    )
    shares = [
        context.Process(
            target=_screen_share,
            args=(
                _Share(
                    list(paths[index::processes]),
                    role,
                    market,
                    share_settings,
                    reference_date,
                    rules,
                    group_size,
                ),
                results,
            ),
            name=f"screener-rank-{index}",
        )
        for index in range(processes)
    ]
    for share in shares:
        share.start()
    done = 0
    try:
        while done < len(shares):
            try:
                kind, name, payload = results.get(timeout=_POLL_S)
            except queue.Empty:
                dead = [s.name for s in shares if s.exitcode not in (None, 0)]
                if dead:
                    raise ScreeningProcessError(
                        f"screening process {', '.join(dead)} ended without finishing "
                        "(killed or out of memory?)"
                    ) from None
                continue
            if kind == _ROW:
                yield name, payload
            elif kind == _DONE:
                done += 1
            else:
                raise ScreeningProcessError(f"a screening process failed:\n{payload}")
    finally:
        for share in shares:
            if share.is_alive() and done < len(shares):
                share.terminate()
        for share in shares:
            share.join()
        results.close()


def _screen_share(share: _Share, results: Any) -> None:
    """One process's share: its own model and parse workers, a row on ``results`` per file."""
    # terminate() from the caller unwinds the with-blocks here, so the parse workers stop too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        from screener.pipeline import ScreeningPipeline
        from screener.screening import screen_files

        pipeline = ScreeningPipeline.create(share.settings)
        for name, screening in screen_files(
            share.paths, share.role, market=share.market, pipeline=pipeline,
            settings=share.settings, reference_date=share.reference_date, rules=share.rules,
            group_size=share.group_size,
        ):  # fmt: skip
            results.put((_ROW, name, screening))
        results.put((_DONE, None, None))
    except Exception:  # noqa: BLE001 - the caller raises it, with this traceback
        results.put((_FAILED, None, traceback.format_exc()))
