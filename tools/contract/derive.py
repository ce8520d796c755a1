"""Derive Prism-friendly copies of the vendored OpenAPI descriptions and run Prism on them.

Sits between the read-only files in ``/work/shared/specs`` (or ``$FOLLOWTHROUGH_SPECS``) and the
Prism processes started by ``tests/contract`` and ``tools/record_cassettes.py``. The vendored files
are never modified; each derivation reads one and writes a new JSON file. The steps are the ones in
``CONTRACT-TESTING.md`` §4:

GitHub
    * rewrite ``https://api.github.com`` to the base URL Prism is reached at;
    * drop ``Link`` response headers (their shared example points at ``/resource``);
    * hoist examples whose ``value`` is itself a ``$ref``;
    * rewrite typeless ``nullable`` schemas to ``anyOf: [..., {enum: [null]}]`` because ajv
      otherwise silently skips validation of the whole body;
    * alias the operations whose last path parameter holds slashes (a file path, ``heads/main``,
      a branch ``writeback/x``) at two to ``SLASHED_DEPTH`` segments: an OpenAPI 3.0 template
      parameter matches one segment, so Prism would answer "Selected route not found" and
      validate nothing for ``contents/postmortems/a.md`` or ``git/ref/heads/main``. The
      extra segments become string path parameters ``{name}_2`` ... of a copied operation.

Jira
    * ``json.loads`` examples that are JSON documents encoded as strings;
    * make the ``serverInfo`` example a Cloud site (``deploymentType``) and drop ``defaultLocale``,
      which violates the example's own schema;
    * alias every ``/rest/api/3/*`` path under ``/rest/api/2/*`` and ``/rest/api/latest/*`` (the v2
      description is not published any more) with suffixed ``operationId`` values.

``start_prism`` launches the pinned ``tools/contract/node_modules/.bin/prism`` (mock or validating
proxy) with its output in a log file; ``wait_until_listening`` polls the ports, not the log.

Usage as a script::

    python tools/contract/derive.py github OUT.json --base http://127.0.0.1:4010
    python tools/contract/derive.py jira OUT.json
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

CONTRACT_DIR: Final = Path(__file__).resolve().parent
PRISM_BIN: Final = CONTRACT_DIR / "node_modules" / ".bin" / "prism"
PRISM_VERSION: Final = "5.14.2"
SPECS_DIR: Final = Path(os.environ.get("FOLLOWTHROUGH_SPECS", "/work/shared/specs"))
GITHUB_SPEC: Final = SPECS_DIR / "api.github.com.json"
JIRA_SPEC: Final = SPECS_DIR / "jira-platform-v3.swagger-v3.v3.json"

GITHUB_ORIGIN: Final = "https://api.github.com"
HTTP_METHODS: Final = frozenset(
    {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
)
JIRA_V3_PREFIX: Final = "/rest/api/3/"
JIRA_ALIASES: Final = {"/rest/api/2/": "V2", "/rest/api/latest/": "Latest"}
# GitHub paths whose final parameter may span segments, and the deepest alias derived for them.
GITHUB_SLASHED_PATHS: Final = (
    "/repos/{owner}/{repo}/contents/{path}",
    "/repos/{owner}/{repo}/git/ref/{ref}",
    "/repos/{owner}/{repo}/git/refs/{ref}",
    "/repos/{owner}/{repo}/git/matching-refs/{ref}",
    "/repos/{owner}/{repo}/branches/{branch}",
    "/repos/{owner}/{repo}/commits/{ref}",
    "/repos/{owner}/{repo}/compare/{basehead}",
    "/repos/{owner}/{repo}/tarball/{ref}",
)
SLASHED_DEPTH: Final = 6
# Keys that stay beside the anyOf because they describe the property, not the value.
ANNOTATION_KEYS: Final = frozenset({"description", "example", "title", "deprecated", "readOnly"})

Json = Any  # a decoded JSON document: dict, list, str, int, float, bool or None


def _operations(spec: dict[str, Json]) -> list[dict[str, Json]]:
    ops: list[dict[str, Json]] = []
    for item in spec.get("paths", {}).values():
        ops.extend(op for method, op in item.items() if method in HTTP_METHODS)
    return ops


def _response_objects(spec: dict[str, Json]) -> list[dict[str, Json]]:
    found = [r for op in _operations(spec) for r in op.get("responses", {}).values()]
    found.extend(spec.get("components", {}).get("responses", {}).values())
    return [r for r in found if isinstance(r, dict) and "$ref" not in r]


def fix_typeless_nullable(node: Json) -> Json:
    """Rewrite ``{nullable: true, ...}`` without ``type`` or ``$ref`` into an explicit anyOf.

    Works bottom-up so nested schemas are fixed before their parents are wrapped.
    """
    if isinstance(node, list):
        return [fix_typeless_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    fixed = {key: fix_typeless_nullable(value) for key, value in node.items()}
    if fixed.get("nullable") is not True or "type" in fixed or "$ref" in fixed:
        return fixed
    kept = {key: fixed[key] for key in ANNOTATION_KEYS if key in fixed}
    inner = {key: v for key, v in fixed.items() if key != "nullable" and key not in kept}
    return {**kept, "anyOf": [inner, {"enum": [None]}]}


def derive_github(*, base_url: str, source: Path = GITHUB_SPEC) -> dict[str, Json]:
    """Return the GitHub description with the §4 fixes, absolute URLs pointing at ``base_url``."""
    spec: dict[str, Json] = json.loads(
        source.read_text(encoding="utf-8").replace(GITHUB_ORIGIN, base_url.rstrip("/"))
    )
    for response in _response_objects(spec):
        response.get("headers", {}).pop("Link", None)
        for media in response.get("content", {}).values():
            examples = media.get("examples", {})
            for name, example in examples.items():
                value = example.get("value") if isinstance(example, dict) else None
                if isinstance(value, dict) and "$ref" in value:
                    examples[name] = {"$ref": value["$ref"]}
    _alias_slashed_paths(spec)
    fixed: dict[str, Json] = fix_typeless_nullable(spec)
    return fixed


def _alias_slashed_paths(spec: dict[str, Json]) -> None:
    paths: dict[str, Json] = spec["paths"]
    for path in GITHUB_SLASHED_PATHS:
        item = paths[path]
        name = path.rsplit("{", 1)[1].rstrip("}")
        for depth in range(2, SLASHED_DEPTH + 1):
            extra = [f"{name}_{n}" for n in range(2, depth + 1)]
            alias = copy.deepcopy(item)
            for method, op in alias.items():
                if method not in HTTP_METHODS:
                    continue
                op["operationId"] = f"{op['operationId']}/depth-{depth}"
                op["parameters"] = [
                    *op.get("parameters", []),
                    *(
                        {"name": e, "in": "path", "required": True, "schema": {"type": "string"}}
                        for e in extra
                    ),
                ]
            paths[path + "".join(f"/{{{e}}}" for e in extra)] = alias


def _decode_string_examples(node: Json) -> Json:
    if isinstance(node, list):
        return [_decode_string_examples(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Json] = {}
    for key, value in node.items():
        if key == "example" and isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
            try:
                out[key] = json.loads(value)
            except json.JSONDecodeError:
                out[key] = value  # three vendor examples are not valid JSON; keep them verbatim
        else:
            out[key] = _decode_string_examples(value)
    return out


def _make_server_info_cloud(spec: dict[str, Json]) -> None:
    response = spec["paths"]["/rest/api/3/serverInfo"]["get"]["responses"]["200"]
    example = response["content"]["application/json"]["example"]
    example["deploymentType"] = "Cloud"
    example.pop("defaultLocale", None)


def _alias_v3_paths(spec: dict[str, Json]) -> None:
    paths: dict[str, Json] = spec["paths"]
    for path, item in list(paths.items()):
        if not path.startswith(JIRA_V3_PREFIX):
            continue
        for prefix, suffix in JIRA_ALIASES.items():
            alias = copy.deepcopy(item)
            for method, op in alias.items():
                if method in HTTP_METHODS and "operationId" in op:
                    op["operationId"] = f"{op['operationId']}{suffix}"
            paths[prefix + path.removeprefix(JIRA_V3_PREFIX)] = alias


def derive_jira(*, source: Path = JIRA_SPEC) -> dict[str, Json]:
    """Return the Jira Cloud v3 description with the §4 fixes and v2/latest aliases."""
    spec: dict[str, Json] = _decode_string_examples(json.loads(source.read_text(encoding="utf-8")))
    _make_server_info_cloud(spec)
    _alias_v3_paths(spec)
    fixed: dict[str, Json] = fix_typeless_nullable(spec)
    return fixed


def write_spec(spec: dict[str, Json], target: Path) -> Path:
    """Write ``spec`` compactly (Prism parses it faster than an indented copy)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(spec, separators=(",", ":")), encoding="utf-8")
    return target


