"""Keeps a Rust extension's panic report off standard error.

When code in a Rust extension panics, Python receives a ``PanicException``, which the caller
handles like any other failure; but Rust's runtime first writes a report ("thread '…'
panicked at …", then a backtrace when ``RUST_BACKTRACE`` is set) straight to file descriptor
2, past Python's own streams. On the command line that report looks like a crash that did not
happen, and in the worker, whose standard error carries one JSON event per line, it breaks
every reader of the log. So `without_panic_report` runs a call that may panic with descriptor
2 pointed at a temporary file; afterwards everything written there, but a panic's report, is
written to standard error, in order. Nothing another thread writes meanwhile is lost.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import IO, TypeVar

T = TypeVar("T")

# Descriptor 2 is one per process: one call holds it at a time.
_HOLDING = threading.Lock()
# A report: the thread's line (since Rust 1.73 it ends in ":" and the message follows on a
# line of its own), a backtrace when one is asked for, and the notes Rust adds (the first panic
# of a process tells how to get a backtrace).
_REPORT = re.compile(
    rb"^thread '[^'\n]*' panicked at (?:[^\n]*:\n[^\n]*|[^\n]*)(?:\n|$)"
    rb"(?:stack backtrace:\n(?:[ \t][^\n]*\n)*)?"
    rb"(?:note: [^\n]*(?:\n|$))*",
    re.MULTILINE,
)


def is_panic(error: BaseException) -> bool:
    """Is this the exception a Rust extension raises for a panic (pyo3's ``PanicException``)?"""
    return type(error).__name__ == "PanicException"


def without_panic_report(call: Callable[[], T]) -> T:
    """``call()``, with the report of a panic inside it kept off standard error.

    The panic itself is raised as usual. Anything else written to standard error during the
    call reaches it afterwards, unchanged and in order.
    """
    with _HOLDING:
        try:
            held = _held_file()
            saved = os.dup(2)
        except OSError:  # no standard error, or no temporary file: the call as it is
            return call()
        try:
            _flush_stderr()
            os.dup2(held, 2)
            panicked = False
            try:
                return call()
            except BaseException as error:
                panicked = is_panic(error)
                raise
            finally:
                _flush_stderr()
                os.dup2(saved, 2)
                written = _taken(held)
                if written and panicked:
                    written = _REPORT.sub(b"", written)
                _write_all(2, written)
        finally:
            os.close(saved)


class _HeldFile:
    """The temporary file descriptor 2 points at during a call: one per process, reused."""

    pid = -1
    file: IO[bytes] | None = None


def _held_file() -> int:
    if _HeldFile.pid != os.getpid() or _HeldFile.file is None:  # a new process: its own file
        # Kept open for the process's life, and removed from disk already.
        _HeldFile.file, _HeldFile.pid = tempfile.TemporaryFile(), os.getpid()  # noqa: SIM115
    return _HeldFile.file.fileno()


def _taken(fd: int) -> bytes:
    """What was written to the held file (descriptor 2 shares its offset), which is emptied."""
    size = os.lseek(fd, 0, os.SEEK_CUR)
    if not size:
        return b""
    written = os.pread(fd, size, 0)
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    return written


def _flush_stderr() -> None:
    """Text Python holds for standard error goes where descriptor 2 points now."""
    stream = sys.stderr
    if stream is not None:
        with contextlib.suppress(OSError, ValueError):  # closed or detached: holds nothing
            stream.flush()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view) :]
        except OSError:
            return  # standard error is gone: there is nowhere to write it
