"""IDOR matrix: every route that takes an object id (found by walking ``app.url_map``, so a
route added later is covered or the walk fails) is requested, with every method it allows, for
objects owned by learner A or trainer A, by people who do not own them: learner B, trainer B
(who owns a course and an event of his own), the other side of the pair (trainer A against
learner A's records, learner A against trainer A's studio) and an anonymous visitor. Cross
access must never succeed: 403 or 404 (a 302 to the sign-in page for the anonymous visitor),
none of the victim's marked text in the answer, and not one row changed in the database.

The same addresses are then opened by their owner (or an admin where the page is theirs), so
the refusals are not an artefact of a wrong address, a missing object or a broken form.

Public-by-design routes are listed in ALLOWLIST with the reason; a route with an argument that
is neither covered by a realm below nor allowlisted fails the walk.

Run with ``-s`` to see the count ("IDOR pairs tried: ...").
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from certificates.models import Certificate
from lms.accounts.models import User
from lms.catalogue.models import Certification, Course, Holding, Media
from lms.claims.models import CreditClaim
from lms.credits.models import CreditEntry
from lms.events.models import Attendance, Event
from lms.learning.models import Enrolment
from lms.models import ALL_METADATA
from lms.notifications.models import Notification
from quizzes.models import Attempt, Question
from tests.conftest import (
    DEMO_SLUG,
    Web,
    answer_key,
    complete_modules,
    signed_in,
    start_quiz,
)

#: Text only learner A's records carry (her name, certification number, claims) and text only
#: trainer A's records carry (his unpublished course, his event): it must reach nobody else.
MARK = "Qx7Alice"
TRAINER_MARK = "Qx7Terry"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
OTHER_SLUGS = ("moisture-mapping-and-drying-documentation", "category-and-class-of-water-intrusion")
PUBLISHED_SLUGS = (DEMO_SLUG, *OTHER_SLUGS)
#: Tables left out of the before/after comparison, with the reason.
UNCOMPARED_TABLES = {
    "lms_login_session": "each sign-in (and sign-out) writes a row for the person themselves",
}

#: Routes with an argument that are public (or capability-based) by design. The walk fails on
#: a stale entry too, so the list stays true.
ALLOWLIST: dict[str, str] = {
    "static": "the host application's static files: the same for everyone",
    "lms.static": "the LMS's CSS, JavaScript and fonts: the same for everyone",
    "lms.catalogue.course": (
        "the catalogue page of a published course, by its public slug (an unpublished slug is "
        "a 404 for everyone: test_allowlisted_routes_behave_as_their_reason_says)"
    ),
    "lms.awards.verify_page": (
        "certificate verification: anyone holding the link or the PDF's QR code may check it"
    ),
    "lms.awards.credential_document": (
        "the signed OpenBadgeCredential behind the verification page, for verifiers"
    ),
    "lms.awards.branding_logo": (
        "the issuer's logo, printed on every certificate; only the logo in use is served, any "
        "other media id is a 404 (tests/test_certificate_design.py)"
    ),
    "lms.awards.accent_stylesheet": (
        "the certificates' brand colour as CSS, made from the colour in its name: no record "
        "is read (tests/test_certificate_design.py)"
    ),
    "lms.events.checkin_link": (
        "the event QR code's landing page: the signed, expiring token is the capability; it "
        "shows the event and a button, never anyone's attendance"
    ),
    "lms.events.checkin_link_post": (
        "the QR code's check-in: checks in the signed-in person only, never someone else"
    ),
    "lms.events.event_page": (
        "an event's public facts (title, time, place, seats taken) for any signed-in learner; "
        "the page shows the viewer's own registration only"
    ),
    "lms.events.event_ics": "the same public facts as an .ics file, for any signed-in learner",
    "lms.events.register": "registers the signed-in person only, never someone else",
    "lms.events.cancel_registration": "cancels the signed-in person's registration only",
    "lms.events.calendar_feed": (
        "a calendar app has no session: the 256-bit token in the address is the capability, "
        "replaceable and revocable by its owner (tests/test_learner_events.py)"
    ),
    "lms.notifications.preferences_by_link": (
        "the e-mail preferences link in every notification e-mail: the signed, expiring token "
        "names the person; it opens their e-mail choices only (tests/test_notifications.py)"
    ),
    "lms.accounts.reset_password": (
        "the password-reset link: the mailed single-use token is the capability "
        "(tests/test_accounts.py)"
    ),
}
#: Routes in the matrix whose objects become public by design once published; the matrix
#: tries them on an object that is not (yet) public.
PUBLIC_ONCE_PUBLISHED: dict[str, str] = {
    "lms.media.media_file": (
        "a file that a published (or retired) version's module shows is for everyone taking "
        "the course; a draft's file is for its trainer and admins only (in the matrix)"
    ),
}
#: Public routes without an argument, listed for the record (the walk checks they exist).
PUBLIC_WITHOUT_ARGUMENTS: dict[str, str] = {
    "lms.awards.issuer_page": "the issuer profile with its public keys, for verifiers",
    "lms.awards.status_list_page": "the signed revocation list, for verifiers",
}
#: Pages without an argument that list what every signed-in person may see, whoever made it.
#: The query-string walk checks that a query shows nothing more than the same page without it.
SHARED_LISTINGS: dict[str, str] = {
    "lms.events.upcoming": (
        "upcoming events' public facts (title, time, place, seats) for any signed-in learner"
    ),
}


# The people --------------------------------------------------------------------------------


@dataclass
class Actor:
    name: str
    web: Web
    token: str
    user_id: int | None
    email: str = ""


def _token(web: Web, page: str) -> str:
    match = CSRF_RE.search(web.get(page).get_data(as_text=True))
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def _db(app: Flask) -> Any:
    return app.extensions["lms"].db.session


def _scalar(app: Flask, statement: Any) -> Any:
    with app.app_context():
        return _db(app).scalar(statement)


def _scalars(app: Flask, statement: Any) -> list[Any]:
    with app.app_context():
        return list(_db(app).scalars(statement))


# The world: objects owned by learner A and trainer A, and the attackers' own ---------------------


@dataclass
class World:
    app: Flask
    actors: dict[str, Actor]
    victim_markers: dict[str, list[str]]  # victim -> text only their records carry
    draft_only_slug: str  # trainer A's course that was never published
    b_slug: str  # trainer B's own course
    versions: dict[int, int]  # DEMO_SLUG version -> course id
    questions: dict[int, int]  # DEMO_SLUG version -> one question id of its quiz
    media: tuple[int, str]  # trainer A's file on a draft: (id, filename)
    attempts: list[tuple[str, int]]  # learner A's attempts: (slug, id); graded, then open
    certificate: str
    claims: list[int]  # learner A's claims: approved, then pending
    holding: int
    event_a: int
    event_b: int
    attendance: int  # learner A at trainer A's event
    entries: list[int]  # learner A's ledger entries
    certification_id: int
    answers: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    notifications: list[int] = field(default_factory=list)  # learner A's: certificate, claim

    def markers(self, actor: Actor) -> list[str]:
        """The victims' marked text, but the actor's own (their name is on their pages)."""
        return [m for victim, ms in self.victim_markers.items() if victim != actor.name for m in ms]

    def user_id(self, name: str) -> int:
        user_id = self.actors[name].user_id
        assert user_id is not None
        return user_id


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _ok(response: TestResponse, what: str) -> TestResponse:
    assert response.status_code == 302, (what, response.status_code, response.get_data(True))
    return response


def _certification_ids(app: Flask) -> dict[str, int]:
    with app.app_context():
        return dict(_db(app).execute(select(Certification.code, Certification.id)).all())


def _new_course(web: Web, app: Flask, title: str) -> str:
    ids = _certification_ids(app)
    form = {
        "title": title,
        "summary": "A course for the access matrix.",
        "provider": "Matrix Provider",
        "credits": "1",
        "certification": [str(ids["CCT"])],
    }
    response = _ok(web.submit("/studio/courses/new", form), "new course")
    match = re.search(r"/studio/courses/([a-z0-9-]+)/v1/edit$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def _new_event(web: Web, title: str) -> int:
    form = {
        "title": title,
        "description": "An event for the access matrix.",
        "place": "Hall 3",
        "starts_at": "2026-03-02T10:00",  # the clock starts at 09:00: check-in is open
        "ends_at": "2026-03-02T16:00",
        "credits": "2",
        "hours": "6",
        "credit_unit": "CEC",
        "category": "technical",
        "certification": ["WRT", "CCT"],
        "capacity": "",
    }
    response = _ok(web.submit("/studio/events/new", form), "new event")
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _claim(web: Web, title: str) -> None:
    form = {
        "kind": "course",
        "title": title,
        "provider": "Restoration Academy",
        "completed_on": "2026-02-20",
        "hours": "7",
        "credits": "1.5",
        "credit_unit": "CEC",
        "category": "technical",
        "evidence": (io.BytesIO(PDF), "evidence.pdf"),
    }
    _ok(web.submit("/my/claims/new", form, content_type="multipart/form-data"), "claim")


def _enrol(web: Web, slug: str) -> None:
    _ok(web.submit(f"/courses/{slug}", action=f"/courses/{slug}/enrol"), f"enrol {slug}")


def build_world(app: Flask, create_user: Callable[..., Any], trainer: Web, admin: Web) -> World:
    people = {
        "learner_a": create_user(name=f"Alice {MARK}"),
        "learner_b": create_user(name="Bob Prober"),
        "trainer_b": create_user(role="trainer", name="Tess Prober"),
    }
    webs = {name: signed_in(app, p.email, p.plain_password) for name, p in people.items()}
    webs["trainer_a"], webs["admin"] = trainer, admin
    webs["anonymous"] = Web(app.test_client())
    la, ta = webs["learner_a"], webs["trainer_a"]

    # Trainer A: a file on the draft (version 2) of the demo course, a course never published,
    # an event. Trainer B: a course and an event of his own.
    draft = f"/studio/courses/{DEMO_SLUG}/v2"
    module_form = {
        "title": "With a file",
        "body": "See the file.",
        "media_url": "",
        "media_minutes": "3",
        "file": (io.BytesIO(PNG), "victim-plan.png"),
    }
    _ok(
        ta.submit(f"{draft}/modules/1/edit", module_form, content_type="multipart/form-data"),
        "upload",
    )
    draft_only_slug = _new_course(ta, app, f"Draft {TRAINER_MARK} Course")
    event_a = _new_event(ta, f"Event {TRAINER_MARK}")
    b_slug = _new_course(webs["trainer_b"], app, "Prober Course")
    event_b = _new_event(webs["trainer_b"], "Prober Event")

    # Learner A: a certification held, a passed course (certificate and credit), an open
    # attempt in another course, two claims (one approved), a check-in at trainer A's event.
    cct = _certification_ids(app)["CCT"]
    holding_form = {"certification_id": cct, "number": f"N-{MARK}", "certified_on": "2024-03-01"}
    _ok(la.submit("/my/certifications", holding_form), "holding")
    _enrol(la, DEMO_SLUG)
    complete_modules(la, DEMO_SLUG)
    graded = start_quiz(la, DEMO_SLUG)
    _ok(
        la.submit(
            f"/courses/{DEMO_SLUG}/quiz",
            answer_key(app, DEMO_SLUG),
            action=f"/courses/{DEMO_SLUG}/quiz/{graded}",
        ),
        "pass",
    )
    _enrol(la, OTHER_SLUGS[0])
    complete_modules(la, OTHER_SLUGS[0])
    still_open = start_quiz(la, OTHER_SLUGS[0])
    _claim(la, f"Approved claim {MARK}")
    _claim(la, f"Pending claim {MARK}")
    claims = _scalars(
        app,
        select(CreditClaim.id)
        .where(CreditClaim.user_id == people["learner_a"].id)
        .order_by(CreditClaim.id),
    )
    _ok(
        admin.submit(f"/admin/claims/{claims[0]}", action=f"/admin/claims/{claims[0]}/approve"),
        "approve claim",
    )
    code = _scalar(app, select(Event.checkin_code).where(Event.id == event_a))
    _ok(la.submit("/events/checkin", {"code": code}), "check-in")

    # The attackers are enrolled too, so the learner pages answer them about their own
    # enrolment and must refuse the victim's attempt ids by themselves.
    for name in ("learner_b", "trainer_b", "trainer_a"):
        for slug in PUBLISHED_SLUGS:
            _enrol(webs[name], slug)

    with app.app_context():
        db = _db(app)
        a_id = people["learner_a"].id
        versions = dict(
            db.execute(select(Course.version, Course.id).where(Course.slug == DEMO_SLUG)).all()
        )
        questions = {}
        for version, course_id in versions.items():
            quiz_id = db.get(Course, course_id).final_quiz_id
            # A true/false question: the probe form carries valid fields for that type.
            questions[version] = db.scalars(
                select(Question.id)
                .where(Question.quiz_id == quiz_id, Question.qtype == "truefalse")
                .order_by(Question.id)
            ).first()
        assert all(questions.values()), questions
        media = db.execute(
            select(Media.id, Media.filename).where(Media.filename == "victim-plan.png")
        ).one()
        attempts = [
            (DEMO_SLUG, graded),
            (OTHER_SLUGS[0], still_open),
        ]
        states = {a.id: a.state for a in db.scalars(select(Attempt).where(Attempt.user_id == a_id))}
        assert states == {graded: "graded", still_open: "open"}, states
        enrolment = db.scalars(
            select(Enrolment.id)
            .join(Course)
            .where(Enrolment.user_id == a_id, Course.slug == DEMO_SLUG)
        ).one()
        certificate = db.scalars(
            select(Certificate.public_id).where(
                Certificate.award_key == f"course-enrolment:{enrolment}"
            )
        ).one()
        holding = db.scalars(select(Holding.id).where(Holding.user_id == a_id)).one()
        attendance = db.scalars(
            select(Attendance.id).where(Attendance.user_id == a_id, Attendance.event_id == event_a)
        ).one()
        entries = list(
            db.scalars(
                select(CreditEntry.id).where(CreditEntry.user_id == a_id).order_by(CreditEntry.id)
            )
        )
        assert len(entries) == 2, entries  # the course and the approved claim
        emails = dict(db.execute(select(User.id, User.email)).all())
        notifications = list(
            db.scalars(select(Notification.id).where(Notification.user_id == a_id))
        )
        assert len(notifications) == 2, notifications  # the certificate and the approved claim

    tokens = {
        "learner_a": "/dashboard",
        "learner_b": "/dashboard",
        "trainer_a": "/studio/",
        "trainer_b": "/studio/",
        "admin": "/admin/",
        "anonymous": "/login",
    }
    ids = {name: p.id for name, p in people.items()}
    ids["trainer_a"] = _scalar(app, select(User.id).where(User.email == "trainer@example.com"))
    ids["admin"] = _scalar(app, select(User.id).where(User.email == "admin@example.com"))
    actors = {
        name: Actor(
            name,
            web,
            _token(web, tokens[name]),
            ids.get(name),
            emails.get(ids.get(name), ""),
        )
        for name, web in webs.items()
    }
    return World(
        app=app,
        actors=actors,
        victim_markers={
            "learner_a": [MARK, people["learner_a"].email],
            "trainer_a": [TRAINER_MARK],
        },
        draft_only_slug=draft_only_slug,
        b_slug=b_slug,
        versions=versions,
        questions=questions,
        media=(media.id, media.filename),
        attempts=attempts,
        certificate=certificate,
        claims=claims,
        holding=holding,
        event_a=event_a,
        event_b=event_b,
        attendance=attendance,
        entries=entries,
        certification_id=cct,
        answers={slug: answer_key(app, slug) for slug in PUBLISHED_SLUGS},
        notifications=notifications,
    )


@pytest.fixture
def world(
    app: Flask,
    create_user: Callable[..., Any],
    trainer: Web,
    admin: Web,
    draft: str,
) -> World:
    return build_world(app, create_user, trainer, admin)


# Realms: which routes hold whose objects, and the addresses of those objects ---------------------


@dataclass(frozen=True)
class Binding:
    """Values for a rule's arguments. ``legit``: the owner (or an admin) may open it, so the
    owner check runs on it; a mixed address (an attacker's own container with the victim's
    child id) has no owner. ``self_scoped``: the address names a public course only; the page
    acts on the caller's own enrolment, so the caller may change their own rows, nobody
    else's."""

    values: dict[str, Any]
    label: str
    legit: bool = True
    self_scoped: bool = False
    form: dict[str, Any] = field(default_factory=dict)
    #: Refused too: on a mixed address, an admin (who may open both objects on their own).
    also_refused: tuple[str, ...] = ()


