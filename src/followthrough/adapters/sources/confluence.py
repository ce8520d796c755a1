"""Confluence markup as plain HTML: user links become owners, storage-format elements text.

Rendered exports link people (``<a class="confluence-userlink" data-username="ines">``,
``href="/display/~ines"``, Cloud's ``data-account-id`` and ``/wiki/people/<id>``); storage
format, the XHTML of Confluence's REST API (``body.storage``), has ``ac:`` and ``ri:``
elements: user mentions, task lists, status lozenges, Jira macros, dates.

People are written as ``@username``, the owner form extraction reads. An Atlassian account id
is written ``@<id>`` with its colon, if any, written as a hyphen (``557058:f581…`` becomes
``@557058-f581…``), because an owner handle is letters, digits, ``_`` and ``-``: a team maps
that handle to the tracker user in its directory (the account id is the same in Jira Cloud).
A Confluence Server user key (``ri:userkey``, when no user name is given) is written the same.

Task lists (storage ``ac:task-list``, rendered ``ul.inline-task-list``) become lists whose
entries start ``[x]`` (complete, checked) or ``[ ]``; a status lozenge
becomes its title (``DONE``), a Jira macro its issue key, ``<time datetime>`` its date (in a
task, ``due`` and its date: a date in a Confluence task is its due date; so in any list entry
where the date is picked right after a person, ``@ravi <date>``); macros
with a body (info, note, panel, expand, layouts) keep it, others (code, table of contents,
anchors, images) are dropped.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, unquote, urlsplit

from followthrough.adapters.sources.html_tree import Element, Node, task_list

# Storage format names elements with these prefixes; no rendered page does.
_STORAGE_MARKUP = re.compile(r"<(?:ac|ri):[a-z]")
# An XHTML empty element (``<ri:user ri:username="x" />``): an HTML parser would open it.
_EMPTY_ELEMENT = re.compile(
    r"<([A-Za-z][\w:.-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)\s*/>",
)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|\Z)", re.S)
_VOID = frozenset(
    "area base br col embed hr img input link meta source track wbr param keygen".split()
)

_PERSONAL_SPACE = re.compile(r"/display/~([^/?#]+)/?(?:[?#].*)?$")
_PEOPLE = re.compile(r"/(?:wiki/)?people/([\w:-]+)/?(?:[?#].*)?$")
_USERNAME = re.compile(r"[\w.@+-]+")
_ACCOUNT_ID = re.compile(r"[\w:-]+")
_GOOGLE_REDIRECT = ("https://www.google.com/url?", "http://www.google.com/url?")

# Storage-format elements that say nothing to a reader.
_DROPPED = frozenset("ac:emoticon ac:image ac:placeholder ac:task-id ac:task-uuid".split())
# Storage-format containers of blocks.
_CONTAINERS = frozenset("ac:layout ac:layout-section ac:layout-cell".split())


# What a Confluence page saved as ``.xml`` starts with, after any XML declaration or comment:
# an element of the page body.
_PAGE_START = re.compile(
    r"\A\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:(?:ac|ri):[a-z]|(?:p|h[1-6]|ul|ol|table|div|blockquote|pre|hr|html|body|section)[\s/>])",
    re.S | re.I,
)
NOT_A_PAGE = (
    "not a Confluence page: an .xml file is read when it holds Confluence storage format "
    "(ac: or ri: elements, or a page body starting with an element such as <p> or <h1>)"
)


def is_confluence_page(text: str) -> bool:
    """Whether an ``.xml`` file holds a Confluence page in storage format, not other XML."""
    return is_storage_format(text) or _PAGE_START.match(text) is not None


def is_storage_format(text: str) -> bool:
    """Whether ``text`` holds Confluence storage-format markup (``ac:`` or ``ri:`` elements)."""
    return ("<ac:" in text or "<ri:" in text) and _STORAGE_MARKUP.search(text) is not None


def storage_as_html(text: str) -> str:
    """Storage-format XHTML as HTML an HTML parser reads the same way: empty elements closed,
    CDATA sections as text. Lines are kept, so source lines still point into the file."""
    text = _CDATA.sub(lambda match: html.escape(match.group(1), quote=False), text)
    return _EMPTY_ELEMENT.sub(_close_empty, text)


def _close_empty(match: re.Match[str]) -> str:
    name, attributes = match.group(1), match.group(2)
    if name.lower() in _VOID:
        return match.group(0)
    return f"<{name}{attributes}></{name}>"


def needs_rewrite(name: str) -> bool:
    """Whether `rewrite` may change an element of this name."""
    return name in {"a", "time", "ul", "ol"} or name.startswith(("ac:", "ri:"))


def rewrite(name: str, attrs: dict[str, str], children: list[Node], line: int) -> Node | None:
    """The element as plain HTML, as text, or ``None`` when it holds nothing to read."""
    if name == "a":
        return _link(attrs, children, line)
    if name == "ul":
        return _rendered_tasks(attrs, children, line)
    if name == "ol":
        return Element(name, attrs, _dated_mentions(children), line)
    if name == "time":
        date = attrs.get("datetime", "").strip()
        # Kept an element (its text the date), so that a task can tell its due date.
        return (
            Element(name, {"datetime": date}, [date], line)
            if date
            else Element(name, attrs, children, line)
        )
    if name in _DROPPED:
        return None
    if name in _CONTAINERS:
        return Element("div", attrs, children, line)
    if name == "ri:user":
        person = _person(attrs, "ri:username", "ri:account-id") or _account(
            attrs.get("ri:userkey", "")
        )
        return Element(name, attrs, [person], line)
    if name == "ac:link":
        return _storage_link(children)
    if name in ("ac:structured-macro", "ac:macro"):
        return _macro(attrs, children, line)
    if name == "ac:task-list":
        return Element("ul", attrs, children, line)
    if name == "ac:task":
        return _task(attrs, children, line)
    if name == "ac:adf-extension":
        fallback = _child(children, "ac:adf-fallback")
        return None if fallback is None else Element("div", {}, fallback.children, line)
    return Element(name, attrs, children, line)


def _link(attrs: dict[str, str], children: list[Node], line: int) -> Node:
    classes = attrs.get("class", "").split()
    href = attrs.get("href", "")
    person = ""
    # Quill's (Slab's), Quip's and Gmail's (a "+" mention in a mail) mentions
    mention = "mention" in classes or "user" in classes or "gmail_plusreply" in classes
    if "confluence-userlink" in classes or "user-mention" in classes or mention:
        person = _person(attrs, "data-username", "data-account-id")
    if mention and not person:  # a mention by display name only: "@Dana Whitfield"
        shown = "".join(_text_of(child) for child in children).strip()
        person = shown if shown.startswith("@") and "\n" not in shown else ""
    if not person:
        personal = _PERSONAL_SPACE.search(href)
        people = _PEOPLE.search(href) if personal is None else None
        if personal is not None:
            person = _handle(unquote(personal.group(1)))
        elif people is not None:
            person = _account(people.group(1))
    if person:
        return person
    if href.startswith(_GOOGLE_REDIRECT):
        target = parse_qs(urlsplit(href).query).get("q")
        if target and target[0].startswith(("http://", "https://")):
            attrs = {**attrs, "href": target[0]}
    return Element("a", attrs, children, line)


def is_jira_issue(attrs: dict[str, str]) -> bool:
    """A rendered Jira issue macro (``span.confluence-jim-macro``)."""
    return "confluence-jim-macro" in attrs.get("class", "").split()


def jira_issue(attrs: dict[str, str], children: list[Node], line: int) -> Node:
    """A rendered Jira issue macro as its key: the lozenge beside the key ("Done") is the
    issue's state in Jira, not a mark of the item the page lists it under."""
    key = attrs.get("data-jira-key", "").strip()
    return key if key else Element("span", attrs, children, line)


