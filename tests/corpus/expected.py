"""Reduce extraction results to the figures recorded in ``expected.json``.

Only counts, owners, dues, tickets, states, categories and at most the first five words
of each title are recorded: the corpus documents are third-party text and stay outside
the project.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from followthrough.domain.model import Postmortem


def summary(postmortems: Iterable[Postmortem], root: Path) -> dict[str, list[dict[str, Any]]]:
    """Per document (path relative to the corpus), per incident: the recorded figures."""
    out: dict[str, list[dict[str, Any]]] = {}
    for pm in postmortems:
        name = str(Path(pm.path).relative_to(root))
        out.setdefault(name, []).append(
            {
                "id": pm.id,
                "date": pm.date.isoformat() if pm.date else None,
                "items": len(pm.action_items),
                "done": sum(1 for i in pm.action_items if i.status.value == "done"),
                "dropped": sum(1 for i in pm.action_items if i.status.value == "dropped"),
                "action_items": [
                    {
                        "title_start": " ".join(i.title.split()[:5]),
                        "owner": i.owner,
                        "due": i.due.isoformat() if i.due else None,
                        "ticket": i.ticket,
                        "status": i.status.value,
                        "category": i.category.value if i.category else None,
                        "line": i.line,
                    }
                    for i in pm.action_items
                ],
                "finding_codes": sorted({f.code for f in pm.findings}),
            }
        )
    return out
