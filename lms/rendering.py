"""Markdown to safe HTML: markdown-it renders, nh3 removes anything that could run."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML off at the parser, and nh3 as the second wall for whatever a plugin might emit.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALIGN_CLASSES = {
    "text-align:left": "align-left",
    "text-align:center": "align-center",
    "text-align:right": "align-right",
}


def _alignment_as_classes(state: Any) -> None:
    """Table alignment as classes: the pages' CSP refuses inline style attributes."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrGet("style") in ALIGN_CLASSES:
            token.attrSet("class", ALIGN_CLASSES[str(token.attrGet("style"))])
            del token.attrs["style"]


_markdown.core.ruler.push("alignment_as_classes", _alignment_as_classes)

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
}
ALLOWED_CLASSES = {tag: set(ALIGN_CLASSES.values()) for tag in ("th", "td")}


def _safe_urls(tag: str, attribute: str, value: str) -> str | None:
    """Links and images to http(s), mailto or a path on this site; nh3 checks the scheme.

    A path must start with a single ``/`` (or none): ``//evil.example`` and its backslash
    spellings are another site without a scheme, which nh3 would keep as "relative".
    """
    if attribute not in ("href", "src"):
        return value
    text = value.strip()
    if re.match(r"^[/\\]{2}", text) or re.match(r"^[\x00-\x20]", value):
        return None
    # The CSP loads images from this site or over https only; drop what it would block.
    if tag == "img" and attribute == "src" and text.lower().startswith("http:"):
        return None
    return value


def render_markdown(text: str | None) -> Markup:
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_safe_urls,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704  (sanitized just above)


def plain_text(text: str | None) -> str:
    """Markdown as the words a reader sees, for one-line previews: no ``**`` or ``#``."""
    words = nh3.clean(_markdown.render(text or ""), tags=set())
    return " ".join(html.unescape(words).split())


def format_number(value: Decimal | int | float | str) -> str:
    """2.00 -> "2", 0.50 -> "0.5": credits as people write them."""
    number = Decimal(str(value)).normalize()
    return format(number, "f")


def describe_size(size: int) -> str:
    """1536 -> "1.5 KB", 20 MiB -> "20 MB": sizes as people read them."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size / 1024 / 1024:.3g} MB"
