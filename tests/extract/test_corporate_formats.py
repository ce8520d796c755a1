"""Postmortems kept in corporate formats: Word's "Save as Web Page", e-mail, ServiceNow records."""

from __future__ import annotations

import datetime as dt

from followthrough.domain.values import find_tickets
from tests.extract.helpers import html, md

_NBSP = "&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;"


def _word_entry(mark: str, text: str, *, level: int = 1, full: bool = False) -> str:
    if full:  # Word's own HTML: the mark hides behind a conditional comment
        return (
            f"<p class=MsoListParagraphCxSpMiddle style='text-indent:-.25in;mso-list:l0 "
            f"level{level} lfo1'><![if !supportLists]><span\nstyle='mso-list:Ignore'>{mark}"
            f"<span style='font:7.0pt \"Times New Roman\"'>{_NBSP}\n</span></span><![endif]>"
            f"{text}<o:p></o:p></p>\n"
        )
    margin = "" if level == 1 else f"margin-left:{level * 0.5:.1f}in;"
    return (
        f"<p class=MsoListParagraphCxSpMiddle style='{margin}text-indent:-.25in'>"
        f"<span style='font-family:\"Courier New\"'>{mark}<span style='font:7.0pt'>{_NBSP}"
        f"</span></span>{text}</p>\n"
    )


def test_word_lists_are_read_as_lists_with_their_levels_marks_and_boxes() -> None:
    page = (
        "<h1>Action items</h1>\n"
        + _word_entry("1.", "Point every DC at a second forwarder pair")
        + _word_entry("o", "Owner: Marek Zielinski", level=2)
        + _word_entry("o", "Due: June 13, 2025", level=2)
        + _word_entry("o", "Ticket: INFRA-2301", level=2)
        + _word_entry("2.", "Decommission the BIND forwarders", full=True)
        + _word_entry("o", "Status: Cancelled, the OT network depends on them", level=2, full=True)
        + "<h1>Done during the incident</h1>\n"
        + "<p class=MsoNormal style='margin-left:.25in;text-indent:-.25in'><span"
        " style='font-family:Wingdings'>&#254;</span><span style='mso-tab-count:1'>"
        f"{_NBSP} </span>Reset the service account passwords</p>\n"
    )
    pm = html(page)
    assert [(i.title, i.owner, i.due, i.ticket, i.status.value) for i in pm.action_items] == [
        (
            "Point every DC at a second forwarder pair",
            "Marek Zielinski",
            dt.date(2025, 6, 13),
            "INFRA-2301",
            "open",
        ),
        ("Decommission the BIND forwarders", None, None, None, "dropped"),
        ("Reset the service account passwords", None, None, None, "done"),
    ]
    assert [i.line for i in pm.action_items] == [2, 6, 13]


def test_servicenow_records_are_tickets() -> None:
    assert find_tickets("Roll back san-b-02 (CHG0040198); PTASK0012044 and RITM0023311") == (
        "CHG0040198",
        "PTASK0012044",
        "RITM0023311",
    )
    assert find_tickets("XCHG0040198, CHG00401981, CHG004019") == ()
    pm = html(
        "<h2>Action items</h2><ul><li>Configure max-prefix limits – owner: Jonas Weber –"
        " due 3/21/2025 – NET-641 / CHG0041510</li></ul>"
    )
    item = pm.action_items[0]
    assert (item.title, item.owner, item.due, item.ticket) == (
        "Configure max-prefix limits",
        "Jonas Weber",
        dt.date(2025, 3, 21),
        "NET-641",
    )


def test_a_gmail_reply_its_mentions_its_done_group_and_not_the_message_it_quotes() -> None:
    pm = html(
        """<div dir="ltr"><div><b>Follow-up actions</b></div><ol>
        <li>Enforce phishing-resistant MFA — <a class="gmail_plusreply" id="plusReplyChip-0"
        href="mailto:maria.lopez@acme.example">@Maria Lopez</a> — by Apr 30, 2025 — SEC-1181</li>
        </ol><div>Already done during the response:</div><ul>
        <li>Blocked the attacker's ASN in an Okta network zone</li></ul>
        <div class="gmail_quote"><blockquote class="gmail_quote"><div>Status update:</div><ul>
        <li>16:26 account suspended, sessions cleared</li></ul></blockquote></div></div>"""
    )
    assert [(i.title, i.owner, i.due, i.status.value) for i in pm.action_items] == [
        ("Enforce phishing-resistant MFA", "Maria Lopez", dt.date(2025, 4, 30), "open"),
        ("Blocked the attacker's ASN in an Okta network zone", None, None, "done"),
    ]


