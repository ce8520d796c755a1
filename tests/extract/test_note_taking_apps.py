"""Postmortems kept in note-taking apps and shared editors (Logseq, Obsidian, Azure DevOps wikis,
HackMD, Slab, Dropbox Paper, Quip), as those apps write them."""

from __future__ import annotations

import datetime as dt

from followthrough.domain.itemtext import read_item
from tests.extract.helpers import html, md

Row = tuple[str, str | None, dt.date | None, str | None, str]


def _rows(text: str) -> list[Row]:
    return [(i.title, i.owner, i.due, i.ticket, i.status.value) for i in md(text).action_items]


# Logseq indents blocks with tabs; "\t" keeps them tabs here.
LOGSEQ = """
title:: Postmortem/2025-05-06 DNS resolver flap
team:: [[Traffic SRE]]
severity:: SEV-1

- ## Timeline
\t- 13:48 — [[Farah Haddad]] paged; TODO list started in #inc-3107
- ## Action items
\t- TODO [#A] Add `maxUnavailable: 1` to the rollout strategy
\t  DEADLINE: <2025-05-09 Fri>
\t  owner:: [[Farah Haddad]]
\t  ticket:: SRE-2044
\t- DOING Canary DNS changes on one AZ first
\t  SCHEDULED: <2025-05-13 Tue>
\t  owner:: [[Ivan Petrov]]
\t  :LOGBOOK:
\t  CLOCK: [2025-05-08 Thu 10:02:44]
\t  :END:
\t\t- needs the new analysis template first
\t- DONE Pin the `coredns` image to 1.11.3
\t  owner:: [[Farah Haddad]]
\t- CANCELED Move cluster DNS to managed resolvers
\t\t- cost not justified for the gain
\t- LATER Page the [[Traffic SRE]] secondary when the primary does not ack #action
\t  due:: [[May 20th, 2025]]
\t  ticket:: SRE-2050, OPS-771
- **Lessons** #retro
\t- Vendored charts need their rollout strategy reviewed.
"""


def test_a_logseq_outline_is_read_as_sections_of_blocks_with_markers_and_properties() -> None:
    pm = md(LOGSEQ)
    assert pm.team == "Traffic SRE"
    assert [(r, i.line) for r, i in zip(_rows(LOGSEQ), pm.action_items, strict=True)] == [
        (
            (
                "Add maxUnavailable: 1 to the rollout strategy",
                "Farah Haddad",
                dt.date(2025, 5, 9),
                "SRE-2044",
                "open",
            ),
            8,
        ),
        (
            (
                "Canary DNS changes on one AZ first",
                "Ivan Petrov",
                dt.date(2025, 5, 13),
                None,
                "open",
            ),
            12,
        ),
        (("Pin the coredns image to 1.11.3", "Farah Haddad", None, None, "done"), 19),
        (("Move cluster DNS to managed resolvers", None, None, None, "dropped"), 21),
        (
            (
                "Page the Traffic SRE secondary when the primary does not ack",
                None,
                dt.date(2025, 5, 20),
                "SRE-2050",
                "open",
            ),
            23,
        ),
    ]


def test_a_scheduled_day_is_the_due_date_only_where_no_deadline_is_set() -> None:
    text = """
        team:: search

        - ## Action items
        \t- TODO Roll the synonyms back
        \t  SCHEDULED: <2025-06-02 Mon>
        \t  DEADLINE: <2025-06-06 Fri>
        """
    assert _rows(text) == [("Roll the synonyms back", None, dt.date(2025, 6, 6), None, "open")]


