"""A document the Markdown parser panics on is read, and the panic's report stays off stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it_pyrs import MarkdownIt

from followthrough.adapters.sources.panic_report import is_panic, without_panic_report

# markdown-it-pyrs 0.4 panics on a backtick left open inside a link's brackets.
PANICS = "[the `flag](https://example.com/flag)"
DOCUMENT = f"""# Flag rollout

## Action items

- {PANICS} stays off until the canary passes (owner: @ines, due 2025-05-02)
- Page on replica lag (owner: @ravi, due 2025-05-09)
"""


def _panics(text: str) -> bool:
    try:
        without_panic_report(lambda: MarkdownIt("commonmark").tree(text))
    except BaseException as error:
        if is_panic(error):
            return True
        raise
    return False


def test_the_parser_still_panics_on_the_document() -> None:
    """What the rest of this file guards against is still there (remove the workaround in
    `markdown._tree` when it is not)."""
    assert _panics(PANICS)
    assert not _panics("[the `flag`](https://example.com/flag)")


@pytest.mark.parametrize("backtrace", ["", "1", "full"])
def test_extract_reads_the_document_and_prints_no_report(tmp_path: Path, backtrace: str) -> None:
    path = tmp_path / "2025-05-01-flag-rollout.md"
    path.write_text(DOCUMENT + "\nAnd [another `one](https://example.com/2) in prose.\n")
    env = {k: v for k, v in os.environ.items() if k != "RUST_BACKTRACE"}
    if backtrace:
        env["RUST_BACKTRACE"] = backtrace
    done = subprocess.run(
        [sys.executable, "-m", "followthrough", "extract", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "panicked" not in done.stderr
    assert "backtrace" not in done.stderr.lower()
    (postmortem,) = json.loads(done.stdout)["postmortems"]
    items = {item["owner"]: item for item in postmortem["action_items"]}
    assert set(items) == {"ines", "ravi"}
    assert items["ines"]["due"] == "2025-05-02"


def test_what_else_is_written_during_the_call_is_kept(capfd: pytest.CaptureFixture[str]) -> None:
    def call() -> None:
        os.write(2, b"written to the descriptor\n")
        print("written through sys.stderr", file=sys.stderr)
        MarkdownIt("commonmark").tree(PANICS)

    for _ in range(2):  # the second panic of a process is reported without Rust's note
        with pytest.raises(BaseException, match="index out of bounds") as raised:
            without_panic_report(call)
        assert is_panic(raised.value)
    err = capfd.readouterr().err
    # (Under pytest, sys.stderr is captured apart from the descriptor: only the lines count.)
    assert sorted(err.splitlines()) == sorted(
        ["written to the descriptor", "written through sys.stderr"] * 2
    )


def test_a_call_that_does_not_panic_passes_everything_through(
    capfd: pytest.CaptureFixture[str],
) -> None:
    def call() -> int:
        os.write(2, b"thread 'main' panicked at nothing: a line that only looks like one\n")
        return 7

    assert without_panic_report(call) == 7
    assert capfd.readouterr().err == (
        "thread 'main' panicked at nothing: a line that only looks like one\n"
    )


def test_other_errors_pass_through_with_what_was_written(
    capfd: pytest.CaptureFixture[str],
) -> None:
    def call() -> None:
        os.write(2, b"before the error\n")
        raise ValueError("not a panic")

    with pytest.raises(ValueError, match="not a panic"):
        without_panic_report(call)
    assert capfd.readouterr().err == "before the error\n"


def test_worker_processes_print_no_report(tmp_path: Path) -> None:
    """A cold scan parses on every core: each worker process keeps the reports off too."""
    for number in range(8):
        (tmp_path / f"2025-05-0{number + 1}-flag.md").write_text(DOCUMENT)
    script = (
        "import sys\n"
        "from followthrough.adapters.sources.reader import DocumentReader\n"
        "reader = DocumentReader(workers=2, pool_from=2)\n"
        "found = list(reader.read([sys.argv[1]]))\n"
        "print(len(found), sum(len(p.action_items) for p in found), reader.stats.in_workers)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "RUST_BACKTRACE": "1"},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["8", "16", "8"]
    assert "panicked" not in done.stderr
