"""What Confluence markup reads as: people as ``@handle`` owners, storage-format elements as text.

Each case is one paragraph or list entry of a page, checked as the inline text extraction
reads (``Text.raw``) and its links.
"""

from __future__ import annotations

import datetime as dt

import pytest

from followthrough.adapters.sources.html import parse_html
from followthrough.domain.document import ListBlock, Paragraph
from followthrough.domain.policy import TeamPolicy
from tests.extract.helpers import html, only_item


def _text(html: str) -> tuple[str, tuple[str, ...]]:
    """The raw text and links of the page's only paragraph or list entry."""
    blocks = parse_html(html, path="page.html").blocks
    assert len(blocks) == 1, blocks
    block = blocks[0]
    if isinstance(block, ListBlock):
        assert len(block.entries) == 1, block
        return block.entries[0].text.raw, block.entries[0].text.links
    assert isinstance(block, Paragraph), block
    return block.text.raw, block.text.links


@pytest.mark.parametrize(
    ("html", "raw"),
    [
        # Rendered pages: Server user links, personal-space links, Cloud mentions.
        (
            '<p>Owner: <a class="confluence-userlink user-mention" data-username="ines" '
            'href="/display/~ines">Inês Prado</a></p>',
            "Owner: @ines",
        ),
        ('<p>Owner: <a href="/display/~ines">Inês Prado</a></p>', "Owner: @ines"),
        (
            '<p>Owner: <a href="https://wiki.example/display/~in%C3%AAs/">Inês</a></p>',
            "Owner: @inês",
        ),
        (
            '<p>Owner: <a class="confluence-userlink" data-account-id="557058:3f1c2b7a-9d4e" '
            'href="/wiki/people/557058:3f1c2b7a-9d4e">@Oskar</a></p>',
            "Owner: @557058-3f1c2b7a-9d4e",
        ),
        (
            '<p>Owner: <a href="/wiki/people/5f2a9c7e81d3b4002a1e77c0?ref=x">@Sana</a></p>',
            "Owner: @5f2a9c7e81d3b4002a1e77c0",
        ),
        # A user link whose name cannot be a handle keeps its text.
        (
            '<p>Owner: <a class="confluence-userlink" data-username="ines prado">Inês Prado</a></p>',
            "Owner: Inês Prado",
        ),
        # Storage format: mentions by user name, account id or user key.
        ('<p>Owner: <ac:link><ri:user ri:username="ines" /></ac:link></p>', "Owner: @ines"),
        (
            '<p>Owner: <ac:link><ri:user ri:account-id="712020:4c3b2a19" /><ac:link-body>Mirela'
            "</ac:link-body></ac:link></p>",
            "Owner: @712020-4c3b2a19",
        ),
        ('<p>Owner: <ri:user ri:userkey="8a7f808a5c4d" /></p>', "Owner: @8a7f808a5c4d"),
        # Dates, status lozenges and Jira macros become their text.
        ('<p>Due <time datetime="2025-05-02" /></p>', "Due 2025-05-02"),
        ('<p>Due <time datetime="2025-05-02">2 May</time></p>', "Due 2025-05-02"),
        (
            '<p>Pin it <ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green'
            '</ac:parameter><ac:parameter ac:name="title">DONE</ac:parameter>'
            "</ac:structured-macro></p>",
            "Pin it DONE",
        ),
        (
            '<p>Pin it <ac:structured-macro ac:name="jira"><ac:parameter ac:name="server">J'
            '</ac:parameter><ac:parameter ac:name="key">OPS-7</ac:parameter>'
            "</ac:structured-macro></p>",
            "Pin it OPS-7",
        ),
        # Macros with nothing to read are dropped, their parameters with them.
        (
            '<p>Pin it<ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Red'
            '</ac:parameter></ac:structured-macro><ac:structured-macro ac:name="jira">'
            '<ac:parameter ac:name="jqlQuery">project = OPS</ac:parameter></ac:structured-macro>'
            '<ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">a1</ac:parameter>'
            '</ac:structured-macro><ac:emoticon ac:name="tick" /></p>',
            "Pin it",
        ),
        # Links to pages read as their text, or the page's title.
        (
            '<p>See <ac:link><ri:page ri:content-title="Runbook" /><ac:plain-text-link-body>'
            "<![CDATA[the runbook]]></ac:plain-text-link-body></ac:link></p>",
            "See the runbook",
        ),
        ('<p>See <ac:link><ri:page ri:content-title="Runbook" /></ac:link></p>', "See Runbook"),
        # Comments are not text.
        ("<p>Pin <!-- draft: owner @nobody --> it</p>", "Pin it"),
    ],
)
def test_inline_text(html: str, raw: str) -> None:
    assert _text(html)[0] == raw