def test_obsidian_tasks_fields_page_links_and_dataview_fields() -> None:
    assert _rows(
        """
        # Ledger replica lag

        > [!todo] Action items
        > - [ ] Set the standby delay to 30s [[Ana Silva]] 📅 2025-04-11 ⏫ #action #team/payments PAY-4421
        > - [ ] Add a coverage check to the linter 🔺 ➕ 2025-06-04 🛫 2025-06-09 📅 2025-06-13 #action
        > - [x] Add a replica-lag panel [[Kenji Watanabe|Kenji]] #action ✅ 2025-04-04
        > - [-] Alert on any replica query running longer than 5 min — too noisy #action ❌ 2025-04-08
        > - [ ] Document the pause in [[Runbook - Replica lag]] [owner:: [[Lena Fischer]]] (due:: 2025-04-09)
        > - [ ] Write the handbook page in [[Data Platform Handbook]]
        """
    ) == [
        ("Set the standby delay to 30s", "Ana Silva", dt.date(2025, 4, 11), "PAY-4421", "open"),
        ("Add a coverage check to the linter", None, dt.date(2025, 6, 13), None, "open"),
        ("Add a replica-lag panel", "Kenji Watanabe", None, None, "done"),
        (
            "Alert on any replica query running longer than 5 min — too noisy",
            None,
            None,
            None,
            "dropped",
        ),
        (
            "Document the pause in Runbook - Replica lag",
            "Lena Fischer",
            dt.date(2025, 4, 9),
            None,
            "open",
        ),
        ("Write the handbook page in Data Platform Handbook", None, None, None, "open"),
    ]


def test_tasks_priorities_and_filing_tags() -> None:
    item = read_item("Cap the retries ⏫ #action #incident/payments")
    assert (item.title, item.priority) == ("Cap the retries", "P1")
    # A channel or a word after "#" is the item's own text; only filing tags go.
    assert read_item("Post the summary in #inc-3107 and #payments").title == (
        "Post the summary in #inc-3107 and #payments"
    )


def test_a_google_docs_comment_reference_is_a_link_not_a_page_link() -> None:
    item = read_item("Add a pool dashboard DP-219[[a]](#cmnt1)", ("#cmnt1",))
    assert item.tickets == ("DP-219",)


def test_a_team_written_as_a_page_link_a_hard_break_or_with_its_handle_is_the_team() -> None:
    assert md("# X\n\nteam:: [[Search Infrastructure]]\n").team == "Search Infrastructure"
    assert md("# X\n\n**Team:** Lifecycle Marketing Eng\\\n**Date:** 2025-01-29\n").team == (
        "Lifecycle Marketing Eng"
    )
    assert md("# X\n\nTeam: Developer Productivity (@acme/devprod)\n").team == (
        "Developer Productivity"
    )


def test_dataview_fields_as_sub_bullets_and_a_section_heading_with_a_tag() -> None:
    assert _rows(
        """
        team:: [[Search Infrastructure]]

        # Catalogue reindex stalled

        ## Follow-up actions #action

        - [x] Bump the bulk queue to 1000 [owner:: [[Mateus Oliveira]]] [completion:: 2025-03-19] SRCH-1187
        - [ ] Write a load test that replays a full reindex
        \t- owner:: [[Jonas Berg]]
        \t- due:: 2025-04-15
        \t- ticket:: SRCH-1193
        """
    ) == [
        ("Bump the bulk queue to 1000", "Mateus Oliveira", None, "SRCH-1187", "done"),
        (
            "Write a load test that replays a full reindex",
            "Jonas Berg",
            dt.date(2025, 4, 15),
            "SRCH-1193",
            "open",
        ),
    ]


def test_an_azure_devops_wiki_page_mentions_people_and_links_work_items() -> None:
    assert _rows(
        """
        # Certificate expiry

        ## Action items

        |#|Action item|Owner|Due|Work item|State|
        |:-:|--|--|--|--|--|
        |1|Move listener certificates to Key Vault|@<Ravi Menon>|2025-04-25|AB#30120|Active|
        |2|Buy a 3-year certificate|—|—|—|Removed|

        - [ ] Set a client timeout on the tax call — @<Julia Novak> — AB#41207 — due 2025-07-03
        - [ ] Load test the tax service — due **July 18, 2025** — AB#41215, AB#41216
        """
    ) == [
        (
            "Move listener certificates to Key Vault",
            "Ravi Menon",
            dt.date(2025, 4, 25),
            "AB#30120",
            "open",
        ),
        ("Buy a 3-year certificate", None, None, None, "dropped"),
        (
            "Set a client timeout on the tax call",
            "Julia Novak",
            dt.date(2025, 7, 3),
            "AB#41207",
            "open",
        ),
        ("Load test the tax service", None, dt.date(2025, 7, 18), "AB#41215", "open"),
    ]


