"""Renderings of extraction results for people and for machines (JSON contract, lint lines)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from followthrough.domain.model import ActionItem, Finding, Postmortem, Severity


def item_json(item: ActionItem) -> dict[str, Any]:
    """One action item in the ``extract --format json`` contract."""
    return {
        "key": item.key,
        "title": item.title,
        "owner": item.owner,
        "due": item.due.isoformat() if item.due else None,
        "ticket": item.ticket,
        "status": item.status.value,
        "category": item.category.value if item.category else None,
        "priority": item.priority,
        "line": item.line,
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "item": finding.item,
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "line": finding.line,
    }


def postmortem_json(pm: Postmortem) -> dict[str, Any]:
    """One postmortem in the ``extract --format json`` contract."""
    return {
        "path": pm.path,
        "id": pm.id,
        "title": pm.title,
        "team": pm.team,
        "date": pm.date.isoformat() if pm.date else None,
        "severity": pm.severity,
        "action_items": [item_json(item) for item in pm.action_items],
        "findings": [finding_json(finding) for finding in pm.findings],
    }


def extract_document(postmortems: Iterable[Postmortem]) -> str:
    """The whole ``extract --format json`` output."""
    return json.dumps(
        {"postmortems": [postmortem_json(pm) for pm in postmortems]}, indent=2, ensure_ascii=False
    )


def all_findings(postmortems: Sequence[Postmortem]) -> list[Finding]:
    """Findings in path/line order, each once (a multi-incident file reports file problems once)."""
    seen: set[tuple[str, int, str, str]] = set()
    out: list[Finding] = []
    for pm in postmortems:
        for finding in pm.findings:
            ident = (finding.path, finding.line, finding.code, finding.message)
            if ident not in seen:
                seen.add(ident)
                out.append(finding)
    return sorted(out, key=lambda f: (f.path, f.line, f.code))


def lint_text(findings: Sequence[Finding]) -> str:
    """``path:line: code: message`` lines, as compilers print them."""
    return "\n".join(f"{f.path}:{f.line}: {f.code}: {f.message}" for f in findings)


def lint_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands, one annotation per finding."""
    lines = []
    for f in findings:
        level = "error" if f.severity == Severity.ERROR else "warning"
        message = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        lines.append(f"::{level} file={f.path},line={f.line},title={f.code}::{message}")
    return "\n".join(lines)


def lint_json(findings: Sequence[Finding]) -> str:
    return json.dumps(
        {"findings": [{"path": f.path, **finding_json(f)} for f in findings]},
        indent=2,
        ensure_ascii=False,
    )