@dataclass(frozen=True)
class Realm:
    name: str
    prefix: str
    arguments: frozenset[str]  # the argument names this realm knows how to fill
    attackers: tuple[str, ...]
    legit: tuple[str, ...]  # tried in order for the owner check; the first allowed one counts
    bindings: Callable[[World, Rule], list[Binding]]
    query: str = ""


def _studio_bindings(world: World, rule: Rule) -> list[Binding]:
    args = set(rule.arguments)
    versions = sorted(world.versions) if "version" in args else [None]
    found = []
    for version in versions:
        values: dict[str, Any] = {"slug": DEMO_SLUG}
        if version is not None:
            values["version"] = version
        if "position" in args:
            values["position"] = 1
        if "question_id" in args:
            values["question_id"] = world.questions[version or 1]
        label = f"trainer A's {DEMO_SLUG}" + (f" v{version}" if version else "")
        found.append(Binding(values, label))
    if "question_id" in args:  # trainer B's own course, trainer A's question
        for version in sorted(world.versions):
            values = {"slug": world.b_slug, "version": 1, "question_id": world.questions[version]}
            found.append(
                Binding(values, "B's course, A's question", legit=False, also_refused=("admin",))
            )
    return found


def _event_bindings(world: World, rule: Rule) -> list[Binding]:
    values: dict[str, Any] = {"event_id": world.event_a}
    if "attendance_id" in rule.arguments:
        values["attendance_id"] = world.attendance
    found = [Binding(values, "trainer A's event")]
    if "attendance_id" in rule.arguments:
        mixed = {"event_id": world.event_b, "attendance_id": world.attendance}
        found.append(
            Binding(mixed, "B's event, A's attendee", legit=False, also_refused=("admin",))
        )
    return found


