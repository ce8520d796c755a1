"""The global configuration file (``config/followthrough.yaml``) as typed models.

Sits under the loader. Secrets (``token``, ``dsn``, ``password``) are ``SecretStr`` and come
only from the environment or a ``*_file`` (the loader rejects them in YAML); a connection that
needs one and has none is an error naming the variable to set.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    SecretStr,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from followthrough.config.fields import (
    ConfigPath,
    Day,
    Email,
    Lowercase,
    Name,
    RepoName,
    Section,
    TimeOfDay,
    Weekday,
    as_written,
)

GITHUB_API = "https://api.github.com"
SMTP_PORTS = {"starttls": 587, "ssl": 465, "plain": 25}


def missing_secret(name: str) -> PydanticCustomError:
    """The error for a required secret that is not set (the loader names the variable)."""
    return PydanticCustomError("missing_secret", "{field} is not set", {"field": name})


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError("must be an http(s) URL such as https://example.atlassian.net")
    return value.rstrip("/")


class FolderSource(Section):
    """Postmortems in a local folder (walked recursively)."""

    path: ConfigPath
    # Where people read these documents (a wiki, a repository's web view): a document's link
    # is this URL plus its path inside the folder. Unset: tickets name the path only.
    base_url: str | None = None

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)


class GitHubSourceSpec(Section):
    """Where postmortems live in a GitHub repository."""

    repo: RepoName
    path: str = ""
    ref: str = "main"
    connection: Name = "github"


class GitHubSource(Section):
    """Postmortems in a GitHub repository, read through a tracker connection's credentials."""

    github: GitHubSourceSpec


def _source_tag(value: Any) -> str:
    if isinstance(value, GitHubSource) or (isinstance(value, dict) and "github" in value):
        return "github-repo"
    return "folder"


def _source_shorthand(value: Any) -> Any:
    return {"path": value} if isinstance(value, str) else value


Source = Annotated[
    Annotated[FolderSource, Tag("folder")] | Annotated[GitHubSource, Tag("github-repo")],
    Discriminator(_source_tag),
    BeforeValidator(_source_shorthand),
]


class JiraConnection(Section):
    """A Jira Cloud site (user e-mail + API token) or a Data Center server (token)."""

    kind: Literal["jira"]
    url: str
    deployment: Literal["cloud", "datacenter"] = "cloud"
    user: str | None = None
    token: SecretStr | None = None
    token_file: ConfigPath | None = None
    search_lag_seconds: float = Field(default=60, ge=0, le=3600)

    _url = field_validator("url")(_http_url)

    @model_validator(mode="after")
    def _credentials(self) -> JiraConnection:
        if self.token is None:
            raise missing_secret("token")
        if self.deployment == "cloud" and not self.user:
            raise ValueError("Jira Cloud needs user (the e-mail address the API token belongs to)")
        return self


