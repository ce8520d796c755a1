"""Fixtures for contract tests: the sandbox behind Prism validating proxies, and the real clients.

Session scope: the specs are derived once (``tools/contract/derive.py``), one sandbox serves Jira
and GitHub, and three Prism processes start in parallel: a validating proxy in front of each
sandbox app and a GitHub mock with ``--errors`` for the canary. Every ``sl-violations`` header
seen by the jira or PyGithub session is recorded; a scenario ends with
``violations.assert_reviewed()`` which fails on anything not in ``allowlist.ALLOWED``.

Prism needs ``node`` and ``npm ci`` in ``tools/contract``. Without them the tests are skipped,
unless ``CI`` is set, in which case they fail.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from github import Auth, Github
from github.Requester import (
    HTTPRequestsConnectionClass,
    HTTPSRequestsConnectionClass,
    Requester,
)
from jira import JIRA

from followthrough.sandbox import Sandbox

from .allowlist import ALLOWED, Violation, covering, parse_violations, unreviewed

ROOT = Path(__file__).resolve().parents[2]
DERIVE_PATH = ROOT / "tools" / "contract" / "derive.py"


def _load_derive() -> ModuleType:
    """Import ``tools/contract/derive.py`` by path (``tools`` is not a package)."""
    name = "followthrough_contract_derive"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, DERIVE_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


derive = _load_derive()

# Allow-list entry name -> violations it accepted this session (for the terminal summary).
ACCEPTED: Counter[str] = Counter()


@dataclass
class PrismStack:
    """The running Prism processes and the sandbox behind the proxies."""

    sandbox: Sandbox
    jira: Any  # derive.PrismProcess: validating proxy in front of the sandbox's Jira
    github: Any  # derive.PrismProcess: validating proxy in front of the sandbox's GitHub
    github_mock: Any  # derive.PrismProcess: GitHub mock with --errors
    user: str
    token: str

    def logs(self) -> str:
        """Where to look when a scenario fails."""
        procs = (self.jira, self.github, self.github_mock)
        return ", ".join(f"{p.name}: {p.log_path}" for p in procs)


# How Prism logs a violation: "... [VALIDATOR] ✖  error     Violation: request.body Request ..."
LOGGED_VIOLATION = re.compile(r"Violation: (?P<location>\S+) (?P<message>.*)$", re.MULTILINE)


@dataclass
class ViolationRecorder:
    """Collects ``sl-violations`` entries from requests response hooks.

    As a backstop it also reads what the proxies logged meanwhile: a ``Violation:`` line that no
    hooked response carried means some traffic bypassed the hooks, which fails the scenario.
    """

    stack: PrismStack
    seen: list[Violation] = field(default_factory=list)
    exchanges: int = 0
    log_marks: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for proxy in (self.stack.jira, self.stack.github):
            self.log_marks[proxy.name] = proxy.log_path.stat().st_size

    def hook_for(self, vendor: str) -> Callable[..., None]:
        """A requests response hook that records the violations of one vendor's proxy."""

        def hook(response: requests.Response, *_args: object, **_kwargs: object) -> None:
            self.exchanges += 1
            header = response.headers.get("sl-violations")
            if not header:
                return
            request = response.request
            self.seen.extend(
                parse_violations(
                    header,
                    vendor=vendor,
                    method=str(request.method),
                    path=urlsplit(str(request.url)).path,
                    status=response.status_code,
                )
            )

        return hook

    def logged_but_not_seen(self) -> list[str]:
        """Violations in the proxies' logs since this recorder started that no hook saw."""
        seen = {(".".join(v.location).lower(), v.message) for v in self.seen}
        missing: list[str] = []
        for proxy in (self.stack.jira, self.stack.github):
            with proxy.log_path.open("rb") as log:
                log.seek(self.log_marks[proxy.name])
                text = log.read().decode("utf-8", "replace")
            for found in LOGGED_VIOLATION.finditer(text):
                key = (found["location"].lower(), found["message"].strip())
                if key not in seen:
                    missing.append(f"  [{proxy.name}] {found['location']} {found['message']}")
        return missing

    def assert_reviewed(self) -> None:
        """Fail, listing them, when violations are not on the reviewed allow-list."""
        assert self.exchanges > 0, "no exchange went through a recording session"
        unhooked = self.logged_but_not_seen()
        if unhooked:
            pytest.fail(
                "Prism logged violations that no recording hook saw:\n" + "\n".join(unhooked),
                pytrace=False,
            )
        bad = unreviewed(self.seen)
        for violation in self.seen:
            entry = covering(violation)
            if entry is not None:
                ACCEPTED[entry.name] += 1
        if bad:
            lines = "\n".join(f"  {v.describe()}" for v in bad)
            pytest.fail(
                f"{len(bad)} contract violation(s) not on tests/contract/allowlist.py:\n"
                f"{lines}\nPrism logs: {self.stack.logs()}",
                pytrace=False,
            )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List what the allow-list accepted, and entries nothing matched (candidates to drop)."""
    if not ACCEPTED:
        return
    terminalreporter.section("contract violations accepted by tests/contract/allowlist.py")
    for entry in ALLOWED:
        terminalreporter.write_line(f"{ACCEPTED[entry.name]:5d}  {entry.name}")


def _require_prism() -> None:
    reason = derive.prism_missing_reason()
    if reason is None:
        return
    message = f"contract tests need Prism {derive.PRISM_VERSION}: {reason}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is an error, not a skip)", pytrace=False)
    pytest.skip(message)


@dataclass(frozen=True)
class DerivedSpecs:
    """Prism-ready copies of the vendor descriptions, written once per session."""

    github: Path
    jira: Path
    github_port: int  # the GitHub proxy listens here; the GitHub copy's URLs point at it


@pytest.fixture(scope="session")
def derived_specs(tmp_path_factory: pytest.TempPathFactory) -> DerivedSpecs:
    """Derive both descriptions into a session tmp dir (about 1.5 s in all)."""
    work = tmp_path_factory.mktemp("specs")
    github_port = derive.free_port()
    github = derive.derive_github(base_url=f"http://127.0.0.1:{github_port}")
    return DerivedSpecs(
        github=derive.write_spec(github, work / "github.json"),
        jira=derive.write_spec(derive.derive_jira(), work / "jira.json"),
        github_port=github_port,
    )


@pytest.fixture(scope="session")
def prism_stack(
    tmp_path_factory: pytest.TempPathFactory, derived_specs: DerivedSpecs
) -> Iterator[PrismStack]:
    """Sandbox plus Prism proxies (and the GitHub mock), started once per session."""
    _require_prism()
    work = tmp_path_factory.mktemp("prism")
    sandbox = Sandbox(seed=0)
    sandbox.start()
    started = []
    try:
        jira = derive.start_prism(
            name="jira-proxy",
            spec=derived_specs.jira,
            mode="proxy",
            upstream=sandbox.url("jira"),
            log_path=work / "prism-jira.log",
        )
        started.append(jira)
        github = derive.start_prism(
            name="github-proxy",
            spec=derived_specs.github,
            mode="proxy",
            upstream=sandbox.url("github"),
            port=derived_specs.github_port,
            log_path=work / "prism-github.log",
        )
        started.append(github)
        mock = derive.start_prism(
            name="github-mock",
            spec=derived_specs.github,
            mode="mock",
            errors=True,
            log_path=work / "prism-github-mock.log",
        )
        started.append(mock)
        derive.wait_until_listening(started)
        sandbox.set_public_base("jira", jira.url)
        sandbox.set_public_base("github", github.url)
        yield PrismStack(sandbox, jira, github, mock, user=sandbox.user, token=sandbox.token)
    finally:
        for prism in started:
            prism.stop()
        sandbox.stop()


@pytest.fixture
def violations(prism_stack: PrismStack) -> ViolationRecorder:
    """A fresh recorder for one scenario."""
    prism_stack.sandbox.faults.clear()
    return ViolationRecorder(prism_stack)


JiraFactory = Callable[[str], JIRA]


@pytest.fixture
def make_jira(prism_stack: PrismStack, violations: ViolationRecorder) -> JiraFactory:
    """Build a jira client for REST v2 or v3 through the Jira proxy, with the hook attached."""

    def build(rest_api_version: str) -> JIRA:
        client = JIRA(
            server=prism_stack.jira.url,
            basic_auth=(prism_stack.user, prism_stack.token),
            options={"rest_api_version": rest_api_version},
            max_retries=0,
            timeout=30,
        )
        client._session.hooks["response"].append(violations.hook_for("jira"))
        # The constructor's serverInfo call happened before the hook existed; repeat it.
        info = client.server_info()
        assert info.get("deploymentType") == "Cloud"
        return client

    return build


def _recording_http_class(hook: Callable[..., None]) -> type[HTTPRequestsConnectionClass]:
    class RecordingConnection(HTTPRequestsConnectionClass):
        """PyGithub's plain-HTTP connection with our response hook on its session."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.session.hooks["response"].append(hook)

    return RecordingConnection


@pytest.fixture
def github_client(prism_stack: PrismStack, violations: ViolationRecorder) -> Iterator[Github]:
    """PyGithub through the GitHub proxy; every response passes the violation hook.

    ``Requester.injectConnectionClasses`` is PyGithub's own seam for replacing its connection
    classes; it is reset when the test ends.
    """
    Requester.injectConnectionClasses(
        _recording_http_class(violations.hook_for("github")), HTTPSRequestsConnectionClass
    )
    client = Github(
        base_url=prism_stack.github.url,
        auth=Auth.Token(prism_stack.token),
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
        timeout=30,
    )
    try:
        yield client
    finally:
        client.close()
        Requester.resetConnectionClasses()
