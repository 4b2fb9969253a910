"""Module Markdown is rendered, and anything that could run script is removed."""

from __future__ import annotations

import re

import pytest

from lms.rendering import render_markdown
from tests.html_safety import script_hazards


def test_markdown_renders_lists_tables_emphasis_and_links():
    html = render_markdown(
        "Use **pH 9**:\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "[IICRC](https://iicrc.org)"
    )
    assert "<strong>pH 9</strong>" in html
    assert "<li>one</li>" in html
    assert "<table>" in html
    assert 'href="https://iicrc.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        '![x](x" onerror="alert(1))',
        "<a href='javascript:alert(1)'>x</a>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_hostile_markdown_cannot_run_script(hostile):
    assert script_hazards(str(render_markdown(hostile))) == []


def test_the_hazard_finder_itself_sees_hazards():
    assert script_hazards('<a href=" javascript:x">') != []
    assert script_hazards("<img src=x onerror=alert(1)>") != []
    assert script_hazards("<script>x</script>") != []


def test_table_alignment_survives_as_classes_without_inline_style():
    html = str(render_markdown("| a | b |\n|:-:|--:|\n| 1 | 2 |"))
    assert 'class="align-center"' in html
    assert 'class="align-right"' in html
    assert "style=" not in html


def test_images_load_over_https_or_from_this_site_only():
    html = str(render_markdown("![a](http://x.example/a.png) ![b](https://x.example/b.png)"))
    assert 'src="https://x.example/b.png"' in html
    assert "http://x.example/a.png" not in html


@pytest.mark.parametrize(
    "link",
    ["//evil.example/x", " //evil.example", "\\\\evil.example", "/\\evil.example"],
)
def test_links_to_another_site_without_a_scheme_are_not_links(link):
    html = str(render_markdown(f"[click]({link}) ![pic]({link}/a.png)"))
    for url in re.findall(r'(?:href|src)="([^"]*)"', html):
        # what is left is a path on this site (a backslash percent-encoded), never a host
        assert not re.match(r"^\s*[/\\]{2}", url) and not url.startswith("/\\"), url
    assert "<a" in html  # the text stays


def test_links_keep_http_https_mailto_and_site_paths():
    html = str(
        render_markdown(
            "[a](https://x.example/) [b](mailto:a@x.example) [c](/courses/x) [d](notes)"
        )
    )
    for href in ("https://x.example/", "mailto:a@x.example", "/courses/x", "notes"):
        assert f'href="{href}"' in html
    assert "javascript" not in str(render_markdown("[a](javascript:alert(1))")).split("](")[0]