def test_a_slack_thread_pasted_in_its_bot_summary_and_its_markup() -> None:
    pm = md(
        """
        **Incident Bot**  APP  11:30 AM
        *Root cause:* level 2 referenced a deleted schedule (<https://acme.atlassian.net/browse/SRE-2208|SRE-2208>).
        *Action items*
        • Add a fallback level to the escalation policy — <@U02MLOPEZ|maria> — due 2025-06-18 — <https://acme.atlassian.net/browse/SRE-2210|SRE-2210>
        • :white_check_mark: Re-added the secondary schedule — <@U03KMENSAH|kofi>
        • ~Switch paging to Opsgenie~ — not doing
        • Lint escalation policies weekly in CI — unassigned — <https://acme.atlassian.net/browse/SRE-2212|SRE-2212>
        _React with :white_check_mark: on this message when an item is done._
        """
    )
    assert [(i.title, i.owner, i.due, i.ticket, i.status.value) for i in pm.action_items] == [
        (
            "Add a fallback level to the escalation policy",
            "maria",
            dt.date(2025, 6, 18),
            "SRE-2210",
            "open",
        ),
        ("Re-added the secondary schedule", "kofi", None, None, "done"),
        ("Switch paging to Opsgenie", None, None, None, "dropped"),
        ("Lint escalation policies weekly in CI", None, None, "SRE-2212", "open"),
    ]


def test_a_chat_message_that_ends_by_announcing_the_actions_over_a_list() -> None:
    assert [
        (i.title, i.owner, i.status.value)
        for i in md(
            """
            [11:05] Lukas Meyer
            Postmortem review done, thanks all. Action items:

            1. @Priya Raman raise the registry quota to 2 TB – by 28 Feb 2025 – PLAT-901
            2. @Lukas Meyer post a summary in #eng-announce – done ✅

            [11:12] Sven Olsen
            Note that the cleanup job needs PLAT-904 first.
            """
        ).action_items
    ] == [
        ("Raise the registry quota to 2 TB", "Priya Raman", "open"),
        ("Post a summary in #eng-announce", "Lukas Meyer", "done"),
    ]


def test_a_pandoc_grid_table_is_read_as_a_table_on_its_rows_first_lines() -> None:
    pm = md(
        r"""
        # Dunning e-mail burst

        ## Action items

        +------+------------------------------------+---------------+------------+------------------+
        | \#   | Action                             | Owner         | Due        | Status           |
        +======+====================================+===============+============+==================+
        | 1    | Make the retry scheduler           | Sanjay Iyer   | 21 Feb     | In progress      |
        |      | idempotent on (invoice\_id,        |               | 2025       |                  |
        |      | attempt)                           |               |            |                  |
        +------+------------------------------------+---------------+------------+------------------+
        | 2    | ~~Send an apology credit to all    | Lucía Gómez   |            | Won't do --      |
        |      | affected customers~~               |               |            | Finance declined |
        +------+------------------------------------+---------------+------------+------------------+
        """
    )
    assert [(i.title, i.owner, i.due, i.status.value, i.line) for i in pm.action_items] == [
        (
            "Make the retry scheduler idempotent on (invoice_id, attempt)",
            "Sanjay Iyer",
            dt.date(2025, 2, 21),
            "open",
            8,
        ),
        ("Send an apology credit to all affected customers", "Lucía Gómez", None, "dropped", 12),
    ]


def test_a_onenote_page_its_to_do_tags_notes_and_styled_spans() -> None:
    pm = html(
        """
        <p>Team: Lakehouse · Notebook: Data Platform › Incidents</p>
        <h1>Actions</h1>
        <p data-tag="to-do">Cap HMS connections per client – <span style="font-weight:bold">@Lena
        Fischer</span> – due 2025-04-04 – DATA-1402</p>
        <p style="margin-left:36pt">Omar: needs a backfill window agreed with Analytics.</p>
        <p data-tag="to-do"><span style="text-decoration:line-through">Move the metastore to
        Aurora – DATA-1404</span> (dropped in the review)</p>
        <br />
        <p><span style="font-weight:bold">Done during the incident</span></p>
        <p data-tag="to-do:completed">Killed the MSCK REPAIR session</p>
        <br />
        <p data-tag="remember-for-later">Open question for Q3: does audit_events belong here?</p>
        """
    )
    assert [(i.title, i.owner, i.ticket, i.status.value) for i in pm.action_items] == [
        ("Cap HMS connections per client", "Lena Fischer", "DATA-1402", "open"),
        ("Move the metastore to Aurora", None, "DATA-1404", "dropped"),
        ("Killed the MSCK REPAIR session", None, None, "done"),
    ]
    assert pm.action_items[0].notes == ("Omar: needs a backfill window agreed with Analytics.",)
    assert pm.team == "Lakehouse"


