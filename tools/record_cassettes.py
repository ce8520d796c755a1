"""Record vcrpy cassettes of tracker edge cases into ``cassettes/jira`` and ``cassettes/github``.

By default the traffic goes to the followthrough sandbox through Prism 5.14.2 validating proxies
(the same set-up as ``tests/contract``), so every recorded exchange was checked against the
vendored OpenAPI descriptions; faults (429, 503 bursts, secondary rate limits) are injected
through the sandbox's Python control API. With ``--real`` the scenarios that need no injected
fault run against a real Jira Cloud site and GitHub account named by environment variables.

Before a cassette is written, the ephemeral proxy address (or the real site) becomes
``http://jira.sandbox.invalid`` / ``http://github.sandbox.invalid``, and credentials are
removed (``Authorization``, cookies, the token anywhere in a body). The replay tests in
``tests/cassettes`` point the real clients at those placeholder hosts.

    python tools/record_cassettes.py                  # everything, sandbox + Prism
    python tools/record_cassettes.py --only github    # one vendor
    python tools/record_cassettes.py --real           # real services, see cassettes/README.md
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Final
from urllib.parse import urlsplit

import requests
import vcr
from github import Auth, Github, GithubException
from jira import JIRA, JIRAError

from followthrough.sandbox import Sandbox, SimClock

ROOT: Final = Path(__file__).resolve().parents[1]
CASSETTES: Final = ROOT / "cassettes"
JIRA_PLACEHOLDER: Final = "http://jira.sandbox.invalid"
GITHUB_PLACEHOLDER: Final = "http://github.sandbox.invalid"
REDACTED: Final = "<redacted>"
PLACEHOLDER_REPO: Final = "acme/ops"
PLACEHOLDER_EMAIL: Final = "followthrough-bot@example.com"
PAGINATION_LABEL: Final = "followthrough-cassette-pagination"
PAGE_SIZE: Final = 2
SEEDED_ISSUES: Final = 5
CONDITIONAL_ISSUE: Final = 1  # the first issue the pagination set-up creates in a fresh sandbox
SANDBOX_START: Final = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SEARCH_SETTLE_SECONDS: Final = 10.0
INVALID_CREDENTIAL: Final = "expired-or-revoked"  # what an expired token looks like to us
DERIVE: Final = ROOT / "tools" / "contract" / "derive.py"
ALLOWLIST: Final = ROOT / "tests" / "contract" / "allowlist.py"
INJECTED_STATUSES: Final = frozenset({429, 503})  # what the fault scenarios provoke
DROPPED_REQUEST_HEADERS: Final = ("authorization", "cookie")
DROPPED_RESPONSE_HEADERS: Final = frozenset({"set-cookie", "sl-violations"})


def _load_module(name: str, path: Path) -> ModuleType:
    """Import a helper by path (``tools`` and ``tests`` are not installed packages)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --- where the traffic goes ---------------------------------------------------------------


@dataclass(frozen=True)
class JiraTarget:
    """A Jira Cloud site (or the sandbox proxy) and its credentials."""

    url: str
    user: str
    token: str
    project: str


@dataclass(frozen=True)
class GitHubTarget:
    """A GitHub API base (or the sandbox proxy), a token and a scratch repository."""

    url: str
    token: str
    repo: str


