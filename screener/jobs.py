"""Background work for batches: the queue interface and the in-process worker pool.

Jobs live in the database (``batch_items``), not in memory: a worker claims the next queued
item with a status transition in one transaction, so a restarted process resumes unfinished
files and a finished one is never screened again (``screener.service.process_next_item``).

``JobQueue`` is the seam for a distributed engine: anything that can start, be told that work
arrived and stop can run ``process_next_item`` on other machines instead. The same pool runs
the ATS webhook events and deliveries (``screener.webhook_jobs``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

__all__ = ["InProcessWorkers", "JobQueue"]

log = logging.getLogger("screener.jobs")


class JobQueue(Protocol):
    def start(self) -> None:
        """Begin taking work."""

    def notify(self) -> None:
        """New work was stored; idle workers look for it now."""

    def stop(self) -> None:
        """Finish the item in hand, take no more."""


class InProcessWorkers:
    """Threads that call ``work`` until it reports nothing to do, then wait for a notice.

    Args:
        work: does one unit of work; returns False when there was none.
        workers: number of threads.
        idle_poll_s: how often idle workers look anyway (work stored by another process).
        name: names the threads (``screener-<name>-<n>``) and the log lines.
    """

    def __init__(
        self,
        *,
        work: Callable[[], bool],
        workers: int,
        idle_poll_s: float = 2.0,
        name: str = "batch",
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be 1 or more, not {workers}")
        self._work = work
        self._size = workers
        self._idle_poll_s = idle_poll_s
        self._name = name
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if self._threads:
            return
        self._stopping.clear()
        for index in range(self._size):
            thread = threading.Thread(
                target=self._loop, name=f"screener-{self._name}-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def notify(self) -> None:
        self._wake.set()

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads = []

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                did_work = self._work()
            except Exception:  # a database outage: log, wait, try again
                log.exception("worker step failed", extra={"worker": self._name})
                did_work = False
            if did_work:
                continue
            self._wake.wait(self._idle_poll_s)
            self._wake.clear()
