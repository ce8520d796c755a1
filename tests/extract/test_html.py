"""HTML exports: Confluence-like, Google-Docs-like and PagerDuty-like pages."""

from __future__ import annotations

import datetime as dt

from followthrough.domain.model import ItemStatus
from tests.extract.helpers import html, lines, titles


def test_confluence_like_heading_and_list() -> None:
    pm = html(
        """
        <html><head><title>Checkout outage</title></head><body>
        <h1>Checkout outage</h1>
        <h2>Action items</h2>
        <ul>
        <li>Add an alert on payment errors (owner: @alice, due 2024-05-01) <a href="https://acme.atlassian.net/browse/PAY-7">PAY-7</a></li>
        <li><s>Rewrite the payment gateway</s></li>
        <li>Document the retry policy <a href="https://github.com/acme/pay/issues/42">tracking issue</a></li>
        </ul>
        </body></html>
        """
    )
    assert pm.title == "Checkout outage"
    assert [(i.title, i.line, i.owner, i.due, i.ticket, i.status) for i in pm.action_items] == [
        (
            "Add an alert on payment errors",
            5,
            "alice",
            dt.date(2024, 5, 1),
            "PAY-7",
            ItemStatus.OPEN,
        ),
        ("Rewrite the payment gateway", 6, None, None, None, ItemStatus.DROPPED),
        ("Document the retry policy", 7, None, None, "acme/pay#42", ItemStatus.OPEN),
    ]


def test_links_in_html_become_tickets_even_behind_generic_text() -> None:
    pm = html(
        """
        <h1>Checkout outage</h1>
        <h2>Follow-ups</h2>
        <ul>
        <li>Pin the client library version (<a href="https://acme.atlassian.net/browse/PAY-8">ticket</a>)</li>
        <li>Bump the consumer pool to 20 workers <a href="https://github.com/acme/pay/pull/9">PR</a></li>
        </ul>
        """
    )
    assert [(i.title, i.tickets) for i in pm.action_items] == [
        ("Pin the client library version", ("PAY-8",)),
        ("Bump the consumer pool to 20 workers", ("acme/pay#9",)),
    ]


def test_html_checkboxes_are_task_states() -> None:
    pm = html(
        """
        <h1>Checkout outage</h1>
        <h2>Action items</h2>
        <ul>
        <li><input type="checkbox" checked> Pin the client library version</li>
        <li><input type="checkbox"> Bump the consumer pool to 20 workers</li>
        </ul>
        """
    )
    assert [(i.title, i.status) for i in pm.action_items] == [
        ("Pin the client library version", ItemStatus.DONE),
        ("Bump the consumer pool to 20 workers", ItemStatus.OPEN),
    ]


def test_google_docs_like_spans_in_paragraphs() -> None:
    pm = html(
        """
        <html><body class="doc-content">
        <p class="c3"><span class="c1">Checkout outage</span></p>
        <p class="c2"><span class="c5">Action Items</span></p>
        <p class="c2"><span class="c1">Pin the client library version (owner: @alice)</span></p>
        <p class="c2"><span class="c1">Bump the consumer pool to 20 workers (owner: @bob)</span></p>
        </body></html>
        """
    )
    assert [(i.title, i.line, i.owner) for i in pm.action_items] == [
        ("Pin the client library version", 4, "alice"),
        ("Bump the consumer pool to 20 workers", 5, "bob"),
    ]


def test_google_docs_like_heading_and_list_of_spans() -> None:
    pm = html(
        """
        <html><body>
        <h1 class="c4"><span class="c6">Checkout outage</span></h1>
        <h2 class="c4"><span class="c6">Corrective and Preventative Measures</span></h2>
        <ul class="lst-kix_a-0 start">
        <li class="c0"><span class="c1">Pin the client library version</span></li>
        <li class="c0"><span class="c1">Add an alert on </span><span class="c7">payment errors</span></li>
        </ul>
        </body></html>
        """
    )
    assert titles(pm) == ["Pin the client library version", "Add an alert on payment errors"]
    assert lines(pm) == [5, 6]


PAGERDUTY_LIKE = """
<html><body>
<h1>Checkout outage</h1>
<h2>Action items</h2>
<div class="action-items"><span>- Pin the client library version<br>- Add an alert on payment errors<br>- Bump the consumer pool to 20 workers</span></div>
<h2>Timeline</h2>
<p>10:00 alert fired</p>
</body></html>
"""


def test_pagerduty_like_items_separated_by_br_in_one_span() -> None:
    pm = html(PAGERDUTY_LIKE)
    assert titles(pm) == [
        "Pin the client library version",
        "Add an alert on payment errors",
        "Bump the consumer pool to 20 workers",
    ]
    assert pm.action_items[0].line == 4


def test_pagerduty_like_items_keep_their_source_line() -> None:
    assert lines(html(PAGERDUTY_LIKE)) == [4, 4, 4]


def test_google_docs_title_paragraph_is_the_title() -> None:
    pm = html(
        """
        <html><head><style>.title{font-size:26pt}</style></head><body class="c9 doc-content">
        <p class="c3 title" id="h.t1"><span class="c0">Courier dispatch outage, 2025-02-11</span></p>
        <h1 class="c4"><span class="c0">Summary</span></h1>
        <p class="c3"><span class="c0">Dispatch stopped assigning couriers.</span></p>
        </body></html>
        """
    )
    assert (pm.title, pm.date) == ("Courier dispatch outage, 2025-02-11", dt.date(2025, 2, 11))
