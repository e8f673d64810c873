"""Failed sign-ins slow an attacker down: after ``user_limit`` failures for one username, or
``client_limit`` from one client address (an office shares one), within ``window`` seconds,
further attempts are refused until the oldest failure ages out, whatever the password. Kept in
the server process, which is where sign-in runs."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["SignInThrottle"]


class SignInThrottle:
    def __init__(
        self,
        *,
        user_limit: int = 5,
        client_limit: int = 50,
        window: float = 15 * 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = (user_limit, client_limit)
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, client: str) -> tuple[str, str]:
        return f"user:{username.strip().casefold()}", f"client:{client}"

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def wait_seconds(self, username: str, client: str) -> float:
        """0 when a sign-in may be tried now, else the seconds until one may."""
        now = self._clock()
        with self._lock:
            waits = [
                failures[0] + self.window - now
                for key, limit in zip(self._keys(username, client), self.limits, strict=True)
                if len(failures := self._recent(key, now)) >= limit
            ]
        return max(waits, default=0.0)

    def failed(self, username: str, client: str) -> None:
        now = self._clock()
        with self._lock:
            for key in self._keys(username, client):
                self._recent(key, now)
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(username, "")[0], None)
