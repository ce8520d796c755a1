"""Every command's ``--help`` states its defaults, shows one example, and its exit statuses."""

from __future__ import annotations

import argparse

import pytest

from followthrough.cli import build_parser

# ``sandbox`` documents itself in its own module, with the simulator.
OWNED_ELSEWHERE = {"sandbox"}


def _commands() -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{prefix} {name}".strip())
                return
        found[prefix] = parser

    walk(build_parser(), "")
    return {name: p for name, p in found.items() if name.split()[0] not in OWNED_ELSEWHERE}


COMMANDS = _commands()


def test_the_commands_are_all_found() -> None:
    assert set(COMMANDS) >= {
        "extract", "lint", "sync", "remind", "report", "run", "config check", "config schema",
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_gives_defaults_and_an_example(name: str) -> None:
    parser = COMMANDS[name]
    text = parser.format_help()
    assert f"example: followthrough {name}" in text
    for action in parser._actions:
        if action.help in (None, argparse.SUPPRESS) or action.dest == "help":
            continue
        if action.option_strings and not isinstance(action, argparse._StoreTrueAction):
            assert "default" in action.help, (name, action.dest, action.help)


@pytest.mark.parametrize("name", ["sync", "remind", "report", "run", "lint", "config check"])
def test_help_says_what_the_exit_status_means(name: str) -> None:
    assert "exit status: 0 " in " ".join(COMMANDS[name].format_help().split())