class GitHubConnection(Section):
    """github.com, or GitHub Enterprise Server at ``https://host/api/v3``."""

    kind: Literal["github"]
    url: str = GITHUB_API
    token: SecretStr | None = None
    token_file: ConfigPath | None = None

    @field_validator("url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        url = _http_url(value)
        if url != GITHUB_API and not url.endswith("/api/v3"):
            raise ValueError(f"use {GITHUB_API}, or https://HOST/api/v3 for GitHub Enterprise")
        return url

    @model_validator(mode="after")
    def _credentials(self) -> GitHubConnection:
        if self.token is None:
            raise missing_secret("token")
        return self


class SandboxConnection(Section):
    """The embedded tracker simulator (``followthrough.sandbox.Sandbox``): Jira and GitHub."""

    kind: Literal["sandbox"]
    state_file: ConfigPath | None = None


TrackerConnection = Annotated[
    JiraConnection | GitHubConnection | SandboxConnection, Field(discriminator="kind")
]


class StoreSettings(Section):
    """The journal: PostgreSQL when a DSN is set, else SQLite at ``sqlite_path``."""

    dsn: SecretStr | None = None
    dsn_file: ConfigPath | None = None
    sqlite_path: ConfigPath = Path("state/followthrough.db")
    connect_timeout_seconds: int = Field(default=10, ge=2, le=300)
    statement_timeout_seconds: float = Field(default=30, ge=1, le=3600)
    lock_timeout_seconds: float = Field(default=10, ge=1, le=3600)
    leader_lease_seconds: int = Field(
        default=15,
        ge=3,
        le=600,
        description="how long a lost leader's session keeps leadership at most; "
        "also paces TCP keepalives",
    )

    @field_validator("dsn")
    @classmethod
    def _postgres(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("postgresql://", "postgres://", "postgresql+psycopg://")
        ):
            raise ValueError("must be a PostgreSQL URL (postgresql://user@host/db)")
        return value


class ScheduleSettings(Section):
    """When the daemon syncs, reminds (each team's local time) and reports."""

    sync_every_minutes: int = Field(default=10, ge=1, le=1440)
    remind_at: TimeOfDay = dt.time(9, 30)
    report_weekday: Day = Weekday.MONDAY
    report_at: TimeOfDay = dt.time(8, 0)


class SmtpSettings(Section):
    """Mail relay for reports and escalations."""

    host: str
    port: int = Field(default=0, ge=0, le=65535, description="0: 587, 465 or 25 by security")
    security: Literal["starttls", "ssl", "plain"] = "starttls"
    allow_plain_auth: bool = Field(
        default=False, description="send username and password without TLS (security: plain)"
    )
    username: str | None = None
    password: SecretStr | None = None
    password_file: ConfigPath | None = None
    sender: Email
    timeout_seconds: float = Field(default=30, gt=0, le=600)

    @model_validator(mode="before")
    @classmethod
    def _default_port(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("port"):
            security = data.get("security", "starttls")
            return {**data, "port": SMTP_PORTS.get(str(security), 587)}
        return data

    @model_validator(mode="after")
    def _credentials(self) -> SmtpSettings:
        if self.username and self.password is None:
            raise missing_secret("password")
        if self.username and self.security == "plain" and not self.allow_plain_auth:
            raise ValueError(
                "security: plain would send the SMTP password unencrypted; use starttls or "
                "ssl, or set allow_plain_auth: true if the relay is reached over a trusted link"
            )
        return self


class HttpSettings(Section):
    """The health and metrics endpoint."""

    host: str = Field(
        default="127.0.0.1",
        min_length=1,
        description="address to bind; 0.0.0.0 in a container, so probes reach it",
    )
    port: int = Field(default=8080, ge=1, le=65535)
    read_timeout_seconds: float = Field(
        default=10, gt=0, le=300, description="a request not fully sent by then is closed"
    )
    max_connections: int = Field(default=64, ge=4, le=4096)


class LogSettings(Section):
    """Structured logging."""

    format: Annotated[Literal["json", "console"], Lowercase] = "console"
    level: Annotated[Literal["debug", "info", "warning", "error"], Lowercase] = "info"


class GlobalSettings(Section):
    """Everything in the global file; teams live in their own files under ``teams_dir``."""

    sources: list[Source] = Field(min_length=1)
    trackers: dict[Name, TrackerConnection] = Field(
        default_factory=as_written({"sandbox": {"kind": "sandbox"}})
    )
    store: StoreSettings = Field(default_factory=as_written({}))
    schedule: ScheduleSettings = Field(default_factory=as_written({}))
    smtp: SmtpSettings | None = None
    teams_dir: ConfigPath | None = Field(
        default=None, description="default: the teams folder beside this file"
    )
    cache_dir: ConfigPath = Path(".followthrough-cache")
    http: HttpSettings = Field(default_factory=as_written({}))
    log: LogSettings = Field(default_factory=as_written({}))

    @field_validator("trackers")
    @classmethod
    def _sandbox_by_default(
        cls, value: dict[str, JiraConnection | GitHubConnection | SandboxConnection]
    ) -> dict[str, JiraConnection | GitHubConnection | SandboxConnection]:
        return value or {"sandbox": SandboxConnection(kind="sandbox")}
