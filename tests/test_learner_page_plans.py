"""The learner's pages at scale: each sends the same number of statements with 10 and with
1,000 rows of everything that grows with use (courses, enrolments, module completions,
certificates, credit entries, other learners), and none of the dashboard's, the catalogue's
or the other learner pages' statements reads a growing table whole.

Counts, not timings: a statement that reads one more table whole, or one more statement per
row, is what makes a page that is fast in a test slow at a real provider's size. The rows are
bulk-inserted, not made through the pages, so the test stays quick.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert, select, update

from certificates import Certificate
from lms.accounts.models import User
from lms.catalogue.models import Certification, Course, Holding, Module, Provider
from lms.catalogue.models import course_certification as course_certification_table
from lms.credits.models import CreditEntry, LedgerHead
from lms.learning.models import Enrolment, ModuleCompletion
from lms.models import ALL_METADATA
from tests.conftest import DEMO_SLUG, Web, complete_modules, start_quiz
from tests.query_plans import full_scans, statements_of

#: Real tables: SQLite's plan also names a subquery it materializes ("SCAN anon_1"), which
#: reads only the rows the subquery found.
TABLES = frozenset(name for metadata in ALL_METADATA for name in metadata.tables)
PAGES = {
    "dashboard": "/dashboard",
    "catalogue": "/",
    "compliance": "/my/compliance",
    "transcript": "/my/transcript",
    "transcript, all time": "/my/transcript?all=1",
    "course": f"/courses/{DEMO_SLUG}",
}


class Growth:
    """Adds rows of every kind that grows with use, in bulk: courses with modules and
    certifications, other learners, and for ``learner``: enrolments with completions, credit
    entries (some with certificates, some reversed) spread over three years."""

    def __init__(self, app: Flask, learner_id: int, today: date) -> None:
        self.app = app
        self.learner_id = learner_id
        self.today = today
        self.serial = count(1)

    def add(self, n: int) -> None:
        with self.app.app_context():
            db = self.app.extensions["lms"].db.session
            self._add(db, n)
            db.commit()
            db.remove()

    def _add(self, db: Any, n: int) -> None:
        batch = [next(self.serial) for _ in range(n)]
        now = self.today
        provider = db.scalars(select(Provider.id)).first()
        certifications = list(db.scalars(select(Certification.id)))
        db.execute(
            insert(User),
            [
                {"email": f"grown{k}@example.org", "name": f"Grown {k}", "created_at": now}
                for k in batch
            ],
        )
        others = list(db.scalars(select(User.id).where(User.email.like("grown%"))))
        db.execute(
            insert(Course),
            [
                {
                    "slug": f"grown-{k}",
                    "title": f"Grown course {k:05d}",
                    "summary": "More practice.",
                    "provider_id": provider,
                    "credits": Decimal("1"),
                    "status": "published",
                    "published_at": now,
                    "approval_expires_on": now + timedelta(days=365),
                    "created_at": now,
                }
                for k in batch
            ],
        )
        courses = dict(
            db.execute(
                select(Course.slug, Course.id).where(Course.slug.in_([f"grown-{k}" for k in batch]))
            ).all()
        )
        course_ids = [courses[f"grown-{k}"] for k in batch]
        db.execute(
            insert(course_certification_table),
            [
                {"course_id": c, "certification_id": certifications[i % len(certifications)]}
                for i, c in enumerate(course_ids)
            ],
        )
        db.execute(
            insert(Module),
            [
                {"course_id": c, "position": p, "title": f"Part {p}", "body": "Text."}
                for c in course_ids
                for p in (1, 2)
            ],
        )
        db.execute(
            insert(Enrolment),
            [
                {
                    "user_id": self.learner_id,
                    "course_id": c,
                    "course_version": 1,
                    "enrolled_at": now,
                    "completed_at": now if i % 2 else None,
                }
                for i, c in enumerate(course_ids)
            ],
        )
        enrolments = list(
            db.scalars(select(Enrolment.id).where(Enrolment.course_id.in_(course_ids)))
        )
        modules = dict(
            db.execute(
                select(Module.course_id, Module.id).where(
                    Module.course_id.in_(course_ids), Module.position == 1
                )
            ).all()
        )
        enrolled = dict(
            db.execute(
                select(Enrolment.id, Enrolment.course_id).where(Enrolment.id.in_(enrolments))
            ).all()
        )
        db.execute(
            insert(ModuleCompletion),
            [
                {"enrolment_id": e, "module_id": modules[enrolled[e]], "completed_at": now}
                for e in enrolments
            ],
        )
        db.execute(
            insert(Certificate),
            [
                {
                    "public_id": secrets.token_urlsafe(18),
                    "award_key": f"grown:{k}",
                    "facts": {"learner_name": "Grown"},
                    "digest": "0" * 64,
                    "issued_at": now,
                    "status_index": 500_000 + k,
                }
                for k in batch
            ],
        )
        certificates = list(
            db.scalars(
                select(Certificate.id).where(
                    Certificate.award_key.in_([f"grown:{k}" for k in batch])
                )
            )
        )
        head = db.scalars(select(LedgerHead.seq).where(LedgerHead.id == 1)).one()
        rows = []
        for i, k in enumerate(batch):
            # Half the learner's, half other people's; dated over the last three years.
            mine = i % 2 == 0
            rows.append(
                {
                    "user_id": self.learner_id if mine else others[i % len(others)],
                    "source": ("external_claim", "class_roster", "event")[i % 3],
                    "source_ref": f"grown:{k}",
                    "course_id": course_ids[i] if i % 3 == 0 else None,
                    "certificate_id": certificates[i] if i % 3 == 0 else None,
                    "description": f"Grown activity {k}",
                    "credits": Decimal("0.5"),
                    "credit_unit": "CEC",
                    "earned_on": now - timedelta(days=(k * 37) % 1100),
                    "cycles": [],
                    "created_at": now,
                }
            )
        for offset, row in enumerate(rows, start=1):
            seq = head + offset
            row.update(
                seq=seq,
                prev_hash=hashlib.sha256(f"grown-prev-{seq}".encode()).hexdigest(),
                entry_hash=hashlib.sha256(f"grown-{seq}".encode()).hexdigest(),
            )
        db.execute(insert(CreditEntry), rows)
        seq = head + len(rows)
        # Every tenth of the learner's new entries reversed by a correction.
        reversed_ids = list(
            db.scalars(
                select(CreditEntry.id)
                .where(
                    CreditEntry.user_id == self.learner_id,
                    CreditEntry.source_ref.in_([f"grown:{k}" for k in batch[::20]]),
                )
                .order_by(CreditEntry.id)
            )
        )
        corrections = []
        for entry_id in reversed_ids:
            seq += 1
            corrections.append(
                {
                    "user_id": self.learner_id,
                    "source": "reversal",
                    "source_ref": f"entry:{entry_id}",
                    "description": "Correction of: grown",
                    "credits": Decimal("-0.5"),
                    "credit_unit": "CEC",
                    "earned_on": now,
                    "cycles": [],
                    "reverses_id": entry_id,
                    "reason": "Evidence was for another course",
                    "created_at": now,
                    "seq": seq,
                    "prev_hash": hashlib.sha256(f"grown-prev-{seq}".encode()).hexdigest(),
                    "entry_hash": hashlib.sha256(f"grown-{seq}".encode()).hexdigest(),
                }
            )
        if corrections:
            db.execute(insert(CreditEntry), corrections)
        db.execute(update(LedgerHead).where(LedgerHead.id == 1).values(seq=seq))


@pytest.fixture
def learner(app: Flask, demo: None, create_user: Callable[..., Any], clock: Any) -> Any:
    """A signed-in learner holding two certifications (so every page computes standings)."""
    user = create_user()
    with app.app_context():
        db = app.extensions["lms"].db.session
        codes = dict(db.execute(select(Certification.code, Certification.id)).all())
        db.execute(
            insert(Holding),
            [
                {
                    "user_id": user.id,
                    "certification_id": codes[code],
                    "number": f"{code}-1234",
                    "certified_on": clock().date() - timedelta(days=400),
                    "created_at": clock(),
                }
                for code in ("CCT", "WRT")
            ],
        )
        db.commit()
        db.remove()
    web = Web(app.test_client())
    web.login(user.email, user.plain_password)
    user.web = web
    user.growth = Growth(app, user.id, clock().date())
    return user


def _engine(app: Flask) -> Any:
    with app.app_context():
        return app.extensions["lms"].db.engine


def _counts(app: Flask, requests: dict[str, Callable[[], Any]]) -> dict[str, tuple[int, int]]:
    """Statements per request: (the first after the data changed, a second one)."""
    engine = _engine(app)
    found = {}
    for name, send in requests.items():
        first = statements_of(engine, send)
        again = statements_of(engine, send)
        found[name] = (len(first), len(again))
    return found


def _page_requests(learner: Any, anonymous: Web) -> dict[str, Callable[[], Any]]:
    requests: dict[str, Callable[[], Any]] = {
        name: (lambda path=path: _ok(learner.web.get(path))) for name, path in PAGES.items()
    }
    requests["catalogue, signed out"] = lambda: _ok(anonymous.get("/"))
    requests["course, signed out"] = lambda: _ok(anonymous.get(f"/courses/{DEMO_SLUG}"))
    return requests


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def test_the_learner_pages_cost_the_same_at_10_and_1000_rows(app, learner):
    anonymous = Web(app.test_client())
    requests = _page_requests(learner, anonymous)
    learner.growth.add(10)
    few = _counts(app, requests)
    learner.growth.add(990)
    many = _counts(app, requests)
    assert many == few
    # A later page of each list costs what the first does.
    later = _counts(
        app,
        {
            "dashboard": lambda: _ok(learner.web.get("/dashboard?courses=3&log=4")),
            "catalogue": lambda: _ok(learner.web.get("/?page=5")),
            "transcript, all time": lambda: _ok(learner.web.get("/my/transcript?all=1&page=2")),
        },
    )
    assert {name: again for name, (_, again) in later.items()} == {
        name: many[name][1] for name in later
    }
    # What a learner would notice: the lists are paged, their totals count every row.
    dashboard = learner.web.get("/dashboard?log=10").get_data(as_text=True)
    assert 'aria-current="page">10</a>' in dashboard and "Grown activity" in dashboard
    catalogue = anonymous.get("/?page=2").get_data(as_text=True)
    assert "Grown course" in catalogue and 'rel="prev"' in catalogue
    # The numbers of the largest page: a few statements each, not one per row.
    assert max(first for first, _ in many.values()) <= 9
    assert many["dashboard"][1] <= 5 and many["catalogue, signed out"][1] <= 3


def test_autosave_costs_the_same_at_10_and_1000_rows(app, learner):
    web = learner.web
    web.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    complete_modules(web, DEMO_SLUG)
    attempt = start_quiz(web, DEMO_SLUG)
    token = web.token(f"/courses/{DEMO_SLUG}/quiz")

    def save() -> Any:
        response = web.client.post(
            f"/courses/{DEMO_SLUG}/quiz/{attempt}/save",
            data={"csrf_token": token},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200 and response.json["saved"], response.data
        return response

    learner.growth.add(10)
    few = _counts(app, {"autosave": save})
    learner.growth.add(990)
    many = _counts(app, {"autosave": save})
    assert many == few
    assert many["autosave"][1] <= 6


# PostgreSQL's planner reads a small table whole whatever its indexes, so full_scans prices
# sequential scans out (SET enable_seqscan = off): a Seq Scan that remains has no index to use.
def test_no_learner_page_reads_a_growing_table_whole(app, learner):
    learner.growth.add(300)
    engine = _engine(app)
    anonymous = Web(app.test_client())
    requests = _page_requests(learner, anonymous)
    requests["dashboard, later pages"] = lambda: _ok(learner.web.get("/dashboard?courses=2&log=3"))
    requests["catalogue, page 2"] = lambda: _ok(anonymous.get("/?page=2"))
    for name, send in requests.items():
        send()  # the standings are computed and kept: the next visit is the usual one
        for sent in (statements_of(engine, send),):
            scans = [(table, sql) for table, sql in full_scans(engine, sent) if table in TABLES]
            assert scans == [], name


def test_a_page_number_past_the_end_or_not_a_number(app, learner):
    learner.growth.add(10)
    assert learner.web.get("/dashboard?log=99").status_code == 404
    assert learner.web.get("/?page=99").status_code == 404
    for bad in ("0", "-1", "two", "1e3", "9999999"):
        response = learner.web.get(f"/?page={bad}")
        assert response.status_code == 400, bad
        assert "page number" in response.get_data(as_text=True)


@pytest.mark.parametrize("prefix", ["", "/learn"])
def test_links_made_once_per_page_match_url_for(database_url, tmp_path, prefix):
    from flask import url_for

    from lms.links import link_maker
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path / "instance", LMS_URL_PREFIX=prefix)
    with app.test_request_context("/", base_url="https://lms.example/host-root/"):
        for endpoint, key, value in (
            ("lms.catalogue.course", "slug", "hot-water-extraction-2"),
            ("lms.awards.verify_page", "public_id", "Zk3vQ9_x-Y"),
            ("lms.learning.resume", "slug", "a"),
        ):
            assert link_maker(endpoint, key)(value) == url_for(endpoint, **{key: value})
            assert link_maker(endpoint, key)(value).startswith(f"/host-root{prefix}/")
