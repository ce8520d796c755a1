"""Read-only questions to a Jira project before anything is written (``followthrough check``).

Each method is one GET: the project, the API user's permissions there (``/mypermissions``),
the statuses of each issue type's workflow (``/project/{key}/statuses``), the resolutions,
and whether an accountId may be assigned (``/user/assignable/search``). Errors are the
tracker port's; a 404 on the project is an answer (`project_exists` is False), not an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from followthrough.adapters.trackers.jira_http import JiraHttp
from followthrough.ports import TrackerError

# What sync needs: create, edit (fields, labels, properties), comment, close, assign.
WRITE_PERMISSIONS = (
    "BROWSE_PROJECTS",
    "CREATE_ISSUES",
    "EDIT_ISSUES",
    "ADD_COMMENTS",
    "TRANSITION_ISSUES",
    "ASSIGN_ISSUES",
)


@dataclass(frozen=True, slots=True)
class WorkflowStatus:
    """A status an issue type's workflow holds, with its category (new, indeterminate, done)."""

    name: str
    category: str


class JiraProbe:
    """One Jira project, asked only read-only questions."""

    def __init__(
        self,
        *,
        url: str,
        user: str,
        token: str,
        project: str,
        cloud: bool = True,
        timeout: float = 10,
    ) -> None:
        self.project = project
        self._cloud = cloud
        self._http = JiraHttp(url=url, user=user, token=token, cloud=cloud, timeout=timeout)

    def whoami(self) -> str:
        """The API user's display name (proves the URL and credentials)."""
        me = self._get("myself")
        return str(me.get("displayName") or me.get("name") or "?")

    def project_exists(self) -> bool:
        """Whether the project exists and the API user can see it."""
        try:
            self._get(f"project/{self.project}")
        except TrackerError as error:
            if getattr(error, "status", None) == 404:
                return False
            raise
        return True

    def missing_permissions(self, wanted: Sequence[str] = WRITE_PERMISSIONS) -> list[str]:
        """Which of ``wanted`` the API user lacks in the project."""
        params = {"projectKey": self.project, "permissions": ",".join(wanted)}
        granted = self._get("mypermissions", params=params).get("permissions") or {}
        return [key for key in wanted if not (granted.get(key) or {}).get("havePermission")]

    def workflows(self) -> dict[str, list[WorkflowStatus]]:
        """Issue type name → the statuses of its workflow in the project."""
        types = self._http.request("GET", f"project/{self.project}/statuses") or []
        return {
            str(kind.get("name")): [_status(s) for s in kind.get("statuses") or []]
            for kind in types
            if isinstance(kind, Mapping)
        }

    def resolutions(self) -> list[str]:
        """Names of the site's resolutions."""
        found = self._http.request("GET", "resolution") or []
        return [str(r.get("name")) for r in found if isinstance(r, Mapping)]

    def assignable(self, ident: str) -> bool:
        """Whether issues of the project can be assigned to ``ident``.

        Cloud names people by accountId; Data Center by user name (``username``, matched
        against the user's name or key).
        """
        field = "accountId" if self._cloud else "username"
        params = {"project": self.project, field: ident, "maxResults": 50}
        users = self._http.request("GET", "user/assignable/search", params=params) or []
        keys = ("accountId",) if self._cloud else ("name", "key")
        return any(isinstance(u, Mapping) and ident in (u.get(k) for k in keys) for u in users)

    def _get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        body = self._http.request("GET", path, params=params)
        return body if isinstance(body, Mapping) else {}


def _status(raw: Mapping[str, Any]) -> WorkflowStatus:
    category = (raw.get("statusCategory") or {}).get("key") or ""
    return WorkflowStatus(name=str(raw.get("name")), category=str(category))
