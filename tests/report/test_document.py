"""The JSON document follows the shipped schema; the templates render it in every format."""

from __future__ import annotations

import datetime as dt
import json
from importlib.resources import files
from typing import Any

import jsonschema
import pytest

from followthrough.adapters.mail import ReportRenderer
from followthrough.domain.report_document import report_document, team_report

from .helpers import W18, empty_inputs, fixture_inputs

NOW = dt.datetime(2024, 5, 6, 8, tzinfo=dt.UTC)


def schema() -> dict[str, Any]:
    text = files("followthrough").joinpath("templates/report/report.schema.json").read_text()
    return json.loads(text)


def documents() -> list[dict[str, Any]]:
    busy, quiet = team_report(fixture_inputs()), team_report(empty_inputs())
    return [
        report_document(kind="team", week=W18, generated_at=NOW, teams=[busy]),
        report_document(kind="team", week=W18, generated_at=NOW, teams=[quiet]),
        report_document(kind="digest", week=W18, generated_at=NOW, teams=[busy, quiet]),
    ]


@pytest.mark.parametrize("document", documents(), ids=["team", "empty", "digest"])
def test_documents_validate_against_the_schema(document):
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(json.loads(json.dumps(document)))


def test_every_figure_is_described():
    figures = schema()["$defs"]["figures"]["properties"]
    assert all("description" in value or "$ref" not in value for value in figures.values())
    assert "approximated" in schema()["description"].lower()


def test_digest_adds_up_teams():
    digest = documents()[2]
    assert digest["overall"]["figures"]["items"]["total"] == 7
    assert [t["team"] for t in digest["teams"]] == ["payments", "quiet"]
    assert len(digest["overall"]["trend"]) == 12


@pytest.mark.parametrize("fmt", ["html", "md", "txt"])
def test_templates_render_overdue_items_and_escape(fmt):
    document = documents()[0]
    document["teams"][0]["overdue_items"][0]["title"] = "<script>alert(1)</script> *x*"
    text = ReportRenderer().render(document, fmt, chart_src="chart.png")
    assert "OPS-6" in text
    assert "https://jira.example.com/browse/OPS-6" in text
    if fmt == "html":
        assert "<script>" not in text
        assert "&lt;script&gt;" in text
        assert 'src="chart.png"' in text
    if fmt == "md":
        assert r"\*x\*" in text
    assert "shame" not in text.lower()
