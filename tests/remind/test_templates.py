"""Reminder comment text: friendly, tracker-formatted, and inert whatever the item says."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import UndefinedError
from markdown_it import MarkdownIt

from followthrough.adapters.templates import (
    CommentContext,
    ReminderTemplates,
    TrackerKind,
    escape_markdown,
    escape_wiki,
    link,
    mention,
    render_escalation,
    render_nudge,
)

HOSTILE = "@everyone [~accountid:x] **bold** <script>alert(1)</script> #12"
TODAY = dt.date(2026, 11, 24)
CONTEXT = CommentContext(
    item_title="Alert when connection-pool usage exceeds 80% for 2 minutes",
    today=TODAY,
    due=dt.date(2026, 11, 21),
    postmortem_title="Card payment timeouts",
    postmortem_url="https://wiki.example.com/pm/card-timeouts",
    owner="priya",
    lead="lead-1",
    marker="nudge OPS-12 2026-11-24",
)
JIRA = replace(CONTEXT, owner="5b10ac8d82e05b22cc7d4ef5", lead="712020:4f1c-aa")
TRACKERS: list[TrackerKind] = ["github", "jira"]


def rendered_html(markdown: str) -> str:
    return str(MarkdownIt("commonmark").enable(["strikethrough", "table"]).render(markdown))


def mentions(kind: TrackerKind, text: str) -> list[str]:
    if kind == "github":
        return re.findall(r"(?<![\w`])@([A-Za-z0-9][\w/-]*)", text)
    return re.findall(r"\[~(?:accountid:)?([^\]]+)\]", text)


def test_github_nudge_is_short_friendly_and_ends_with_the_tag() -> None:
    text = render_nudge(tracker_kind="github", context=CONTEXT)
    assert text.startswith(
        "Hi @priya, a friendly reminder about this follow-up from "
        "[Card payment timeouts](https://wiki.example.com/pm/card-timeouts)."
    )
    assert "**Due:** 2026-11-21 (3 days ago)" in text
    for choice in ("close it", "move the due date", "say why"):
        assert choice in text
    assert text.rstrip().endswith("<!-- followthrough:comment nudge OPS-12 2026-11-24 -->")
    assert len(text) < 800


def test_jira_nudge_uses_wiki_markup_and_account_mentions() -> None:
    text = render_nudge(tracker_kind="jira", context=JIRA)
    assert text.startswith("Hi [~accountid:5b10ac8d82e05b22cc7d4ef5], a friendly reminder")
    assert "[Card payment timeouts|https://wiki.example.com/pm/card-timeouts]" in text
    assert "*Due:* 2026-11-21 (3 days ago)" in text
    assert "\n* move the due date" in text or "\n* needs more time? move the due date" in text
    assert text.rstrip().endswith("[followthrough:nudge OPS-12 2026-11-24]")


@pytest.mark.parametrize("kind", TRACKERS)
def test_escalation_mentions_the_lead_and_stays_blameless(kind: TrackerKind) -> None:
    context = replace(CONTEXT if kind == "github" else JIRA, reminders=3)
    text = render_escalation(tracker_kind=kind, context=context)
    assert mentions(kind, text) == [context.lead, context.owner]
    assert "3 reminders without a reply" in text
    for word in ("blame", "fail", "late"):
        assert word not in text.casefold()


@pytest.mark.parametrize("kind", TRACKERS)
def test_an_overdue_escalation_says_how_long(kind: TrackerKind) -> None:
    base = CONTEXT if kind == "github" else JIRA
    text = render_escalation(tracker_kind=kind, context=replace(base, due=dt.date(2026, 11, 1)))
    assert "It is 23 days past its due date" in text


def test_escalation_without_lead_is_refused() -> None:
    with pytest.raises(ValueError, match="lead"):
        render_escalation(tracker_kind="github", context=replace(CONTEXT, lead=None))


@pytest.mark.parametrize("kind", TRACKERS)
def test_no_owner_no_due_no_postmortem_still_reads_well(kind: TrackerKind) -> None:
    bare = CommentContext(item_title="Write the runbook", today=TODAY, quiet_days=16)
    text = render_nudge(tracker_kind=kind, context=bare)
    assert text.startswith("A friendly reminder about this follow-up.\n")
    assert "no date yet" in text
    assert "quiet here for 16 days" in text
    assert mentions(kind, text) == []
    assert "followthrough:" not in text  # no marker: the tracker adapter adds its own tag


@pytest.mark.parametrize("kind", TRACKERS)
def test_hostile_item_and_postmortem_text_renders_inert(kind: TrackerKind) -> None:
    base = CONTEXT if kind == "github" else JIRA
    context = replace(base, item_title=HOSTILE, postmortem_title=HOSTILE)
    for text in (
        render_nudge(tracker_kind=kind, context=context),
        render_escalation(tracker_kind=kind, context=context),
    ):
        assert "@everyone" not in text
        assert "[~accountid:x]" not in text
        assert "**bold**" not in text
        assert "<script>" not in text
        assert re.search(r"(?<!\\)#12", text) is None
        assert set(mentions(kind, text)) <= {base.owner, base.lead}


def test_hostile_text_renders_as_plain_text_in_markdown() -> None:
    context = replace(CONTEXT, item_title=HOSTILE, postmortem_title=HOSTILE)
    html = rendered_html(render_nudge(tracker_kind="github", context=context))
    assert "<script>" not in html
    item_line = next(line for line in html.splitlines() if "Item:" in line)
    assert item_line.startswith("<p><strong>Item:</strong> @\u200beveryone [~accountid:x] **bold**")
    assert "<em>" not in item_line
    assert "<a " not in item_line
    assert html.count("<a ") == 1  # the postmortem link only


def test_markdown_escape_round_trips_through_a_renderer() -> None:
    text = r"a*b_c `x` [l](http://e) ![i](j) <b>&amp; \ ~~s~~ | 1. - + # > = !"
    html = rendered_html(str(escape_markdown(text)))
    assert html == "<p>" + _html_text(text) + "</p>\n"
    assert str(escape_markdown("see #12 and GH-7")) == "see \\#\u200b12 and GH\\-\u200b7"


def test_jira_escape_leaves_no_markup_character_bare() -> None:
    escaped = str(escape_wiki("*b* _i_ -s- +u+ ^s^ ~s~ ??c?? {{m}} [l|u] !img! |t| # h1. \\x"))
    assert re.search(r"(?<!\\)[*_\-+^~?{}\[\]|!#]", escaped.replace("&#92;", "")) is None
    assert "&#92;x" in escaped


def test_mentions_come_only_from_valid_ids() -> None:
    assert str(mention("github", "@octo-cat")) == "@octo-cat"
    assert str(mention("github", "acme/sre-leads")) == "@acme/sre-leads"
    assert str(mention("jira", "712020:4f1c-aa")) == "[~accountid:712020:4f1c-aa]"
    for kind, bad in [("github", "x]y"), ("github", "a b"), ("jira", "x] [~accountid:y")]:
        with pytest.raises(ValueError, match="can be mentioned"):
            mention(kind, bad)  # type: ignore[arg-type]


def test_links_only_for_web_addresses() -> None:
    assert str(link("github", "PM", "javascript:alert(1)")) == "PM"
    assert str(link("github", "PM", "https://x.test/a b(c)")) == "[PM](https://x.test/a%20b%28c%29)"
    assert str(link("jira", "A [B] | C", "https://x.test/p|q]")) == (
        "[A (B) ¦ C|https://x.test/p%7Cq%5D]"
    )


def test_marker_cannot_break_out_of_its_tag() -> None:
    github = render_nudge(tracker_kind="github", context=replace(CONTEXT, marker="a --> @x"))
    assert github.rstrip().endswith("<!-- followthrough:comment a --&gt; @x -->")
    jira = render_nudge(tracker_kind="jira", context=replace(JIRA, marker="a] [~accountid:x"))
    assert jira.rstrip().endswith("[followthrough:a) (~accountid:x]")


def test_a_team_folder_overrides_templates_by_name(tmp_path: Path) -> None:
    (tmp_path / "nudge.github.md.j2").write_text("Ping {{ owner }}: {{ item }} {{ marker }}")
    templates = ReminderTemplates(tmp_path)
    context = replace(CONTEXT, item_title=HOSTILE)
    text = templates.render_nudge(tracker_kind="github", context=context)
    assert text.startswith("Ping @priya: @\u200beveryone \\[\\~accountid:x\\]")
    assert "<script>" not in text
    # Templates the team did not write come from the package.
    assert "friendly" in templates.render_nudge(tracker_kind="jira", context=JIRA)


def test_templates_fail_loudly_on_unknown_variables(tmp_path: Path) -> None:
    (tmp_path / "nudge.github.md.j2").write_text("{{ ticket_number }}")
    with pytest.raises(UndefinedError):
        ReminderTemplates(tmp_path).render_nudge(tracker_kind="github", context=CONTEXT)


TITLES = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("@[]~*_<>&#|!{}\\`")
)


@settings(max_examples=300, deadline=None)
@given(title=TITLES, pm=TITLES, kind=st.sampled_from(TRACKERS))
def test_no_text_can_add_a_mention_or_html(title: str, pm: str, kind: TrackerKind) -> None:
    base = CONTEXT if kind == "github" else JIRA
    context = replace(base, item_title=title, postmortem_title=pm)
    for text in (
        render_nudge(tracker_kind=kind, context=context),
        render_escalation(tracker_kind=kind, context=context),
    ):
        assert set(mentions(kind, text)) <= {base.owner, base.lead}
        body = text.rsplit("\n\n", 1)[0]  # everything but the marker tag
        assert "<" not in body
        if kind == "github":
            assert "<script" not in rendered_html(text)


def _html_text(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