def test_a_slab_page_written_by_quill_checklists_mentions_and_levelled_notes() -> None:
    pm = html(
        """
        <h2>Action Items</h2>
        <ul data-checked="false">
        <li>Add a consumer-lag alert — <a class="mention" data-username="tomas.reyes"
        href="https://acme.slab.com/users/tomas.reyes">@Tomás Reyes</a> — due Apr 18, 2025 — SUP-330</li>
        </ul>
        <ul>
        <li class="ql-indent-1">Julien: check whether the client exposes the header</li>
        </ul>
        <ul data-checked="true">
        <li>Replay the events from the DLQ</li>
        </ul>
        """
    )
    assert [(i.title, i.owner, i.due, i.ticket, i.status.value) for i in pm.action_items] == [
        ("Add a consumer-lag alert", "tomas.reyes", dt.date(2025, 4, 18), "SUP-330", "open"),
        ("Replay the events from the DLQ", None, None, None, "done"),
    ]
    assert pm.action_items[0].notes == ("Julien: check whether the client exposes the header",)


def test_a_dropbox_paper_page_its_to_dos_levels_and_date_chips() -> None:
    line = '<div class="ace-line"><ul class="listtype-{kind} listindent{level}"><li>{text}</li></ul></div>'
    rows = [
        ("bullet", 1, 'Olga <span class="date-chip" data-date="2025-04-30">Apr 30</span> fixed it'),
        (
            "task",
            1,
            'Alert on freshness <span class="mention">@Olga Ivanova</span> '
            '<span class="date-chip" data-date="2025-05-09">May 9</span> MLP-402',
        ),
        ("bullet", 2, "keep the per-partition retry"),
        ("taskdone", 1, "Re-materialize the feature view"),
        ("task", 1, "<s>Move to streaming</s> (not doing this quarter)"),
    ]
    pm = html(
        "<h2>Good things</h2>"
        + line.format(kind=rows[0][0], level=rows[0][1], text=rows[0][2])
        + "<h2>To-dos</h2>"
        + "".join(line.format(kind=k, level=n, text=t) for k, n, t in rows[1:])
    )
    assert [(i.title, i.owner, i.due, i.ticket, i.status.value) for i in pm.action_items] == [
        ("Alert on freshness", "Olga Ivanova", dt.date(2025, 5, 9), "MLP-402", "open"),
        ("Re-materialize the feature view", None, None, None, "done"),
        ("Move to streaming", None, None, None, "dropped"),
    ]
    assert pm.action_items[0].notes == ("keep the per-partition retry",)


def test_a_quip_spreadsheet_is_the_table_inside_its_frame() -> None:
    pm = html(
        """
        <h2>Action items</h2>
        <table><thead><tr><th></th><th>A</th><th>B</th><th>C</th><th>D</th></tr></thead>
        <tbody>
        <tr><td>1</td><td><b>Action</b></td><td><b>Owner</b></td><td><b>Due</b></td><td><b>Status</b></td></tr>
        <tr><td>2</td><td>Require a PodDisruptionBudget</td>
        <td><a class="user" href="https://acme.quip.com/pYIAEAqh3Zr">@Yusuf Demir</a></td><td>Apr 4, 2025</td><td>Open</td></tr>
        <tr><td>3</td><td>Switch all pools to blue-green upgrades</td><td></td><td></td><td>Won't do</td></tr>
        </tbody></table>
        <p>Row 3 was closed at the review: blue-green doubles node cost.</p>
        """
    )
    assert [(i.title, i.owner, i.due, i.status.value) for i in pm.action_items] == [
        ("Require a PodDisruptionBudget", "Yusuf Demir", dt.date(2025, 4, 4), "open"),
        ("Switch all pools to blue-green upgrades", None, None, "dropped"),
    ]


def test_a_hackmd_spoiler_hides_notes_unless_it_holds_the_actions() -> None:
    assert _rows(
        """
        # Duplicate pushes

        ## Action items

        - [ ] Deduplicate on message_id @lwei

        :::spoiler Repro steps
        1. Install 4.11.0 on Android 14
        2. Kill the app between delivery and display
        :::

        :::spoiler Follow-ups
        - [ ] Add a duplicate-rate metric MOB-1507
        :::
        """
    ) == [
        ("Deduplicate on message_id", "lwei", None, None, "open"),
        ("Add a duplicate-rate metric", None, None, "MOB-1507", "open"),
    ]


