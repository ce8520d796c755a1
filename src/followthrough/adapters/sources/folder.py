"""Folder source: finds postmortem files under paths and reads them defensively.

Every file found yields postmortems, even when it cannot be read: an unreadable file becomes
a postmortem with an ``unreadable-document`` finding, so nothing disappears silently.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024
MARKDOWN_SUFFIXES = (".md", ".markdown", ".md.erb", ".mdx")
HTML_SUFFIXES = (".html", ".htm")


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A candidate document: where it is, how it is shown, and the folder that names its team."""

    path: Path
    shown: str
    folder: str | None
    stem: str
    kind: str  # "markdown" | "html"
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
    return None


def stem_of(name: str) -> str:
    lowered = name.lower()
    for suffix in (".html.md.erb", ".md.erb", ".html.erb", *MARKDOWN_SUFFIXES, *HTML_SUFFIXES):
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def find_files(paths: Sequence[str]) -> Iterator[FoundFile | tuple[str, Unreadable]]:
    """Documents under ``paths`` (files or folders, recursive, sorted); symlink loops are reported."""
    for given in paths:
        root = Path(given)
        if root.is_file():
            yield _found(root, shown=given)
        elif root.is_dir():
            yield from _walk(root, given)
        else:
            yield given, Unreadable("no such file or folder")


def _found(path: Path, *, shown: str) -> FoundFile:
    resolved = path.resolve()
    return FoundFile(
        path=path,
        shown=shown,
        folder=resolved.parent.name or None,
        stem=stem_of(path.name),
        kind=kind_of(path.name) or "markdown",
        resolved=str(resolved),
    )


def _walk(root: Path, shown_root: str) -> Iterator[FoundFile | tuple[str, Unreadable]]:
    visited: set[tuple[int, int]] = set()
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
            if _is_dir(entry):
                subfolders.append(Path(entry.path))
            elif kind_of(entry.name):
                yield in_folder.found(entry)
        stack.extend(reversed(subfolders))


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

    def found(self, entry: os.DirEntry[str]) -> FoundFile:
        if _is_symlink(entry):
            resolved = Path(entry.path).resolve()  # a linked file's team is where it lives
            real, team = str(resolved), resolved.parent.name or None
        else:
            if self.real is None:
                folder = self.folder.resolve()
                self.real = (os.path.join(folder, ""), folder.name or None)
            real, team = self.real[0] + entry.name, self.real[1]
        return FoundFile(
            path=Path(entry.path),
            shown=self.shown + entry.name,
            folder=team,
            stem=stem_of(entry.name),
            kind=kind_of(entry.name) or "markdown",
            resolved=real,
            entry=entry,
        )


def _is_symlink(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _shown(root: Path, shown_root: str, path: Path) -> str:
    relative = path.relative_to(root)
    return str(Path(shown_root) / relative)


def read_text(path: Path) -> str | Unreadable:
    """The file's text, or why it cannot be read (too big, binary, not UTF-8, empty, dangling link)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Unreadable(
                f"file is {size / 1_048_576:.1f} MB, over the {MAX_BYTES // 1_048_576} MB limit"
            )
        data = path.read_bytes()
    except OSError as error:
        return Unreadable(f"cannot read file: {error.strerror or error}")
    return decode(data)


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
