"""The README's "Try it on the standalone sandbox", followed literally in an empty folder.

Commands and files come from the section's code blocks (a block whose info string has
``file=PATH`` is written to PATH; ``bash`` blocks are run line by line), so the test fails
when the README drifts. Only the port is changed, to one that is free here, and the sandbox's
clock moves 30 seconds between commands, as it would while a person types them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Try it on the standalone sandbox"
BLOCK = re.compile(r"^```(?P<lang>\w+)(?: file=(?P<file>\S+))?\n(?P<body>.*?)^```$", re.M | re.S)
README_PORT = 8700
SAM = "712020:5a3f0000-0000-4000-8000-000000005a3f"
ALICE = "712020:a11ce000-0000-4000-8000-00000000a11c"


def section_blocks() -> list[tuple[str, str | None, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = text[text.index(SECTION) + len(SECTION) :].splitlines(keepends=True)
    fenced, kept = False, []
    for line in lines:
        if line.startswith("```"):
            fenced = not fenced
        elif line.startswith("## ") and not fenced:
            break  # the next section
        kept.append(line)
    return [(m["lang"], m["file"], m["body"]) for m in BLOCK.finditer("".join(kept))]


def free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise AssertionError("no two free neighbouring ports")


class Walkthrough:
    """Runs the section's commands in ``folder`` as a person would type them."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
        self.background: list[subprocess.Popen[str]] = []
        self.info: dict[str, str] = {}
        self.outputs: dict[str, subprocess.CompletedProcess[str]] = {}

    def localised(self, text: str) -> str:
        return text.replace(str(README_PORT + 1), str(self.port + 1)).replace(
            str(README_PORT), str(self.port)
        )

    def write(self, path: str, body: str) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.localised(body), encoding="utf-8")

    def run_block(self, body: str) -> None:
        for raw in self.localised(body).splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").partition("=")
                self.env[name] = value
            elif line.endswith("&"):
                self.start(shlex.split(line.removesuffix("&")))
            else:
                self.run(line)

    def argv(self, words: list[str]) -> list[str]:
        assert words[0] == "followthrough", words
        return [sys.executable, "-m", "followthrough", *words[1:]]

    def start(self, words: list[str]) -> None:
        proc = subprocess.Popen(
            self.argv(words), cwd=self.folder, env=self.env, stdout=subprocess.PIPE, text=True
        )
        self.background.append(proc)
        assert proc.stdout is not None
        self.info = json.loads(proc.stdout.readline())

    def run(self, line: str) -> None:
        self.typing_pause()
        done = subprocess.run(
            self.argv(shlex.split(line)),
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        self.outputs[line] = done

    def typing_pause(self) -> None:
        """A person takes longer than the sandbox's five-second search lag between commands."""
        if self.info:
            requests.post(
                f"{self.info['jira']}/_sandbox/clock/advance", json={"seconds": 30}, timeout=5
            ).raise_for_status()

    def stop(self) -> None:
        for proc in self.background:
            proc.terminate()
            proc.wait(timeout=10)


def issue(info: dict[str, str], key: str) -> requests.Response:
    return requests.get(
        f"{info['jira']}/rest/api/2/issue/{key}", auth=(info["user"], info["token"]), timeout=5
    )


def test_the_readme_sandbox_section_syncs_a_new_team(tmp_path: Path) -> None:
    blocks = section_blocks()
    assert [lang for lang, _, _ in blocks] == ["bash", "yaml", "yaml", "markdown", "bash"]
    walk = Walkthrough(tmp_path, free_port_pair())
    try:
        for lang, path, body in blocks:
            if path is not None:
                walk.write(path, body)
            else:
                assert lang == "bash"
                walk.run_block(body)
        check = next(out for line, out in walk.outputs.items() if line.endswith(" check"))
        assert "0 failed" in check.stdout
        first, second = issue(walk.info, "SRE-1").json(), issue(walk.info, "SRE-2").json()
        assert first["fields"]["assignee"]["accountId"] == SAM
        assert second["fields"]["assignee"]["accountId"] == ALICE
        walk.run("followthrough sync")  # "run it again and nothing changes"
        assert issue(walk.info, "SRE-3").status_code == 404
        reminders = next(out for line, out in walk.outputs.items() if "remind" in line).stdout
        assert re.search(r"SRE-1\s*│\s*sam\s*│", reminders), reminders  # named, not an id
    finally:
        walk.stop()
