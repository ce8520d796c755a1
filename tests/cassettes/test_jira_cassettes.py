"""Replay the recorded Jira cassettes through the real jira client (no network, no Prism).

The cassettes in ``cassettes/jira`` were recorded by ``tools/record_cassettes.py``; requests go
to the placeholder host ``http://jira.sandbox.invalid`` and vcrpy answers them before any
socket opens (``record_mode="none"`` makes an unrecorded request fail the test).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import vcr
from jira import JIRA, JIRAError

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "jira"
JIRA_HOST = "http://jira.sandbox.invalid"
LABEL = "followthrough-cassette-pagination"
JQL = f'labels = "{LABEL}" ORDER BY key ASC'
SEEDED_ISSUES = 5
PAGE_SIZE = 2

REPLAY = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",
    match_on=("method", "scheme", "host", "port", "path", "query"),
)


def _client(token: str = "replayed-token") -> JIRA:
    return JIRA(
        server=JIRA_HOST,
        basic_auth=("followthrough-bot@example.com", token),
        options={"rest_api_version": "3"},
        max_retries=0,
    )


def test_search_jql_follows_next_page_token_to_the_end() -> None:
    with REPLAY.use_cassette("search_jql_pagination.yaml") as cassette:
        client = _client()
        keys: list[str] = []
        pages = 0
        token: str | None = None
        while True:
            page = client.enhanced_search_issues(
                JQL, nextPageToken=token, maxResults=PAGE_SIZE, fields=["summary"]
            )
            pages += 1
            keys.extend(issue.key for issue in page)
            token = page.nextPageToken
            if not token:
                break
        assert cassette.all_played
    assert len(keys) >= SEEDED_ISSUES
    assert len(set(keys)) == len(keys)
    assert pages == math.ceil(len(keys) / PAGE_SIZE)


def test_rate_limit_surfaces_retry_after_then_recovers() -> None:
    with REPLAY.use_cassette("rate_limited_429.yaml") as cassette:
        client = _client()
        with pytest.raises(JIRAError) as caught:
            client.enhanced_search_issues(JQL, maxResults=1)
        assert caught.value.status_code == 429
        assert caught.value.response is not None
        assert caught.value.response.headers["Retry-After"] == "7"
        assert len(client.enhanced_search_issues(JQL, maxResults=1)) == 1
        assert cassette.all_played


def test_503_burst_raises_each_time_then_recovers() -> None:
    with REPLAY.use_cassette("server_error_503_burst.yaml") as cassette:
        client = _client()
        for _ in range(3):
            with pytest.raises(JIRAError) as caught:
                client.myself()
            assert caught.value.status_code == 503
        assert client.myself()["accountId"]
        assert cassette.all_played


def test_expired_token_fails_in_the_constructor_with_401() -> None:
    with REPLAY.use_cassette("unauthorized_401.yaml"), pytest.raises(JIRAError) as caught:
        _client(token="expired")
    assert caught.value.status_code == 401


def test_unknown_project_is_a_404() -> None:
    with REPLAY.use_cassette("project_not_found_404.yaml"):
        client = _client()
        with pytest.raises(JIRAError) as caught:
            client.project("NOPE")
    assert caught.value.status_code == 404
    assert "NOPE" in str(caught.value.text)


def test_bulk_create_reports_the_failed_element_and_keeps_the_rest() -> None:
    project = {"key": "OPS"}
    with REPLAY.use_cassette("bulk_create_partial_failure.yaml") as cassette:
        results = _client().create_issues(
            [
                {"project": project, "issuetype": {"name": "Task"}, "summary": "Valid item"},
                {"project": project, "issuetype": {"name": "No Such Type"}, "summary": "Bad"},
            ]
        )
        assert cassette.all_played
    assert [r["status"] for r in results] == ["Success", "Error"]
    assert results[0]["issue"].fields.summary == "Valid item"
    assert results[1]["issue"] is None
    assert results[1]["error"]