def _media_bindings(world: World, rule: Rule) -> list[Binding]:
    media_id, filename = world.media
    return [Binding({"media_id": media_id, "filename": filename}, "trainer A's draft file")]


def _certificate_bindings(world: World, rule: Rule) -> list[Binding]:
    return [Binding({"public_id": world.certificate}, "learner A's certificate")]


def _mine_bindings(world: World, rule: Rule) -> list[Binding]:
    args = set(rule.arguments)
    if args == {"claim_id"}:
        return [Binding({"claim_id": c}, "learner A's claim") for c in world.claims]
    if args == {"holding_id"}:
        return [Binding({"holding_id": world.holding}, "learner A's certification")]
    if args == {"notification_id"}:
        return [
            Binding({"notification_id": n}, "learner A's notification") for n in world.notifications
        ]
    raise AssertionError(f"{rule.rule}: teach the matrix the argument(s) {args}")


def _learning_bindings(world: World, rule: Rule) -> list[Binding]:
    args = set(rule.arguments)
    unpublished: dict[str, Any] = {"slug": world.draft_only_slug}
    if "position" in args:
        unpublished["position"] = 1
    if "attempt_id" in args:
        found = []
        for slug in (*PUBLISHED_SLUGS, world.draft_only_slug):
            for own_slug, attempt_id in world.attempts:
                answers = world.answers.get(own_slug, {})
                found.append(
                    Binding(
                        {"slug": slug, "attempt_id": attempt_id},
                        f"learner A's attempt in {own_slug} at {slug}",
                        legit=slug == own_slug,
                        form=answers,
                    )
                )
        return found
    values: dict[str, Any] = {"slug": DEMO_SLUG}
    if "position" in args:
        values["position"] = 1
    return [
        Binding(values, "a published course, the caller's own enrolment", self_scoped=True),
        Binding(unpublished, "trainer A's unpublished course", legit=False),
    ]


def _admin_bindings(world: World, rule: Rule) -> list[Binding]:
    args = set(rule.arguments)
    values: dict[str, Any] = {}
    options: dict[str, list[Any]] = {
        "course_id": [world.versions[2]],
        "certification_id": [world.certification_id],
        "claim_id": world.claims,
        "user_id": [world.user_id("learner_a")],
        "entry_id": world.entries[:1],
    }
    found = []
    for name in sorted(args):
        values[name] = options[name][0]
    found.append(Binding(dict(values), "learner A / trainer A"))
    for name in sorted(args):
        for extra in options[name][1:]:
            found.append(Binding({**values, name: extra}, f"learner A's other {name}"))
    if args == {"user_id", "entry_id"}:  # someone else's page, learner A's entry
        mixed = {"user_id": world.user_id("learner_b"), "entry_id": world.entries[0]}
        found.append(Binding(mixed, "B's ledger, A's entry", legit=False, also_refused=("admin",)))
    return found


LEARNER_ATTACKERS = ("learner_b", "trainer_b", "trainer_a", "anonymous")
TRAINER_ATTACKERS = ("trainer_b", "learner_a", "learner_b", "anonymous")
REALMS = (
    Realm(
        "admin",
        "/admin/",
        frozenset({"course_id", "certification_id", "claim_id", "user_id", "entry_id"}),
        ("learner_a", "learner_b", "trainer_a", "trainer_b", "anonymous"),
        ("admin",),
        _admin_bindings,
    ),
    Realm(
        "events",
        "/studio/events/",
        frozenset({"event_id", "attendance_id"}),
        TRAINER_ATTACKERS,
        ("trainer_a", "admin"),
        _event_bindings,
    ),
    Realm(
        "studio",
        "/studio/",
        frozenset({"slug", "version", "position", "question_id"}),
        TRAINER_ATTACKERS,
        ("trainer_a", "admin"),
        _studio_bindings,
        query="type=truefalse",  # the question form's type (ignored by the other pages)
    ),
    Realm(
        "media",
        "/media/",
        frozenset({"media_id", "filename"}),
        TRAINER_ATTACKERS,
        ("trainer_a", "admin"),
        _media_bindings,
    ),
    Realm(
        "certificates",
        "/certificates/",
        frozenset({"public_id"}),
        LEARNER_ATTACKERS,
        ("learner_a", "admin"),
        _certificate_bindings,
    ),
    Realm(
        "mine",
        "/my/",
        frozenset({"claim_id", "holding_id", "notification_id"}),
        LEARNER_ATTACKERS,
        ("learner_a", "admin"),
        _mine_bindings,
    ),
    Realm(
        "learning",
        "/courses/",
        frozenset({"slug", "position", "attempt_id"}),
        LEARNER_ATTACKERS,
        ("learner_a",),
        _learning_bindings,
    ),
)