def prism_missing_reason() -> str | None:
    """Why Prism cannot run here (no ``node`` or no ``npm install``), or None when it can."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not PRISM_BIN.exists():
        return f"{PRISM_BIN} is missing; run `npm ci` in {CONTRACT_DIR}"
    return None


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrismProcess:
    """One running Prism (mock or proxy) and where it logs."""

    name: str
    url: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        """Everything Prism printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, *, timeout: float = 10.0) -> None:
        """SIGTERM (Prism exits cleanly on it); SIGKILL only if it hangs."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)


def start_prism(
    *,
    name: str,
    spec: Path,
    log_path: Path,
    mode: Literal["mock", "proxy"],
    upstream: str | None = None,
    port: int | None = None,
    errors: bool = False,
) -> PrismProcess:
    """Launch Prism in the background; call ``wait_until_listening`` before using it."""
    port = port or free_port()
    args = [str(PRISM_BIN), mode, str(spec)]
    if mode == "proxy":
        if upstream is None:
            raise ValueError("proxy mode needs an upstream URL")
        args.append(upstream)
    args += ["-h", "127.0.0.1", "-p", str(port)]
    if errors:
        args.append("--errors")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed binary, arguments built above
            args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    return PrismProcess(name, f"http://127.0.0.1:{port}", port, log_path, process)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until_listening(processes: Iterable[PrismProcess], *, timeout: float = 240.0) -> None:
    """Poll every port until it accepts connections; raise with the log tail if Prism died."""
    pending = list(processes)
    deadline = time.monotonic() + timeout
    while pending:
        for prism in list(pending):
            if prism.process.poll() is not None:
                tail = prism.log_text()[-2000:]
                raise RuntimeError(f"Prism {prism.name} exited early:\n{tail}")
            if _accepts(prism.port):
                pending.remove(prism)
        if pending and time.monotonic() > deadline:
            names = ", ".join(p.name for p in pending)
            raise TimeoutError(f"Prism not listening after {timeout:.0f} s: {names}")
        if pending:
            time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("vendor", choices=("github", "jira"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--base", default="http://127.0.0.1:4010", help="GitHub base URL")
    args = parser.parse_args(argv)
    spec = derive_github(base_url=args.base) if args.vendor == "github" else derive_jira()
    write_spec(spec, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
