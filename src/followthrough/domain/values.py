"""Values written by people: owners, calendar dates and ticket references, normalised.

Every parser here is strict on purpose: a value that cannot be read unambiguously gives
``None`` so that lint can quote it back to the author instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Final

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH: Final = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY: Final = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR: Final = r"(?P<year>\d{4})"
# A weekday before a date ("Fri Jun 20", "Friday, 20 June"); also in `fields`' due dates.
WEEKDAY: Final = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
# "04/05/2024": day and month in either order (`_numeric_day_month`).
_NUMERIC_DATE: Final = re.compile(r"(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<year>\d{4})\b")
_DATE_PATTERNS: Final = (
    re.compile(r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?![\d])"),
    re.compile(WEEKDAY + _MONTH + r"\s+" + _DAY + r"(?:,?\s+" + _YEAR + r")?\b", re.I),
    re.compile(WEEKDAY + _DAY + r"(?:\s+of)?\s+" + _MONTH + r"(?:,?\s+" + _YEAR + r")?\b", re.I),
    _NUMERIC_DATE,
    # Jira's own format: "04/Apr/25".
    re.compile(r"(?P<day>\d{1,2})[/-]" + _MONTH + r"[/-](?P<year>\d{4}|\d{2})\b", re.I),
)
_DIGIT: Final = re.compile(r"\d")
_PLACEHOLDERS: Final = frozenset(
    {
        "",
        "-",
        "--",
        "—",
        "–",
        "?",
        "??",
        "n/a",
        "na",
        "none",
        "tbd",
        "tba",
        "todo",
        "unknown",
        "unassigned",
        "not assigned",
        "not yet assigned",
        "nobody",
        "nobody yet",
        "none yet",
        "no one",
        "no one yet",
        "no owner",
        "no owner yet",
        "name",
        "owner",
        "[owner]",
        "[name]",
        "[team member]",
        "team member",
        "ldap",
        "who",
        "x",
        "...",
        "…",
        "null",
    }
)


# The same owners and dates recur item after item: the pure readers below remember recent
# answers.
@lru_cache(maxsize=1024)
def parse_calendar_date(text: str, *, reference: dt.date | None = None) -> dt.date | None:
    """Read one calendar date that is the whole of ``text`` (ignoring a weekday and punctuation).

    ``10 May`` takes its year from ``reference`` (the postmortem date); ``04/05/2024`` is
    ambiguous between day-first and month-first and gives ``None``.
    """
    cleaned = text.strip().strip("*_`.,;()[]@").strip()  # "@March 3, 2025": a Notion date
    if _is_iso_date(cleaned):  # the first pattern's most common form, read without it
        return _safe_date(_with_century(int(cleaned[:4])), int(cleaned[5:7]), int(cleaned[8:]))
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match:
            return _date_from_match(match, reference)
    return None


def _is_iso_date(text: str) -> bool:
    """Whether ``text`` is "YYYY-MM-DD" in ASCII digits."""
    return (
        len(text) == 10
        and text[4] == "-"
        and text[7] == "-"
        and text.isascii()
        and text[:4].isdigit()
        and text[5:7].isdigit()
        and text[8:].isdigit()
    )


def _with_century(year: int) -> int:
    """A year as written, two digits ("04/Apr/25") read in this century."""
    return year + 2000 if year < 100 else year


def find_calendar_date(text: str, *, reference: dt.date | None = None) -> dt.date | None:
    """The first unambiguous calendar date written anywhere inside ``text``."""
    if _DIGIT.search(text) is None:
        return None  # every form has its day in digits
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            found = _date_from_match(match, reference)
            if found is not None:
                return found
    return None


def _date_from_match(match: re.Match[str], reference: dt.date | None) -> dt.date | None:
    groups = match.groupdict()
    if "a" in groups:
        return _numeric_day_month(int(groups["a"]), int(groups["b"]), int(groups["year"]))
    month_text = groups["month"]
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower().rstrip(".")]
    if groups.get("year"):
        year = _with_century(int(groups["year"]))
    elif reference is not None:
        year = reference.year
    else:
        return None
    return _safe_date(year, month, int(groups["day"]))


def both_readings(text: str) -> tuple[dt.date, dt.date] | None:
    """The day-first and the month-first reading of a numeric date that is the whole of
    ``text`` and could be either (``12/06/2024``); ``None`` for any other text."""
    match = _NUMERIC_DATE.fullmatch(text.strip().strip("*_`.,;()[]@").strip())
    if match is None or parse_calendar_date(text) is not None:
        return None
    first, second, year = int(match["a"]), int(match["b"]), int(match["year"])
    day_first, month_first = _safe_date(year, second, first), _safe_date(year, first, second)
    return (day_first, month_first) if day_first and month_first else None


def _numeric_day_month(first: int, second: int, year: int) -> dt.date | None:
    if first > 12 >= second:
        return _safe_date(year, second, first)
    if second > 12 >= first:
        return _safe_date(year, first, second)
    if first == second:
        return _safe_date(year, first, second)
    return None  # 04/05/2024: day-first and month-first both fit


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def is_placeholder(text: str | None) -> bool:
    """True for the words people write where a value is not known yet."""
    if text is None:
        return True
    return text.strip().strip("*_`[]()<>").strip().lower() in _PLACEHOLDERS


@lru_cache(maxsize=1024)
def normalise_owner(text: str | None) -> str | None:
    """``@handle`` → ``handle``; names and e-mail addresses kept; placeholders → ``None``."""
    if text is None:
        return None
    owner = _SPACES.sub(" ", text.strip().strip("*_`").strip())
    owner = owner.rstrip("?.,;:").strip()
    if is_placeholder(owner):
        return None
    if _HANDLE.fullmatch(owner):
        return owner[1:]
    if "[](" in owner:  # "[](#)[Nadia Petrova](…/userdisp.aspx?ID=41)": SharePoint's presence
        owner = _EMPTY_LINK.sub("", owner).strip()
    person = _PERSON_LINK.fullmatch(owner)
    if person:  # "[Sofia Marin](mailto:sofia.marin@acme.example)", a Google Docs person chip
        owner = person.group(1).strip()
    mention = BRACKETED_MENTION.fullmatch(owner) or _NAME_MENTION.fullmatch(owner)
    if mention:  # "@<Ravi Menon>" (an Azure DevOps wiki), "@Yusuf Demir" (Quip, Notion)
        return mention.group(1).strip()
    return owner


_SPACES: Final = re.compile(r"\s+")
_PERSON_LINK: Final = re.compile(r"\[([^\]]+)\]\((?:mailto:|https?://|/)[^)\s]*\)")
_EMPTY_LINK: Final = re.compile(r"\[\]\([^)\s]*\)")
_HANDLE: Final = re.compile(r"@[\w.-]+")
# "@<Ravi Menon>": how an Azure DevOps wiki mentions a person.
BRACKETED_MENTION: Final = re.compile(r"@<([^<>\n]{1,80})>")
_NAME_MENTION: Final = re.compile(r"@([A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,2})")
# A GitHub team, kept with its "@": without it "org/team" reads as two people.
_TEAM_HANDLE: Final = re.compile(r"@[\w-]+/[\w.-]+")


_TEAM_WORDS: Final = re.compile(
    r"\b(team|teams|squad|group|crew|engineering|eng|ops|devops|sre|platform|everyone|all|"
    r"infra|infrastructure|staff|oncall|on-call|department|org|we|us|folks|people)\b",
    re.I,
)
_MULTI_SEPARATOR: Final = re.compile(r"\s+(?:and|&|\+)\s+|\s*[,/;]\s*")


@lru_cache(maxsize=4096)  # the same owners come back in postmortem after postmortem
def owner_kind(owner: str) -> str:
    """Classify a normalised owner as ``person``, ``team`` or ``multiple``."""
    if _TEAM_HANDLE.fullmatch(owner):
        return "team"  # "@acme/data-eng-oncall", a GitHub team
    parts = [part for part in _MULTI_SEPARATOR.split(owner) if part.strip()]
    if len(parts) > 1 and not re.fullmatch(r"[\w.+-]+@[\w-]+\.[\w.-]+", owner):
        return "multiple"
    if _TEAM_WORDS.search(owner) or re.fullmatch(r"[A-Z]{3,}", owner):
        return "team"
    return "person"


# The tracker URL forms, after their shared "https?://": Jira browse, GitHub issue or pull
# request, GitLab issue or merge request, Bugzilla. A run that cannot hold the character after
# it (a "/", a "-") is possessive: a form that fails after it fails without trying each
# shorter run, which could not be followed by that character either.
_JIRA_BROWSE: Final = r"[^\s/]++/(?:jira/)?browse/(?P<jira>[A-Z][A-Z0-9_]++-[1-9]\d*)"
_GITHUB_ISSUE: Final = (
    r"(?:www\.)?github\.com/(?P<owner>[\w.-]++)/(?P<repo>[\w.-]++)/(?:issues|pull)/(?P<github>\d+)"
)
_GITLAB_ISSUE: Final = (
    r"gitlab\.[^\s/]++/(?P<project>[\w./-]+?)/-/(?:issues|merge_requests)/(?P<gitlab>\d+)"
)
_BUGZILLA: Final = r"(?:bugzilla\.[\w.]++/show_bug\.cgi\?id=|bugzil\.la/)(?P<bugzilla>\d+)"
# One scan finds what a scan per form would: a match holds no "://" but its own, so none holds
# another's start, and where two forms match at one start the first listed is taken.
_TRACKER_URL: Final = re.compile(
    r"https?://(?:" + "|".join((_JIRA_BROWSE, _GITHUB_ISSUE, _GITLAB_ISSUE, _BUGZILLA)) + ")", re.I
)
# Where a pattern must not follow some character, the look-behind comes after the pattern's
# first character (checking the one before it), so that a search skips straight to that
# character instead of trying every position.
_CROSS_REPO: Final = re.compile(r"(?<![\w/])([A-Za-z0-9][\w.-]*/[\w.-]+)#(\d+)\b")
_JIRA_KEY: Final = re.compile(r"([A-Z](?<![\w/-][A-Z])[A-Z0-9_]{1,9}-[1-9]\d{0,6})(?![\w-])")
_BUG_NUMBER: Final = re.compile(r"\bbug\s*#?\s*(\d{3,})\b", re.I)
_PHABRICATOR: Final = re.compile(r"(T(?<![\w/]T)\d{5,7})\b")
_BARE_ISSUE: Final = re.compile(r"#(?<![\w/&]#)(\d{1,6})\b")
# An Azure Boards work item, as Azure DevOps links one from a commit, a PR or a wiki page.
_AZURE_BOARDS: Final = re.compile(r"(?<![\w/])AB#(\d{1,7})\b")
# A ServiceNow record: a change, problem, problem task, request item, task or incident (also
# a ticket field's value, `fields`).
SERVICENOW_RECORD: Final = r"(?:CHG|CTASK|PRB|PTASK|RITM|REQ|SCTASK|TASK|INC|ENHC|STRY|DFCT)\d{7}"
_SERVICENOW: Final = re.compile(r"(?<![\w/-])(" + SERVICENOW_RECORD + r")(?!\w)")
_NOT_JIRA_PREFIXES: Final = frozenset(
    {
        "UTF",
        "SHA",
        "AES",
        "RSA",
        "ISO",
        "RFC",
        "TLS",
        "SSL",
        "UTC",
        "GMT",
        "CVE",
        "EIP",
        "BIP",
        "HTTP",
        "HTTPS",
        "IPV",
        "COVID",
        "MD",
        "CRC",
        "ECDSA",
        "PKCS",
        "X",
        "ARM",
        "GPT",
        "PEP",
        "SEV",
        "PR",
        "IETF",
        "WCAG",
        "FIPS",
        "PCI",
        "TOP",
        "MP",
        "VS",
        "CPU",
        "GPU",
        "P",
        "AM",
        "PM",
        "Q",
        "H",
        "EC",
        "S",
        "T",
        "V",
        "OWASP",
        "ABC",
        "XYZ",
    }
)


def find_tickets(text: str, links: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every tracker reference in an item, normalised, in order of appearance, no repeats.

    Jira browse URLs and keys → ``ABC-123``; GitHub URLs → ``owner/repo#N``; Bugzilla →
    ``bug N``; Azure Boards ``AB#N`` and ServiceNow records (``CHG0040198``, ``PTASK0012044``)
    as written. Bare ``#N`` is kept as written: only the team's config knows its repository.
    """
    found = _tickets_in(text)
    for offset, link in enumerate(links, start=1):
        base = offset * 100_000
        found += [(base + pos, ref) for pos, ref in _link_tickets(link)]
    if not found:
        return ()
    seen = dict.fromkeys(ref for _, ref in sorted(found))
    # A reference-style ``[#294][issue-294]`` shows ``#294`` and resolves to the full URL:
    # keep the qualified form only.
    qualified = {ref.rsplit("#", 1)[1] for ref in seen if "#" in ref and not ref.startswith("#")}
    if not qualified:
        return tuple(seen)
    return tuple(ref for ref in seen if not (ref.startswith("#") and ref[1:] in qualified))


def _tickets_in(text: str) -> list[tuple[int, str]]:
    """References with their positions. A URL's references come first; the written ones are
    read with URLs blanked, so no written reference starts inside a URL's."""
    # Each pattern is tried only where the text has a character it cannot match without.
    refs = _url_tickets(text) if "://" in text else []
    if "http" in text:
        text = _URL.sub(_blank, text)
    return refs + _written_tickets(text) if _may_hold_written(text) else refs


_URL: Final = re.compile(r"https?://\S+")


def _link_tickets(link: str) -> list[tuple[int, str]]:
    """`_tickets_in` of a link's target, set apart by spaces. A target that is one address
    without whitespace, as most are, is blanked out whole: only the address's own references
    are in it. (Printable text holds no whitespace but the space.)"""
    text = f" {link} "
    if link.startswith(("http://", "https://")) and " " not in link and link.isprintable():
        return _url_tickets(text)
    return _tickets_in(text)


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def _url_tickets(text: str) -> list[tuple[int, str]]:
    # No match holds another one's start, so each is kept. Each holds its "://" four or five
    # characters in: none starts more than five before the first one (the case-insensitive
    # pattern has no literal start for the regex engine to skip to).
    refs: list[tuple[int, str]] = []
    for match in _TRACKER_URL.finditer(text, max(0, text.find("://") - 5)):
        jira, github, gitlab, bugzilla = match.group("jira", "github", "gitlab", "bugzilla")
        if jira is not None:
            ref = jira.upper()
        elif github is not None:
            ref = f"{match['owner']}/{match['repo']}#{github}"
        elif gitlab is not None:
            ref = f"{match['project']}#{gitlab}"
        else:
            ref = f"bug {bugzilla}"
        refs.append((match.start(), ref))
    return refs


