"""CSRF on every state-changing route, found by walking the URL map: a route added later is
covered without touching this file (and one this file cannot fill fails the walk).

Each POST/PUT/PATCH/DELETE route is sent, by the person it is meant for (the owner of the
objects in its address, so that only the CSRF check can stop it), without a token, with a
forged one, with another person's genuine token (in the form and in the X-CSRFToken header),
with the site's own Origin but no token, and with another person's token from another site.
Every one must be a 400 with the CSRF message and leave every table as it was. Then the same
request with the session's own token must get past the check, so the walk is not vacuous.

The world built here (demo data plus one object of every kind a route's address names) and the
snapshot of every table are used by test_get_is_safe.py too.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from lms.models import ALL_METADATA
from tests.conftest import DEMO_SLUG, Web, answer_key, complete_modules, signed_in, start_quiz

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: What the error page says when the CSRF check refuses a request (lms/extension.py).
CSRF_MESSAGE = "CSRF check failed"
#: Route x method pairs walked today; a route that disappears from the walk fails it.
CSRF_WALK_FLOOR = 51
SITE = "http://localhost"
EVIL_SITE = "https://evil.example"

DEMO_PASSWORDS = {
    "learner": ("learner@example.com", "learner-demo-pass"),
    "graduate": ("graduate@example.com", "graduate-demo-pass"),
    "trainer": ("trainer@example.com", "trainer-demo-pass"),
    "admin": ("admin@example.com", "admin-demo-pass"),
}
#: The account pages meant for someone who is not signed in.
ANONYMOUS_ENDPOINTS = frozenset(
    {
        "lms.accounts.login",
        "lms.accounts.register",
        "lms.accounts.reset_request",
        "lms.accounts.reset_password",
    }
)
SECOND_SLUG = "moisture-mapping-and-drying-documentation"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


# The database, every table of it -----------------------------------------------------------


def table_snapshot(app: Flask) -> dict[str, tuple[int, str]]:
    """Every table of ALL_METADATA: its row count and a SHA-256 over all its rows in key order."""
    snapshot: dict[str, tuple[int, str]] = {}
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        with engine.connect() as connection:
            for metadata in ALL_METADATA:
                for table in metadata.sorted_tables:
                    order = list(table.primary_key.columns) or list(table.columns)
                    rows = connection.execute(select(table).order_by(*order)).all()
                    digest = hashlib.sha256()
                    for row in rows:
                        digest.update(repr(tuple(row)).encode())
                    snapshot[table.name] = (len(rows), digest.hexdigest())
    return snapshot


def changed_tables(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list:
    """The tables whose rows differ, with the row counts before and after."""
    return [
        (name, before.get(name, (0, ""))[0], after.get(name, (0, ""))[0])
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    ]


# A world with one real object for every argument a route takes -----------------------------


@dataclass
class World:
    app: Flask
    #: A browser per role, signed in (but "anonymous"), each with a CSRF token in its session.
    webs: dict[str, Web]
    #: A genuine token of another person's session (the attacker's own sign-in).
    foreign_token: str
    #: Sets of argument values; the first is the main one, the others add variants (a finished
    #: attempt, a revoked certificate) that the GET walk also opens.
    value_sets: list[dict[str, Any]]
    #: Values for one endpoint's argument only (two routes name different things "token").
    overrides: dict[tuple[str, str], Any] = field(default_factory=dict)


def _db(app: Flask) -> Any:
    return app.extensions["lms"].db.session


def _user_id(app: Flask, email: str) -> int:
    from lms.accounts.models import User

    with app.app_context():
        return _db(app).scalars(select(User.id).where(User.email == email)).one()


def _ok(response: TestResponse, what: str) -> TestResponse:
    assert response.status_code in (200, 302), (what, response.status_code, response.text[:500])
    return response


def build_world(app: Flask, create_user: Callable[..., Any], clock: Any) -> World:
    """Demo data (with the graduate's certificates), a draft version with an uploaded file, a
    learner with an open attempt, a passed course, a holding, a claim and an event check-in."""
    from lms.accounts.models import User
    from lms.accounts.tokens import make_reset_token
    from lms.awards.branding import load_branding
    from lms.catalogue.models import Certification, Holding, Media
    from lms.catalogue.operations import course_version, published_course
    from lms.claims.models import CreditClaim
    from lms.credits.models import CreditEntry
    from lms.demo import seed_demo_certificates, seed_demo_data
    from lms.events.feed import new_feed_token
    from lms.events.models import Attendance, Event
    from lms.events.tokens import make_checkin_token
    from lms.notifications.models import Notification
    from lms.notifications.tokens import make_preferences_token
    from lms.studio.lifecycle import new_version

    with app.test_request_context():  # the certificates take the site's address from it
        seed_demo_data()
        seed_demo_certificates()
        new_version(published_course(DEMO_SLUG), clock())
        _db(app).commit()

    webs = {role: signed_in(app, *credentials) for role, credentials in DEMO_PASSWORDS.items()}
    webs["anonymous"] = Web(app.test_client())
    learner, trainer = webs["learner"], webs["trainer"]
    draft = f"/studio/courses/{DEMO_SLUG}/v2"

    # The trainer's draft: a file uploaded to its first module.
    _ok(
        trainer.submit(
            f"{draft}/modules/1/edit",
            {
                "title": "With a file",
                "body": "See the file.",
                "media_url": "",
                "media_minutes": "3",
                "file": (io.BytesIO(PNG), "floor-plan.png"),
            },
            content_type="multipart/form-data",
        ),
        "upload a file to the draft",
    )
    # The learner: passes the second course (a finished attempt, a certificate of their own),
    # then leaves the first course's quiz open.
    for slug in (SECOND_SLUG, DEMO_SLUG):
        _ok(learner.submit(f"/courses/{slug}", action=f"/courses/{slug}/enrol"), "enrol")
        complete_modules(learner, slug)
    finished = start_quiz(learner, SECOND_SLUG)
    _ok(
        learner.submit(
            f"/courses/{SECOND_SLUG}/quiz",
            answer_key(app, SECOND_SLUG),
            action=f"/courses/{SECOND_SLUG}/quiz/{finished}",
        ),
        "pass the second course",
    )
    attempt = start_quiz(learner, DEMO_SLUG)
    with app.app_context():
        certification_id = _db(app).scalars(select(Certification.id).order_by("id")).first()
    _ok(
        learner.submit(
            "/my/certifications",
            {
                "certification_id": certification_id,
                "number": "WRT-1234",
                "certified_on": "2025-01-15",
            },
        ),
        "record a certification",
    )
    _ok(
        learner.submit(
            "/my/claims/new",
            {
                "kind": "course",
                "title": "Water damage restoration workshop",
                "provider": "Restoration Academy",
                "completed_on": "2026-02-20",
                "hours": "7",
                "credits": "1.5",
                "credit_unit": "CEC",
                "category": "technical",
                "evidence": (io.BytesIO(PDF), "certificate.pdf"),
            },
            content_type="multipart/form-data",
        ),
        "submit a claim",
    )
    # The trainer's event today, with the learner checked in by its code.
    _ok(
        trainer.submit(
            "/studio/events/new",
            {
                "title": "Drying science day",
                "description": "Psychrometry in **practice**.",
                "place": "Hall 3, Expo Centre",
                "starts_at": "2026-03-02T10:00",
                "ends_at": "2026-03-02T16:00",
                "credits": "2",
                "hours": "6",
                "credit_unit": "CEC",
                "category": "technical",
                "certification": ["WRT", "CCT"],
                "capacity": "",
            },
        ),
        "create an event",
    )

    learner_id = _user_id(app, "learner@example.com")
    graduate_id = _user_id(app, "graduate@example.com")
    with app.app_context():
        db = _db(app)
        event = db.scalars(select(Event)).one()
        code, event_id = event.checkin_code, event.id
        checkin_token = make_checkin_token(event)
    _ok(learner.submit("/events/checkin", {"code": code}), "check in at the event")

    with app.app_context():
        db = _db(app)
        draft_course = course_version(DEMO_SLUG, 2)
        # the module's file (the demo's certificate logo is a media row too)
        media = db.scalars(select(Media).where(Media.course_slug == DEMO_SLUG)).one()
        certificates = _certificates_of(app, graduate_id)
        own_certificates = _certificates_of(app, learner_id)
        values = {
            "slug": DEMO_SLUG,
            "version": 2,
            "position": 1,
            "course_id": draft_course.id,
            "question_id": first_question(draft_course),
            "attempt_id": attempt,
            "public_id": certificates["valid"][0],
            "certification_id": certification_id,
            "claim_id": db.scalars(select(CreditClaim.id)).one(),
            "user_id": graduate_id,
            "entry_id": db.scalars(
                select(CreditEntry.id)
                .where(
                    CreditEntry.user_id == graduate_id,
                    CreditEntry.certificate_id.is_not(None),
                    CreditEntry.credits > 0,
                )
                .order_by(CreditEntry.id)
            ).first(),
            "holding_id": db.scalars(select(Holding.id).where(Holding.user_id == learner_id)).one(),
            "event_id": event_id,
            "attendance_id": db.scalars(select(Attendance.id)).one(),
            "media_id": media.id,
            "filename": media.filename,
            "colour": "1e466e",  # the certificates' accent stylesheet
            "notification_id": db.scalars(
                select(Notification.id).where(Notification.user_id == learner_id)
            ).first(),
        }
        reset_token = make_reset_token(db.get(User, learner_id))
        preferences_token = make_preferences_token(learner_id)
        feed_token = new_feed_token(learner_id)  # the learner's calendar feed address
        logo = load_branding(db)  # the demo's certificate logo, served by its own route

        # Variants for the GET walk: the learner's finished attempt, own certificate and ledger
        # in the second course (its published version 1); the revoked certificate and the
        # published version 1 of the first course.
        second = published_course(SECOND_SLUG)
        value_sets = [
            values,
            {
                **values,
                "slug": SECOND_SLUG,
                "version": second.version,
                "course_id": second.id,
                "question_id": first_question(second),
                "attempt_id": finished,
                "public_id": own_certificates["valid"][0],
                "user_id": learner_id,
            },
            {
                **values,
                "version": 1,
                "course_id": course_version(DEMO_SLUG, 1).id,
                "question_id": first_question(course_version(DEMO_SLUG, 1)),
                "public_id": certificates["revoked"][0],
            },
        ]
    overrides = {
        ("lms.accounts.reset_password", "token"): reset_token,
        ("lms.notifications.preferences_by_link", "token"): preferences_token,
        ("lms.events.checkin_link", "token"): checkin_token,
        ("lms.events.checkin_link_post", "token"): checkin_token,
        ("lms.events.calendar_feed", "token"): feed_token,
        ("lms.awards.branding_logo", "media_id"): logo.logo_media_id,
        ("lms.awards.branding_logo", "filename"): logo.logo_filename,
    }
    for endpoint, folder in _static_folders(app).items():
        overrides[(endpoint, "filename")] = _a_file_in(folder)

    # A session of its own (the attacker's), whose genuine token must not work elsewhere.
    mallory = create_user(name="Mallory Attacker")
    foreign_token = signed_in(app, mallory.email, mallory.plain_password).token("/dashboard")
    for role, web in webs.items():  # every victim's session holds a CSRF token of its own
        web.token("/login" if role == "anonymous" else "/dashboard")
    return World(app, webs, foreign_token, value_sets, overrides)


def first_question(course: Any) -> int:
    from sqlalchemy.orm import object_session

    from quizzes.models import Question

    query = select(Question.id).where(Question.quiz_id == course.final_quiz_id)
    return object_session(course).scalars(query.order_by(Question.id)).first()


def _certificates_of(app: Flask, user_id: int) -> dict[str, list[str]]:
    from certificates.models import Certificate
    from lms.credits.models import CreditEntry

    rows = _db(app).execute(
        select(Certificate.public_id, Certificate.revoked_at)
        .join(CreditEntry, CreditEntry.certificate_id == Certificate.id)
        .where(CreditEntry.user_id == user_id)
        .order_by(Certificate.id)
    )
    found: dict[str, list[str]] = {"valid": [], "revoked": []}
    for public_id, revoked_at in rows:
        kind = "revoked" if revoked_at else "valid"
        if public_id not in found[kind]:
            found[kind].append(public_id)
    assert found["valid"], "the person holds no valid certificate"
    return found


def _static_folders(app: Flask) -> dict[str, str]:
    folders = {"static": app.static_folder}
    for name, blueprint in app.blueprints.items():
        folders[f"{name}.static"] = blueprint.static_folder
    return {endpoint: folder for endpoint, folder in folders.items() if folder}


def _a_file_in(folder: str) -> str:
    files = sorted(p for p in Path(folder).glob("*") if p.is_file())
    assert files, f"no file in {folder} to fill its static route with"
    return files[0].name


def urls_of(world: World, rule: Rule, all_sets: bool = False) -> list[str]:
    """The rule's address filled with real objects (every variant when ``all_sets``); a rule
    with an argument this world has no object for fails the walk."""
    urls: list[str] = []
    for values in world.value_sets if all_sets else world.value_sets[:1]:
        filled = {}
        for name in rule.arguments:
            key = (rule.endpoint, name)
            if key in world.overrides:
                filled[name] = world.overrides[key]
            elif name in values and not (name == "token" or rule.endpoint.endswith("static")):
                filled[name] = values[name]
            else:
                raise AssertionError(
                    f"{rule.rule} ({rule.endpoint}): teach build_world a real value for {name!r}"
                )
        url = rule.build(filled, append_unknown=False)[1]
        if url not in urls:
            urls.append(url)
    return urls


def walk(app: Flask, methods: frozenset[str]) -> Iterator[tuple[Rule, str]]:
    """Every (rule, method) of the URL map with one of ``methods``, in a stable order."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted((rule.methods or set()) & methods):
            yield rule, method


def role_for(rule: Rule) -> str:
    """Who a state-changing route is for (and who owns the objects the world put in it)."""
    if rule.endpoint in ANONYMOUS_ENDPOINTS:
        return "anonymous"
    if rule.rule.startswith(("/admin", "/certificates/")):
        return "admin"  # revoke and reissue are the admin's buttons on a certificate
    if rule.rule.startswith("/studio"):
        return "trainer"
    return "learner"


# The walk ----------------------------------------------------------------------------------


def is_csrf_refusal(response: TestResponse) -> bool:
    return response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)


def tampered(token: str) -> str:
    """The token with its signature's first character changed (still well-formed)."""
    head, _, signature = token.rpartition(".")
    return f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


def refused_variants(own: str, foreign: str, url: str) -> list[tuple[str, dict, dict]]:
    """(what, form fields, headers) of requests that must all be refused."""
    evil = {"Origin": EVIL_SITE, "Referer": f"{EVIL_SITE}/page"}
    return [
        ("no token", {}, {}),
        ("an empty token", {"csrf_token": ""}, {}),
        ("a garbage token", {"csrf_token": "forged-token"}, {}),
        ("the session's token with a forged signature", {"csrf_token": tampered(own)}, {}),
        ("another person's genuine token", {"csrf_token": foreign}, {}),
        ("another person's token in X-CSRFToken", {}, {"X-CSRFToken": foreign}),
        (
            "no token, but this site's Origin and Referer",
            {},
            {"Origin": SITE, "Referer": SITE + url},
        ),
        ("another person's token, sent from another site", {"csrf_token": foreign}, evil),
        ("a garbage X-CSRFToken from another site", {}, {"X-CSRFToken": "forged-token", **evil}),
    ]


def send(client: FlaskClient, method: str, url: str, form: dict, headers: dict) -> TestResponse:
    return client.open(url, method=method, data=form, headers=headers)


def signed_in_still(web: Web) -> bool:
    return web.get("/dashboard").status_code == 200


def goes_last(rule: Rule) -> tuple[bool, bool]:
    """Routes whose positive control removes what others need are walked after them; signing
    out (the learner's session serves the others) is the very last."""
    return rule.rule.endswith(("/delete", "/remove", "/logout")), rule.rule.endswith("/logout")


def own_tokens_of(world: World) -> dict[str, str]:
    return {
        role: web.token("/login" if role == "anonymous" else "/dashboard")
        for role, web in world.webs.items()
    }


def check_route(world: World, rule: Rule, method: str, own_tokens: dict[str, str]) -> int:
    """Send the refused variants, then the positive control; returns the control's status."""
    app = world.app
    role = role_for(rule)
    web = world.webs[role]
    (url,) = urls_of(world, rule)
    before = table_snapshot(app)
    for what, form, headers in refused_variants(own_tokens[role], world.foreign_token, url):
        response = send(web.client, method, url, form, headers)
        assert is_csrf_refusal(response), (
            f"{method} {url} as {role} with {what}: {response.status_code} "
            f"{response.get_data(as_text=True)[:300]}"
        )
    changed = changed_tables(before, table_snapshot(app))
    assert changed == [], f"{method} {url}: refused requests changed {changed}"
    if role != "anonymous":
        assert signed_in_still(web), f"{method} {url}: the refused requests signed {role} out"

    # Positive control: the same request with the session's own token passes the check and
    # reaches a view that lets this person in.
    response = send(web.client, method, url, {"csrf_token": own_tokens[role]}, {})
    assert not is_csrf_refusal(response), f"{method} {url} as {role}: own token refused"
    assert response.status_code not in (401, 403), (method, url, role, response.status_code)
    assert "/login" not in response.headers.get("Location", ""), (method, url, role)
    return response.status_code


