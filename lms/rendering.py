"""Markdown to safe HTML: markdown-it renders, nh3 removes anything that could run."""

from __future__ import annotations

from decimal import Decimal

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML off at the parser, and nh3 as the second wall for whatever a plugin might emit.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "s",
    "sub",
    "sup",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    # No style attribute anywhere: the pages' CSP refuses inline style.
    "th": {"align"},
    "td": {"align"},
}


def render_markdown(text: str | None) -> Markup:
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704  (sanitized just above)


def format_number(value: Decimal | int | float | str) -> str:
    """2.00 -> "2", 0.50 -> "0.5": credits as people write them."""
    number = Decimal(str(value)).normalize()
    return format(number, "f")
