"""Reads documents into postmortems, with an on-disk cache so unchanged files are not re-parsed."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import marshal
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from enum import StrEnum
from operator import attrgetter
from pathlib import Path
from typing import Any

from followthrough.adapters.sources.confluence import NOT_A_PAGE, is_confluence_page
from followthrough.adapters.sources.folder import (
    FoundFile,
    Unreadable,
    decode,
    find_files,
    kind_of,
    read_document,
    stem_of,
    too_big,
)
from followthrough.adapters.sources.html import parse_html
from followthrough.adapters.sources.limits import UnsafeDocumentError
from followthrough.adapters.sources.markdown import new_parser, parse_markdown
from followthrough.adapters.sources.pool import POOL_FROM, ParsePool, available_cores
from followthrough.domain.document import SourceDocument, SourceProblem
from followthrough.domain.extract import extract
from followthrough.domain.lint import LintPolicy, lint_postmortem
from followthrough.domain.model import (
    ActionItem,
    Category,
    Finding,
    ItemStatus,
    Postmortem,
    Severity,
)

_MAX_BYTES = 5 * 1024 * 1024
# How the cache file is laid out; bump when `_Codec` changes.
_CACHE_FORMAT = "2"

# A cached file: (size, mtime_ns, sha256 hex digest, its postmortems); on disk the
# postmortems are packed by `_Codec`.
_Entry = tuple[int, int, str, tuple[Postmortem, ...]]


class _Codec:
    """Postmortems as nested tuples of plain values, which `marshal` stores and loads fast.

    Each dataclass becomes the tuple of its fields in declaration order and is rebuilt by
    calling its constructor; only dates, enums, nested values and dicts are converted.
    """

    def __init__(self) -> None:
        day: tuple[Any, Any] = (_ordinal, _day)
        self.item = _Shape(
            ActionItem, {"due": day, "status": _enum(ItemStatus), "category": _enum(Category)}
        )
        self.finding = _Shape(Finding, {"severity": _enum(Severity)})
        self.postmortem = _Shape(
            Postmortem,
            {
                "date": day,
                "action_items": (self.item.pack_all, self.item.unpack_all),
                "findings": (self.finding.pack_all, self.finding.unpack_all),
                "extra": (_items_of, dict),
            },
        )
        self.tag = hashlib.sha256(
            repr([self.item.names, self.finding.names, self.postmortem.names]).encode()
        ).hexdigest()[:8]


class _Shape:
    """Packs and unpacks one dataclass: its field values in order, some converted."""

    def __init__(self, cls: type, convert: dict[str, tuple[Any, Any]]) -> None:
        self.cls = cls
        self.names = tuple(f.name for f in fields(cls) if f.init)
        # All field values in one call (given one name, `attrgetter` gives the bare value).
        getter = attrgetter(*self.names)
        self.values: Any = getter if len(self.names) > 1 else lambda obj: (getter(obj),)
        self.packers = tuple(
            (index, convert[name][0]) for index, name in enumerate(self.names) if name in convert
        )
        self.unpackers = tuple(
            (index, convert[name][1]) for index, name in enumerate(self.names) if name in convert
        )

    def pack(self, obj: Any) -> tuple[Any, ...]:
        values = list(self.values(obj))
        for index, packer in self.packers:
            values[index] = packer(values[index])
        return tuple(values)

    def unpack(self, values: tuple[Any, ...]) -> Any:
        args = list(values)
        for index, unpacker in self.unpackers:
            args[index] = unpacker(args[index])
        return self.cls(*args)

    def pack_all(self, objs: tuple[Any, ...]) -> tuple[tuple[Any, ...], ...]:
        pack = self.pack
        return tuple([pack(obj) for obj in objs])

    def unpack_all(self, packed: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
        unpack = self.unpack
        return tuple([unpack(values) for values in packed])


def _ordinal(day: dt.date | None) -> int | None:
    return None if day is None else day.toordinal()


def _day(ordinal: int | None) -> dt.date | None:
    return None if ordinal is None else dt.date.fromordinal(ordinal)


def _items_of(mapping: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(mapping.items())


def _enum(cls: type[StrEnum]) -> tuple[Any, Any]:
    members: dict[str, StrEnum] = {member.value: member for member in cls}
    # A member packs as its value, a plain `str` (marshal stores no subclasses).
    values: dict[StrEnum | None, str | None] = {None: None}
    values.update((member, str(member.value)) for member in cls)
    return values.__getitem__, members.get


_CODEC = _Codec()


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic collector: building many small objects triggers it for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Files looked up before their documents are parsed together.
_WINDOW = 512


@dataclass(frozen=True, slots=True)
class _Job:
    """One document to parse, as it crosses to a worker process."""

    shown: str
    folder: str | None
    stem: str
    kind: str
    data: bytes


@dataclass(slots=True)
class _Pending:
    """A file of the current window whose document is to be parsed."""

    found: FoundFile
    key: str
    size: int
    mtime_ns: int
    digest: str
    data: bytes
    postmortems: tuple[Postmortem, ...] = ()


# A parsed document's postmortems, and whether it could be parsed at all.
_Parsed = tuple[tuple[Postmortem, ...], bool]
_WORKER_READER: DocumentReader | None = None


def _start_worker(policy: LintPolicy) -> None:
    global _WORKER_READER  # noqa: PLW0603 - one reader per worker process, made once
    _WORKER_READER = DocumentReader(policy=policy, workers=1)


def _parse_in_worker(job: _Job) -> tuple[tuple[tuple[Any, ...], ...], bool]:
    reader = _WORKER_READER or DocumentReader(workers=1)
    postmortems, parsed = reader._parse_job(job)
    return _CODEC.postmortem.pack_all(postmortems), parsed


def _received(sent: tuple[tuple[tuple[Any, ...], ...], bool]) -> _Parsed:
    packed, parsed = sent
    return _CODEC.postmortem.unpack_all(packed), parsed


@dataclass(slots=True)
class ScanStats:
    """What a scan did: how many files it found, parsed, and took from the cache."""

    files: int = 0
    parsed: int = 0
    cached: int = 0
    unreadable: int = 0
    # Of the documents parsed (or found unparseable), how many by worker processes.
    in_workers: int = 0


@functools.cache
def extraction_code_digest() -> str:
    """A digest of the code that turns a document into postmortems: every module of the
    domain and of the document sources, so a cache is read only by the code that wrote it."""
    digest = hashlib.sha256()
    for path in extraction_code_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def extraction_code_files() -> list[Path]:
    """The source files `extraction_code_digest` covers, in a fixed order."""
    package = Path(__file__).resolve().parents[2]
    return sorted(
        [*(package / "domain").glob("*.py"), *(package / "adapters" / "sources").glob("*.py")]
    )


@dataclass
class DocumentReader:
    """Turns paths into postmortems. With ``cache_dir`` set, results are reused across runs:
    a file whose size and mtime are unchanged is not even read, one whose content hash is
    unchanged is not parsed again."""

    policy: LintPolicy = field(default_factory=LintPolicy)
    cache_dir: Path | None = None
    stats: ScanStats = field(default_factory=ScanStats)
    # Processes that parse a large batch; None: one per core this process may use.
    workers: int | None = None
    pool_from: int = POOL_FROM

    def __post_init__(self) -> None:
        self._parser = new_parser()
        self._entries: dict[str, _Entry] = self._load_cache()
        self._dirty = False

    def read(self, paths: Sequence[str]) -> Iterator[Postmortem]:
        """Postmortems of every document under ``paths``, in path order.

        Files are taken in windows: the window's files that need parsing are parsed
        together, on every available core when there are many (`ParsePool`).
        """
        pool: ParsePool[_Job, _Parsed] = ParsePool(
            _parse_in_worker,
            receive=_received,
            workers=self.workers if self.workers is not None else available_cores(),
            setup=_start_worker,
            setup_args=(self.policy,),
            pool_from=self.pool_from,
        )
        try:
            window: list[tuple[Postmortem, ...] | _Pending] = []
            for found in find_files(paths):
                self.stats.files += 1
                if isinstance(found, tuple):
                    self.stats.unreadable += 1
                    stem = Path(found[0]).name
                    window.append((self._unreadable(found[0], found[1], folder=None, stem=stem),))
                else:
                    window.append(self._look_up(found))
                if len(window) >= _WINDOW:
                    yield from self._finish(window, pool)
                    window = []
            yield from self._finish(window, pool)
        finally:
            pool.close()
        self._save_cache()

    def _finish(
        self, window: list[tuple[Postmortem, ...] | _Pending], pool: ParsePool[_Job, _Parsed]
    ) -> Iterator[Postmortem]:
        pending = [slot for slot in window if isinstance(slot, _Pending)]
        jobs = [
            _Job(slot.found.shown, slot.found.folder, slot.found.stem, slot.found.kind, slot.data)
            for slot in pending
        ]
        with _no_gc():  # parsing leaves no reference cycles behind
            results = pool.run(jobs, self._parse_job)
        if pool.used_workers:
            self.stats.in_workers += len(results)
        for slot, (postmortems, parsed) in zip(pending, results, strict=True):
            self.stats.parsed += parsed
            self.stats.unreadable += not parsed
            self._entries[slot.key] = (slot.size, slot.mtime_ns, slot.digest, postmortems)
            self._dirty = True
            slot.postmortems = postmortems
        for done in window:
            yield from done.postmortems if isinstance(done, _Pending) else done

    def _look_up(self, found: FoundFile) -> tuple[Postmortem, ...] | _Pending:
        """The file's postmortems from the cache, or the file's bytes to parse."""
        key = found.resolved or os.path.realpath(found.path)
        cached = self._entries.get(key)
        if cached:
            try:
                stat = found.entry.stat() if found.entry is not None else os.stat(found.path)
            except OSError as error:
                return self._cannot_read(found, f"cannot read file: {error.strerror or error}")
            if (
                cached[0] == stat.st_size
                and cached[1] == stat.st_mtime_ns
                and cached[3]
                and cached[3][0].path == found.shown
            ):
                self.stats.cached += 1
                return cached[3]
        read = read_document(found.path, max_bytes=_MAX_BYTES)
        if isinstance(read, Unreadable):
            return self._cannot_read(found, read.reason)
        data = read[0]
        if not cached:  # not looked at before reading: the status of the file as opened
            stat = read[1]
        digest = hashlib.sha256(data).hexdigest()
        if cached and cached[2] == digest and cached[3] and cached[3][0].path == found.shown:
            self.stats.cached += 1
            self._entries[key] = (stat.st_size, stat.st_mtime_ns, digest, cached[3])
            self._dirty = True
            return cached[3]
        return _Pending(found, key, stat.st_size, stat.st_mtime_ns, digest, data)

    def parse_bytes(
        self, data: bytes, *, name: str, folder: str | None = None
    ) -> tuple[Postmortem, ...]:
        """Postmortems of one document's bytes, as if read from a file called ``name`` in a
        folder called ``folder`` (which names its team).

        Whatever the bytes, this returns postmortems: a document that cannot be read or
        parsed safely is one postmortem with one ``unreadable-document`` finding.
        """
        found = FoundFile(
            path=name,
            shown=name,
            folder=folder,
            stem=stem_of(Path(name).name),
            kind=kind_of(name) or "markdown",
        )
        if len(data) > _MAX_BYTES:
            return self._cannot_read(found, too_big(len(data), _MAX_BYTES).reason)
        return self._parse(found, data)

    def _cannot_read(self, found: FoundFile, reason: str) -> tuple[Postmortem, ...]:
        self.stats.unreadable += 1
        unreadable = Unreadable(reason)
        return (self._unreadable(found.shown, unreadable, folder=found.folder, stem=found.stem),)

    def _parse(self, found: FoundFile, data: bytes) -> tuple[Postmortem, ...]:
        postmortems, parsed = self._parse_job(
            _Job(found.shown, found.folder, found.stem, found.kind, data)
        )
        self.stats.parsed += parsed
        self.stats.unreadable += not parsed
        return postmortems

    def _parse_job(self, job: _Job) -> _Parsed:
        """The document's postmortems, and whether it could be parsed (stats untouched)."""
        text = decode(job.data)
        if isinstance(text, Unreadable):
            return (self._unreadable(job.shown, text, folder=job.folder, stem=job.stem),), False
        if job.kind == "storage" and not is_confluence_page(text):
            return (
                self._unreadable(
                    job.shown, Unreadable(NOT_A_PAGE), folder=job.folder, stem=job.stem
                ),
            ), False
        try:
            doc = self._document(job, text)
            return extract(doc, policy=self.policy), True
        except UnsafeDocumentError as unsafe:
            reason = Unreadable(unsafe.reason)
        except RecursionError:  # the bounds should prevent it; a crash must not stop the run
            reason = Unreadable("cannot be parsed safely: nested too deeply")
        return (self._unreadable(job.shown, reason, folder=job.folder, stem=job.stem),), False

    def _document(self, job: _Job, text: str) -> SourceDocument:
        if job.kind in ("html", "storage"):
            return parse_html(text, path=job.shown, folder=job.folder, stem=job.stem)
        return parse_markdown(
            text, path=job.shown, parser=self._parser, folder=job.folder, stem=job.stem
        )

    def _unreadable(
        self, shown: str, reason: Unreadable, *, folder: str | None, stem: str
    ) -> Postmortem:
        postmortem = Postmortem(id=stem, path=shown, title=stem, team=folder, readable=False)
        problem = SourceProblem("unreadable-document", f"{shown}: {reason.reason}", 1)
        return lint_postmortem(postmortem, policy=self.policy, problems=(problem,))

    def _cache_file(self) -> Path | None:
        if self.cache_dir is None:
            return None
        policy_tag = hashlib.sha256(
            repr(sorted(self.policy.severities.items())).encode()
        ).hexdigest()[:8]
        # Named by the code that wrote it: results of other extraction rules are never reused.
        code = extraction_code_digest()
        name = f"extract-{_CACHE_FORMAT}-{code}-{policy_tag}-{_CODEC.tag}.cache"
        return self.cache_dir / name

    def _load_cache(self) -> dict[str, _Entry]:
        path = self._cache_file()
        if path is None or not path.exists():
            return {}
        try:
            with _no_gc():
                # The cache is written only by this program into the user's own folder.
                loaded = marshal.loads(path.read_bytes())  # noqa: S302
                unpack = _CODEC.postmortem.unpack_all
                return {
                    key: (size, mtime_ns, digest, unpack(packed))
                    for key, (size, mtime_ns, digest, packed) in loaded.items()
                }
        except (OSError, EOFError, TypeError, ValueError, AttributeError, KeyError, IndexError):
            return {}  # unreadable or from another layout: start afresh

    def _save_cache(self) -> None:
        path = self._cache_file()
        if path is None or not self._dirty:
            return
        pack = _CODEC.postmortem.pack_all
        with _no_gc():
            packed = {
                key: (size, mtime_ns, digest, pack(postmortems))
                for key, (size, mtime_ns, digest, postmortems) in self._entries.items()
            }
            try:
                data = marshal.dumps(packed)
            except ValueError:
                return  # a value the cache cannot store: results are simply not cached
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".extract-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
        self._dirty = False
