"""The real PyGithub client as tests use it against the sandbox: no retries, no pacing."""

from __future__ import annotations

from github import Auth, Github


def github_client(base_url: str, token: str) -> Github:
    """A PyGithub client on ``base_url`` (the sandbox's ``/api/v3`` or a Prism proxy)."""
    return Github(
        base_url=base_url,
        auth=Auth.Token(token),
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )
