"""The pages' links are remembered per application, but never across a change that would
give another URL: the mount point of the request, or a host's url_defaults."""

from __future__ import annotations

from flask import g

from lms.urls import page_url


def test_links_follow_the_mount_point_of_each_request(app, client):
    def stylesheet(**kwargs) -> str:  # noqa: ANN003
        page = client.get("/", **kwargs).get_data(as_text=True)
        return next(line for line in page.splitlines() if "style.css" in line)

    at_root = stylesheet()
    assert 'href="/_static/style.css"' in at_root
    # the same app reached under a mount point (a reverse proxy's SCRIPT_NAME)
    assert 'href="/learn/_static/style.css"' in stylesheet(base_url="http://localhost/learn/")
    assert stylesheet() == at_root


def test_a_hosts_url_defaults_are_never_frozen(app):
    @app.url_defaults
    def language(endpoint, values):  # noqa: ANN001, ANN202
        if "lang" in app.url_map._rules_by_endpoint.get(endpoint, [None])[0].arguments:
            values.setdefault("lang", g.lang)

    with app.test_request_context("/"):
        g.lang = "en"
        first = page_url("lms.catalogue.index")
        assert app.extensions["lms"].page_urls == {}  # not remembered
    assert first == "/"


def test_the_memo_is_bounded(app, monkeypatch):
    monkeypatch.setattr("lms.urls.PAGE_URLS_KEPT", 3)
    with app.test_request_context("/"):
        for n in range(10):
            assert page_url("lms.awards.verify_page", public_id=f"A{n:023d}").endswith(f"{n}")
        assert len(app.extensions["lms"].page_urls) <= 3
