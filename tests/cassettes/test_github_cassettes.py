"""Replay the recorded GitHub cassettes through PyGithub (no network, no Prism).

The cassettes in ``cassettes/github`` were recorded by ``tools/record_cassettes.py``; PyGithub
talks to the placeholder ``http://github.sandbox.invalid`` and vcrpy answers before any socket
opens (``record_mode="none"`` makes an unrecorded request fail the test).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import vcr
from github import (
    Auth,
    BadCredentialsException,
    Github,
    GithubException,
    RateLimitExceededException,
)

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "github"
GITHUB_HOST = "http://github.sandbox.invalid"
REPO = "acme/ops"
LABEL = "followthrough-cassette-pagination"
SEEDED_ISSUES = 5
PAGE_SIZE = 2

REPLAY = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",
    match_on=("method", "scheme", "host", "port", "path", "query"),
)


def _client(token: str = "replayed-token", per_page: int = 30) -> Github:
    return Github(
        base_url=GITHUB_HOST,
        auth=Auth.Token(token),
        per_page=per_page,
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


def test_issue_listing_follows_link_headers() -> None:
    with REPLAY.use_cassette("issues_link_pagination.yaml") as cassette:
        repo = _client(per_page=PAGE_SIZE).get_repo(REPO)
        issues = list(repo.get_issues(state="all", labels=[LABEL], direction="asc"))
        assert cassette.all_played
        assert cassette.play_count >= 1 + SEEDED_ISSUES // PAGE_SIZE
    titles = [issue.title for issue in issues]
    assert titles[:SEEDED_ISSUES] == [f"Paged item {n}" for n in range(SEEDED_ISSUES)]
    assert len({issue.number for issue in issues}) == len(issues)


def test_search_reports_total_count_and_pages_through_results() -> None:
    with REPLAY.use_cassette("search_pagination.yaml") as cassette:
        query = f"repo:{REPO} label:{LABEL} is:issue"
        found = _client(per_page=PAGE_SIZE).search_issues(query, sort="created", order="asc")
        items = list(found)
        assert cassette.all_played
    assert len(items) >= SEEDED_ISSUES
    assert found.totalCount == len(items)


def test_secondary_rate_limit_is_a_403_with_retry_after() -> None:
    with REPLAY.use_cassette("secondary_rate_limit_403.yaml") as cassette:
        repo = _client().get_repo(REPO)
        with pytest.raises(RateLimitExceededException) as caught:
            repo.create_issue(title="Throttled write")
        assert caught.value.status == 403
        assert caught.value.headers is not None
        assert caught.value.headers["retry-after"] == "60"
        assert repo.create_issue(title="Throttled write").number > 0
        assert cassette.all_played


def test_primary_rate_limit_429_carries_the_reset_headers() -> None:
    with REPLAY.use_cassette("rate_limit_429.yaml"), pytest.raises(GithubException) as caught:
        _client().get_repo(REPO)
    assert caught.value.status == 429
    assert caught.value.headers is not None
    assert caught.value.headers["x-ratelimit-remaining"] == "0"
    assert int(caught.value.headers["x-ratelimit-reset"]) > 0
    assert caught.value.headers["retry-after"] == "30"


def test_conditional_reread_gets_304_not_modified() -> None:
    with REPLAY.use_cassette("not_modified_304.yaml") as cassette:
        issue = _client().get_repo(REPO).get_issue(1)
        assert issue.etag
        assert issue.update() is False
        assert cassette.all_played


def test_revoked_token_raises_bad_credentials() -> None:
    with (
        REPLAY.use_cassette("bad_credentials_401.yaml"),
        pytest.raises(BadCredentialsException) as caught,
    ):
        _client(token="revoked").get_repo(REPO)
    assert caught.value.status == 401


def test_503_burst_raises_each_time_then_recovers() -> None:
    with REPLAY.use_cassette("server_error_503_burst.yaml") as cassette:
        client = _client()
        for _ in range(2):
            with pytest.raises(GithubException) as caught:
                client.get_repo(REPO)
            assert caught.value.status == 503
        assert client.get_repo(REPO).full_name == REPO
        assert cassette.all_played