def _may_hold_written(text: str) -> bool:
    """Cheap pre-check for `_written_tickets`: each form needs one of these characters."""
    return (
        "-" in text
        or "#" in text
        or "T" in text
        or "00" in text  # a ServiceNow record's zero-padded number
        or not text.isascii()
        or "bug" in text.lower()
    )


def _written_tickets(text: str) -> list[tuple[int, str]]:
    """The forms in order of precedence: one starting inside an earlier one's span is not
    taken. Each form is looked for only where the text holds a character it needs."""
    refs: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    if "#" in text and "/" in text:
        _take(_CROSS_REPO, text, "{0}#{1}", refs, spans)
    start = _jira_key_start(text) if "-" in text else -1
    if start != -1:
        _take(_JIRA_KEY, text, "{0}", refs, spans, skip=_NOT_JIRA_PREFIXES, pos=start)
    if not text.isascii() or "bug" in text.lower():
        _take(_BUG_NUMBER, text, "bug {0}", refs, spans)
    if "00" in text:  # a ServiceNow record's number is zero-padded to seven digits
        _take(_SERVICENOW, text, "{0}", refs, spans)
    if "T" in text:
        _take(_PHABRICATOR, text, "{0}", refs, spans)
    if "#" in text:
        _take(_AZURE_BOARDS, text, "AB#{0}", refs, spans)
        _take(_BARE_ISSUE, text, "#{0}", refs, spans)
    return refs


