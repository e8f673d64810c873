"""Parse untrusted CV files in worker processes, each file bounded in time and memory.

Every worker is a fresh interpreter started by ``forkserver`` (never ``fork``: the parent may hold
torch threads and locks), caps its own address space at ``limits.memory_mb`` MiB with
``RLIMIT_AS`` — a bound that counts the interpreter and the parser libraries too, about 80 MiB —
and then runs ``screener.documents.read_document``, followed by the pool's ``then`` step where it
has one. The parent gives each file ``limits.timeout_s`` seconds of wall-clock time for both.

Every file yields a result, never an exception, and a batch never hangs:

- a parse over time: the worker is killed (SIGKILL) and replaced, the file reported as
  ``ResourceLimitExceeded``;
- a worker out of memory (``MemoryError``) or dead (segfault, killed): the file is reported as
  ``ResourceLimitExceeded`` and the worker replaced;
- any other exception inside a worker: ``CorruptDocument`` naming the exception type (and, for
  one in the ``then`` step, saying that the text was read but could not be analysed);
- a path that is missing, a directory or over ``limits.max_bytes``: a ``DocumentError``, decided
  in the parent without a worker.

Note for entry points: ``forkserver`` workers re-import the parent's ``__main__`` module, so a
CLI entry module should not import torch at top level.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import stat
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar, cast, overload

from screener.documents._model import ParsedDocument
from screener.documents._sniff import check_size
from screener.errors import (
    CorruptDocument,
    DocumentError,
    ResourceLimitExceeded,
    UnsupportedFormat,
)
from screener.settings import DocumentLimits

__all__ = ["ParsePool", "ParseResult"]

ParseResult = ParsedDocument | DocumentError
_Result = TypeVar("_Result")  # what the pool's ``then`` step makes of a parsed document

_MIB = 1024 * 1024
_READY = "ready"
_STARTUP_TIMEOUT_S = 60.0
_STOP_GRACE_S = 1.0
_BACKGROUND_NICE = 19
_FILES_AHEAD_PER_WORKER = 4  # how far parse_files reads ahead of the file it reports next


@dataclass(slots=True)
class _Job:
    filename: str
    path: Path | None = None
    data: bytes | None = None
    result: Any = None  # the worker's answer: a DocumentError or what ``then`` made


class ParsePool(Generic[_Result]):
    """Worker processes that turn CV files into ``ParsedDocument`` (or what the pool's ``then``
    step makes of one) or ``DocumentError``.

    Use as a context manager; workers start on first use and stop on exit. Not thread-safe, and
    one ``parse_files`` iteration (or ``parse_bytes`` call) at a time.

    Args:
        limits: the bounds on each file; ``timeout_s`` and ``memory_mb`` are enforced here.
        workers: number of worker processes; 0 means one per CPU core.
        background: workers run at the lowest CPU priority (nice 19), for parsing ahead of a
            process that is busy itself (``screener rank``): a core that process needs goes to
            it first, and the workers take what it leaves.
        then: a step run in the worker on each parsed document, whose result comes back in the
            document's place: work on the text that needs no model runs on every worker's core
            rather than in the one process that holds the model (``screener.parsing`` finds
            sections, profile, scoring text and chunks there). It must pickle (a module-level
            function, or a ``functools.partial`` of one), and it runs within the file's time and
            memory bounds; the warm-up runs it once, so that its imports cost no file's deadline.
    """

    @overload
    def __init__(
        self: ParsePool[ParsedDocument],
        *,
        limits: DocumentLimits,
        workers: int,
        background: bool = False,
    ) -> None: ...

    @overload
    def __init__(
        self: ParsePool[_Result],
        *,
        limits: DocumentLimits,
        workers: int,
        background: bool = False,
        then: Callable[[ParsedDocument], _Result],
    ) -> None: ...

    def __init__(
        self,
        *,
        limits: DocumentLimits,
        workers: int,
        background: bool = False,
        then: Callable[[ParsedDocument], Any] | None = None,
    ) -> None:
        if workers < 0:
            raise ValueError(f"workers must be 0 (one per CPU core) or more, not {workers}")
        self._limits = limits
        self._then = then
        self._nice = _BACKGROUND_NICE if background else 0
        self._size = workers or os.cpu_count() or 1
        self._context = multiprocessing.get_context("forkserver")
        self._workers: list[_Worker] = []
        self._busy = False

    def __enter__(self) -> ParsePool[_Result]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker; a running parse is killed."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()

    def parse_files(
        self, paths: Iterable[Path]
    ) -> Generator[tuple[Path, _Result | DocumentError], None, None]:
        """Parse files, yielding ``(path, result)`` in input order.

        Workers run up to a few files per worker ahead of the one yielded next, so a slow file
        holds back the output, never the parsing; it is bounded by ``limits.timeout_s``.
        """
        jobs = (self._file_job(Path(path)) for path in paths)
        for job in self._run(jobs):
            assert job.path is not None and job.result is not None
            yield job.path, cast("_Result | DocumentError", job.result)

    def parse_bytes(self, data: bytes, filename: str = "") -> _Result | DocumentError:
        """Parse one file's bytes in a worker."""
        job = _Job(filename=filename, data=data)
        try:
            check_size(data, filename, self._limits)
        except DocumentError as exc:
            job.result = exc
        for done in self._run([job]):
            assert done.result is not None
            return cast("_Result | DocumentError", done.result)
        raise AssertionError("unreachable: every job yields a result")

    def _file_job(self, path: Path) -> _Job:
        job = _Job(filename=path.name or str(path), path=path)
        try:
            info = path.stat()
            if stat.S_ISDIR(info.st_mode):
                raise UnsupportedFormat("this is a directory, not a CV file", filename=job.filename)
            if not stat.S_ISREG(info.st_mode):
                raise UnsupportedFormat("this is not a regular file", filename=job.filename)
            check_size(info.st_size, job.filename, self._limits)
        except DocumentError as exc:
            job.result = exc
        except OSError as exc:
            job.result = CorruptDocument(
                f"the file cannot be read: {exc.strerror or exc}", filename=job.filename
            )
        return job

    def _run(self, jobs: Iterable[_Job]) -> Iterator[_Job]:
        """Run jobs on the workers; yield each finished job in input order."""
        if self._busy:
            raise RuntimeError("ParsePool runs one parse_files or parse_bytes at a time")
        self._busy = True
        source = iter(jobs)
        in_order: deque[_Job] = deque()  # accepted and not yet yielded
        waiting: deque[_Job] = deque()  # not yet given to a worker
        exhausted = False
        try:
            while True:
                while not exhausted and len(in_order) < self._size * _FILES_AHEAD_PER_WORKER:
                    job = next(source, None)
                    if job is None:
                        exhausted = True
                    else:
                        in_order.append(job)
                        if job.result is None:
                            waiting.append(job)
                while in_order and in_order[0].result is not None:
                    yield in_order.popleft()
                if not in_order and exhausted:
                    return
                if in_order:
                    self._dispatch(waiting)
                    self._collect(waiting)
        finally:
            self._busy = False
            # An iteration abandoned early leaves workers busy with jobs nobody will read.
            for worker in [w for w in self._workers if w.job is not None]:
                self._retire(worker)

    def _dispatch(self, waiting: deque[_Job]) -> None:
        free = [w for w in self._workers if w.job is None]
        while len(self._workers) < self._size and len(free) < len(waiting):
            worker = _Worker(self._context, self._limits, self._nice, self._then)
            self._workers.append(worker)
            free.append(worker)
        for worker in free:
            if not waiting:
                break
            if worker.ready:
                job = waiting.popleft()
                if not worker.start(job, self._limits.timeout_s):
                    waiting.appendleft(job)  # it died while idle; the job goes to a fresh one
                    self._retire(worker)

    def _collect(self, waiting: deque[_Job]) -> None:
        """Wait for a result, a death, a ready worker or a deadline; handle what happened."""
        now = time.monotonic()
        deadlines = [w.deadline for w in self._workers if w.job is not None or not w.ready]
        timeout = max(0.0, min(deadlines) - now) if deadlines else None
        watched: list[Any] = [w.conn for w in self._workers if w.job is not None or not w.ready]
        ready = set(wait(watched, timeout=timeout)) if watched else set()
        now = time.monotonic()
        for worker in list(self._workers):
            if worker.conn in ready:
                self._receive(worker, waiting)
            elif worker.job is not None and now >= worker.deadline:
                worker.finish(
                    ResourceLimitExceeded(
                        f"parsing took longer than {self._limits.timeout_s:g} s",
                        filename=worker.job.filename,
                    )
                )
                self._retire(worker)
            elif not worker.ready and now >= worker.deadline:
                self._retire(worker)
                self._fail_next(waiting, "did not start in time")

    def _receive(self, worker: _Worker, waiting: deque[_Job]) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(_STOP_GRACE_S)
            how = _describe_exit(worker.process.exitcode)
            if worker.job is not None:
                worker.finish(
                    ResourceLimitExceeded(
                        f"the parser process died on this file ({how})",
                        filename=worker.job.filename,
                    )
                )
                self._retire(worker)
            else:
                self._retire(worker)
                self._fail_next(waiting, f"died while starting ({how})")
            return
        except Exception as exc:  # a result that cannot be unpickled
            message = CorruptDocument(
                f"the parser's result could not be read ({type(exc).__name__})",
                filename=worker.job.filename if worker.job else "",
            )
        if not worker.ready:
            worker.ready = message == _READY
            if not worker.ready:
                self._retire(worker)
            return
        if worker.job is None:
            return
        worker.finish(message)
        if isinstance(message, ResourceLimitExceeded):
            self._retire(worker)  # after a MemoryError its heap is not worth trusting

    def _fail_next(self, waiting: deque[_Job], what: str) -> None:
        """A worker that cannot start costs the next file, so a broken setup cannot spin."""
        if waiting:
            job = waiting.popleft()
            job.result = ResourceLimitExceeded(
                f"the parser process {what}; memory_mb={self._limits.memory_mb} may be too "
                "small for the interpreter and parser libraries",
                filename=job.filename,
            )

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        if worker in self._workers:
            self._workers.remove(worker)


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(
        self,
        context: Any,
        limits: DocumentLimits,
        nice: int,
        then: Callable[[ParsedDocument], Any] | None,
    ) -> None:
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(child_conn, limits, nice, then),
            name="screener-parse",
            daemon=True,
        )
        self.process.start()
        child_conn.close()
        self.ready = False
        self.job: _Job | None = None
        self.deadline = time.monotonic() + _STARTUP_TIMEOUT_S

    def start(self, job: _Job, timeout_s: float) -> bool:
        """Hand ``job`` over; False when the worker turned out to be dead."""
        try:
            self.conn.send((str(job.path) if job.path else None, job.data, job.filename))
        except (BrokenPipeError, EOFError, OSError):
            return False
        self.job = job
        self.deadline = time.monotonic() + timeout_s
        return True

    def finish(self, result: Any) -> None:
        assert self.job is not None
        self.job.result = result
        self.job = None

    def stop(self) -> None:
        if self.process.is_alive() and self.job is None:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.process.join(_STOP_GRACE_S)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _serve(
    conn: Connection,
    limits: DocumentLimits,
    nice: int,
    then: Callable[[ParsedDocument], Any] | None,
) -> None:
    """Worker main loop: cap memory and priority, load the reader (and the ``then`` step), then
    parse jobs until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if nice:
        os.nice(nice)
    bound = limits.memory_mb * _MIB
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(
        resource.RLIMIT_AS, (bound, bound if hard == resource.RLIM_INFINITY else min(bound, hard))
    )
    read: Callable[..., ParsedDocument] | None = None
    startup_error: DocumentError | None = None
    try:
        from screener.documents import read_document

        # Readers import their libraries on first use; pay for that now, outside any deadline.
        warm_up = _parse(read_document, then, None, b"warm-up", "warm-up.txt", limits)
    except MemoryError:
        warm_up = ResourceLimitExceeded("")
    if isinstance(warm_up, ResourceLimitExceeded):
        startup_error = ResourceLimitExceeded(
            f"the parser libraries do not load within memory_mb={limits.memory_mb}"
        )
    else:
        read = read_document
    conn.send(_READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        path, data, filename = job
        if read is None:
            assert startup_error is not None
            result: Any = type(startup_error)(startup_error.message, filename=filename)
        else:
            result = _parse(read, then, path, data, filename, limits)
        try:
            conn.send(result)
        except MemoryError:
            conn.send(
                ResourceLimitExceeded(
                    f"the parsed text does not fit within memory_mb={limits.memory_mb}",
                    filename=filename,
                )
            )
        except Exception as exc:  # e.g. a result that does not pickle
            conn.send(
                CorruptDocument(
                    f"the parser's result could not be sent ({type(exc).__name__})",
                    filename=filename,
                )
            )


def _parse(
    read: Callable[..., ParsedDocument],
    then: Callable[[ParsedDocument], Any] | None,
    path: str | None,
    data: bytes | None,
    filename: str,
    limits: DocumentLimits,
) -> Any:
    """``read`` (and ``then``) on one file; a ``DocumentError`` for whatever goes wrong."""
    try:
        if data is None:
            assert path is not None
            data = Path(path).read_bytes()
        document = read(data, filename, limits=limits)
    except DocumentError as exc:
        return exc
    except MemoryError:
        data = None  # let go of the input before building the error
        return ResourceLimitExceeded(
            f"parsing needed more than memory_mb={limits.memory_mb} MiB", filename=filename
        )
    except OSError as exc:
        return CorruptDocument(f"the file cannot be read: {exc.strerror or exc}", filename=filename)
    except Exception as exc:
        return CorruptDocument(
            f"the parser failed unexpectedly ({type(exc).__name__}: {exc})", filename=filename
        )
    if then is None:
        return document
    try:
        return then(document)
    except DocumentError as exc:
        return exc
    except MemoryError:
        return ResourceLimitExceeded(
            f"analysing the text needed more than memory_mb={limits.memory_mb} MiB",
            filename=filename,
        )
    except Exception as exc:
        return CorruptDocument(
            f"the text was read but could not be analysed ({type(exc).__name__}: {exc})",
            filename=filename,
        )