def rules_with_arguments(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.arguments),
        key=lambda r: (r.rule, r.endpoint),
    )


def realm_of(app: Flask, rule: Rule) -> Realm | None:
    path = rule.rule.removeprefix(app.config.get("LMS_URL_PREFIX", ""))
    return next((realm for realm in REALMS if path.startswith(realm.prefix)), None)


def methods_of(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - IGNORED_METHODS)


def covered_rules(app: Flask) -> list[tuple[Rule, Realm]]:
    """Every rule with an argument and its realm; fails naming what is neither covered nor
    allowlisted."""
    found, problems = [], []
    for rule in rules_with_arguments(app):
        if rule.endpoint in ALLOWLIST:
            continue
        realm = realm_of(app, rule)
        if realm is None:
            problems.append(f"{rule.rule} ({rule.endpoint}): no realm; cover it or allowlist it")
        elif not set(rule.arguments) <= realm.arguments:
            unknown = set(rule.arguments) - realm.arguments
            problems.append(f"{rule.rule}: teach the {realm.name} realm the argument(s) {unknown}")
        else:
            found.append((rule, realm))
    assert not problems, "\n".join(problems)
    return found


def url_of(rule: Rule, binding: Binding, realm: Realm) -> str:
    built = rule.build(binding.values, append_unknown=False)
    assert built is not None, (rule.rule, binding)
    path = built[1]
    return f"{path}?{realm.query}" if realm.query else path


# Sending and judging ------------------------------------------------------------------------------