def test_meeting_notes_with_ai_action_and_todo_labels() -> None:
    pm = md(
        """
        # Review meeting: consumer lag

        ## Discussion

        AI: Hiro to add a per-group lag SLO alert by 2025-06-27 — STRM-560

        TODO(akosua): cap max.poll.records at 500 for the enrichment consumers — STRM-561

        ~~AI: Akosua to double the partitions~~ — dropped in the meeting; more partitions means more rebalance work.

        AI researchers disagree about this: the model is fine.

        ## Action items

        - ACTION (no owner yet): add consumer lag to the weekly ops review deck
        - The AI / ACTION / TODO lines in the notes above are also action items; they are not repeated here.
        """
    )
    assert [(i.title, i.owner, i.due, i.ticket, i.status.value) for i in pm.action_items] == [
        ("Add a per-group lag SLO alert", "Hiro", dt.date(2025, 6, 27), "STRM-560", "open"),
        (
            "cap max.poll.records at 500 for the enrichment consumers",
            "akosua",
            None,
            "STRM-561",
            "open",
        ),
        ("Double the partitions", "Akosua", None, None, "dropped"),
        ("add consumer lag to the weekly ops review deck", None, None, None, "open"),
    ]


def test_lessons_under_the_actions_and_notes_listed_in_a_grid_cell_are_not_items() -> None:
    pm = md(
        """
        # Pinning break

        ## Action items

        +------+----------------------------------------+--------------+
        | \\#   | Action                                 | Owner        |
        +======+========================================+==============+
        | 1    | Publish a certificate-rotation         | Rosa Martínez|
        |      | checklist for the mobile release train |              |
        |      | - notify mobile leads 30 days before   |              |
        |      | - ship backup pins                     |              |
        +------+----------------------------------------+--------------+

        ### Lessons

        Pins are configuration and deserve the same review as code.
        """
    )
    assert [(i.title, i.owner) for i in pm.action_items] == [
        ("Publish a certificate-rotation checklist for the mobile release train", "Rosa Martínez")
    ]


def test_a_sharepoint_page_whose_span_holds_the_wiki_and_its_list_view_of_actions() -> None:
    pm = html(
        """
        <div id="DeltaPlaceHolderMain"><span id="ctl00_PlaceHolderMain_WikiField">
        <div class="ms-wikicontent"><h1>\u200bPromo code outage</h1>
        <p>\u200b<strong>Owning team:</strong> Cart &amp; Promotions<br/></p>
        <h2>Follow-up actions</h2>
        <table summary="Postmortem Actions"><thead><tr><th></th><th><div><a>Title</a></div></th>
        <th><div><a>Assigned To</a></div></th><th><div><a>Due Date</a></div></th>
        <th><div><a>Task Status</a></div></th><th><div><a>Jira</a></div></th></tr></thead><tbody>
        <tr><td></td><td><a href="/sites/checkout/Lists/Actions/DispForm.aspx?ID=12">Add a kill
        switch for promo-service</a></td><td><a href="#"></a><a
        href="/sites/checkout/_layouts/15/userdisp.aspx?ID=41">Nadia Petrova</a></td>
        <td>2025-06-13</td><td>In Progress</td><td>CHK-771</td></tr>
        </tbody></table></div></span></div>
        """
    )
    assert pm.team == "Cart & Promotions"
    assert [(i.title, i.owner, i.due, i.ticket, i.status.value) for i in pm.action_items] == [
        (
            "Add a kill switch for promo-service",
            "Nadia Petrova",
            dt.date(2025, 6, 13),
            "CHK-771",
            "open",
        )
    ]


def test_a_plain_text_mail_with_owner_and_eta_lines_under_each_item() -> None:
    pm = md(
        """
        # Model registry outage

        Action items:

        1. Add a read-only replica for the model registry
           Owner - Ines Duarte
           ETA - 6/13/2025
           Ticket - MLP-417
        2. Second registry region (active/passive)
           Owner - Ines Duarte
           ETA - n/a
           Status - dropped, cost not justified for a tier-2 service
        """
    )
    assert [(i.title, i.owner, i.due, i.ticket, i.status.value) for i in pm.action_items] == [
        (
            "Add a read-only replica for the model registry",
            "Ines Duarte",
            dt.date(2025, 6, 13),
            "MLP-417",
            "open",
        ),
        ("Second registry region (active/passive)", "Ines Duarte", None, None, "dropped"),
    ]


def test_ballot_boxes_before_an_item_and_in_a_cell() -> None:
    assert [
        (i.title, i.status.value)
        for i in md(
            """
            # ANR spike

            ## Action items

            1.  ☐ Move the preferences migration off the main thread
            2.  ☒ Halted the staged rollout at 20 %
            """
        ).action_items
    ] == [
        ("Move the preferences migration off the main thread", "open"),
        ("Halted the staged rollout at 20 %", "done"),
    ]
    pm = html(
        "<h2>Action items</h2><table><tr><th>Action</th><th>Owner</th><th>Done</th></tr>"
        "<tr><td>Roll back san-b-02</td><td>Marek</td><td>&#9746;</td></tr></table>"
    )
    assert [(i.title, i.status.value) for i in pm.action_items] == [("Roll back san-b-02", "done")]
