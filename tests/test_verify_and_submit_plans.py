"""The verification page and a passing quiz submission at scale: a fixed number of
statements whatever the number of certificates, and none that reads a growing table whole.

At 100,000 certificates the verification page once took 2.5 s, because two of its five
statements read every certificate (the status list's revoked count, the replacement lookup).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import insert

from certificates import Certificate
from certificates.revision import bump_revision
from tests.conftest import Web, answer_key, complete_modules, start_quiz
from tests.query_plans import full_scans, statements_of
from tests.test_open_badges import SLUG, passed_certificate


def _add_certificates(app, count: int, clock, revoked_every: int = 10) -> None:  # noqa: ANN001
    """``count`` certificates in one statement, every ``revoked_every``-th one revoked."""
    issued = clock() - timedelta(days=30)
    rows = [
        {
            "public_id": secrets.token_urlsafe(18),
            "award_key": f"bulk:{secrets.token_hex(8)}",
            "facts": {"learner_name": f"Bulk {n}"},
            "digest": "0" * 64,
            "issued_at": issued,
            "revoked_at": issued if n % revoked_every == 0 else None,
            "revocation_reason": "bulk" if n % revoked_every == 0 else None,
            "status_index": 100_000 + n,
        }
        for n in range(count)
    ]
    with app.app_context():
        db = app.extensions["lms"].db.session
        db.execute(insert(Certificate), rows)
        bump_revision(db)  # revocations among them: every process rebuilds its list
        db.commit()
        db.remove()


def _engine(app):  # noqa: ANN001, ANN202
    with app.app_context():
        return app.extensions["lms"].db.engine


def _revoke(app, public_id: str) -> None:  # noqa: ANN001
    web = Web(app.test_client())
    web.login("admin@example.com", "admin-demo-pass")
    page = f"/certificates/{public_id}"
    assert (
        web.submit(page, {"reason": "Course must be retaken"}, action=f"{page}/revoke").status_code
        == 302
    )


def test_the_verification_page_costs_the_same_at_10_and_1000_certificates(
    app, demo, create_user, clock
):
    _, valid = passed_certificate(app, create_user)
    _, revoked = passed_certificate(app, create_user)
    _revoke(app, revoked)
    client = app.test_client()
    engine = _engine(app)
    for public_id in (valid, revoked):
        client.get(f"/verify/{public_id}")  # this process builds the status list once
    few = {
        p: statements_of(engine, lambda p=p: client.get(f"/verify/{p}")) for p in (valid, revoked)
    }
    _add_certificates(app, 1000, clock)
    many = {}
    for public_id in (valid, revoked):
        client.get(f"/verify/{public_id}")  # the list changed: rebuilt once, then reused
        many[public_id] = statements_of(engine, lambda p=public_id: client.get(f"/verify/{p}"))
    # one statement: the certificate with the issuer's revision (the documents are cached)
    assert len(many[valid]) == len(few[valid]) == 1
    assert len(many[revoked]) == len(few[revoked]) == 2  # plus the replacement lookup
    page = client.get(f"/verify/{revoked}").get_data(as_text=True)
    assert "Revoked certificate" in page and "Course must be retaken" in page
    for sent in many.values():
        assert full_scans(engine, sent) == []


def test_a_revocation_rebuilds_the_list_without_reading_every_certificate(
    app, demo, create_user, clock
):
    _, public_id = passed_certificate(app, create_user)
    _add_certificates(app, 300, clock)
    client = app.test_client()
    engine = _engine(app)
    _revoke(app, public_id)
    sent = statements_of(engine, lambda: client.get("/status/revocation"))
    assert full_scans(engine, sent) == []
    assert (
        client.get(f"/verify/{public_id}", headers={"Accept": "application/json"}).json["verdict"]
        == "revoked"
    )


def test_a_passing_submission_reads_no_growing_table_whole(app, demo, create_user, clock):
    passed_certificate(app, create_user)  # the first signature creates the issuer key
    _add_certificates(app, 500, clock)
    learner = create_user()
    web = Web(app.test_client())
    web.login(learner.email, learner.plain_password)
    web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")
    complete_modules(web, SLUG)
    attempt = start_quiz(web, SLUG)
    engine = _engine(app)
    sent = statements_of(
        engine,
        lambda: web.submit(
            f"/courses/{SLUG}/quiz", answer_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{attempt}"
        ),
    )
    submitted = [s for s in sent if "quiz_attempt SET state" in s.statement]
    assert submitted, "the submission was not sent"
    assert full_scans(engine, sent) == []