def probe_form(world: World, actor: Actor, binding: Binding) -> dict[str, Any]:
    """Plausible fields for every form behind these routes, so a missing ownership check
    would show as a success, plus fields an attacker might hope to smuggle in."""
    a_id = world.user_id("learner_a")
    return {
        "csrf_token": actor.token,
        "reason": "Probing someone else's record",
        "credit_reason": "Probing someone else's record",  # a claim over the credit estimate
        "role": "admin",
        "direction": "down",
        "sure": "yes",
        "email": world.actors["learner_b"].email,
        "number": "IDOR-1",
        "approved_on": "2026-03-01",
        "expires_on": "2027-02-28",
        "title": "Taken over",
        "summary": "Taken over",
        "provider": "Taken over",
        "body": "Taken over",
        "media_url": "",
        "media_minutes": "0",
        "credits": "1",
        "pass_percent": "70",
        "certification": [str(world.certification_id)],
        "prompt": "Taken over?",
        "answer": "true",
        "points": "1",
        "grading_method": "highest",
        "cooldown_minutes": "0",
        "review_shows": "score",
        "review_when": "immediately",
        "code": "CCT",  # the certification in the admin's addresses
        "name": "Carpet Cleaning Technician",
        "credits_required": "4.5",
        "credit_unit": "CEC",
        "cycle_years": "3",
        "minutes_per_credit": "420",
        "credit_step": "0.25",
        "text": "::Q1:: Taken over? {T}",
        "user_id": str(a_id),
        "owner_id": str(actor.user_id or ""),
        **binding.form,
    }


def send(actor: Actor, method: str, url: str, data: dict[str, Any]) -> TestResponse:
    if method == "GET":
        response = actor.web.client.get(url)
    else:
        response = actor.web.client.open(url, method=method, data=data)
    response.get_data()  # read (and close) streamed files
    response.close()
    return response


def refusal_problem(actor: Actor, response: TestResponse, markers: Iterable[str]) -> str | None:
    """Why the response is not a refusal, or None."""
    status = response.status_code
    if actor.name == "anonymous" and status == 302:
        if "/login" not in response.headers.get("Location", ""):
            return f"302 to {response.headers.get('Location')}, not to the sign-in page"
    elif status not in (403, 404):
        return f"status {status}"
    return leak_problem(response, markers)


def leak_problem(response: TestResponse, markers: Iterable[str]) -> str | None:
    body = html.unescape(response.get_data(as_text=True)) if _is_text(response) else ""
    leaked = [m for m in markers if m in body]
    return f"shows {leaked}" if leaked else None


def _is_text(response: TestResponse) -> bool:
    return response.mimetype.startswith(("text/", "application/json"))


Rows = dict[str, tuple[tuple[str, ...], frozenset[tuple[str, ...]]]]


def snapshot(app: Flask) -> Rows:
    """Every row of every table (but UNCOMPARED_TABLES), as text."""
    rows: Rows = {}
    with app.app_context(), _db(app).get_bind().connect() as connection:
        for metadata in ALL_METADATA:
            for table in metadata.sorted_tables:
                if table.name in UNCOMPARED_TABLES:
                    continue
                names = tuple(c.name for c in table.columns)
                found = connection.execute(select(table)).all()
                rows[table.name] = (names, frozenset(tuple(map(repr, r)) for r in found))
    return rows


def changed_rows(before: Rows, after: Rows) -> list[tuple[str, dict[str, str]]]:
    changes = []
    for table, (names, old) in after.items():
        for row in old ^ before.get(table, (names, frozenset()))[1]:
            changes.append((table, dict(zip(names, row, strict=True))))
    return changes


def foreign_changes(app: Flask, before: Rows, after: Rows, user_id: int) -> list[str]:
    """Changed rows that are not the person's own (their enrolments, completions, attempts)."""
    own_enrolments = {
        repr(i) for i in _scalars(app, select(Enrolment.id).where(Enrolment.user_id == user_id))
    }
    foreign = []
    for table, row in changed_rows(before, after):
        if row.get("user_id") == repr(user_id):
            continue
        if table == "lms_module_completion" and row["enrolment_id"] in own_enrolments:
            continue
        foreign.append(f"{table} {row.get('id')}")
    return foreign


def _describe(rule: Rule, method: str, url: str, actor: Actor, binding: Binding) -> str:
    return f"{method} {url} [{rule.endpoint}; {binding.label}] as {actor.name}"


# The walk --------------------------------------------------------------------------------------


def test_every_route_with_an_argument_is_in_the_matrix_or_allowlisted(app: Flask) -> None:
    covered = covered_rules(app)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    listed = (
        set(ALLOWLIST)
        | set(PUBLIC_WITHOUT_ARGUMENTS)
        | set(PUBLIC_ONCE_PUBLISHED)
        | set(SHARED_LISTINGS)
    )
    stale = sorted(listed - endpoints)
    assert not stale, f"allowlisted endpoints that no longer exist: {stale}"
    with_arguments = {r.endpoint for r in rules_with_arguments(app)}
    assert not set(PUBLIC_WITHOUT_ARGUMENTS) & with_arguments
    realms = {realm.name for _rule, realm in covered}
    assert realms == {realm.name for realm in REALMS}, realms  # no realm left without routes
    assert len(covered) >= 55, len(covered)
    print(
        f"\nroutes with an argument: {len(covered)} in the matrix, "
        f"{len(with_arguments & set(ALLOWLIST))} allowlisted"
    )


