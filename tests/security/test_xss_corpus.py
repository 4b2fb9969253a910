"""An XSS payload corpus pushed through every text field a learner, a trainer or an administrator
can write, through the real forms, then every HTML page that shows the field parsed the way a
browser reads its tags (``tests/html_safety.script_hazards``): no script element, no ``on*``
attribute, no ``javascript:`` (or ``data:text/html``) URL.

Each test drives one group of fields through their forms once per payload. For every
(field, payload) pair it checks that the value reached each page that shows it, escaped or
(Markdown) sanitized, so that a refused form cannot pass vacuously: every value is wrapped in
two markers unique to the field and the payload. Fields that cannot hold markup at all (codes,
e-mail addresses, numbers, dates) must refuse it with a 4xx and its message, and the page that
gives the typed text back must be inert too. Each test asserts it tried all of its fields with
all of the payloads: ``TRIED = len(PAYLOADS) * len(FIELDS)`` pairs in the module. CSV, PDF, ZIP
and the JSON credential are not HTML and are not parsed here.

The tests can fail: a page that stops escaping (autoescape off) or Markdown that lets raw HTML
through makes them report each script element, ``on*`` attribute and ``javascript:`` URL with
the page and the payload; ``test_the_probe_itself_...`` checks the probe on a fake page.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from werkzeug.test import TestResponse

from certificates.models import Certificate
from lms.accounts.models import User
from lms.catalogue.models import Certification, Course
from lms.claims.models import CreditClaim
from lms.credits.models import CreditEntry
from lms.studio.media import safe_filename
from quizzes.models import Question
from tests.conftest import ATTEMPT_ACTION_RE, Web, answer_key
from tests.html_safety import script_hazards

SSTI = "{{ 7*7 }}"

PAYLOADS: tuple[str, ...] = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
    '" autofocus onfocus="alert(1)',
    "[click](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    "<iframe src=javascript:alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    SSTI,
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<details open ontoggle=alert(1)>",
    "<javascript:alert(1)>",  # a Markdown autolink
)


@dataclass(frozen=True)
class Field:
    """A text field somebody can write. ``kind``: "text" (shown as typed), "markdown" (shown
    rendered and sanitized, or as text), "url" (an https link), "filename" (an upload's
    name, shown as the stored safe name), "tags" (a comma-separated list). ``limit``: the most
    characters the field keeps; a wrapped payload that does not fit is sent trimmed instead.
    ``refusal``: for a field that cannot hold markup, the message of its refusal."""

    key: str
    kind: str = "text"
    limit: int | None = None
    refusal: str = ""


FIELDS: tuple[Field, ...] = (
    # Accounts (no sign-in needed): what the forms give back after a refusal.
    Field("account.register_email", refusal="Invalid email address."),
    Field("account.login_email", refusal="E-mail or password is wrong."),
    Field("account.reset_email", refusal="Invalid email address."),
    # A learner's name, and what administrators write about them.
    Field("account.name", limit=120),
    Field("admin.user_search", limit=200),
    Field("ledger.correction_reason", limit=500),
    Field("certificate.revoke_reason", limit=500),
    # A course through its whole life, with a learner taking it.
    Field("course.title", limit=200),
    Field("course.summary", "markdown", limit=5000),
    Field("course.provider", limit=200),
    Field("course.credits", refusal="Credits must be a number"),
    Field("module.title", limit=200),
    Field("module.body", "markdown"),
    Field("module.media_url", "url"),
    Field("module.file_name", "filename"),
    Field("quiz.title", limit=200),
    Field("quiz.pass_mark", refusal="must be a whole number"),
    Field("quiz.rule_pool"),
    Field("quiz.rule_tag"),
    Field("question.title", limit=200),
    Field("question.prompt", "markdown"),
    Field("question.explanation", "markdown"),
    Field("question.pool", limit=100),
    Field("question.tags", "tags"),
    Field("choice.text"),
    Field("choice.feedback"),
    Field("truefalse.feedback_true"),
    Field("truefalse.feedback_false"),
    Field("short.answer"),
    Field("short.feedback"),
    Field("numeric.feedback"),
    Field("matching.item"),
    Field("matching.match"),
    Field("matching.distractor"),
    Field("ordering.item"),
    Field("gift.text"),
    Field("gift.pool", limit=100),
    Field("approval.number", refusal="The approval number is required"),
    Field("approval.approved_on", refusal="Give the approval and expiry dates as YYYY-MM-DD"),
    Field("approval.send_back_reason", limit=2000),
    Field("response.short", limit=1000),
    Field("response.numeric", refusal="Your answers could not be read"),
    # External credit claims.
    Field("claim.title", limit=200),
    Field("claim.provider", limit=200),
    Field("claim.hours", refusal="The hours must be a number"),
    Field("claim.completed_on", refusal="Give the completion date as YYYY-MM-DD"),
    Field("claim.evidence_name", "filename"),
    Field("claim.reject_reason", limit=2000),
    # In-person events.
    Field("event.title", limit=200),
    Field("event.description", "markdown", limit=5000),
    Field("event.place", limit=200),
    Field("event.credits", refusal="The credits must be a number"),
    Field("event.starts_at", refusal="Give the start as a date and time"),
    Field("event.attendee_email", refusal="Nobody has an account with that e-mail address"),
    Field("event.checkin_code", limit=40, refusal="There is no event with that check-in code"),
    # The administrator's catalogue and rules, and a learner's certification number.
    Field("certification.code", refusal="The code takes 2 to 20 capital letters and digits"),
    Field("certification.name", limit=200),
    Field("certification.credit_unit", refusal="The credit unit takes up to 20 letters and digits"),
    Field("certification.credits_required", refusal="The credits required must be a number"),
    Field("rule.code", refusal="capital letters, digits and hyphens"),
    Field("rule.name", limit=200),
    Field("rule.credit_unit", refusal="The credit unit takes up to 20 letters and digits"),
    Field("rule.category", refusal="name the category in up to 40 lower-case letters"),
    Field("rule.effective_from", refusal="Give the date the version takes effect as YYYY-MM-DD"),
    Field("holding.number", limit=40, refusal="Enter the certification number as printed"),
    Field("holding.certified_on", refusal="Give the date you were certified as YYYY-MM-DD"),
)
FIELD = {field.key: field for field in FIELDS}
INDEX = {field.key: n for n, field in enumerate(FIELDS)}

#: The fields each test drives (every field in exactly one group).
GROUPS: dict[str, tuple[str, ...]] = {
    "accounts": ("account.register_email", "account.login_email", "account.reset_email"),
    "learner": (
        "account.name",
        "admin.user_search",
        "ledger.correction_reason",
        "certificate.revoke_reason",
    ),
    "course": tuple(
        f.key
        for f in FIELDS
        if f.key.split(".")[0]
        in {
            "course",
            "module",
            "quiz",
            "question",
            "choice",
            "truefalse",
            "short",
            "numeric",
            "matching",
            "ordering",
            "gift",
            "approval",
            "response",
        }
    ),
    "claims": (
        "claim.title",
        "claim.provider",
        "claim.hours",
        "claim.completed_on",
        "claim.evidence_name",
        "claim.reject_reason",
    ),
    "events": (
        "event.title",
        "event.description",
        "event.place",
        "event.credits",
        "event.starts_at",
        "event.attendee_email",
        "event.checkin_code",
    ),
    "catalogue": (
        "certification.code",
        "certification.name",
        "certification.credit_unit",
        "certification.credits_required",
        "rule.code",
        "rule.name",
        "rule.credit_unit",
        "rule.category",
        "rule.effective_from",
        "holding.number",
        "holding.certified_on",
    ),
}
#: Every payload through every field: the figure this module stands for.
TRIED = len(PAYLOADS) * len(FIELDS)

PASSWORD = "correct horse battery staple"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
#: This site's own script files, which the CSP allows; anything else that runs is a finding.
NEXT_PAGE = re.compile(r'<a href="([^"]+)" rel="next">')
OWN_SCRIPT = re.compile(r'<script src="/_static/[a-z_]+\.js" defer></script>')


# Values ------------------------------------------------------------------------------------------


def markers(key: str, p: int) -> tuple[str, str]:
    """Two words unique to the field and the payload, typed before and after the payload."""
    tag = f"Qx{INDEX[key]:02d}p{p:02d}"
    return f"{tag}a", f"{tag}z"


def value_for(key: str, p: int) -> str:
    """What is typed into the field for payload ``p``. A draw rule must name a pool and a tag
    the questions hold, so the rule's fields take the question's pool and first tag."""
    if key == "quiz.rule_pool":
        return value_for("question.pool", p)
    if key == "quiz.rule_tag":
        return first_tag(value_for("question.tags", p))
    field, payload = FIELD[key], PAYLOADS[p]
    start, end = markers(key, p)
    if field.kind == "url":
        return f"https://media.example/{start}/{payload}"
    if field.kind == "filename":
        # A browser sends a double quote in a file name as %22 (HTML's multipart encoding).
        return f"{start} {payload} {end}.png".replace('"', "%22")
    wrapped = f"{start} {payload} {end}"
    if field.limit is not None and len(wrapped) > field.limit:
        return payload[: field.limit]
    return wrapped


def shown_as(key: str, p: int) -> str:
    """The text a page shows for the value (before HTML escaping)."""
    field, value = FIELD[key], value_for(key, p)
    if field.kind == "filename":
        return safe_filename(value.replace("%22", '"'))  # the server reads %22 as "
    if field.kind == "tags":
        return ", ".join(t.strip() for t in value.split(",") if t.strip())
    return value


def first_tag(tags: str) -> str:
    return next(t.strip() for t in tags.split(",") if t.strip())


def gift_escaped(text: str) -> str:
    """Text inside a GIFT question: its special characters escaped with a backslash."""
    return "".join("\\" + c if c in "\\~=#{}:" else c for c in text)


# Reading pages ------------------------------------------------------------------------------------


class _Reader(HTMLParser):
    """A page as a browser reads it: its form controls' values by name and every
    (tag, attribute, value)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: dict[str, str] = {}
        self.attributes: list[tuple[str, str, str]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            self.attributes.append((tag, name, value))
        if tag == "input" and "name" in values:
            self.controls.setdefault(values["name"], values.get("value", ""))
        if tag == "textarea":
            self._textarea = values.get("name", "")
            self.controls[self._textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            # A browser drops one newline right after <textarea> (WTForms writes one there).
            text = self.controls[self._textarea]
            self.controls[self._textarea] = text.removeprefix(
                "\r\n" if text[:2] == "\r\n" else "\n"
            )
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.controls[self._textarea] += data


@functools.lru_cache(maxsize=4)
def read(html: str) -> _Reader:
    """The page parsed once, however many of its controls and attributes are looked at."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def appears(key: str, p: int, html: str) -> bool:
    """Whether the page shows the field's value for payload ``p``: as HTML-escaped text (or
    an escaped attribute value), or for Markdown, rendered between its two markers."""
    if FIELD[key].kind != "markdown":
        return str(escape(shown_as(key, p))) in html
    start, end = markers(key, p)
    between = re.search(re.escape(start) + r"(.*?)" + re.escape(end), html, re.S)
    if between is None:
        return False
    # Template injection: the literal stays; "49" would mean a template ran it.
    return PAYLOADS[p] != SSTI or (SSTI in between.group(1) and "49" not in between.group(1))


Shown = Iterable[tuple[str, int]]


class Probe:
    """One test's findings: hazards on pages, values that did not reach a page, and the
    (field, payload) pairs tried."""

    def __init__(self, group: str) -> None:
        self.keys = GROUPS[group]
        self.tried: set[tuple[str, int]] = set()
        self.problems: list[str] = []

    def value(self, key: str, p: int) -> str:
        assert key in self.keys, f"{key} is not a field of this group"
        self.tried.add((key, p))
        return value_for(key, p)

    def page(self, where: str, response: TestResponse, shown: Shown = (), status: int = 200) -> str:
        html = response.get_data(as_text=True)
        assert response.status_code == status, f"{where}: {response.status_code}\n{html[:3000]}"
        self.inspect(where, html, shown)
        return html

    def pages(self, where: str, client: Any, path: str, shown: Shown = ()) -> str:
        """Every page of a paged list (following its "Next" links), each parsed; the values
        ``shown`` must appear on one of them."""
        found = []
        while path:
            response = client.get(path)
            html = response.get_data(as_text=True)
            assert response.status_code == 200, f"{where}: {response.status_code}\n{html[:3000]}"
            self.inspect(where, html)
            found.append(html)
            following = NEXT_PAGE.search(html)
            path = following.group(1).replace("&amp;", "&") if following else ""
        self.inspect(where, "".join(found), shown)
        return "".join(found)

    def inspect(self, where: str, html: str, shown: Shown = ()) -> None:
        for hazard in script_hazards(OWN_SCRIPT.sub("", html)):
            self.problems.append(f"{where}: {hazard}")
        for key, p in shown:
            if not appears(key, p, html):
                self.problems.append(f"{where}: {key} is not shown for payload {PAYLOADS[p]!r}")

    def refused(
        self,
        where: str,
        response: TestResponse,
        key: str,
        p: int,
        *,
        status: int | None = None,
        echoed: bool = True,
        shown: Shown = (),
    ) -> str:
        """The field refused the value: a 4xx with the field's message, and the page that
        gives the typed text back is inert."""
        html = response.get_data(as_text=True)
        code = response.status_code
        assert 400 <= code < 500 and code == (status or code), f"{where}: {code}\n{html[:3000]}"
        message = FIELD[key].refusal
        assert message, f"{key} has no refusal message"
        self.inspect(where, html, [*([(key, p)] if echoed else []), *shown])
        if str(escape(message)) not in html:
            self.problems.append(f"{where}: no message {message!r} for payload {PAYLOADS[p]!r}")
        return html

    def control(
        self, where: str, html: str, name: str, key: str, p: int, *, as_typed: bool = False
    ) -> None:
        """A form control gives the value back exactly (as stored, or ``as_typed``)."""
        found = read(html).controls.get(name)
        if found != (value_for(key, p) if as_typed else shown_as(key, p)):
            self.problems.append(f"{where}: control {name} holds {found!r} for payload {p}")

    def attribute(self, where: str, html: str, tag: str, attribute: str, key: str, p: int) -> None:
        """Some ``tag`` carries the value (escaped) inside ``attribute``."""
        values = [v for t, a, v in read(html).attributes if (t, a) == (tag, attribute)]
        if not any(shown_as(key, p) in value for value in values):
            self.problems.append(f"{where}: no <{tag} {attribute}> shows {key} for payload {p}")

    def finish(self) -> None:
        expected = {(key, p) for key in self.keys for p in range(len(PAYLOADS))}
        assert self.tried == expected, f"not tried: {sorted(expected - self.tried)}"
        assert self.problems == [], "\n".join(self.problems)


# Driving the site ---------------------------------------------------------------------------------


def client_from(app: Flask, address: str) -> FlaskClient:
    """A browser on its own network address (rate limits count per client, as for people)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


class Browser(Web):
    """``submit`` opens the form's page and sends the form with its CSRF token; ``press`` is
    a button on a page already open: it sends that page's token (the session's) again."""

    def __init__(self, client: FlaskClient) -> None:
        super().__init__(client)
        self._token: str | None = None

    def press(self, action: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        if self._token is None:
            self._token = self.token("/dashboard")
        return self.client.post(action, data={"csrf_token": self._token, **(data or {})}, **kwargs)


def sign_in(app: Flask, email: str, password: str, address: str) -> Browser:
    browser = Browser(client_from(app, address))
    browser.login(email, password)
    return browser


def new_learner(app: Flask, create_user: Any, address: str) -> Browser:
    user = create_user()
    return sign_in(app, user.email, user.plain_password, address)


def moved(response: TestResponse, where: str) -> str:
    """The redirect's target of a form that was accepted."""
    assert response.status_code == 302, (
        f"{where}: {response.status_code}\n" + (response.get_data(as_text=True)[:3000])
    )
    return response.headers["Location"]


def rows(app: Flask, statement: Any) -> list[Any]:
    with app.app_context():
        return list(app.extensions["lms"].db.session.execute(statement).all())


def certification_id(app: Flask, code: str) -> int:
    return rows(app, select(Certification.id).where(Certification.code == code))[0][0]


def png(name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(PNG), name


def start_attempt(learner: Browser, slug: str) -> tuple[int, TestResponse]:
    """Read the one-module course's module, start its quiz: the attempt id and the quiz page."""
    moved(learner.press(f"/courses/{slug}/modules/1/complete"), "module done")
    moved(learner.press(f"/courses/{slug}/quiz/start"), "start the quiz")
    page = learner.get(f"/courses/{slug}/quiz")
    match = ATTEMPT_ACTION_RE.search(page.get_data(as_text=True))
    assert match, "the quiz page shows no attempt form"
    return int(match.group(1)), page


def publish_short_course(app: Flask, coach: Browser, boss: Browser) -> str:
    """A published one-module course with one question, made through the studio and approval
    forms with plain text; returns its slug."""
    details = {
        "title": "Corpus refresher",
        "summary": "A short course.",
        "provider": "Corpus Academy",
        "credits": "1",
        "certification": [str(certification_id(app, "WRT"))],
    }
    base = moved(coach.submit("/studio/courses/new", details), "new course").removesuffix("/edit")
    module = {"title": "Only module", "body": "Read this.", "media_url": "", "media_minutes": "0"}
    moved(coach.press(f"{base}/modules/new", module), "new module")
    question = {"prompt": "Water is wet.", "points": "1", "pool": "Default", "answer": "true"}
    moved(coach.press(f"{base}/quiz/questions/new?type=truefalse", question), "new question")
    moved(coach.press(f"{base}/submit", {"credit_reason": "Practical work."}), "submit")
    slug = base.split("/")[3]
    ((course_id,),) = rows(app, select(Course.id).where(Course.slug == slug))
    approval = {"number": "IICRC-0001", "approved_on": "2026-03-01", "expires_on": "2027-03-01"}
    moved(boss.press(f"/admin/approvals/{course_id}/approve", approval), "approve")
    moved(coach.press(f"{base}/publish"), "publish")
    return slug


# The tests ----------------------------------------------------------------------------------------


def test_the_corpus_and_the_field_list_are_complete() -> None:
    assert len(PAYLOADS) >= 15 and len(set(PAYLOADS)) == len(PAYLOADS)
    grouped = [key for keys in GROUPS.values() for key in keys]
    assert sorted(grouped) == sorted(FIELD), "every field belongs to exactly one group"
    assert TRIED == len(PAYLOADS) * len(FIELDS) == len(PAYLOADS) * len(grouped)


def test_the_probe_itself_reports_hazards_missing_values_and_untried_fields() -> None:
    probe = Probe("accounts")
    probe.inspect(
        "fake page", '<p>Qx00p00a</p><img src=x onerror="alert(1)">', [("account.name", 0)]
    )
    probe.inspect("fake page", '<a href=" JaVaScRiPt:alert(1)">x</a>')
    probe.inspect("own script", '<script src="/_static/quiz.js" defer></script>')
    probe.inspect("other script", '<script src="/_static/quiz.js" defer>alert(1)</script>')
    assert len(probe.problems) == 4, probe.problems
    ssti = PAYLOADS.index(SSTI)
    start, end = markers("module.body", ssti)
    assert appears("module.body", ssti, f"{start} {SSTI} {end}")
    assert not appears("module.body", ssti, f"{start} 49 {end}")
    with pytest.raises(AssertionError, match="not tried"):
        probe.finish()


def test_account_forms_give_the_typed_address_back_inert(app: Flask) -> None:
    """Sign-up, sign-in and reset refuse an address that is markup, and the form that comes
    back with it (and its error) is inert."""
    probe = Probe("accounts")
    for p in range(len(PAYLOADS)):
        web = Web(client_from(app, f"10.0.1.{p + 1}"))
        email = probe.value("account.register_email", p)
        response = web.submit(
            "/register",
            {"name": "Corpus Person", "email": email, "password": PASSWORD, "confirm": PASSWORD},
        )
        probe.refused("sign-up form", response, "account.register_email", p, status=422)
        email = probe.value("account.login_email", p)
        response = web.submit("/login", {"email": email, "password": "not the password"})
        probe.refused("sign-in form", response, "account.login_email", p, status=401)
        email = probe.value("account.reset_email", p)
        response = web.submit("/reset", {"email": email})
        probe.refused("password reset form", response, "account.reset_email", p, status=422)
    probe.finish()


def test_a_learners_name_and_what_administrators_write_about_them(
    app: Flask, demo: None, trainer: Web, admin: Web
) -> None:
    """The name typed at sign-up on every page that shows it (header, certificate, public
    verification, transcript, admin people list and credit log, the trainer's report and
    event roster, the check-in page, the claims queue), the admin's search box, and the
    reasons an admin gives for a ledger correction and a revocation."""
    probe = Probe("learner")
    boss, coach = Browser(admin.client), Browser(trainer.client)
    slug = publish_short_course(app, coach, boss)
    answers = answer_key(app, slug)
    visitor = Web(client_from(app, "198.51.100.7"))
    event = moved(
        coach.submit(
            "/studio/events/new",
            {
                "title": "Drying science day",
                "place": "Hall 3",
                "description": "",
                "starts_at": "2026-03-02T09:30",
                "ends_at": "2026-03-02T16:00",
                "credits": "1",
                "hours": "6",
                "credit_unit": "CEC",
                "category": "technical",
                "certification": ["WRT"],
                "capacity": "",
            },
        ),
        "new event",
    )
    event_page = coach.get(event).get_data(as_text=True)
    code_match = re.search(r'class="checkin-code">([^<]+)<', event_page)
    link = re.search(r"/events/checkin/[^\"<]+", event_page)
    assert code_match and link, "the event page shows no check-in code or link"
    names: list[tuple[str, int]] = []
    for p in range(len(PAYLOADS)):
        name = probe.value("account.name", p)
        email = f"corpus{p}@example.org"
        learner = Browser(client_from(app, f"10.0.2.{p + 1}"))
        moved(
            learner.submit(
                "/register",
                {"name": name, "email": email, "password": PASSWORD, "confirm": PASSWORD},
            ),
            "sign-up",
        )
        names.append(("account.name", p))
        moved(learner.press(f"/courses/{slug}/enrol"), "enrol")
        attempt, quiz_page = start_attempt(learner, slug)
        probe.page("quiz page", quiz_page, [("account.name", p)])
        moved(learner.press(f"/courses/{slug}/quiz/{attempt}", answers), "the quiz")
        ((user_id, entry_id, public_id),) = rows(
            app,
            select(User.id, CreditEntry.id, Certificate.public_id)
            .join(CreditEntry, CreditEntry.user_id == User.id)
            .join(Certificate, Certificate.id == CreditEntry.certificate_id)
            .where(User.email == email),
        )
        moved(learner.press("/events/checkin", {"code": code_match.group(1)}), "check-in")
        claim = {
            "kind": "course",
            "title": "Workshop",
            "provider": "Academy",
            "completed_on": "2026-02-20",
            "hours": "2",
            "credits": "1",
            "credit_unit": "CEC",
            "category": "general",
            "evidence": png("evidence.png"),
        }
        moved(learner.press("/my/claims/new", claim, content_type="multipart/form-data"), "claim")
        ((claim_id,),) = rows(app, select(CreditClaim.id).where(CreditClaim.user_id == user_id))

        reason = probe.value("ledger.correction_reason", p)
        moved(
            boss.press(f"/admin/users/{user_id}/ledger/{entry_id}/reverse", {"reason": reason}),
            "ledger correction",
        )
        revoke = probe.value("certificate.revoke_reason", p)
        moved(boss.press(f"/certificates/{public_id}/revoke", {"reason": revoke}), "revoke")

        me = [("account.name", p)]
        corrected = [*me, ("ledger.correction_reason", p)]
        revoked = [*me, ("certificate.revoke_reason", p)]
        probe.pages("learner dashboard", learner, "/dashboard", corrected)
        probe.pages("learner transcript", learner, "/my/transcript?all=1", corrected)
        probe.page("learner certificate page", learner.get(f"/certificates/{public_id}"), revoked)
        probe.page("admin view of the certificate", boss.get(f"/certificates/{public_id}"), revoked)
        probe.page("public verification page", visitor.get(f"/verify/{public_id}"), revoked)
        probe.page("admin credit log", boss.get(f"/admin/users/{user_id}/ledger"), corrected)
        search = probe.value("admin.user_search", p)
        probe.page(
            "admin people search",
            boss.get("/admin/users", query_string={"q": search}),
            [("admin.user_search", p)],
        )
        probe.page("check-in link page", learner.get(link.group(0)), me)
        probe.page("admin claim page", boss.get(f"/admin/claims/{claim_id}"), me)

    probe.page("trainer report", coach.get(f"/studio/courses/{slug}/report"), names)
    probe.page("event roster", coach.get(event), names)
    probe.page("admin people list", boss.get("/admin/users"), names)
    probe.page("admin claims queue", boss.get("/admin/claims"), names)
    probe.finish()


def test_course_module_quiz_and_approval_fields(
    app: Flask, demo: None, trainer: Web, admin: Web, create_user: Any
) -> None:
    """A new course per payload, written through every studio form (details, a module with
    Markdown, a media link and an uploaded picture, every question type, GIFT import, quiz
    settings and draw rules), sent back and approved by the admin, published, and taken by a
    learner who types payloads as answers; then every page of the trainer, the admin, the
    learner and the public verifier that shows those fields."""
    probe = Probe("course")
    coach, boss = Browser(trainer.client), Browser(admin.client)
    learner = new_learner(app, create_user, "10.0.3.1")
    visitor = Web(client_from(app, "198.51.100.8"))
    wrt = certification_id(app, "WRT")
    # Someone holding WRT who takes no course: their requirements page suggests courses.
    onlooker = new_learner(app, create_user, "10.0.3.2")
    held = {"certification_id": str(wrt), "number": "WRT-777", "certified_on": "2025-06-01"}
    moved(onlooker.press("/my/certifications", held), "holding")
    for p in range(len(PAYLOADS)):

        def v(key: str, p: int = p) -> str:
            return probe.value(key, p)

        def on(*keys: str, p: int = p) -> list[tuple[str, int]]:
            return [(key, p) for key in keys]

        details = {
            "title": v("course.title"),
            "summary": v("course.summary"),
            "provider": v("course.provider"),
            "credits": "1",
            "certification": [str(wrt)],
        }
        typed = {**details, "credits": v("course.credits")}
        shown = on("course.title", "course.summary", "course.provider")
        refused = coach.press("/studio/courses/new", typed)
        where = "new course form, credits refused"  # it gives back the text fields only
        probe.refused(where, refused, "course.credits", p, status=400, echoed=False, shown=shown)
        base = moved(coach.press("/studio/courses/new", details), "new course")
        base = base.removesuffix("/edit")
        refused = coach.press(f"{base}/edit", {**typed, "pass_percent": "70"})
        where = "course form, credits refused"
        probe.refused(where, refused, "course.credits", p, status=400, shown=shown)
        slug = base.split("/")[3]
        ((course_id, quiz_id),) = rows(
            app, select(Course.id, Course.final_quiz_id).where(Course.slug == slug)
        )

        # The module: Markdown body, a media link (https, one word) and an uploaded picture.
        module = {
            "title": v("module.title"),
            "body": v("module.body"),
            "media_url": v("module.media_url"),
            "media_minutes": "5",
        }
        with_link = not any(c.isspace() for c in module["media_url"])
        if not with_link:
            refused = coach.press(f"{base}/modules/new", module)
            where = "module form, media link refused"
            html = probe.page(where, refused, on("module.title", "module.body"), status=400)
            assert "The media link must be one address without spaces" in html
            probe.control(where, html, "media_url", "module.media_url", p)
            module["media_url"] = ""
        preview = coach.press("/studio/preview", {"body": module["body"]})
        assert preview.status_code == 200
        probe.inspect("Markdown preview (studio.js)", preview.get_json()["html"], on("module.body"))
        probe.page(
            "module form preview (no script)",
            coach.press(f"{base}/modules/new", {**module, "action": "preview"}),
            on("module.body", "module.title", "course.title"),
        )
        upload = {**module, "file": png(v("module.file_name"))}
        moved(
            coach.press(f"{base}/modules/new", upload, content_type="multipart/form-data"),
            "new module",
        )

        # Every question type; the learner's answers below say which feedback they see.
        common = {
            "title": v("question.title"),
            "prompt": v("question.prompt"),
            "points": "1",
            "explanation": v("question.explanation"),
            "pool": v("question.pool"),
            "tags": v("question.tags"),
        }
        truefalse = {
            "answer": "true",
            "feedback_true": v("truefalse.feedback_true"),
            "feedback_false": v("truefalse.feedback_false"),
        }
        questions: list[tuple[str, dict[str, str], list[str]]] = [
            (
                "single",
                {
                    "choice-0-text": v("choice.text"),
                    "choice-0-feedback": v("choice.feedback"),
                    "choice-correct": "0",
                    "choice-1-text": "Not this one",
                },
                ["choice.text", "choice.feedback"],
            ),
            ("truefalse", truefalse, ["truefalse.feedback_true", "truefalse.feedback_false"]),
            ("truefalse", truefalse, []),  # answered False by the learner
            (
                "short",
                {"answer-0-text": v("short.answer"), "answer-0-feedback": v("short.feedback")},
                ["short.answer", "short.feedback"],
            ),
            ("short", {"answer-0-text": "grains per pound"}, []),  # the learner types payloads
            (
                "numeric",
                {"answer-0-value": "7000", "answer-0-feedback": v("numeric.feedback")},
                ["numeric.feedback"],
            ),
            (
                "matching",
                {
                    "pair-0-left": v("matching.item"),
                    "pair-0-right": v("matching.match"),
                    "pair-1-left": "Class 2",
                    "pair-1-right": "a whole room",
                    "distractor-0-text": v("matching.distractor"),
                },
                ["matching.item", "matching.match", "matching.distractor"],
            ),
            (
                "ordering",
                {
                    "item-0-text": v("ordering.item"),
                    "item-1-text": "Second step",
                    "item-2-text": "Third step",
                },
                ["ordering.item"],
            ),
        ]
        for qtype, typed, _ in questions:
            form = f"{base}/quiz/questions/new?type={qtype}"
            moved(coach.press(form, {**common, **typed}), f"new {qtype} question")
        no_key = {**common, **questions[0][1], "choice-correct": ""}  # no correct choice marked
        refused = coach.press(f"{base}/quiz/questions/new?type=single", no_key)
        html = probe.page(
            "question form refused (typed text given back)",
            refused,
            on(
                "question.title",
                "question.prompt",
                "question.explanation",
                "question.pool",
                "choice.text",
                "choice.feedback",
            ),
            status=400,
        )
        probe.control("question form refused", html, "prompt", "question.prompt", p)
        probe.control("question form refused", html, "tags", "question.tags", p, as_typed=True)

        # GIFT: one question whose every part is the payload, and a malformed file given back.
        gift = v("gift.text")
        text = f"::{gift_escaped(gift)}::{gift_escaped(gift)} {{={gift_escaped(gift)}"
        text += f"#{gift_escaped(gift)} ~Not this one}}\n"
        moved(
            coach.press(f"{base}/quiz/import", {"text": text, "pool": v("gift.pool")}),
            "GIFT import",
        )
        broken = f"::Broken:: {gift} {{\n"
        refused = coach.press(f"{base}/quiz/import", {"text": broken})
        html = probe.page("GIFT import refused", refused, on("gift.text"), status=400)
        assert "Nothing was imported" in html

        # Settings, with draw rules naming the pools and tag typed above.
        pool, tag = v("quiz.rule_pool"), v("quiz.rule_tag")
        settings = {
            "title": v("quiz.title"),
            "pass_percent": "50",
            "max_attempts": "",
            "cooldown_minutes": "0",
            "grading_method": "highest",
            "time_limit_minutes": "",
            "review_shows": "answers",
            "review_when": "immediately",
            "rule-0-pool": pool,
            "rule-0-count": "",
            "rule-0-tag": tag,
            "rule-1-pool": v("gift.pool").strip(),
            "rule-1-count": "",
            "rule-1-tag": "",
        }
        odd = {**settings, "pass_percent": v("quiz.pass_mark")}
        refused = coach.press(f"{base}/quiz/settings", odd)
        where = "quiz settings, pass mark refused"
        html = probe.refused(
            where, refused, "quiz.pass_mark", p, status=400, shown=on("quiz.title")
        )
        probe.control("quiz settings refused", html, "rule-0-pool", "quiz.rule_pool", p)
        probe.control("quiz settings refused", html, "rule-0-tag", "quiz.rule_tag", p)
        moved(coach.press(f"{base}/quiz/settings", settings), "settings")

        # The trainer's pages of the draft.
        ids = [
            qid
            for (qid,) in rows(
                app,
                select(Question.id).where(Question.quiz_id == quiz_id).order_by(Question.position),
            )
        ]
        assert len(ids) == len(questions) + 1
        asked = [
            "question.title",
            "question.prompt",
            "question.explanation",
            "question.pool",
            "question.tags",
        ]
        overview = probe.page(
            "studio quiz overview",
            coach.get(f"{base}/quiz"),
            on(
                "course.title",
                "quiz.title",
                "question.title",
                "question.prompt",
                "question.pool",
                "question.tags",
                "gift.text",
                "gift.pool",
            ),
        )
        probe.control("studio quiz overview", overview, "title", "quiz.title", p)
        probe.control("studio quiz overview", overview, "rule-0-pool", "quiz.rule_pool", p)
        probe.control("studio quiz overview", overview, "rule-0-tag", "quiz.rule_tag", p)
        for qid, (qtype, _, keys) in zip(ids, questions, strict=False):
            if not keys:  # the second true/false and short answer: the same form again
                continue
            probe.page(
                f"studio {qtype} question form",
                coach.get(f"{base}/quiz/questions/{qid}/edit"),
                on(*asked, *keys),
            )
        probe.page(
            "studio GIFT question form",
            coach.get(f"{base}/quiz/questions/{ids[-1]}/edit"),
            on("gift.text", "gift.pool"),
        )
        probe.page(
            "studio course form",
            coach.get(f"{base}/edit"),
            on(
                "course.title",
                "course.summary",
                "course.provider",
                "module.title",
                "module.file_name",
            ),
        )
        draft_module = probe.page(
            "studio module form",
            coach.get(f"{base}/modules/1/edit"),
            on(
                "course.title",
                "module.title",
                "module.body",
                "module.file_name",
                *(["module.media_url"] if with_link else []),
            ),
        )
        probe.control("studio module form", draft_module, "body", "module.body", p)

        # Submitted, sent back with a note, submitted again, approved (the number is checked).
        moved(coach.press(f"{base}/submit", {"credit_reason": "Practical work."}), "submit")
        probe.page(
            "admin approval queue",
            boss.get("/admin/approvals"),
            on("course.title", "course.provider"),
        )
        note = v("approval.send_back_reason")
        moved(boss.press(f"/admin/approvals/{course_id}/send-back", {"reason": note}), "send back")
        probe.page(
            "studio versions page, sent back",
            coach.get(f"/studio/courses/{slug}/"),
            on("course.title", "approval.send_back_reason"),
        )
        reviewed = on(
            "course.title",
            "course.provider",
            "course.summary",
            "module.title",
            "module.body",
            "approval.send_back_reason",
            *(["module.media_url"] if with_link else []),
        )
        probe.page("admin approval page", boss.get(f"/admin/approvals/{course_id}"), reviewed)
        moved(coach.press(f"{base}/submit", {"credit_reason": "Practical work."}), "submit again")
        dates = {"approved_on": "2026-03-01", "expires_on": "2027-03-01"}
        typed_number = {"number": v("approval.number"), **dates}
        refused = boss.press(f"/admin/approvals/{course_id}/approve", typed_number)
        probe.refused(
            "admin approval form, number refused",
            refused,
            "approval.number",
            p,
            status=400,
            shown=on("course.title", "course.summary", "module.body"),
        )
        approval = {"number": f"IICRC-{p:04d}", **dates}
        typed_day = {**approval, "approved_on": v("approval.approved_on")}
        refused = boss.press(f"/admin/approvals/{course_id}/approve", typed_day)
        where = "admin approval form, date refused"
        probe.refused(where, refused, "approval.approved_on", p, status=400)
        moved(boss.press(f"/admin/approvals/{course_id}/approve", approval), "approve")
        # The course left the queue: its title on the page is the flash message's.
        probe.page(
            "admin approval queue, approved (flash)",
            boss.get("/admin/approvals"),
            on("course.title"),
        )
        moved(coach.press(f"{base}/publish"), "publish")
        probe.page(
            "studio module page, published (read only)",
            coach.get(f"{base}/modules/1/edit"),
            on("module.title", "module.body", *(["module.media_url"] if with_link else [])),
        )

        # The learner: course page, module, quiz (payloads typed as answers), result, certificate.
        moved(learner.press(f"/courses/{slug}/enrol"), "enrol")
        probe.page(
            "course page",
            learner.get(f"/courses/{slug}"),
            on("course.title", "course.summary", "course.provider", "module.title"),
        )
        attempt, started = start_attempt(learner, slug)
        probe.page("quiz page, just started", started, on("quiz.title", "question.prompt"))
        lesson = probe.page(
            "module page",
            learner.get(f"/courses/{slug}/modules/1"),
            on(
                "course.title",
                "module.title",
                "module.body",
                *(["module.media_url"] if with_link else []),
            ),
        )
        probe.attribute("module page picture", lesson, "img", "alt", "module.title", p)
        short_id, numeric_id, tf_b = ids[4], ids[5], ids[2]
        save = f"/courses/{slug}/quiz/{attempt}/save"
        number = v("response.numeric")
        probe.refused(
            "numeric answer refused",
            learner.press(save, {f"q-{numeric_id}": number}),
            "response.numeric",
            p,
            status=400,
            echoed=False,
        )
        typed = v("response.short")
        moved(learner.press(save, {f"q-{short_id}": typed}), "save answers")
        quiz_page = probe.page(
            "quiz page",
            learner.get(f"/courses/{slug}/quiz"),
            on(
                "course.title",
                "quiz.title",
                "question.prompt",
                "choice.text",
                "matching.item",
                "matching.match",
                "matching.distractor",
                "ordering.item",
                "gift.text",
                "response.short",
            ),
        )
        probe.control("quiz page", quiz_page, f"q-{short_id}", "response.short", p)
        answers = answer_key(app, slug)
        answers[f"q-{tf_b}"] = ["false"]  # a wrong pick shows the other feedback
        answers[f"q-{short_id}"] = [typed]
        result = moved(learner.press(f"/courses/{slug}/quiz/{attempt}", answers), "submit quiz")
        result_page = probe.page(
            "quiz result page",
            learner.get(result),
            on(
                "course.title",
                "question.prompt",
                "question.explanation",
                "choice.text",
                "choice.feedback",
                "truefalse.feedback_true",
                "truefalse.feedback_false",
                "short.answer",
                "short.feedback",
                "numeric.feedback",
                "matching.item",
                "matching.match",
                "ordering.item",
                "gift.text",
                "response.short",
            ),
        )
        certificate = re.search(r"/certificates/([A-Za-z0-9_-]+)\"", result_page)
        assert certificate, "the learner passed but the result links no certificate"
        public_id = certificate.group(1)
        issued = on("course.title", "course.provider")
        probe.page("certificate page", learner.get(f"/certificates/{public_id}"), issued)
        probe.page("public verification page", visitor.get(f"/verify/{public_id}"), issued)
        # Learners' answers are not listed in the report; it is parsed all the same.
        probe.page(
            "studio report",
            coach.get(f"/studio/courses/{slug}/report"),
            on("course.title", "question.title", "question.prompt", "gift.text"),
        )

    titles = [("course.title", p) for p in range(len(PAYLOADS))]
    listed = [
        (key, p)
        for p in range(len(PAYLOADS))
        for key in ("course.title", "course.summary", "course.provider")
    ]
    probe.pages("catalogue", visitor, "/", listed)
    probe.page("studio index", coach.get("/studio/"), titles)
    probe.pages("learner dashboard", learner, "/dashboard", titles)
    probe.pages("learner transcript", learner, "/my/transcript?all=1", titles)
    # At most five suggestions, by title: the two demo WRT courses, then the first three here.
    probe.page("requirements page suggesting courses", onlooker.get("/my/compliance"), titles[:3])
    probe.finish()


def test_claim_fields_and_the_reviewers_reason(
    app: Flask, demo: None, admin: Web, create_user: Any
) -> None:
    """Two claims per payload (title, provider, evidence file name): one approved (its
    description enters the credit log), one rejected with the payload as the reason."""
    probe = Probe("claims")
    boss = Browser(admin.client)
    learner = new_learner(app, create_user, "10.0.4.1")
    user_id = rows(app, select(User.id).order_by(User.id.desc()).limit(1))[0][0]
    for p in range(len(PAYLOADS)):
        claim = {
            "kind": "course",
            "title": probe.value("claim.title", p),
            "provider": probe.value("claim.provider", p),
            "completed_on": "2026-02-20",
            "hours": "2",
            "credits": "1",
            "credit_unit": "CEC",
            "category": "technical",
        }
        name = probe.value("claim.evidence_name", p)
        odd = {
            "hours": probe.value("claim.hours", p),
            "completed_on": probe.value("claim.completed_on", p),
        }
        refused = learner.press("/my/claims/new", {**claim, **odd})  # and no evidence
        sent = [("claim.title", p), ("claim.provider", p)]
        for key in ("claim.hours", "claim.completed_on"):
            probe.refused(f"claim form, {key} refused", refused, key, p, status=400, shown=sent)
        for _ in range(2):
            moved(
                learner.press(
                    "/my/claims/new",
                    {**claim, "evidence": png(name)},
                    content_type="multipart/form-data",
                ),
                "claim",
            )
        newest = select(CreditClaim.id).where(CreditClaim.user_id == user_id)
        (reject,), (approve,) = rows(app, newest.order_by(CreditClaim.id.desc()).limit(2))
        moved(boss.press(f"/admin/claims/{approve}/approve"), "approve claim")
        reason = probe.value("claim.reject_reason", p)
        moved(boss.press(f"/admin/claims/{reject}/reject", {"reason": reason}), "reject claim")
        sent = [(key, p) for key in ("claim.title", "claim.provider", "claim.evidence_name")]
        probe.page("admin claim page, approved", boss.get(f"/admin/claims/{approve}"), sent)
        probe.page(
            "admin claim page, rejected",
            boss.get(f"/admin/claims/{reject}"),
            [*sent, ("claim.reject_reason", p)],
        )

    every = range(len(PAYLOADS))
    claimed = [(key, p) for p in every for key in ("claim.title", "claim.provider")]
    probe.page(
        "learner claims",
        learner.get("/my/claims"),
        [
            *claimed,
            *((key, p) for p in every for key in ("claim.evidence_name", "claim.reject_reason")),
        ],
    )
    probe.page("admin claims queue", boss.get("/admin/claims"), claimed)
    probe.pages("learner dashboard", learner, "/dashboard", claimed)
    probe.pages("learner transcript", learner, "/my/transcript?all=1", claimed)
    probe.page("admin credit log", boss.get(f"/admin/users/{user_id}/ledger"), claimed)
    probe.finish()


def test_event_fields_the_attendee_email_and_the_checkin_code(
    app: Flask, demo: None, trainer: Web, admin: Web, create_user: Any
) -> None:
    """An event per payload (title, Markdown description, place) on the trainer's pages, the
    attendee's check-in page and, once the roster is confirmed, the credit logs; the
    trainer's "add attendee" e-mail and the learner's check-in code are refused and given back."""
    app.extensions["lms"].clock.current = datetime(2026, 3, 2, 10, 0)  # the events' start
    probe = Probe("events")
    coach, boss = Browser(trainer.client), Browser(admin.client)
    learner = new_learner(app, create_user, "10.0.5.1")
    user_id = rows(app, select(User.id).order_by(User.id.desc()).limit(1))[0][0]
    for p in range(len(PAYLOADS)):
        event = {
            "title": probe.value("event.title", p),
            "description": probe.value("event.description", p),
            "place": probe.value("event.place", p),
            "starts_at": "2026-03-02T10:00",
            "ends_at": "2026-03-02T16:00",
            "credits": "1",
            "hours": "6",
            "credit_unit": "CEC",
            "category": "technical",
            "certification": ["WRT"],
            "capacity": "",
        }
        told = [(key, p) for key in ("event.title", "event.description", "event.place")]
        odd = {
            "credits": probe.value("event.credits", p),
            "starts_at": probe.value("event.starts_at", p),
        }
        refused = coach.press("/studio/events/new", {**event, **odd})
        for key in ("event.credits", "event.starts_at"):
            probe.refused(f"event form, {key} refused", refused, key, p, status=400, shown=told)
        page = moved(coach.press("/studio/events/new", event), "new event")
        manage = probe.page("event page", coach.get(page), told)
        link = re.search(r"/events/checkin/[^\"<]+", manage)
        assert link, "the event page shows no check-in link"
        email = probe.value("event.attendee_email", p)
        refused = coach.press(f"{page}/attendees", {"email": email})
        probe.refused(
            "event page, attendee refused", refused, "event.attendee_email", p, shown=told
        )
        code = probe.value("event.checkin_code", p)
        refused = learner.press("/events/checkin", {"code": code})
        probe.refused("check-in code refused", refused, "event.checkin_code", p, status=400)
        probe.page(
            "check-in link page",
            learner.get(link.group(0)),
            [("event.title", p), ("event.place", p)],
        )
        moved(learner.press(link.group(0)), "check in")
        moved(coach.press(f"{page}/confirm"), "confirm roster")

    every = range(len(PAYLOADS))
    listed = [(key, p) for p in every for key in ("event.title", "event.place")]
    probe.page("trainer events", coach.get("/studio/events"), listed)
    probe.pages("learner dashboard", learner, "/dashboard", listed)
    probe.pages("learner transcript", learner, "/my/transcript?all=1", listed)
    probe.page("admin credit log", boss.get(f"/admin/users/{user_id}/ledger"), listed)
    probe.finish()


def test_certification_rule_and_holding_fields(
    app: Flask, demo: None, trainer: Web, admin: Web, create_user: Any
) -> None:
    """The admin adds a certification per payload (its name, shown in the admin pages, the
    studio's course and event forms, the learner's certifications and claim form) and renames
    one that published courses count toward (shown in the catalogue and on the course page),
    and adds requirement rules (shown to learners who hold the certification). Codes, credit
    units, a rule's category and a learner's certification number cannot hold markup: they are
    refused, and the form given back is inert."""
    probe = Probe("catalogue")
    coach, boss = Browser(trainer.client), Browser(admin.client)
    learner = new_learner(app, create_user, "10.0.6.1")
    wrt = certification_id(app, "WRT")
    held = {"certification_id": str(wrt), "number": "WRT-12345", "certified_on": "2024-01-15"}
    moved(learner.submit("/my/certifications", held), "holding")
    ((wrt_course,),) = rows(
        app,
        select(Course.slug)
        .where(Course.status == "published", Course.certifications.any(Certification.code == "WRT"))
        .limit(1),
    )
    plain = {
        "name": "Corpus Certification",
        "credits_required": "14",
        "credit_unit": "CEC",
        "cycle_years": "3",
        "minutes_per_credit": "60",
        "credit_step": "0.5",
    }
    for p in range(len(PAYLOADS)):
        named = {**plain, "name": probe.value("certification.name", p)}
        name = [("certification.name", p)]
        odd = {
            "code": probe.value("certification.code", p),
            "credits_required": probe.value("certification.credits_required", p),
            "credit_unit": probe.value("certification.credit_unit", p),
        }
        refused = boss.submit("/admin/certifications/new", {**named, **odd})
        for key in (
            "certification.code",
            "certification.credits_required",
            "certification.credit_unit",
        ):
            where = f"new certification, {key} refused"
            probe.refused(where, refused, key, p, status=400, shown=name)
        moved(boss.press("/admin/certifications/new", {**named, "code": f"XQ{p}"}), "new cert")
        added = certification_id(app, f"XQ{p}")
        edit = probe.page(
            "admin certification form", boss.get(f"/admin/certifications/{added}"), name
        )
        probe.control("admin certification form", edit, "name", "certification.name", p)
        renamed = {**named, "code": "WRT"}
        moved(boss.press(f"/admin/certifications/{wrt}", renamed), "rename certification")
        catalogue = probe.page("catalogue", learner.get("/"))
        probe.attribute("catalogue", catalogue, "abbr", "title", "certification.name", p)
        course_page = learner.get(f"/courses/{wrt_course}")
        probe.page("course page", course_page, [("certification.name", p)])

        rule = {
            "name": probe.value("rule.name", p),
            "certification-WRT": "1",
            "credits_required": "10",
            "credit_unit": "CEC",
            "hours_per_unit": "1",
            "cycle_months": "36",
            "effective_from": "2024-01-01",
        }
        odd = {
            "code": probe.value("rule.code", p),
            "credit_unit": probe.value("rule.credit_unit", p),
            "category-0": probe.value("rule.category", p),
            "minimum-0": "1",
            "effective_from": probe.value("rule.effective_from", p),
        }
        refused = boss.submit("/admin/rules/new", {**rule, **odd})
        for key in ("rule.code", "rule.credit_unit", "rule.category", "rule.effective_from"):
            where = f"new rule, {key} refused"
            probe.refused(where, refused, key, p, status=400, shown=[("rule.name", p)])
        moved(boss.press("/admin/rules/new", {**rule, "code": f"CORPUS-{p}"}), "new rule")

        number = probe.value("holding.number", p)
        refused = learner.press("/my/certifications", {**held, "number": number})
        where = "learner certifications, number refused"
        probe.refused(where, refused, "holding.number", p, status=400)
        day = probe.value("holding.certified_on", p)
        refused = learner.press("/my/certifications", {**held, "certified_on": day})
        where = "learner certifications, date refused"
        probe.refused(where, refused, "holding.certified_on", p, status=400)

    every = range(len(PAYLOADS))
    names = [("certification.name", p) for p in every]
    rules = [("rule.name", p) for p in every]
    probe.page("admin certifications", boss.get("/admin/certifications"), names)
    probe.page("studio new course form", coach.get("/studio/courses/new"), names)
    probe.page("studio new event form", coach.get("/studio/events/new"), names)
    probe.page("claim form", learner.get("/my/claims/new"))
    probe.page("learner certifications", learner.get("/my/certifications"), names)
    probe.page("admin new rule form", boss.get("/admin/rules/new"), names)
    probe.page("admin rules", boss.get("/admin/rules"), rules)
    probe.page("learner requirements", learner.get("/my/compliance"), rules)
    probe.pages("learner dashboard", learner, "/dashboard", rules)
    probe.finish()
