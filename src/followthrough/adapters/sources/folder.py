"""Folder source: finds postmortem files under paths and reads them defensively.

Every file found yields postmortems, even when it cannot be read: an unreadable file becomes
a postmortem with an ``unreadable-document`` finding, so nothing disappears silently.
"""

from __future__ import annotations

import errno
import os
import stat as stat_module
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024
MARKDOWN_SUFFIXES = (".md", ".markdown", ".md.erb", ".mdx")
HTML_SUFFIXES = (".html", ".htm")
# Confluence storage format (the XHTML of the REST API's ``body.storage``), saved as XML.
STORAGE_SUFFIXES = (".xml",)


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A candidate document: where it is, how it is shown, and the folder that names its team."""

    path: str
    shown: str
    folder: str | None
    stem: str
    kind: str  # "markdown" | "html" | "storage" (Confluence storage format)
    # The file's real path, and its directory entry (whose stat is cached) when it was
    # found by walking a folder: a walk resolves each folder once, not every file.
    resolved: str = ""
    entry: os.DirEntry[str] | None = None


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why a file could not be read as text."""

    reason: str


def kind_of(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith(MARKDOWN_SUFFIXES):
        return "markdown"
    if lowered.endswith(HTML_SUFFIXES) or lowered.endswith((".html.erb",)):
        return "html"
    if lowered.endswith(STORAGE_SUFFIXES):
        return "storage"
    return None


def stem_of(name: str) -> str:
    lowered = name.lower()
    for suffix in (
        ".html.md.erb",
        ".md.erb",
        ".html.erb",
        *MARKDOWN_SUFFIXES,
        *HTML_SUFFIXES,
        *STORAGE_SUFFIXES,
    ):
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def find_files(paths: Sequence[str]) -> Iterator[FoundFile | tuple[str, Unreadable]]:
    """Documents under ``paths`` (files or folders, recursive, sorted).

    Only regular files are found; loops, pipes, devices and links leading out of a folder
    are reported instead, so they are never opened.
    """
    for given in paths:
        root = Path(given)
        target = _target(root)
        if isinstance(target, Unreadable):
            yield given, target
        elif stat_module.S_ISDIR(target.st_mode):
            yield from _walk(root, given)
        elif stat_module.S_ISREG(target.st_mode):
            yield _found(root, shown=given)
        else:
            yield given, _not_regular(target)


def _target(path: Path) -> os.stat_result | Unreadable:
    """What ``path`` leads to (links followed), or why it leads nowhere."""
    try:
        return path.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return Unreadable(_LOOP)
        if path.is_symlink():
            return Unreadable("broken symbolic link: its target does not exist")
        return Unreadable("no such file or folder")


_LOOP = "symbolic link loop: the link leads back to itself"


def _not_regular(stat: os.stat_result) -> Unreadable:
    mode = stat.st_mode
    what = (
        "a named pipe"
        if stat_module.S_ISFIFO(mode)
        else "a socket"
        if stat_module.S_ISSOCK(mode)
        else "a device"
        if stat_module.S_ISCHR(mode) or stat_module.S_ISBLK(mode)
        else "a special file"
    )
    return Unreadable(f"not a regular file ({what}); it is not opened")


def _found(path: Path, *, shown: str) -> FoundFile:
    resolved = Path(os.path.realpath(path))
    return FoundFile(
        path=str(path),
        shown=shown,
        folder=resolved.parent.name or None,
        stem=stem_of(path.name),
        kind=kind_of(path.name) or "markdown",
        resolved=str(resolved),
    )


def _walk(root: Path, shown_root: str) -> Iterator[FoundFile | tuple[str, Unreadable]]:
    visited: set[tuple[int, int]] = set()
    inside = os.path.join(os.path.realpath(root), "")
    stack = [root]
    while stack:
        folder = stack.pop()
        shown = _shown(root, shown_root, folder)
        entries = yield from _entries(folder, visited, shown)
        if entries is None:
            continue
        subfolders: list[Path] = []
        in_folder = _InFolder(folder, shown)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            kind = kind_of(entry.name)
            what = _entry_target(entry, inside, document=kind is not None)
            if isinstance(what, Unreadable):
                if what.reason != _SKIP:
                    yield in_folder.shown + entry.name, what
            elif what == "folder":
                subfolders.append(Path(entry.path))
            elif kind:
                yield in_folder.found(entry, kind)
        stack.extend(reversed(subfolders))


_SKIP = ""  # an entry that is neither a folder nor a document, and needs no word


def _entry_target(entry: os.DirEntry[str], inside: str, *, document: bool) -> str | Unreadable:
    """``folder``, ``file`` (a regular file), or why the entry is not read.

    Only a ``document`` (a name a document may have), or a link to a folder, is worth a
    finding: other files are simply not postmortems.
    """
    symlink = _is_symlink(entry)
    if not symlink:  # the listing already says what it is: no system call
        if _is(entry.is_dir):
            return "folder"
        if _is(entry.is_file):
            return "file"
    target = _target(Path(entry.path))
    if symlink and not (os.path.realpath(entry.path) + os.sep).startswith(inside):
        shown = document or (
            not isinstance(target, Unreadable) and stat_module.S_ISDIR(target.st_mode)
        )
        outside = Unreadable("symbolic link leads outside the source folder; it is not read")
        return outside if shown else Unreadable(_SKIP)
    if isinstance(target, Unreadable):
        return target if document else Unreadable(_SKIP)
    if stat_module.S_ISDIR(target.st_mode):
        return "folder"
    if stat_module.S_ISREG(target.st_mode):
        return "file"
    return _not_regular(target) if document else Unreadable(_SKIP)


def _entries(
    folder: Path, visited: set[tuple[int, int]], shown: str
) -> Generator[tuple[str, Unreadable], None, list[os.DirEntry[str]] | None]:
    """A folder's entries sorted by name, or ``None`` (after reporting why) when it cannot be read."""
    try:
        stat = folder.stat()
    except OSError as error:
        yield shown, Unreadable(f"cannot enter folder: {error.strerror}")
        return None
    identity = (stat.st_dev, stat.st_ino)
    if identity in visited:
        yield shown, Unreadable("symbolic link loop: this folder was already read")
        return None
    visited.add(identity)
    try:
        return sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as error:
        yield shown, Unreadable(f"cannot list folder: {error.strerror}")
        return None


class _InFolder:
    """Builds `FoundFile`s for the files of one folder, resolving the folder only once."""

    def __init__(self, folder: Path, shown: str) -> None:
        self.folder = folder
        self.shown = "" if shown == "." else shown if shown.endswith("/") else shown + "/"
        self.real: tuple[str, str | None] | None = None  # (real path + "/", its name)

    def found(self, entry: os.DirEntry[str], kind: str) -> FoundFile:
        if _is_symlink(entry):
            resolved = Path(os.path.realpath(entry.path))  # a linked file's team is where it lives
            real, team = str(resolved), resolved.parent.name or None
        else:
            if self.real is None:
                folder = Path(os.path.realpath(self.folder))
                self.real = (os.path.join(folder, ""), folder.name or None)
            real, team = self.real[0] + entry.name, self.real[1]
        return FoundFile(
            path=entry.path,
            shown=self.shown + entry.name,
            folder=team,
            stem=stem_of(entry.name),
            kind=kind,
            resolved=real,
            entry=entry,
        )


def _is(check: Callable[..., bool]) -> bool:
    try:
        return check(follow_symlinks=False)
    except OSError:
        return False


def _is_symlink(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True


def _shown(root: Path, shown_root: str, path: Path) -> str:
    relative = path.relative_to(root)
    return str(Path(shown_root) / relative)


def read_document(path: str, *, max_bytes: int) -> tuple[bytes, os.stat_result] | Unreadable:
    """The bytes of a regular file and its status when opened, or why they are not read (not
    regular, too big, unreadable).

    The file is opened without blocking and checked after opening, so a pipe or device put
    in its place since the folder was listed is never read from.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        if error.errno == errno.ELOOP:
            return Unreadable(_LOOP)
        return Unreadable(f"cannot read file: {error.strerror or error}")
    try:
        stat = os.fstat(handle)
        if not stat_module.S_ISREG(stat.st_mode):
            return _not_regular(stat)
        if stat.st_size > max_bytes:
            return too_big(stat.st_size, max_bytes)
        try:
            data = _read_up_to(handle, stat.st_size, max_bytes + 1)
        except OSError as error:
            return Unreadable(f"cannot read file: {error.strerror or error}")
    finally:
        os.close(handle)
    if len(data) > max_bytes:
        return too_big(len(data), max_bytes)
    return data, stat


def _read_up_to(handle: int, expected: int, limit: int) -> bytes:
    """The file's bytes, up to ``limit`` of them. The first read asks for the ``expected`` size
    and one byte more, so its buffer is the right size; a file that grew is read on in chunks."""
    chunks: list[bytes] = []
    want = min(expected + 1, limit)
    while want > 0:
        chunk = os.read(handle, want)
        if not chunk:
            break
        chunks.append(chunk)
        limit -= len(chunk)
        want = min(limit, _CHUNK)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_CHUNK = 1 << 16


def too_big(size: int, max_bytes: int) -> Unreadable:
    return Unreadable(
        f"file is {size / 1_048_576:.1f} MB, over the {max_bytes // 1_048_576} MB limit"
    )


def decode(data: bytes) -> str | Unreadable:
    """UTF-8 text (a BOM is dropped), or why the bytes are not a text document."""
    if not data.strip():
        return Unreadable("file is empty")
    if b"\x00" in data[:8192]:
        return Unreadable("file is binary, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return Unreadable(
            f"file is not UTF-8 (invalid byte 0x{data[error.start]:02x} on line {line})"
        )
