"""Transport settings that would expose the worker: SMTP passwords in clear, the HTTP bind."""

from __future__ import annotations

from pathlib import Path

import pytest

from followthrough.config import ConfigError, load_config
from tests.config.conftest import GLOBAL, TOKENS, WriteTree

PLAIN_SMTP = """\
smtp:
  host: relay.acme.example
  security: plain
  username: reports
  sender: reports@acme.example
"""
SMTP_PASSWORD = {**TOKENS, "FOLLOWTHROUGH_SMTP__PASSWORD": "relay-secret"}


def test_plain_smtp_with_a_password_is_refused(write_tree: WriteTree, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_tree(GLOBAL + PLAIN_SMTP), env=SMTP_PASSWORD, base_dir=tmp_path)

    [problem] = [p for p in caught.value.problems if p.key.startswith("smtp")]
    assert "unencrypted" in problem.message
    assert "allow_plain_auth" in problem.message
    assert str(problem.file).endswith("followthrough.yaml")


def test_plain_smtp_with_a_password_needs_the_explicit_opt_in(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    text = GLOBAL + PLAIN_SMTP + "  allow_plain_auth: true\n"

    smtp = load_config(write_tree(text), env=SMTP_PASSWORD, base_dir=tmp_path).settings.smtp

    assert smtp is not None
    assert smtp.allow_plain_auth is True


def test_plain_smtp_without_a_username_needs_no_opt_in(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    text = GLOBAL + PLAIN_SMTP.replace("  username: reports\n", "")

    smtp = load_config(write_tree(text), env=TOKENS, base_dir=tmp_path).settings.smtp

    assert smtp is not None
    assert smtp.security == "plain"


def test_the_http_server_binds_loopback_unless_told(write_tree: WriteTree, tmp_path: Path) -> None:
    http = load_config(write_tree(), env=TOKENS, base_dir=tmp_path).settings.http
    opened = load_config(
        write_tree(), env={**TOKENS, "FOLLOWTHROUGH_HTTP__HOST": "0.0.0.0"}, base_dir=tmp_path
    ).settings.http

    assert http.host == "127.0.0.1"
    assert opened.host == "0.0.0.0"
