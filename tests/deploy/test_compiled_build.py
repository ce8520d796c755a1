"""The compiled scan (setup.py, mypyc) gives what the source gives.

A wheel compiles the modules setup.py lists to C; an editable install, which these tests run
on, does not. So the compiled modules are built here, once, from a copy of the project, and
checked three ways: every listed module is loaded compiled, the extraction and corpus tests
pass on them, and they read the same postmortems as the source from every document the
project holds (bench trees, the shared corpus, fixtures, held-out set, examples).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from followthrough import __version__
from tests.deploy.conftest import ROOT
from tests.extract.helpers import bench_extract_module

CORPUS = ROOT.parent / "shared" / "corpus" / "postmortems"


def _listed_modules() -> list[str]:
    text = (ROOT / "setup.py").read_text()
    start = text.index("COMPILED = [")
    listed = text[start : text.index("]", start)]
    paths = [line.strip().strip('",') for line in listed.splitlines()[1:] if line.strip()]
    return [path.removeprefix("src/").removesuffix(".py").replace("/", ".") for path in paths]


def _setup(
    *args: str, env: dict[str, str], project: Path = ROOT, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """``setup.py ARGS`` of ``project`` with ``env`` added to the environment."""
    return subprocess.run(
        [sys.executable, "setup.py", *args],
        cwd=project,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``src`` with the listed modules compiled next to their source."""
    copy = tmp_path_factory.mktemp("compiled")
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, copy / name)
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    built = _setup(
        "-q",
        "build_ext",
        "--inplace",
        env={"FOLLOWTHROUGH_COMPILE": "1"},
        project=copy,
        timeout=900,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return copy / "src"


def _run(src: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def test_every_listed_module_is_loaded_compiled(compiled: Path) -> None:
    modules = _listed_modules()
    assert len(modules) >= 20
    script = (
        "import importlib, json, sys\n"
        "print(json.dumps({name: importlib.import_module(name).__file__ for name in sys.argv[1:]}))"
    )
    done = _run(compiled, "-c", script, *modules)
    assert done.returncode == 0, done.stderr
    files = json.loads(done.stdout)
    assert {name: Path(file).suffix for name, file in files.items()} == dict.fromkeys(
        modules, ".so"
    )
    assert all(Path(file).is_relative_to(compiled) for file in files.values()), files


def test_the_extraction_tests_pass_on_the_compiled_modules(compiled: Path) -> None:
    done = _run(
        compiled,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/extract",
        "tests/corpus",
        timeout=1200,
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in summary, summary
    assert re.search(r"\d+ (failed|errors?)\b", summary) is None, summary


# Reads every document under the given folders, alone and through a pool of two workers, and
# prints one line per postmortem, after what --version says and where `fields` was loaded from.
_DUMP = """
import sys
from followthrough.adapters.sources.reader import DocumentReader
import followthrough.domain.fields as fields
from followthrough.build import describe
print(describe(), "fields from", fields.__file__)
for workers in (1, 2):
    reader = DocumentReader(workers=workers, pool_from=2)
    for postmortem in reader.read(sys.argv[1:]):
        print(repr(postmortem))
"""


def test_the_compiled_modules_read_the_same_postmortems(compiled: Path, tmp_path: Path) -> None:
    bench = bench_extract_module()
    bench.generate(tmp_path / "mix", 300, seed=7)
    bench.generate(tmp_path / "html", 100, seed=8, html_only=True)
    folders = [
        tmp_path / "mix",
        tmp_path / "html",
        ROOT / "examples",
        ROOT / "tests" / "extract",
        CORPUS,
    ]
    paths = [str(folder) for folder in folders if folder.exists()]
    assert len(paths) == len(folders) or not os.environ.get("CI"), "the shared corpus is missing"

    source = _run(ROOT / "src", "-c", _DUMP, *paths)
    built = _run(compiled, "-c", _DUMP, *paths)

    assert source.returncode == 0, source.stderr[-3000:]
    assert built.returncode == 0, built.stderr[-3000:]
    source_lines, built_lines = source.stdout.splitlines(), built.stdout.splitlines()
    # What --version says, and where the module came from.
    as_python, as_built = source_lines[0], built_lines[0]
    assert as_python.startswith(f"followthrough {__version__} (scan in Python) "), as_python
    assert as_python.endswith(".py"), as_python
    assert as_built.startswith(f"followthrough {__version__} (scan compiled) "), as_built
    assert as_built.endswith(".so"), as_built
    assert len(source_lines) > 2 * 400
    for ours, theirs in zip(source_lines[1:], built_lines[1:], strict=True):
        assert theirs == ours


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["build_ext"], {"FOLLOWTHROUGH_COMPILE": "maybe"}, "use 1 (compile) or 0"),
        (["editable_wheel"], {"FOLLOWTHROUGH_COMPILE": "1"}, "an editable install runs the source"),
    ],
)
def test_a_compile_setting_that_cannot_act_is_refused(
    args: list[str], env: dict[str, str], message: str
) -> None:
    done = _setup(*args, env=env)
    assert done.returncode != 0
    assert message in done.stderr
