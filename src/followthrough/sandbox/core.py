"""Sandbox core: simulated clock, request/response types, accounting, faults and the runner.

Vendor simulators (``jira.py``, ``github.py``) implement the ``App`` protocol; ``Sandbox``
serves each app on its own loopback port (see ``server.py``), checks credentials, injects
faults, counts calls and persists app state to a JSON file.

Default apps are built as ``JiraApp(clock=clock)`` and ``GitHubApp(clock=clock)``.
An app may optionally define ``configure(settings: dict) -> dict`` (exposed as
``POST /_sandbox/config``), ``error_body(status: int, message: str) -> Any`` (vendor-shaped
error bodies for injected faults and auth failures) and ``allows_anonymous(req) -> bool``
(requests served without credentials, like GitHub's archive downloads).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from followthrough.sandbox.server import LoopbackServer, RawExchange, RawReply

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONTROL_PREFIX = "/_sandbox/"
DEFAULT_USER = "followthrough-bot@example.com"


class SimClock:
    """Simulated UTC clock; follows real time from ``start`` unless frozen. Thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._base = _as_utc(start) if start is not None else datetime.now(UTC)
        self._real_start: float | None = time.monotonic()

    def now(self) -> datetime:
        """Current simulated time, tz-aware UTC."""
        with self._lock:
            if self._real_start is None:
                return self._base
            return self._base + timedelta(seconds=time.monotonic() - self._real_start)

    def advance(self, seconds: float) -> None:
        """Move simulated time forward (or back, with a negative value)."""
        with self._lock:
            self._base += timedelta(seconds=seconds)

    def freeze(self, at: datetime | None = None) -> None:
        """Stop following real time, at ``at`` or at the current simulated time."""
        current = self.now()
        with self._lock:
            self._base = _as_utc(at) if at is not None else current
            self._real_start = None

    @property
    def frozen(self) -> bool:
        """Whether the clock ignores real time."""
        with self._lock:
            return self._real_start is None

    def skewed(self, seconds: float) -> SkewedClock:
        """This clock as a server whose clock is off by ``seconds`` sees it (moves with it)."""
        return SkewedClock(self, seconds)


class SkewedClock(SimClock):
    """Another machine's view of a `SimClock`: the same time plus a settable offset.

    A sandbox built on one runs its trackers ahead of (or behind) the product's clock;
    advancing or freezing it moves the clock it views, so both stay in step.
    """

    def __init__(self, base: SimClock, seconds: float = 0.0) -> None:
        super().__init__(base.now())
        self._viewed = base
        self.skew = timedelta(seconds=seconds)

    def now(self) -> datetime:
        """The viewed clock's time plus the skew."""
        return self._viewed.now() + self.skew

    def advance(self, seconds: float) -> None:
        """Move the viewed clock (the skew stays)."""
        self._viewed.advance(seconds)

    def freeze(self, at: datetime | None = None) -> None:
        """Freeze the viewed clock so that this view reads ``at``."""
        self._viewed.freeze(None if at is None else _as_utc(at) - self.skew)

    @property
    def frozen(self) -> bool:
        """Whether the viewed clock ignores real time."""
        return self._viewed.frozen

    def set_skew(self, seconds: float) -> None:
        """Run ``seconds`` ahead of the viewed clock (behind when negative)."""
        self.skew = timedelta(seconds=seconds)