def _rendered_tasks(attrs: dict[str, str], children: list[Node], line: int) -> Element:
    """A rendered task list (``ul.inline-task-list``, or a Quip checklist, whose entries only
    say ``li.checked``): each entry ``[x]`` when checked. A Quill checklist
    (``ul[data-checked]``) and a Paper to-do list (``ul.listtype-taskdone``) are ticked or not
    as a whole."""
    checked = attrs.get("data-checked")
    if checked in ("true", "false"):
        return task_list(attrs, children, line, ticked=lambda _: checked == "true")
    classes = attrs.get("class", "").split()
    if "listtype-task" in classes or "listtype-taskdone" in classes:  # Dropbox Paper's to-dos
        done = "listtype-taskdone" in classes
        return task_list(attrs, children, line, ticked=lambda _: done, content=_due_dates)
    if "inline-task-list" not in classes and not any(
        not isinstance(entry, str) and _is_checked(entry) for entry in children
    ):
        return Element("ul", attrs, _dated_mentions(children), line)
    return task_list(attrs, children, line, ticked=_is_checked, content=_due_dates)


_MENTION_BEFORE = re.compile(r"@[\w.-]+[ \t\n]*\Z")


def _dated_mentions(entries: list[Node]) -> list[Node]:
    """A list's entries, each date picked right after a person in one written ``due <date>``:
    ``<li>Partition the cache @ravi <time datetime="2025-12-16"/></li>`` is a task in all but
    its box, and Confluence's date there is the date it is due by."""
    out: list[Node] = []
    for entry in entries:
        if (
            isinstance(entry, str)
            or entry.name != "li"
            or not any(not isinstance(node, str) and node.name == "time" for node in entry.children)
        ):
            out.append(entry)
            continue
        content: list[Node] = []
        for node in entry.children:
            picked = (
                not isinstance(node, str) and node.name == "time" and node.attrs.get("datetime")
            )
            if picked and _MENTION_BEFORE.search(_text_before(content)):
                content.append(f"due {picked}")
            else:
                content.append(node)
        out.append(Element(entry.name, entry.attrs, content, entry.line))
    return out