def test_a_page_in_a_personal_space_is_a_link_not_a_person() -> None:
    assert _text('<p>See <a href="/display/~ines/Notes">notes</a></p>') == (
        "See [notes](/display/~ines/Notes)",
        ("/display/~ines/Notes",),
    )


def test_google_docs_redirects_are_unwrapped() -> None:
    html = (
        '<p><a href="https://www.google.com/url?q=https://acme.atlassian.net/browse/PAY-7'
        '&amp;sa=D&amp;ust=1">PAY-7</a></p>'
    )
    assert _text(html) == (
        "[PAY-7](https://acme.atlassian.net/browse/PAY-7)",
        ("https://acme.atlassian.net/browse/PAY-7",),
    )


@pytest.mark.parametrize(
    ("html", "entries"),
    [
        (
            "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete"
            "</ac:task-status><ac:task-body>Pin it</ac:task-body></ac:task><ac:task>"
            "<ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status>"
            "<ac:task-body>Cap it</ac:task-body></ac:task></ac:task-list>",
            ["[x] Pin it", "[ ] Cap it"],
        ),
        (
            '<ul class="inline-task-list"><li class="checked" data-inline-task-id="1">Pin it</li>'
            '<li data-inline-task-id="2">Cap it</li></ul>',
            ["[x] Pin it", "[ ] Cap it"],
        ),
    ],
)
def test_task_lists_are_lists_of_checkboxes(html: str, entries: list[str]) -> None:
    (block,) = parse_html(html, path="page.html").blocks
    assert isinstance(block, ListBlock)
    assert [entry.text.raw for entry in block.entries] == entries


def test_a_nested_task_list_is_a_nested_list() -> None:
    html = (
        "<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>Pin it"
        "<ac:task-list><ac:task><ac:task-status>complete</ac:task-status>"
        "<ac:task-body>Pin the client</ac:task-body></ac:task></ac:task-list>"
        "</ac:task-body></ac:task></ac:task-list>"
    )
    (block,) = parse_html(html, path="page.html").blocks
    assert isinstance(block, ListBlock)
    (entry,) = block.entries
    assert entry.text.raw == "[ ] Pin it"
    (nested,) = entry.children
    assert isinstance(nested, ListBlock)
    assert [e.text.raw for e in nested.entries] == ["[x] Pin the client"]


def test_empty_elements_close_only_in_storage_format() -> None:
    """Storage format is XHTML: ``<b/>`` is empty there; in a rendered page it opens ``b``."""
    storage = '<p><ac:link><ri:user ri:username="ines" /></ac:link> to pin <b/>it</p>'
    assert _text(storage)[0] == "@ines to pin it"
    assert _text("<p>Owner: @ines to pin <b/>it</p>")[0] == "Owner: @ines to pin **it**"