def test_a_quip_checklist_its_mentions_dates_and_levelled_notes() -> None:
    pm = html(
        """
        <h2>Follow-ups</h2>
        <div data-section-style='7'><ul>
        <li class=''><span>Verify signatures against both secrets — <a class='user'
        href='https://acme.quip.com/hQGAEAk81Rt'>@Dana Whitfield</a> — <span class='date'
        data-date='1750377600000'>Jun 20, 2025</span> — PAYOPS-77</span><br/></li>
        <li class='checked'><span>Replay the rejected webhooks</span><br/></li>
        </ul></div>
        <div data-section-style='5'><ul>
        <li class='list-indent-1'><span>replayed on 2025-06-11 and reconciled</span><br/></li>
        </ul></div>
        """
    )
    assert [(i.title, i.owner, i.due, i.ticket, i.status.value) for i in pm.action_items] == [
        (
            "Verify signatures against both secrets",
            "Dana Whitfield",
            dt.date(2025, 6, 20),
            "PAYOPS-77",
            "open",
        ),
        ("Replay the rejected webhooks", None, None, None, "done"),
    ]
    assert pm.action_items[1].notes == ("replayed on 2025-06-11 and reconciled",)


def test_a_coda_table_keeps_its_dates_and_a_done_box_beside_a_status_column() -> None:
    pm = html(
        """
        <h2>Action items</h2>
        <table class="coda-table"><thead><tr><th>Action</th><th>Owner</th><th>Due</th>
        <th>Done</th><th>Status</th></tr></thead><tbody>
        <tr><td>Make the invoice run single-flight</td><td><span class="coda-person-chip">Samir
        Khan</span></td><td data-coda-value="2025-03-07">3/7/2025</td>
        <td><input type="checkbox" disabled></td><td><span>Not started</span></td></tr>
        <tr><td>Void the duplicate invoices</td><td></td><td data-coda-value="2025-02-21">2/21/2025</td>
        <td><input type="checkbox" checked disabled></td><td><span>Done</span></td></tr>
        <tr><td>Rewrite the run as a workflow</td><td></td><td></td>
        <td><input type="checkbox" disabled></td><td><span>Won't do</span></td></tr>
        </tbody></table>
        """
    )
    assert [(i.title, i.owner, i.due, i.status.value) for i in pm.action_items] == [
        ("Make the invoice run single-flight", "Samir Khan", dt.date(2025, 3, 7), "open"),
        ("Void the duplicate invoices", None, dt.date(2025, 2, 21), "done"),
        ("Rewrite the run as a workflow", None, None, "dropped"),
    ]


def test_an_outline_mention_is_an_owner_and_hard_breaks_carry_fields() -> None:
    assert _rows(
        """
        # Campaign resend

        ## Action items

        - [ ] Take a lease per campaign @[Hannah Lee](mention://3f1e2a9c/user/8c9d4e2f) — GROW-778\\
          Due: Feb 7, 2025
        - [x] Move scheduling to the ESP — **won't do**, we would lose our suppression logic
        """
    ) == [
        ("Take a lease per campaign", "Hannah Lee", dt.date(2025, 2, 7), "GROW-778", "open"),
        ("Move scheduling to the ESP", None, None, None, "dropped"),
    ]


def test_a_gitbook_hint_holding_what_was_done_during_the_incident() -> None:
    assert _rows(
        """
        # SSO token expiry

        {% hint style="success" %}
        **Done during the incident**

        * [x] Restarted chronyd on all gateway hosts
        {% endhint %}

        ## Action items

        * [ ] Alert on clock offset above 100 ms @sofia — IAM-331
        """
    ) == [
        ("Restarted chronyd on all gateway hosts", None, None, None, "done"),
        ("Alert on clock offset above 100 ms", "sofia", None, "IAM-331", "open"),
    ]


def test_a_person_mentioned_by_name_then_the_verb_and_a_due_date_with_its_weekday() -> None:
    assert _rows(
        """
        # Certificate expiry

        ## Action items

        - [ ] @<Chloe Martin> to add the expiry check to the access review — AB#30125
        - [ ] Guard against a missing paywall key — @nchen — by Fri Jun 20, 2025
        """
    ) == [
        ("Add the expiry check to the access review", "Chloe Martin", None, "AB#30125", "open"),
        ("Guard against a missing paywall key", "nchen", dt.date(2025, 6, 20), None, "open"),
    ]