def test_every_state_changing_route_needs_its_own_sessions_csrf_token(
    app: Flask, create_user: Callable[..., Any], clock: Any
) -> None:
    world = build_world(app, create_user, clock)
    own_tokens = own_tokens_of(world)
    walked: list[str] = []
    statuses: dict[int, int] = {}
    # Deleting and signing out go last: their objects and the learner's session serve the
    # positive controls of the routes before them.
    routes = sorted(walk(app, UNSAFE_METHODS), key=lambda r: goes_last(r[0]))
    for rule, method in routes:
        status = check_route(world, rule, method, own_tokens)
        statuses[status] = statuses.get(status, 0) + 1
        walked.append(f"{method} {rule.rule}")

    variants = len(refused_variants("a.b.c", "", ""))
    print(
        f"CSRF walk: {len(walked)} route x method pairs, {len(walked) * variants} refused "
        f"requests, statuses with the session's own token: {dict(sorted(statuses.items()))}"
    )
    assert len(walked) >= CSRF_WALK_FLOOR, walked
    accounts = {
        "POST /login",
        "POST /register",
        "POST /logout",
        "POST /reset",
        "POST /reset/<token>",
    }
    assert accounts <= set(walked), accounts - set(walked)


def test_the_walk_fails_on_a_route_without_the_check(
    app: Flask, create_user: Callable[..., Any], clock: Any
) -> None:
    """The oracle can fail: routes outside the LMS blueprint (so without its check) that write
    are caught, by the status and, when the status lies, by the table snapshot."""
    from itertools import count

    from sqlalchemy import update

    from lms.accounts.models import User
    from lms.demo import seed_demo_data

    renames = count(1)

    def rename(status: int) -> tuple[str, int]:
        db = _db(app)
        db.execute(update(User).values(name=f"Renamed by a forged request {next(renames)}"))
        db.commit()
        return f"<p>{CSRF_MESSAGE}</p>" if status == 400 else "renamed", status

    app.add_url_rule("/unchecked", "unchecked", lambda: rename(200), methods=["POST"])
    app.add_url_rule("/unchecked-400", "unchecked_400", lambda: rename(400), methods=["POST"])
    with app.app_context():
        seed_demo_data()
    mallory = create_user(name="Mallory Attacker")
    world = World(
        app,
        {"learner": signed_in(app, *DEMO_PASSWORDS["learner"])},
        signed_in(app, mallory.email, mallory.plain_password).token("/dashboard"),
        [{}],
    )
    own_tokens = own_tokens_of(world)
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    with pytest.raises(AssertionError, match="with no token"):
        check_route(world, rules["unchecked"], "POST", own_tokens)
    with pytest.raises(AssertionError, match="refused requests changed.*lms_user"):
        check_route(world, rules["unchecked_400"], "POST", own_tokens)