def test_code_in_a_storage_macro_is_not_read() -> None:
    html = (
        "<h2>Action items</h2>"
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[<ul><li>if a > b: '
        "pin()</li></ul>]]></ac:plain-text-body></ac:structured-macro>"
        '<ac:structured-macro ac:name="info"><ac:rich-text-body><ul><li>Pin it</li></ul>'
        "</ac:rich-text-body></ac:structured-macro>"
    )
    blocks = parse_html(html, path="page.html").blocks
    lists = [block for block in blocks if isinstance(block, ListBlock)]
    assert [[entry.text.raw for entry in block.entries] for block in lists] == [["Pin it"]]


def test_a_team_maps_a_mentioned_account_id_to_its_jira_user() -> None:
    """The README's claim: the ``@<id>`` handle is a directory key for the Jira accountId."""
    pm = html(
        """
        <h1>Search outage</h1>
        <h2>Action items</h2>
        <ul><li>Alert on the served model's age (owner: <ac:link>
        <ri:user ri:account-id="557058:3f1c2b7a-9d4e-4c1a-8b2f-6e0d5a7c9b13" /></ac:link>)</li></ul>
        """
    )
    team = TeamPolicy(
        name="search",
        tracker_kind="jira",
        project="SRCH",
        directory={
            "557058-3f1c2b7a-9d4e-4c1a-8b2f-6e0d5a7c9b13": "557058:3f1c2b7a-9d4e-4c1a-8b2f-6e0d5a7c9b13"
        },
    )
    owner = only_item(pm).owner
    assert team.resolve_owner(owner) == "557058:3f1c2b7a-9d4e-4c1a-8b2f-6e0d5a7c9b13"


_STORAGE_TASKS = """
<h2>Action items</h2>
<ac:task-list>
<ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>Cap the relay queue
<ac:link><ri:user ri:username="ravi" /></ac:link> <time datetime="2025-12-16" /> SRCH-77</ac:task-body></ac:task>
<ac:task><ac:task-status>complete</ac:task-status><ac:task-body>Drain before deploys
(owner: <ac:link><ri:user ri:username="kofi" /></ac:link>, due <time datetime="2025-06-13" />)</ac:task-body></ac:task>
</ac:task-list>
<p>The relay was restarted on <time datetime="2025-06-03" /> by the on-call.</p>
"""

_RENDERED_TASKS = """
<h2>Action items</h2>
<ul class="inline-task-list">
<li class="checked" data-inline-task-id="1"><span class="placeholder-inline-tasks">Cap the relay
queue <a class="confluence-userlink user-mention" data-username="ravi" href="/display/~ravi">Ravi
Shah</a> <time datetime="2025-12-16" class="date-past">16 Dec 2025</time> SRCH-77</span></li>
<li data-inline-task-id="2"><span class="placeholder-inline-tasks">Drain before deploys
(owner: <a class="confluence-userlink" data-username="kofi" href="/display/~kofi">Kofi</a>, due
<time datetime="2025-06-13" class="date-future">13 Jun 2025</time>)</span></li>
</ul>
"""


@pytest.mark.parametrize("page", [_STORAGE_TASKS, _RENDERED_TASKS], ids=["storage", "rendered"])
def test_a_date_in_a_task_is_its_due_date(page: str) -> None:
    pm = html(page)
    assert [(i.title, i.owner, i.due, i.ticket) for i in pm.action_items] == [
        ("Cap the relay queue", "ravi", dt.date(2025, 12, 16), "SRCH-77"),
        ("Drain before deploys", "kofi", dt.date(2025, 6, 13), None),
    ]


def test_a_date_outside_a_task_stays_a_date() -> None:
    raw, _ = _text("<p>Restarted on <time datetime='2025-06-03'>3 Jun</time> by on-call.</p>")
    assert raw == "Restarted on 2025-06-03 by on-call."


_STORAGE_LIST = """
<h2>Action items</h2>
<ol>
<li>Cap the relay queue <ac:link><ri:user ri:username="ravi" /></ac:link> <time datetime="2025-12-16" />
<ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">SRCH-77</ac:parameter></ac:structured-macro></li>
<li>Drain before deploys, reviewed on <time datetime="2025-06-03" /> by <ac:link><ri:user ri:username="kofi" /></ac:link></li>
</ol>
"""

_RENDERED_LIST = """
<h2>Action items</h2>
<ul>
<li>Cap the relay queue <a class="confluence-userlink" data-username="ravi" href="/display/~ravi">Ravi
Shah</a> <time datetime="2025-12-16" class="date-past">16 Dec 2025</time> SRCH-77</li>
<li>Drain before deploys, reviewed on <time datetime="2025-06-03">3 Jun</time> by
<a class="confluence-userlink" data-username="kofi" href="/display/~kofi">Kofi</a></li>
</ul>
"""


@pytest.mark.parametrize("page", [_STORAGE_LIST, _RENDERED_LIST], ids=["storage", "rendered"])
def test_a_date_picked_right_after_a_person_in_a_list_is_the_due_date(page: str) -> None:
    pm = html(page)
    assert [(i.title, i.owner, i.due, i.ticket) for i in pm.action_items] == [
        ("Cap the relay queue", "ravi", dt.date(2025, 12, 16), "SRCH-77"),
        ("Drain before deploys, reviewed on 2025-06-03 by", "kofi", None, None),
    ]
