"""Inferring an item's category from its words when no column or group names one."""

from __future__ import annotations

import re

from followthrough.domain.model import Category

_RULES: tuple[tuple[Category, re.Pattern[str]], ...] = (
    (
        Category.COMMUNICATION,
        re.compile(
            r"\b(status\s*page|communicat\w*|announce\w*|notify|notif\w+|stakeholders?|customers?\s+"
            r"(?:update|comms)|reach\s+out|mailing\s+list|email\s+list|newsletter|public\s+"
            r"statement|inform\w*|credits?|refunds?)\b",
            re.I,
        ),
    ),
    (
        Category.DETECTION,
        re.compile(
            r"\b(alert\w*|monitor\w*|dashboards?|detect\w*|observability|metrics?|paging|pager|"
            r"synthetic|probes?|health\s*checks?|logs?|logging|visibility|telemetry|notice)\b",
            re.I,
        ),
    ),
    (
        Category.RESPONSE,
        re.compile(
            r"\b(runbooks?|playbooks?|incident\s+response|drills?|escalat\w+|on-?call|rollback|"
            r"roll\s+back|recover\w*|restore|backup\w*|respond\w*|incidents?\s+earlier|"
            r"declare|procedures?|document\w*|access\s+to|game\s*days?)\b",
            re.I,
        ),
    ),
    (
        Category.PREVENTION,
        re.compile(
            r"\b(tests?|testing|validat\w+|guards?|limits?|upgrade\w*|migrat\w+|refactor\w*|ci|"
            r"lint\w*|reviews?|enforce\w*|fix\w*|prevent\w*|harden\w*|separate|isolat\w+|"
            r"quotas?|rate\s*limit\w*|autoscal\w+|capacity|redundan\w+|circuit\s+breakers?|"
            r"staging|checks?|schemas?|implement\w*|patch\w*|remove|deprecat\w+)\b",
            re.I,
        ),
    ),
)


def infer_category(text: str) -> Category | None:
    """The first category whose vocabulary the text uses, in the order above, else ``None``."""
    for category, pattern in _RULES:
        if pattern.search(text):
            return category
    return None