def http_date(moment: datetime) -> str:
    """An RFC 9110 ``Date`` value (whole seconds, GMT)."""
    return format_datetime(_as_utc(moment).replace(microsecond=0), usegmt=True)


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class HttpError(Exception):
    """Raised by apps to answer with an error status and a vendor-shaped body."""

    def __init__(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


class BadRequest(HttpError):  # noqa: N818 - named after the status
    """A 400 with a generic JSON body; apps usually re-raise in their own shape."""

    def __init__(self, message: str) -> None:
        super().__init__(400, {"errorMessages": [message], "errors": {}, "message": message})
        self.message = message


@dataclass(frozen=True)
class SandboxRequest:
    """A parsed request; ``path`` is the raw path without the query string."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """Decoded JSON body (None when empty); BadRequest when it is not JSON."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"Unexpected character in request body: {exc}") from exc

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class SandboxResponse:
    """An app's answer: JSON-able ``body``, raw bytes, or None for an empty body."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class App(Protocol):
    """A simulated vendor API."""

    name: str

    def handle(self, req: SandboxRequest, *, public_base: str) -> SandboxResponse:
        """Answer a request; absolute URLs in bodies must start with ``public_base``."""
        ...

    def route_of(self, req: SandboxRequest) -> str:
        """Route template used for accounting, e.g. ``GET /rest/api/{v}/issue/{key}``."""
        ...

    def dump_state(self) -> dict[str, Any]:
        """JSON-able state."""
        ...

    def load_state(self, state: dict[str, Any]) -> None:
        """Replace state with a previous ``dump_state``."""
        ...


def is_read_route(route: str) -> bool:
    """GETs, and POSTs that only query (Jira's ``/search/jql``, approximate count, bulk fetch)."""
    method, _, path = route.partition(" ")
    if method.upper() in READ_METHODS:
        return True
    return method.upper() == "POST" and ("/search" in path or path.endswith("/bulkfetch"))


class Accounting:
    """Thread-safe call counts per (app, route template); the route starts with the method."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def record(self, app: str, route: str) -> None:
        """Count one call."""
        with self._lock:
            self._counts[(app, route)] += 1

    def counts(self, app: str | None = None) -> dict[str, int]:
        """Counts keyed by route for one app, or by ``"app route"`` for all apps."""
        with self._lock:
            items = list(self._counts.items())
        if app is not None:
            return {route: n for (a, route), n in items if a == app}
        return {f"{a} {route}": n for (a, route), n in items}

    def total(
        self, app: str | None = None, *, writes_only: bool = False, reads_only: bool = False
    ) -> int:
        """Total calls, optionally only writes or only reads (see `is_read_route`)."""
        with self._lock:
            items = list(self._counts.items())
        total = 0
        for (a, route), n in items:
            is_read = is_read_route(route)
            if (app is None or a == app) and not (writes_only and is_read):
                total += 0 if (reads_only and not is_read) else n
        return total

    def reset(self) -> None:
        """Forget all counts."""
        with self._lock:
            self._counts.clear()


FAULT_KINDS = frozenset(
    {"rate_limit", "server_error", "latency", "drop", "unauthorized", "not_found"}
)


@dataclass
class FaultRule:
    """When and how to inject a fault.

    ``count`` fires on the next N matching requests; otherwise ``probability`` (default 1.0)
    is drawn per matching request. ``route_prefix`` matches the raw path or the route template
    without its method; ``method`` matches the HTTP method. ``params`` by kind:
    rate_limit: retry_after (s), variant ("primary"/"secondary" for github), reason (jira);
    server_error: status (500/502/503), burst (consecutive failures once fired);
    latency: seconds; drop: fraction of the body sent (0..1), when ("after"/"before" handling).
    """

    kind: str
    app: str
    probability: float | None = None
    count: int | None = None
    route_prefix: str | None = None
    method: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], *, default_app: str) -> FaultRule:
        """Build a rule from the control API's JSON."""
        kind = str(data.get("kind", ""))
        if kind not in FAULT_KINDS:
            raise HttpError(400, {"message": f"unknown fault kind {kind!r}"})
        probability = data.get("probability")
        count = data.get("count")
        return cls(
            kind=kind,
            app=str(data.get("app") or default_app),
            probability=None if probability is None else float(probability),
            count=None if count is None else int(count),
            route_prefix=data.get("route_prefix"),
            method=(str(data["method"]).upper() if data.get("method") else None),
            params=dict(data.get("params") or {}),
        )


@dataclass(frozen=True)
class Fault:
    """A fault chosen for one request."""

    kind: str
    app: str
    params: dict[str, Any]


class FaultPlan:
    """Deterministic (seeded) fault injection with a log of what was injected."""

    def __init__(self, *, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._rules: list[FaultRule] = []
        self._bursts: dict[int, int] = {}
        self._log: list[dict[str, Any]] = []

    def add(self, rule: FaultRule) -> None:
        """Add a rule; rules are consulted in insertion order."""
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        """Remove all rules (the log is kept)."""
        with self._lock:
            self._rules.clear()
            self._bursts.clear()

    def rules(self) -> list[FaultRule]:
        """The rules that can still fire."""
        with self._lock:
            return [r for r in self._rules if self._live(r)]

    def _live(self, rule: FaultRule) -> bool:
        return rule.count is None or rule.count > 0 or self._bursts.get(id(rule), 0) > 0

    def decide(self, app: str, req: SandboxRequest, *, route: str | None = None) -> Fault | None:
        """The fault to inject for this request, if any."""
        with self._lock:
            for rule in self._rules:
                if self._matches(rule, app, req, route) and self._fires(rule):
                    fault = Fault(kind=rule.kind, app=app, params=dict(rule.params))
                    self._log.append(
                        {"kind": rule.kind, "app": app, "method": req.method, "path": req.path}
                    )
                    return fault
        return None

    def _matches(self, rule: FaultRule, app: str, req: SandboxRequest, route: str | None) -> bool:
        if rule.app != app or (rule.method and rule.method != req.method):
            return False
        if not self._live(rule):
            return False
        if not rule.route_prefix:
            return True
        template = route.split(" ", 1)[-1] if route else ""
        return req.path.startswith(rule.route_prefix) or template.startswith(rule.route_prefix)

    def _fires(self, rule: FaultRule) -> bool:
        key = id(rule)
        if self._bursts.get(key, 0) > 0:
            self._bursts[key] -= 1
            return True
        if rule.count is not None:
            rule.count -= 1
            fired = True
        else:
            probability = 1.0 if rule.probability is None else rule.probability
            fired = self._random.random() < probability
        if fired and rule.kind == "server_error":
            self._bursts[key] = max(int(rule.params.get("burst", 1)) - 1, 0)
        return fired

    def log(self) -> list[dict[str, Any]]:
        """Every injected fault, oldest first."""
        with self._lock:
            return [dict(entry) for entry in self._log]

    def counts(self) -> dict[str, int]:
        """Injected faults per kind."""
        with self._lock:
            return dict(Counter(entry["kind"] for entry in self._log))


def default_error_body(app: str, status: int, message: str) -> Any:
    """A vendor-shaped error body for faults and auth failures."""
    if app == "github":
        return {
            "message": message,
            "documentation_url": "https://docs.github.com/rest",
            "status": str(status),
        }
    return {"errorMessages": [message], "errors": {}}


_FAULT_MESSAGES = {
    ("jira", 401): "Client must be authenticated to access this resource.",
    ("jira", 404): "Issue does not exist or you do not have permission to see it.",
    ("jira", 429): "Rate limit exceeded.",
    ("github", 401): "Bad credentials",
    ("github", 404): "Not Found",
    ("github", 429): "API rate limit exceeded for user ID 1.",
}
SECONDARY_RATE_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID "
    "0000:0000:0000000:0000000:00000000."
)


def _message(app: str, status: int) -> str:
    default = {500: "Internal server error", 502: "Bad gateway", 503: "Service unavailable"}
    return _FAULT_MESSAGES.get((app, status), default.get(status, "Error"))


def _rate_limit_response(fault: Fault) -> tuple[int, dict[str, str], str]:
    retry_after = int(fault.params.get("retry_after", 1))
    headers = {"Retry-After": str(retry_after)}
    if fault.app == "jira":
        headers["RateLimit-Reason"] = str(fault.params.get("reason", "jira-burst-based"))
        return 429, headers, _message("jira", 429)
    if fault.params.get("variant") == "secondary":
        return 403, {"retry-after": str(retry_after)}, SECONDARY_RATE_LIMIT_MESSAGE
    reset = int(time.time()) + retry_after
    headers.update(
        {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "5000",
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-resource": "core",
        }
    )
    return int(fault.params.get("status", 429)), headers, _message(fault.app, 429)


def fault_error(fault: Fault, body_for: Callable[[int, str], Any]) -> HttpError | None:
    """The error response a fault stands for (None for latency and drop)."""
    if fault.kind == "rate_limit":
        status, headers, message = _rate_limit_response(fault)
        return HttpError(status, body_for(status, message), headers)
    statuses = {"unauthorized": 401, "not_found": 404}
    if fault.kind == "server_error":
        status = int(fault.params.get("status", 503))
    elif fault.kind in statuses:
        status = statuses[fault.kind]
    else:
        return None
    return HttpError(status, body_for(status, _message(fault.app, status)))


def encode_body(body: Any, headers: dict[str, str]) -> bytes:
    """Serialise a response body, setting a JSON content type when needed."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    headers.setdefault("Content-Type", "application/json;charset=UTF-8")
    return json.dumps(body, separators=(",", ":")).encode()


def parse_request(raw: RawExchange) -> SandboxRequest:
    """Split the request target into path and query."""
    parts = urlsplit(raw.target)
    query = parse_qs(parts.query, keep_blank_values=True)
    return SandboxRequest(raw.method.upper(), parts.path, query, dict(raw.headers), raw.body)


def default_token(seed: int) -> str:
    """A deterministic API token for a seed."""
    return "sbx_" + hashlib.sha256(f"followthrough-sandbox:{seed}".encode()).hexdigest()[:36]


def credentials_ok(headers: dict[str, str], *, user: str, token: str) -> bool:
    """Basic user:token, or Bearer/token scheme with the token."""
    import base64  # noqa: PLC0415 - only needed here

    scheme, _, value = headers.get("authorization", "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() in {"bearer", "token"}:
        return value == token
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return False
    return decoded == f"{user}:{token}"


def _allows_anonymous(app: App, req: SandboxRequest) -> bool:
    """Whether the app serves ``req`` without credentials (optional ``allows_anonymous`` hook)."""
    hook = getattr(app, "allows_anonymous", None)
    return bool(hook(req)) if callable(hook) else False


def _default_apps(clock: SimClock) -> list[App]:
    apps: list[App] = []
    for module, cls in (("jira", "JiraApp"), ("github", "GitHubApp")):
        try:
            loaded = importlib.import_module(f"followthrough.sandbox.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"followthrough.sandbox.{module}":
                raise
            continue
        apps.append(getattr(loaded, cls)(clock=clock))
    return apps


class Sandbox:
    """Owns the clock, faults, accounting and apps; serves each app on a loopback port."""

    def __init__(
        self,
        *,
        apps: Sequence[App] | None = None,
        clock: SimClock | None = None,
        state_file: Path | None = None,
        seed: int = 0,
        ports: dict[str, int] | None = None,
        public_bases: dict[str, str] | None = None,
        host: str = "127.0.0.1",
        user: str = DEFAULT_USER,
        token: str | None = None,
    ) -> None:
        self.clock = clock or SimClock()
        self.apps: dict[str, App] = {a.name: a for a in (apps or _default_apps(self.clock))}
        self.state_file = state_file
        self.seed = seed
        self.faults = FaultPlan(seed=seed)
        self.accounting = Accounting()
        self.user = user
        self.token = token or default_token(seed)
        self._host = host
        self._ports = dict(ports or {})
        self._public_bases = dict(public_bases or {})
        self._servers: dict[str, LoopbackServer] = {}
        self._lock = threading.RLock()

    # lifecycle -------------------------------------------------------------------------

    def start(self) -> dict[str, str]:
        """Load state (if any), bind every app and return base URLs and credentials."""
        if not self._servers:
            if self.state_file is not None and self.state_file.exists():
                self.load()
            for name in self.apps:
                server = LoopbackServer(
                    host=self._host, port=self._ports.get(name, 0), dispatch=self._dispatcher(name)
                )
                self._servers[name] = server
                server.start()
        return self.info()

    def info(self) -> dict[str, str]:
        """Public base URL per app plus the credentials clients must send."""
        urls = {name: self.public_base(name) for name in self._servers}
        return {**urls, "user": self.user, "token": self.token}

    def stop(self) -> None:
        """Stop serving; persist state when a state file is set."""
        for server in self._servers.values():
            server.stop()
        self._servers.clear()
        if self.state_file is not None:
            self.save()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def url(self, app: str) -> str:
        """Bound URL of an app (not the public one)."""
        return self._servers[app].url

    def public_base(self, app: str) -> str:
        """URL clients see for an app."""
        return self._public_bases.get(app) or self._servers[app].url

    def set_public_base(self, app: str, url: str) -> None:
        """Use ``url`` in bodies, e.g. when a validating proxy sits in front."""
        self._public_bases[app] = url.rstrip("/")

    # state ---------------------------------------------------------------------------

    def dump_state(self) -> dict[str, Any]:
        """All app state plus the clock, JSON-able."""
        with self._lock:
            apps = {name: app.dump_state() for name, app in self.apps.items()}
        clock = {"now": self.clock.now().isoformat(), "frozen": self.clock.frozen}
        return {"version": 1, "clock": clock, "apps": apps}

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore app state; the clock never moves backwards."""
        saved_now = datetime.fromisoformat(state["clock"]["now"])
        if state["clock"].get("frozen"):
            self.clock.freeze(max(saved_now, self.clock.now()))
        elif saved_now > self.clock.now():
            self.clock.advance((saved_now - self.clock.now()).total_seconds())
        with self._lock:
            for name, app_state in state.get("apps", {}).items():
                if name in self.apps:
                    self.apps[name].load_state(app_state)

    def save(self) -> None:
        """Write the state file atomically (tmp file + rename)."""
        if self.state_file is None:
            return
        with self._lock:
            data = json.dumps(self.dump_state(), indent=1, sort_keys=True)
            tmp = self.state_file.with_name(f".{self.state_file.name}.{os.getpid()}.tmp")
            tmp.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(data, encoding="utf-8")
            os.replace(tmp, self.state_file)

    def load(self) -> None:
        """Read the state file if it exists."""
        if self.state_file is not None and self.state_file.exists():
            self.load_state(json.loads(self.state_file.read_text(encoding="utf-8")))

    # Python control API ----------------------------------------------------------------

    def add_fault(self, kind: str, app: str, **options: Any) -> FaultRule:
        """Shortcut: ``add_fault("rate_limit", "jira", count=1, params={...})``."""
        rule = FaultRule.from_json({"kind": kind, "app": app, **options}, default_app=app)
        self.faults.add(rule)
        return rule

    def app(self, name: str) -> App:
        """The app registered under ``name``."""
        return self.apps[name]

    # dispatch --------------------------------------------------------------------------

    def _dispatcher(self, app_name: str) -> Callable[[RawExchange], RawReply]:
        def dispatch(raw: RawExchange) -> RawReply:
            req = parse_request(raw)
            if req.path.startswith(CONTROL_PREFIX):
                return self._reply(self._control(app_name, req))
            return self._serve_app(app_name, req)

        return dispatch

    def _serve_app(self, app_name: str, req: SandboxRequest) -> RawReply:
        reply = self._answer_app(app_name, req)
        # Like every origin server with a clock: the tracker's own time, which clients may
        # use as the moment a listing is complete up to.
        reply.headers.setdefault("Date", http_date(self.clock.now()))
        return reply

    def _answer_app(self, app_name: str, req: SandboxRequest) -> RawReply:
        app = self.apps[app_name]
        route = app.route_of(req)
        self.accounting.record(app_name, route)
        fault = self.faults.decide(app_name, req, route=route)
        body_for = self._error_body_for(app)
        if fault is not None and fault.kind == "latency":
            time.sleep(float(fault.params.get("seconds", 1.0)))
        error = fault_error(fault, body_for) if fault is not None else None
        if (
            error is None
            and not _allows_anonymous(app, req)
            and not credentials_ok(req.headers, user=self.user, token=self.token)
        ):
            error = HttpError(401, body_for(401, _message(app_name, 401)))
        if error is not None:
            return self._reply(SandboxResponse(error.status, error.body, error.headers))
        drop = fault if fault is not None and fault.kind == "drop" else None
        if drop is not None and drop.params.get("when") == "before":
            return RawReply(200, {"Content-Type": "application/json"}, b'{"partial":', 5)
        reply = self._reply(self._handle(app, req))
        if drop is not None:
            reply.cut_after = int(len(reply.body) * float(drop.params.get("fraction", 0.5)))
        return reply

    def _handle(self, app: App, req: SandboxRequest) -> SandboxResponse:
        with self._lock:
            try:
                response = app.handle(req, public_base=self.public_base(app.name))
            except HttpError as exc:
                response = SandboxResponse(exc.status, exc.body, exc.headers)
            if req.method not in READ_METHODS and response.status < 400:
                self.save()
            return response

    @staticmethod
    def _error_body_for(app: App) -> Callable[[int, str], Any]:
        custom = getattr(app, "error_body", None)
        if callable(custom):
            return custom  # type: ignore[no-any-return]
        return lambda status, message: default_error_body(app.name, status, message)

    @staticmethod
    def _reply(response: SandboxResponse) -> RawReply:
        headers = dict(response.headers)
        body = encode_body(response.body, headers)
        return RawReply(response.status, headers, body)

    # HTTP control API ------------------------------------------------------------------

    def _control(self, app_name: str, req: SandboxRequest) -> SandboxResponse:
        action = f"{req.method} {req.path[len(CONTROL_PREFIX) :].strip('/')}"
        try:
            handler = self._control_routes().get(action)
            if handler is None:
                return SandboxResponse(404, {"message": f"no control route {action!r}"})
            return handler(app_name, req)
        except HttpError as exc:
            return SandboxResponse(exc.status, exc.body, exc.headers)
        except (KeyError, TypeError, ValueError) as exc:
            return SandboxResponse(400, {"message": f"bad control request: {exc}"})

    def _control_routes(self) -> dict[str, Callable[[str, SandboxRequest], SandboxResponse]]:
        return {
            "GET accounting": self._ctl_accounting,
            "POST accounting/reset": self._ctl_accounting_reset,
            "GET clock": self._ctl_clock,
            "POST clock/advance": self._ctl_clock_advance,
            "POST clock/freeze": self._ctl_clock_freeze,
            "POST clock/skew": self._ctl_clock_skew,
            "GET faults": self._ctl_faults,
            "POST faults": self._ctl_faults_add,
            "DELETE faults": self._ctl_faults_clear,
            "GET faults/log": self._ctl_faults_log,
            "POST config": self._ctl_config,
            "GET state": lambda _a, _r: SandboxResponse(200, self.dump_state()),
        }

    def _ctl_accounting(self, _app: str, _req: SandboxRequest) -> SandboxResponse:
        acc = self.accounting
        body = {
            "total": acc.total(),
            "reads": acc.total(reads_only=True),
            "writes": acc.total(writes_only=True),
            "apps": {name: acc.counts(name) for name in self.apps},
        }
        return SandboxResponse(200, body)

    def _ctl_accounting_reset(self, _app: str, _req: SandboxRequest) -> SandboxResponse:
        self.accounting.reset()
        return SandboxResponse(204)

    def _ctl_clock(self, _app: str, _req: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(
            200, {"now": self.clock.now().isoformat(), "frozen": self.clock.frozen}
        )

    def _ctl_clock_advance(self, app: str, req: SandboxRequest) -> SandboxResponse:
        self.clock.advance(float((req.json() or {})["seconds"]))
        return self._ctl_clock(app, req)

    def _ctl_clock_freeze(self, app: str, req: SandboxRequest) -> SandboxResponse:
        at = (req.json() or {}).get("at")
        self.clock.freeze(datetime.fromisoformat(at) if at else None)
        return self._ctl_clock(app, req)

    def _ctl_clock_skew(self, app: str, req: SandboxRequest) -> SandboxResponse:
        if not isinstance(self.clock, SkewedClock):
            raise HttpError(409, {"message": "this sandbox's clock is not a skewed view"})
        self.clock.set_skew(float((req.json() or {})["seconds"]))
        return self._ctl_clock(app, req)

    def _ctl_faults(self, _app: str, _req: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(200, [asdict(rule) for rule in self.faults.rules()])

    def _ctl_faults_add(self, app: str, req: SandboxRequest) -> SandboxResponse:
        rule = FaultRule.from_json(req.json() or {}, default_app=app)
        self.faults.add(rule)
        return SandboxResponse(201, asdict(rule))

    def _ctl_faults_clear(self, _app: str, _req: SandboxRequest) -> SandboxResponse:
        self.faults.clear()
        return SandboxResponse(204)

    def _ctl_faults_log(self, _app: str, _req: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(200, {"counts": self.faults.counts(), "entries": self.faults.log()})

    def _ctl_config(self, app_name: str, req: SandboxRequest) -> SandboxResponse:
        configure = getattr(self.apps[app_name], "configure", None)
        if not callable(configure):
            return SandboxResponse(404, {"message": f"{app_name} has nothing to configure"})
        with self._lock:
            return SandboxResponse(200, configure(req.json() or {}))