def _text_before(content: list[Node]) -> str:
    """The text at the end of ``content``, back to its last element."""
    words: list[str] = []
    for node in reversed(content):
        if not isinstance(node, str):
            break
        words.append(node)
    return "".join(reversed(words))


def _is_checked(entry: Element) -> bool:
    return "checked" in entry.attrs.get("class", "").split()


def _person(attrs: dict[str, str], username: str, account_id: str) -> str:
    """``@handle`` for a user's name or account id; empty when neither is usable."""
    return _handle(attrs.get(username, "")) or _account(attrs.get(account_id, ""))


def _handle(username: str) -> str:
    username = username.strip()
    return f"@{username}" if _USERNAME.fullmatch(username) else ""


def _account(account_id: str) -> str:
    account_id = account_id.strip()
    return f"@{account_id.replace(':', '-')}" if _ACCOUNT_ID.fullmatch(account_id) else ""


def _child(children: list[Node], name: str) -> Element | None:
    for child in children:
        if not isinstance(child, str) and child.name == name:
            return child
    return None


def _text_of(node: Node) -> str:
    if isinstance(node, str):
        return node
    return "".join(_text_of(child) for child in node.children)


def _storage_link(children: list[Node]) -> Node | None:
    """A storage-format link: the person it mentions, else its text or its target's title."""
    user = _child(children, "ri:user")
    if user is not None:
        return _text_of(user)
    for body in ("ac:link-body", "ac:plain-text-link-body"):
        found = _child(children, body)
        if found is not None:
            return Element("span", {}, found.children, found.line)
    for target, title in (("ri:page", "ri:content-title"), ("ri:attachment", "ri:filename")):
        found = _child(children, target)
        if found is not None and found.attrs.get(title, "").strip():
            return found.attrs[title].strip()
    return None


def _parameter(children: list[Node], name: str) -> str:
    for child in children:
        if (
            not isinstance(child, str)
            and child.name == "ac:parameter"
            and child.attrs.get("ac:name", "").lower() == name
        ):
            return _text_of(child).strip()
    return ""


def _macro(attrs: dict[str, str], children: list[Node], line: int) -> Node | None:
    kind = attrs.get("ac:name", "").lower()
    if kind == "status":
        return _parameter(children, "title") or None
    if kind == "jira":
        return _parameter(children, "key") or None
    body = _child(children, "ac:rich-text-body")
    if body is None:
        return None
    return Element("div", {}, body.children, line)


def _task(attrs: dict[str, str], children: list[Node], line: int) -> Element:
    status = _child(children, "ac:task-status")
    done = status is not None and _text_of(status).strip().lower() == "complete"
    body = _child(children, "ac:task-body")
    content = body.children if body is not None else []
    return Element("li", attrs, ["[x] " if done else "[ ] ", *_due_dates(content)], line)


# A task's own content: its sub-lists are tasks (or notes) of their own.
_NOT_THE_TASKS_OWN = frozenset({"ul", "ol", "table", "ac:task-list"})


def _due_dates(content: list[Node]) -> list[Node]:
    """A task's content with each date in it written ``due <date>``: Confluence's date in a
    task (``//`` in the editor, ``<time datetime>``) is the task's due date. A date the writer
    already introduced (``due``, ``by``, ``Deadline:`` …) is left as it is."""
    out: list[Node] = []
    for node in content:
        if isinstance(node, str) or node.name in _NOT_THE_TASKS_OWN:
            out.append(node)
        elif node.name == "time" and node.attrs.get("datetime"):
            before = out[-1] if out and isinstance(out[-1], str) else ""
            words = before.rstrip(" \t\n:").rsplit(None, 1)
            introduced = bool(words) and words[-1].lower().strip("*_(") in _DATE_WORDS
            date = node.attrs["datetime"]
            out.append(date if introduced else f"due {date}")
        else:
            out.append(Element(node.name, node.attrs, _due_dates(node.children), node.line))
    return out


_DATE_WORDS = frozenset("due deadline eta target by until before on".split())