@dataclass
class Recorder:
    """Runs scenarios into cassettes; knows how to scrub what the target leaks."""

    out: Path
    jira: JiraTarget | None
    github: GitHubTarget | None
    sandbox: Sandbox | None = None
    # (vendor, method, path, status, sl-violations header) for every flagged exchange
    violations: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    _last_request: tuple[str, str, str] = ("", "", "")
    _etags: dict[str, str] = field(default_factory=dict)  # recorded ETag -> normalised ETag

    # scrubbing -------------------------------------------------------------------------

    def _replacements(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        if self.jira is not None:
            pairs += [(self.jira.url.rstrip("/"), JIRA_PLACEHOLDER), (self.jira.token, REDACTED)]
            if self.sandbox is None:
                pairs.append((self.jira.user, PLACEHOLDER_EMAIL))
        if self.github is not None:
            pairs += [
                (self.github.url.rstrip("/"), GITHUB_PLACEHOLDER),
                (self.github.token, REDACTED),
                (self.github.repo, PLACEHOLDER_REPO),
            ]
        # Bare host:port too (GitHub's git_url and ssh_url carry no http scheme).
        pairs += [
            (urlsplit(old).netloc, urlsplit(new).netloc)
            for old, new in list(pairs)
            if old.startswith("http") and urlsplit(old).netloc
        ]
        return [(old, new) for old, new in pairs if old and old != new]

    def _scrub(self, text: str) -> str:
        for old, new in self._replacements():
            text = text.replace(old, new)
        return text

    def _scrub_request(self, request: Any) -> Any:
        request.uri = self._scrub(request.uri)
        vendor = "jira" if request.uri.startswith(JIRA_PLACEHOLDER) else "github"
        self._last_request = (vendor, request.method, urlsplit(request.uri).path)
        for name in DROPPED_REQUEST_HEADERS:
            request.headers.pop(name, None)
        if isinstance(request.body, bytes):
            request.body = self._scrub(request.body.decode("utf-8", "replace")).encode()
        if "If-None-Match" in request.headers:  # vcrpy's header dict ignores case
            tag = request.headers["If-None-Match"]
            request.headers["If-None-Match"] = self._etags.get(tag, REDACTED)
        return request

    def _scrub_response(self, response: dict[str, Any]) -> dict[str, Any]:
        headers: dict[str, list[str]] = response["headers"]
        for name in list(headers):
            if name.lower() in DROPPED_RESPONSE_HEADERS:
                values = headers.pop(name)
                if name.lower() == "sl-violations":
                    status = int(response["status"]["code"])
                    self.violations += [(*self._last_request, status, v) for v in values]
            else:
                headers[name] = [self._scrub(value) for value in headers[name]]
        body = response["body"].get("string")
        scrubbed: bytes | None = None
        if isinstance(body, bytes) and body:
            scrubbed = self._scrub(body.decode("utf-8", "replace")).encode()
            response["body"]["string"] = scrubbed
        for name, values in headers.items():
            if name.lower() == "content-length" and scrubbed is not None:
                headers[name] = [str(len(scrubbed))]
            elif name.lower() == "etag":
                headers[name] = [self._normalised_etag(tag, scrubbed) for tag in values]
        return response

    def _normalised_etag(self, tag: str, body: bytes | None) -> str:
        """An ETag of the scrubbed body, so re-recording does not churn every validator.

        The original tag hashes a body that still held the ephemeral proxy port; a 304 carries
        no body and reuses the tag already mapped for its 200.
        """
        if body is None:
            return self._etags.get(tag, tag)
        new = f'"{hashlib.sha256(body).hexdigest()}"'
        self._etags[tag] = new
        return new

    @contextmanager
    def cassette(self, vendor: str, name: str) -> Iterator[None]:
        """Record everything inside the block into ``cassettes/<vendor>/<name>.yaml``."""
        path = self.out / vendor / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        recorder = vcr.VCR(
            record_mode="all",
            decode_compressed_response=True,
            before_record_request=self._scrub_request,
            before_record_response=self._scrub_response,
        )
        with recorder.use_cassette(str(path)):
            yield
        print(f"  wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    # clients and control ---------------------------------------------------------------

    def jira_client(self, *, token: str | None = None) -> JIRA:
        """A v3 jira client for the target; build it inside ``cassette`` to record serverInfo."""
        assert self.jira is not None
        return JIRA(
            server=self.jira.url,
            basic_auth=(self.jira.user, token or self.jira.token),
            options={"rest_api_version": "3"},
            max_retries=0,
            timeout=30,
        )

    def github_client(self, *, token: str | None = None, per_page: int = 30) -> Github:
        """A PyGithub client without retries or write throttling."""
        assert self.github is not None
        return Github(
            base_url=self.github.url,
            auth=Auth.Token(token or self.github.token),
            per_page=per_page,
            retry=None,
            seconds_between_requests=0,
            seconds_between_writes=0,
            timeout=30,
        )

    def fault(self, kind: str, app: str, **options: Any) -> None:
        """Inject a fault through the sandbox's control API."""
        assert self.sandbox is not None, "fault scenarios need the sandbox"
        self.sandbox.add_fault(kind, app, **options)

    def settle_search(self) -> None:
        """Let the search index catch up with the writes just made."""
        if self.sandbox is not None:
            self.sandbox.clock.advance(SEARCH_SETTLE_SECONDS)
        else:
            time.sleep(SEARCH_SETTLE_SECONDS)


# --- Jira scenarios -----------------------------------------------------------------------


def _expect_jira_error(call: Callable[[], object], status: int) -> JIRAError:
    try:
        call()
    except JIRAError as exc:
        if exc.status_code != status:
            raise
        return exc
    raise AssertionError(f"expected HTTP {status}")


def jira_search_jql_pagination(rec: Recorder) -> None:
    """``GET /search/jql`` pages of two, followed through ``nextPageToken`` to the end."""
    assert rec.jira is not None
    setup = rec.jira_client()
    fields = {
        "project": {"key": rec.jira.project},
        "issuetype": {"name": "Task"},
        "labels": [PAGINATION_LABEL],
    }
    setup.create_issues([{**fields, "summary": f"Paged item {n}"} for n in range(SEEDED_ISSUES)])
    rec.settle_search()
    with rec.cassette("jira", "search_jql_pagination"):
        client = rec.jira_client()
        token: str | None = None
        while True:
            page = client.enhanced_search_issues(
                f'labels = "{PAGINATION_LABEL}" ORDER BY key ASC',
                nextPageToken=token,
                maxResults=PAGE_SIZE,
                fields=["summary"],
            )
            token = page.nextPageToken
            if not token:
                break


def jira_rate_limited_429(rec: Recorder) -> None:
    """A 429 with ``Retry-After`` on search, then the same search succeeds."""
    with rec.cassette("jira", "rate_limited_429"):
        client = rec.jira_client()
        jql = f'labels = "{PAGINATION_LABEL}" ORDER BY key ASC'
        rec.fault(
            "rate_limit",
            "jira",
            count=1,
            route_prefix="/rest/api/3/search/jql",
            params={"retry_after": 7},
        )
        _expect_jira_error(lambda: client.enhanced_search_issues(jql, maxResults=1), 429)
        client.enhanced_search_issues(jql, maxResults=1)


def jira_server_error_503_burst(rec: Recorder) -> None:
    """Three 503s in a row on ``GET /myself``, then a 200."""
    with rec.cassette("jira", "server_error_503_burst"):
        client = rec.jira_client()
        rec.fault("server_error", "jira", count=1, params={"status": 503, "burst": 3})
        for _ in range(3):
            _expect_jira_error(client.myself, 503)
        client.myself()


def jira_unauthorized_401(rec: Recorder) -> None:
    """An expired API token: the client's first call (serverInfo) answers 401."""
    with rec.cassette("jira", "unauthorized_401"):
        _expect_jira_error(lambda: rec.jira_client(token=INVALID_CREDENTIAL), 401)


def jira_project_not_found_404(rec: Recorder) -> None:
    """``GET /project/NOPE`` for a project that does not exist (or is not visible)."""
    with rec.cassette("jira", "project_not_found_404"):
        client = rec.jira_client()
        _expect_jira_error(lambda: client.project("NOPE"), 404)


def jira_bulk_create_partial_failure(rec: Recorder) -> None:
    """``POST /issue/bulk`` with one valid and one invalid issue: 201 with ``errors``."""
    assert rec.jira is not None
    project = {"key": rec.jira.project}
    with rec.cassette("jira", "bulk_create_partial_failure"):
        client = rec.jira_client()
        client.create_issues(
            [
                {"project": project, "issuetype": {"name": "Task"}, "summary": "Valid item"},
                {"project": project, "issuetype": {"name": "No Such Type"}, "summary": "Bad"},
            ]
        )


# --- GitHub scenarios ---------------------------------------------------------------------


def _expect_github_error(call: Callable[[], object], status: int) -> GithubException:
    try:
        call()
    except GithubException as exc:
        if exc.status != status:
            raise
        return exc
    raise AssertionError(f"expected HTTP {status}")


def _seed_github_issues(rec: Recorder) -> None:
    assert rec.github is not None
    setup = rec.github_client()
    repo = setup.get_repo(rec.github.repo)
    for n in range(SEEDED_ISSUES):
        repo.create_issue(title=f"Paged item {n}", labels=[PAGINATION_LABEL])
    setup.close()
    rec.settle_search()


def github_issues_link_pagination(rec: Recorder) -> None:
    """``GET /repos/{o}/{r}/issues`` with ``per_page=2`` followed through ``Link: rel=next``."""
    assert rec.github is not None
    _seed_github_issues(rec)
    with rec.cassette("github", "issues_link_pagination"):
        client = rec.github_client(per_page=PAGE_SIZE)
        repo = client.get_repo(rec.github.repo)
        list(repo.get_issues(state="all", labels=[PAGINATION_LABEL], direction="asc"))


def github_search_pagination(rec: Recorder) -> None:
    """``GET /search/issues`` with ``per_page=2``: ``total_count`` and ``Link`` paging."""
    assert rec.github is not None
    with rec.cassette("github", "search_pagination"):
        client = rec.github_client(per_page=PAGE_SIZE)
        query = f"repo:{rec.github.repo} label:{PAGINATION_LABEL} is:issue"
        found = client.search_issues(query, sort="created", order="asc")
        list(found)


def github_secondary_rate_limit_403(rec: Recorder) -> None:
    """A secondary rate limit (403 with ``Retry-After``) on an issue write, then success."""
    assert rec.github is not None
    with rec.cassette("github", "secondary_rate_limit_403"):
        client = rec.github_client()
        repo = client.get_repo(rec.github.repo)
        rec.fault(
            "rate_limit",
            "github",
            count=1,
            method="POST",
            params={"variant": "secondary", "retry_after": 60},
        )
        _expect_github_error(lambda: repo.create_issue(title="Throttled write"), 403)
        repo.create_issue(title="Throttled write")


def github_rate_limit_429(rec: Recorder) -> None:
    """The primary rate limit spent: 429 with ``X-RateLimit-Remaining: 0`` and a reset time."""
    assert rec.github is not None
    with rec.cassette("github", "rate_limit_429"):
        client = rec.github_client()
        rec.fault("rate_limit", "github", count=1, params={"retry_after": 30})
        _expect_github_error(lambda: client.get_repo(rec.github.repo), 429)  # type: ignore[union-attr]


def github_not_modified_304(rec: Recorder) -> None:
    """A conditional re-read of an unchanged issue: ``If-None-Match`` answered by 304."""
    assert rec.github is not None
    with rec.cassette("github", "not_modified_304"):
        client = rec.github_client()
        issue = client.get_repo(rec.github.repo).get_issue(CONDITIONAL_ISSUE)
        changed = issue.update()
        assert changed is False, "expected 304 Not Modified"


def github_bad_credentials_401(rec: Recorder) -> None:
    """A revoked token: 401 Bad credentials."""
    assert rec.github is not None
    with rec.cassette("github", "bad_credentials_401"):
        client = rec.github_client(token=INVALID_CREDENTIAL)
        _expect_github_error(lambda: client.get_repo(rec.github.repo), 401)  # type: ignore[union-attr]


def github_server_error_503_burst(rec: Recorder) -> None:
    """Two 503s in a row on ``GET /repos/{o}/{r}``, then a 200."""
    assert rec.github is not None
    with rec.cassette("github", "server_error_503_burst"):
        client = rec.github_client()
        rec.fault("server_error", "github", count=1, params={"status": 503, "burst": 2})
        for _ in range(2):
            _expect_github_error(lambda: client.get_repo(rec.github.repo), 503)  # type: ignore[union-attr]
        client.get_repo(rec.github.repo)


@dataclass(frozen=True)
class Scenario:
    """One cassette: its vendor, its recorder and whether it needs injected faults."""

    vendor: str
    run: Callable[[Recorder], None]
    needs_faults: bool = False


SCENARIOS: Final = (
    Scenario("jira", jira_search_jql_pagination),
    Scenario("jira", jira_rate_limited_429, needs_faults=True),
    Scenario("jira", jira_server_error_503_burst, needs_faults=True),
    Scenario("jira", jira_unauthorized_401),
    Scenario("jira", jira_project_not_found_404),
    Scenario("jira", jira_bulk_create_partial_failure),
    Scenario("github", github_issues_link_pagination),
    Scenario("github", github_search_pagination),
    Scenario("github", github_secondary_rate_limit_403, needs_faults=True),
    Scenario("github", github_rate_limit_429, needs_faults=True),
    Scenario("github", github_not_modified_304),
    Scenario("github", github_bad_credentials_401),
    Scenario("github", github_server_error_503_burst, needs_faults=True),
)


# --- set-ups ------------------------------------------------------------------------------


def _run_all(rec: Recorder, vendors: set[str]) -> int:
    failures = 0
    for scenario in SCENARIOS:
        if scenario.vendor not in vendors:
            continue
        if scenario.needs_faults and rec.sandbox is None:
            print(f"- {scenario.run.__name__}: skipped (needs injected faults, sandbox only)")
            continue
        print(f"- {scenario.run.__name__}")
        if rec.sandbox is not None:
            rec.sandbox.faults.clear()
        try:
            scenario.run(rec)
        except (AssertionError, JIRAError, GithubException, requests.RequestException) as exc:
            failures += 1
            print(f"  FAILED: {exc!r}")
    return failures


def _start_proxies(derive: ModuleType, sandbox: Sandbox, work: Path) -> list[Any]:
    """Derive both specs and start a Prism proxy per sandbox app (Jira first, then GitHub)."""
    github_port = derive.free_port()
    github_spec = derive.derive_github(base_url=f"http://127.0.0.1:{github_port}")
    specs = {
        "github": derive.write_spec(github_spec, work / "github.json"),
        "jira": derive.write_spec(derive.derive_jira(), work / "jira.json"),
    }
    started: list[Any] = []
    try:
        for app, port in (("jira", None), ("github", github_port)):
            started.append(
                derive.start_prism(
                    name=f"{app}-proxy",
                    spec=specs[app],
                    mode="proxy",
                    upstream=sandbox.url(app),
                    port=port,
                    log_path=work / f"{app}.log",
                )
            )
        derive.wait_until_listening(started)
    except BaseException:
        for prism in started:
            prism.stop()
        raise
    for app, prism in zip(("jira", "github"), started, strict=True):
        sandbox.set_public_base(app, prism.url)
    return started


def record_against_sandbox(out: Path, vendors: set[str]) -> int:
    """Start the sandbox and Prism proxies, record every scenario, stop everything."""
    derive = _load_module("followthrough_contract_derive", DERIVE)
    missing = derive.prism_missing_reason()
    if missing is not None:
        print(f"Prism {derive.PRISM_VERSION} is needed: {missing}", file=sys.stderr)
        return 2
    clock = SimClock(SANDBOX_START)
    clock.freeze(SANDBOX_START)  # fixed timestamps keep re-recorded cassettes diffable
    sandbox = Sandbox(seed=0, clock=clock)
    sandbox.start()
    rec = Recorder(out=out, jira=None, github=None, sandbox=sandbox)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="followthrough-cassettes-") as tmp:
        try:
            jira_proxy, github_proxy = _start_proxies(derive, sandbox, Path(tmp))
            try:
                rec.jira = JiraTarget(jira_proxy.url, sandbox.user, sandbox.token, "OPS")
                rec.github = GitHubTarget(github_proxy.url, sandbox.token, PLACEHOLDER_REPO)
                failures = _run_all(rec, vendors)
            finally:
                jira_proxy.stop()
                github_proxy.stop()
        finally:
            sandbox.stop()
    unexplained = _report_violations(rec.violations)
    return 1 if failures or unexplained else 0


def _verdict(allowlist: ModuleType, violation: Any) -> tuple[str, bool]:
    """How a violation is explained, and whether it is acceptable."""
    entry = allowlist.covering(violation)
    if entry is not None:
        return f"allow-list: {entry.name}", True
    undeclared = violation.message.startswith("Unable to match the returned status code")
    if undeclared and violation.status in INJECTED_STATUSES:
        return "injected fault (status not declared for this operation)", True
    return "UNREVIEWED", False


def _report_violations(seen: list[tuple[str, str, str, int, str]]) -> int:
    """Print Prism's findings with their explanation; return how many are unexplained."""
    if not seen:
        print("Prism reported no contract violations.")
        return 0
    allowlist = _load_module("followthrough_contract_allowlist", ALLOWLIST)
    print("Prism reported these contract violations (not stored in the cassettes):")
    unexplained = 0
    for vendor, method, path, status, header in seen:
        for violation in allowlist.parse_violations(
            header, vendor=vendor, method=method, path=path, status=status
        ):
            verdict, ok = _verdict(allowlist, violation)
            unexplained += 0 if ok else 1
            print(f"  {violation.describe()}\n      -> {verdict}")
    return unexplained


def record_against_real_services(out: Path, vendors: set[str]) -> int:
    """Record the fault-free scenarios against real services named by environment variables."""
    env = os.environ
    jira = github = None
    if "jira" in vendors and env.get("FOLLOWTHROUGH_RECORD_JIRA_URL"):
        jira = JiraTarget(
            env["FOLLOWTHROUGH_RECORD_JIRA_URL"],
            env["FOLLOWTHROUGH_RECORD_JIRA_USER"],
            env["FOLLOWTHROUGH_RECORD_JIRA_TOKEN"],
            env["FOLLOWTHROUGH_RECORD_JIRA_PROJECT"],
        )
    if "github" in vendors and env.get("FOLLOWTHROUGH_RECORD_GITHUB_TOKEN"):
        github = GitHubTarget(
            env.get("FOLLOWTHROUGH_RECORD_GITHUB_URL", "https://api.github.com"),
            env["FOLLOWTHROUGH_RECORD_GITHUB_TOKEN"],
            env["FOLLOWTHROUGH_RECORD_GITHUB_REPO"],
        )
    chosen = {name for name, target in (("jira", jira), ("github", github)) if target}
    if not chosen:
        print(
            "No FOLLOWTHROUGH_RECORD_* credentials set; see cassettes/README.md.", file=sys.stderr
        )
        return 2
    return 1 if _run_all(Recorder(out=out, jira=jira, github=github), chosen) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", choices=("jira", "github"), action="append")
    parser.add_argument("--real", action="store_true", help="record against real services")
    parser.add_argument("--out", type=Path, default=CASSETTES)
    args = parser.parse_args(argv)
    vendors = set(args.only or ("jira", "github"))
    if args.real:
        return record_against_real_services(args.out, vendors)
    return record_against_sandbox(args.out, vendors)


if __name__ == "__main__":
    raise SystemExit(main())
