"""Remembering delivery tokens so an authentic request is acted on once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["InMemoryReplayGuard", "ReplayGuard"]


@runtime_checkable
class ReplayGuard(Protocol):
    """Store of delivery keys (Lever tokens, webhook ids) already acted on.

    The API supplies a database-backed implementation (a unique key plus an expiry column) so
    that several workers share it; :class:`InMemoryReplayGuard` serves a single process and tests.
    """

    def claim(self, key: str, *, expires_at: float) -> bool:
        """Record ``key`` until ``expires_at`` (epoch seconds).

        Returns:
            True if the key was new (the caller may act), False if it was already recorded.
        """
        ...


class InMemoryReplayGuard:
    """Thread-safe in-process :class:`ReplayGuard`; forgets keys once they expire.

    Keys only need to live as long as the timestamp window: after that the staleness check
    refuses the delivery on its own, so expiry never reopens a replay.
    """

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def claim(self, key: str, *, expires_at: float) -> bool:
        now = self._clock()
        with self._lock:
            self._prune(now)
            if key in self._expiry:
                return False
            self._expiry[key] = expires_at
            return True

    def __len__(self) -> int:
        with self._lock:
            self._prune(self._clock())
            return len(self._expiry)

    def _prune(self, now: float) -> None:
        expired = [key for key, until in self._expiry.items() if until <= now]
        for key in expired:
            del self._expiry[key]