# What a Jira key's project key ends with, and its number starts with.
_PROJECT_KEY_END: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_ISSUE_NUMBER_START: Final = frozenset("123456789")
# A key's "-" comes at most this far after its start: a letter and up to nine more.
_LONGEST_PROJECT_KEY: Final = 10


def _jira_key_start(text: str) -> int:
    """Where a Jira key may start at the earliest, found by its "-" between a project key's
    character and a number's first digit (``-1``: nowhere). The scan for keys starts there,
    past the text before, which holds none."""
    dash = text.find("-", 1)
    while dash != -1 and dash + 1 < len(text):
        if text[dash + 1] in _ISSUE_NUMBER_START and text[dash - 1] in _PROJECT_KEY_END:
            return max(0, dash - _LONGEST_PROJECT_KEY)
        dash = text.find("-", dash + 1)
    return -1


def _take(
    pattern: re.Pattern[str],
    text: str,
    written: str,
    refs: list[tuple[int, str]],
    spans: list[tuple[int, int]],
    *,
    skip: frozenset[str] = frozenset(),
    pos: int = 0,
) -> None:
    """Every match of ``pattern`` from ``pos`` on not starting inside a span taken before, as
    ``written`` writes its groups; a Jira key whose project is in ``skip`` is none."""
    for match in pattern.finditer(text, pos):
        pos = match.start()
        if skip and match.group(1).split("-")[0] in skip:
            continue
        if spans and any(start <= pos < stop for start, stop in spans):
            continue
        refs.append((pos, written.format(*match.groups()) if written != "{0}" else match[1]))
        spans.append((pos, match.end()))


def parse_ticket(text: str | None) -> str | None:
    """The one ticket a table cell or ``Tracking:`` line names, or ``None`` for placeholders."""
    if text is None or is_placeholder(text):
        return None
    tickets = find_tickets(text)
    return tickets[0] if tickets else None


_PRIORITY: Final = re.compile(
    r"\b(P[0-4]|SEV-?[0-4])\b|\b(critical|highest|high|medium|low|lowest)\b", re.I
)


def normalise_priority(text: str | None) -> str | None:
    """``P1``, ``High`` … as written (canonical case); placeholders → ``None``."""
    if text is None or is_placeholder(text):
        return None
    match = _PRIORITY.search(text)
    if match is None:
        return None
    if match.group(1):
        return match.group(1).upper()
    return match.group(2).capitalize()