@dataclass
class Tally:
    requests: int = 0
    self_scoped: int = 0
    triples: set[tuple[str, str, str]] = field(default_factory=set)
    routes: set[str] = field(default_factory=set)


def _attack_problem(
    world: World, actor: Actor, binding: Binding, response: TestResponse, before: Rows, after: Rows
) -> str | None:
    markers = world.markers(actor)
    if binding.self_scoped and actor.user_id is not None:
        # A public course's page, answered about the caller's own enrolment: any status but
        # an error, nobody else's text, and only the caller's own rows changed.
        foreign = foreign_changes(world.app, before, after, actor.user_id)
        if foreign:
            return f"changed others' rows {foreign}"
        if response.status_code >= 500:
            return f"status {response.status_code}"
        return leak_problem(response, markers)
    changes = changed_rows(before, after)
    if changes:
        return f"changed {[(table, row.get('id')) for table, row in changes]}"
    return refusal_problem(actor, response, markers)


def attack(world: World) -> Tally:
    """Every covered route x method x binding x attacker; fails listing every success."""
    app = world.app
    tally = Tally()
    problems: list[str] = []
    for rule, realm in covered_rules(app):
        for binding in realm.bindings(world, rule):
            url = url_of(rule, binding, realm)
            for method in methods_of(rule):
                before = snapshot(app)
                for name in (*realm.attackers, *binding.also_refused):
                    actor = world.actors[name]
                    where = _describe(rule, method, url, actor, binding)
                    try:
                        response = send(actor, method, url, probe_form(world, actor, binding))
                    except Exception as exc:  # the test client re-raises a view's error
                        problems.append(f"{where}: raised {exc!r}")
                        before = snapshot(app)
                        continue
                    after = snapshot(app)
                    tally.requests += 1
                    tally.self_scoped += binding.self_scoped
                    tally.triples.add((rule.rule, method, name))
                    tally.routes.add(rule.rule)
                    problem = _attack_problem(world, actor, binding, response, before, after)
                    if problem:
                        problems.append(f"{where}: {problem}")
                    before = after
    assert not problems, "\n".join(problems)
    return tally


def _reached(response: TestResponse, method: str) -> bool:
    """The owner got through to the object: a page or a redirect, or for a POST the 409 of an
    action the object's state refuses (publishing a version that is not approved, ...)."""
    status = response.status_code
    if status == 302 and "/login" in response.headers.get("Location", ""):
        return False
    if method == "GET":
        return status in (200, 302)
    return status in (200, 302, 409)


def _destructive(rule: Rule) -> int:
    """Run removals after everything else, and the role change last of all."""
    if "role" in rule.endpoint:
        return 2
    return 1 if any(w in rule.endpoint for w in ("delete", "remove", "cancel", "retire")) else 0


def open_as_owner(world: World) -> int:
    """The same addresses, by their owner (else an admin, where the page is the admin's):
    GETs first, then POSTs, removals last. Returns how many addresses were reached."""
    tried: list[tuple[int, str, Rule, Realm]] = []
    for rule, realm in covered_rules(world.app):
        for method in methods_of(rule):
            order = 0 if method == "GET" else 1 + _destructive(rule)
            tried.append((order, method, rule, realm))
    problems = []
    reached = 0
    for _order, method, rule, realm in sorted(tried, key=lambda t: (t[0], t[2].rule, t[1])):
        for binding in realm.bindings(world, rule):
            if not binding.legit:
                continue
            url = url_of(rule, binding, realm)
            answers = []
            for name in realm.legit:
                actor = world.actors[name]
                response = send(actor, method, url, probe_form(world, actor, binding))
                answers.append(f"{name}: {response.status_code}")
                if _reached(response, method):
                    reached += 1
                    break
            else:
                problems.append(f"{method} {url} [{binding.label}]: {answers}")
    assert not problems, "the owner cannot open these:\n" + "\n".join(problems)
    return reached


def test_cross_access_never_succeeds_while_the_owners_get_through(world: World) -> None:
    tally = attack(world)
    print(
        f"\nIDOR pairs tried: {len(tally.triples)} (route x method x attacker) over "
        f"{len(tally.routes)} routes, in {tally.requests} requests "
        f"({tally.self_scoped} of them on a public course's self-scoped pages)"
    )
    assert len(tally.triples) >= 250, len(tally.triples)
    # Not vacuous: the owner (or an admin) opens the very same addresses.
    reached = open_as_owner(world)
    print(f"the same addresses reached by their owner or an admin: {reached}")
    assert reached >= 70, reached


# Query strings and pages without an argument ----------------------------------------------------


