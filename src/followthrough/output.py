"""Renderings of extraction results for people and for machines (JSON contract, lint lines)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from followthrough.domain.model import ActionItem, Finding, Postmortem, Severity

# What a terminal or a CI log would act on rather than show: C0 and C1 controls (tab
# excepted) and the bidi embeddings, overrides and isolates that reorder a line.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# JSON escapes C0 itself; C1 and bidi characters it would print raw.
_JSON_UNPRINTABLE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control or bidi character shown as an escape (``\\x1b``, ``\\u202e``)."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _printable_json(text: str) -> str:
    # Those characters occur only inside JSON strings, where \uXXXX means the same.
    return _JSON_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
    return _printable_json(
        json.dumps(
            {"postmortems": [postmortem_json(pm) for pm in postmortems]},
            indent=2,
            ensure_ascii=False,
        )
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
    return "\n".join(
        f"{printable(f.path)}:{f.line}: {printable(f.code)}: {printable(f.message)}"
        for f in findings
    )


def lint_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands, one annotation per finding."""
    lines = []
    for f in findings:
        level = "error" if f.severity == Severity.ERROR else "warning"
        message = _workflow_data(f.message)
        path = _workflow_property(f.path)
        lines.append(
            f"::{level} file={path},line={f.line},title={_workflow_property(f.code)}::{message}"
        )
    return "\n".join(lines)


def _workflow_data(text: str) -> str:
    """A workflow command's message: GitHub's escapes, then every other control shown."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _workflow_property(text: str) -> str:
    """A workflow command's property value: ``,`` and ``:`` would end it early."""
    return _workflow_data(text).replace(":", "%3A").replace(",", "%2C")


def lint_json(findings: Sequence[Finding]) -> str:
    return _printable_json(
        json.dumps(
            {"findings": [{"path": f.path, **finding_json(f)} for f in findings]},
            indent=2,
            ensure_ascii=False,
        )
    )
