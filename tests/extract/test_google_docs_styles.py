"""Google Docs exports mark bold and strikethrough with CSS classes; extraction reads them."""

from __future__ import annotations

from followthrough.adapters.sources.google_docs import with_styles
from followthrough.adapters.sources.html import parse_html
from followthrough.domain.extract import extract
from followthrough.domain.model import ItemStatus
from tests.extract.html_reference import parse_html as reference_html

EXPORT = """<html><head><meta content="text/html; charset=UTF-8" http-equiv="content-type">
<style type="text/css">.c5{text-decoration:line-through}.c2{font-weight:700}.c1{font-size:11pt}
.c7{font-weight:700;text-decoration:line-through}</style></head>
<body class="c9 doc-content"><p class="c1 title"><span class="c1">Cart totals off by a cent</span></p>
<h2 class="c1"><span class="c1">Action items</span></h2>
<ul class="c3 lst-kix_a-0 start">
<li class="c1 li-bullet-0"><span class="c2">Round once, at checkout</span><span class="c1">: owner @noor, due 2025-08-01</span></li>
<li class="c1 li-bullet-0"><span class="c5">Rewrite the pricing engine in Rust</span><span class="c1"> — dropped after review</span></li>
<li class="c1 li-bullet-0"><span class="c7">Freeze price changes on Fridays</span></li>
<li class="c1 li-bullet-0"><span class="c1">Add a cent-level diff alert (owner: @ivo)</span></li>
</ul></body></html>
"""


def test_struck_spans_are_dropped_items_and_bold_spans_titles() -> None:
    (pm,) = extract(parse_html(EXPORT, path="cart.html"))
    items = {item.title: item for item in pm.action_items}
    assert items["Round once, at checkout"].owner == "noor"
    assert items["Rewrite the pricing engine in Rust"].status == ItemStatus.DROPPED
    assert items["Freeze price changes on Fridays"].status == ItemStatus.DROPPED
    assert items["Add a cent-level diff alert"].status == ItemStatus.OPEN
    assert [item.line for item in pm.action_items] == [7, 8, 9, 10]  # lines kept


def test_both_parsers_read_the_styles_alike() -> None:
    assert parse_html(EXPORT, path="x.html") == reference_html(EXPORT, path="x.html")


def test_a_page_without_such_classes_is_left_as_it_is() -> None:
    plain = '<p><span class="c1">text</span></p><style>.c1{color:red}</style>'
    assert with_styles(plain) == plain
    assert with_styles("<p>no styles at all</p>") == "<p>no styles at all</p>"