def test_query_strings_never_widen_a_page_to_someone_elses_records(world: World) -> None:
    """Pages without an id in the path (the transcript's cycles, the compliance page, the
    dashboard, the studio's lists) answer about the signed-in person, whatever the query says."""
    app = world.app
    a_id = world.user_id("learner_a")
    certified_on = _scalar(app, select(Holding.certified_on).where(Holding.id == world.holding))
    query = (
        f"?user_id={a_id}&user={a_id}&id={a_id}&learner={a_id}&owner_id={a_id}"
        f"&rule=CCT&start={certified_on}&all=1&claim_id={world.claims[0]}"
        f"&event_id={world.event_a}&certificate={world.certificate}"
    )
    pairs = 0
    problems = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.arguments or "GET" not in (rule.methods or set()):
            continue
        for name in ("learner_b", "trainer_b", "anonymous"):
            actor = world.actors[name]
            response = send(actor, "GET", rule.rule + query, {})
            pairs += 1
            markers = world.markers(actor)
            if rule.endpoint in SHARED_LISTINGS:
                plain = send(actor, "GET", rule.rule, {})
                markers = [m for m in markers if not leak_problem(plain, [m])]
            problem = (
                f"status {response.status_code}"
                if response.status_code >= 500
                else leak_problem(response, markers)
            )
            if problem:
                problems.append(f"GET {rule.rule}{query} as {name}: {problem}")
    assert not problems, "\n".join(problems)
    assert pairs >= 60, pairs
    # The oracle works: learner A's own transcript does show her records.
    own = world.actors["learner_a"].web.get("/my/transcript?all=1").get_data(as_text=True)
    assert MARK in html.unescape(own)


# The allowlist, checked --------------------------------------------------------------------------


def test_allowlisted_routes_behave_as_their_reason_says(world: World) -> None:
    app = world.app
    anonymous, learner_b = world.actors["anonymous"], world.actors["learner_b"]
    # Verification is public; the learner's own certificate page is not.
    assert anonymous.web.get(f"/verify/{world.certificate}").status_code == 200
    assert anonymous.web.get(f"/credentials/{world.certificate}").status_code == 200
    assert anonymous.web.get("/issuer").status_code == 200
    assert anonymous.web.get("/status/revocation").status_code == 200
    # The catalogue shows published courses only.
    assert anonymous.web.get(f"/courses/{DEMO_SLUG}").status_code == 200
    for name in ("anonymous", "learner_b", "trainer_b", "learner_a"):
        page = world.actors[name].web.get(f"/courses/{world.draft_only_slug}")
        assert page.status_code == 404, name
    # A reset link without a valid token changes nothing.
    assert anonymous.web.get("/reset/not-a-token").status_code == 400
    # The QR's signed link: a forged token is refused; a real one checks in the caller only.
    page = world.actors["trainer_a"].web.get(f"/studio/events/{world.event_a}")
    match = re.search(r'href="https?://[^/"]+(/events/checkin/[^"]+)"', page.get_data(True))
    assert match, "the event page shows no check-in link"
    link = html.unescape(match.group(1))
    forged = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    assert learner_b.web.get(forged).status_code == 400
    before = snapshot(app)
    assert learner_b.web.get(link).status_code == 200
    assert changed_rows(before, snapshot(app)) == []  # a GET never checks anyone in
    posted = send(learner_b, "POST", link, {"csrf_token": learner_b.token, "user_id": "1"})
    assert posted.status_code == 302
    rows = _scalars(app, select(Attendance).where(Attendance.event_id == world.event_a))
    assert sorted(a.user_id for a in rows) == sorted(
        [world.user_id("learner_a"), world.user_id("learner_b")]
    )
    assert foreign_changes(app, before, snapshot(app), world.user_id("learner_b")) == []
    # A draft's file is private (the matrix); once a published version shows it, it is public.
    media_id, filename = world.media
    file_url = f"/media/{media_id}/{filename}"
    assert anonymous.web.get(file_url).status_code == 404
    trainer, admin = world.actors["trainer_a"], world.actors["admin"]
    draft = f"/studio/courses/{DEMO_SLUG}/v2"
    approval = {"number": "IICRC-CEC-26-0042", "approved_on": "2026-03-01"}
    approval["expires_on"] = "2027-02-28"
    reason = {"credit_reason": "A practical session makes up the difference."}
    _ok(send(trainer, "POST", f"{draft}/submit", {"csrf_token": trainer.token, **reason}), "submit")
    approve = f"/admin/approvals/{world.versions[2]}/approve"
    _ok(send(admin, "POST", approve, {"csrf_token": admin.token, **approval}), "approve")
    _ok(send(trainer, "POST", f"{draft}/publish", {"csrf_token": trainer.token}), "publish")
    assert anonymous.web.get(file_url).status_code == 200
    # Static files are the same for everyone, signed in or not.
    for actor in (anonymous, learner_b):
        assert send(actor, "GET", "/_static/style.css", {}).status_code == 200
    # An event's page is for signed-in people; registering names nobody but the caller.
    assert anonymous.web.get(f"/events/{world.event_a}").status_code == 302
    assert anonymous.web.get("/calendar/" + "A" * 43 + ".ics").status_code == 404
    before = snapshot(app)
    form = {"csrf_token": learner_b.token, "user_id": str(world.user_id("learner_a"))}
    registered = send(learner_b, "POST", f"/events/{world.event_a}/register", form)
    assert registered.status_code in (302, 409)  # 409: the world's event may have started
    assert foreign_changes(app, before, snapshot(app), world.user_id("learner_b")) == []
