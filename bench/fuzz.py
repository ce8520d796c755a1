"""Overnight fuzzing of the document readers: random documents until a count or a time runs out.

Builds documents from Markdown and HTML fragments, random text and random byte damage (the
generator the fuzz test's corpus shares, ``tests/extract/hostile.py``), starts with the nasty
corpus, and reads each through ``DocumentReader.parse_bytes``. A crash is any exception, or
a result that breaks the contract (no postmortem, or an unreadable one without exactly one
``unreadable-document`` finding); each is printed with a reproducer file written under
``--out``. Run e.g. ``python bench/fuzz.py --files 1000000 --seconds 28800 --seed 7``.

The last line printed is one JSON object: ``{"files": …, "crashes": 0, "max_ms": …}``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.extract.hostile

from tests.extract.hostile import NASTY_DIR, generated, random_document

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.domain.model import Postmortem


def documents(seed: int) -> Iterator[tuple[str, bytes]]:
    """The nasty corpus first, then random documents for ever."""
    for path in sorted(NASTY_DIR.iterdir()):
        yield path.name, path.read_bytes()
    yield from generated().items()
    rng = random.Random(seed)
    while True:
        yield random_document(rng, max_parts=rng.choice((10, 60, 400)))


def broken_contract(postmortems: tuple[Postmortem, ...]) -> str | None:
    if not postmortems:
        return "no postmortem returned"
    unreadable = [pm for pm in postmortems if not pm.readable]
    if unreadable and (
        len(postmortems) != 1 or [f.code for f in unreadable[0].findings] != ["unreadable-document"]
    ):
        return "an unreadable document without exactly one unreadable-document finding"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2_000, help="stop after this many files")
    parser.add_argument("--seconds", type=float, default=60.0, help="stop after this long")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="where reproducers go (default: a temp folder)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="followthrough-fuzz-"))
    reader = DocumentReader()
    files = crashes = 0
    slowest = (0.0, "")
    deadline = time.monotonic() + args.seconds
    for name, data in documents(args.seed):
        if files >= args.files or time.monotonic() > deadline:
            break
        files += 1
        started = time.perf_counter()
        try:
            problem = broken_contract(reader.parse_bytes(data, name=name))
        except BaseException as error:  # a Rust panic is not an Exception
            if isinstance(error, KeyboardInterrupt):
                raise
            problem = "".join(traceback.format_exception_only(error)).strip()
        elapsed = (time.perf_counter() - started) * 1000
        slowest = max(slowest, (elapsed, name))
        if problem is not None:
            crashes += 1
            kept = out / f"crash-{crashes:04}-{name}"
            kept.write_bytes(data)
            print(f"CRASH {kept}: {problem}", flush=True)
    print(f"{files} files, {crashes} crashes, slowest {slowest[0]:.0f} ms ({slowest[1]})")
    print(f"reproducers in {out}" if crashes else "no reproducers")
    print(json.dumps({"files": files, "crashes": crashes, "max_ms": round(slowest[0], 1)}))
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
