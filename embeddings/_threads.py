"""A library's CPU thread count set for one block and restored after it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def threads_set_to(
    count: int, *, get: Callable[[], int], set_to: Callable[[int], None]
) -> Iterator[None]:
    """Run the block with ``set_to(count)``, then restore what ``get()`` gave before.

    The count is process-wide in the libraries this serves (PyTorch, FAISS's OpenMP): callers
    hold their own lock or accept that a concurrent caller briefly shares the setting.
    """
    previous = get()
    set_to(count)
    try:
        yield
    finally:
        set_to(previous)
