"""Reads documents into postmortems, with an on-disk cache so unchanged files are not re-parsed."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from followthrough.adapters.sources.folder import FoundFile, Unreadable, decode, find_files
from followthrough.adapters.sources.html import parse_html
from followthrough.adapters.sources.markdown import new_parser, parse_markdown
from followthrough.domain.document import SourceProblem
from followthrough.domain.extract import extract
from followthrough.domain.lint import LintPolicy, lint_postmortem
from followthrough.domain.model import Postmortem

# Bump when extraction changes, so cached results from older rules are not reused.
EXTRACTION_VERSION = "1"
_MAX_BYTES = 5 * 1024 * 1024


@dataclass(slots=True)
class _Entry:
    size: int
    mtime_ns: int
    digest: str
    postmortems: tuple[Postmortem, ...]


@dataclass(slots=True)
class ScanStats:
    """What a scan did: how many files it found, parsed, and took from the cache."""

    files: int = 0
    parsed: int = 0
    cached: int = 0
    unreadable: int = 0


@dataclass
class DocumentReader:
    """Turns paths into postmortems. With ``cache_dir`` set, results are reused across runs:
    a file whose size and mtime are unchanged is not even read, one whose content hash is
    unchanged is not parsed again."""

    policy: LintPolicy = field(default_factory=LintPolicy)
    cache_dir: Path | None = None
    stats: ScanStats = field(default_factory=ScanStats)

    def __post_init__(self) -> None:
        self._parser = new_parser()
        self._entries: dict[str, _Entry] = self._load_cache()
        self._dirty = False

    def read(self, paths: Sequence[str]) -> Iterator[Postmortem]:
        """Postmortems of every document under ``paths``, in path order."""
        for found in find_files(paths):
            self.stats.files += 1
            if isinstance(found, tuple):
                self.stats.unreadable += 1
                yield self._unreadable(found[0], found[1], folder=None, stem=Path(found[0]).name)
                continue
            yield from self._read_file(found)
        self._save_cache()

    def _read_file(self, found: FoundFile) -> tuple[Postmortem, ...]:
        key = str(found.path.resolve())
        try:
            stat = found.path.stat()
        except OSError as error:
            self.stats.unreadable += 1
            reason = Unreadable(f"cannot read file: {error.strerror or error}")
            return (self._unreadable(found.shown, reason, folder=found.folder, stem=found.stem),)
        cached = self._entries.get(key)
        if cached and cached.size == stat.st_size and cached.mtime_ns == stat.st_mtime_ns:
            self.stats.cached += 1
            return cached.postmortems
        if stat.st_size > _MAX_BYTES:
            self.stats.unreadable += 1
            reason = Unreadable(f"file is {stat.st_size / 1_048_576:.1f} MB, over the 5 MB limit")
            return (self._unreadable(found.shown, reason, folder=found.folder, stem=found.stem),)
        try:
            data = found.path.read_bytes()
        except OSError as error:
            self.stats.unreadable += 1
            reason = Unreadable(f"cannot read file: {error.strerror or error}")
            return (self._unreadable(found.shown, reason, folder=found.folder, stem=found.stem),)
        digest = hashlib.sha256(data).hexdigest()
        if (
            cached
            and cached.digest == digest
            and cached.postmortems
            and cached.postmortems[0].path == found.shown
        ):
            self.stats.cached += 1
            postmortems = cached.postmortems
        else:
            postmortems = self._parse(found, data)
        self._entries[key] = _Entry(stat.st_size, stat.st_mtime_ns, digest, postmortems)
        self._dirty = True
        return postmortems

    def _parse(self, found: FoundFile, data: bytes) -> tuple[Postmortem, ...]:
        text = decode(data)
        if isinstance(text, Unreadable):
            self.stats.unreadable += 1
            return (self._unreadable(found.shown, text, folder=found.folder, stem=found.stem),)
        self.stats.parsed += 1
        if found.kind == "html":
            doc = parse_html(text, path=found.shown, folder=found.folder, stem=found.stem)
        else:
            doc = parse_markdown(
                text, path=found.shown, parser=self._parser, folder=found.folder, stem=found.stem
            )
        return extract(doc, policy=self.policy)

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
        return self.cache_dir / f"extract-v{EXTRACTION_VERSION}-{policy_tag}.pickle"

    def _load_cache(self) -> dict[str, _Entry]:
        path = self._cache_file()
        if path is None or not path.exists():
            return {}
        try:
            with path.open("rb") as handle:
                # The cache is written only by this program into the user's own folder.
                loaded = pickle.load(handle)  # noqa: S301
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def _save_cache(self) -> None:
        path = self._cache_file()
        if path is None or not self._dirty:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".extract-")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(self._entries, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
        self._dirty = False
