"""A learner records their certification numbers; certificates and rosters print them."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import DEMO_SLUG, Web, answer_key, complete_modules, signed_in, start_quiz

PAGE = "/my/certifications"


def _cert_id(app, code: str) -> int:
    from lms.catalogue.models import Certification

    with app.app_context():
        db = app.extensions["lms"].db.session
        return db.scalars(select(Certification.id).where(Certification.code == code)).one()


def _holding_count(app) -> int:
    from lms.catalogue.models import Holding

    with app.app_context():
        return app.extensions["lms"].db.session.scalar(select(func.count()).select_from(Holding))


def _learner(app, create_user) -> Web:
    user = create_user()
    return signed_in(app, user.email, user.plain_password)


def test_a_number_is_recorded_corrected_and_printed_on_the_certificate(app, demo, create_user):
    learner = _learner(app, create_user)
    cct = _cert_id(app, "CCT")
    saved = learner.submit(
        PAGE, {"certification_id": cct, "number": "CCT-1", "certified_on": "2024-03-01"}
    )
    assert saved.status_code == 302
    learner.submit(
        PAGE, {"certification_id": cct, "number": "CCT 778812", "certified_on": "2024-03-01"}
    )
    page = learner.get(PAGE).get_data(as_text=True)
    assert "CCT 778812" in page and "CCT-1<" not in page and _holding_count(app) == 1

    learner.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    complete_modules(learner, DEMO_SLUG)
    attempt = start_quiz(learner, DEMO_SLUG)
    quiz = f"/courses/{DEMO_SLUG}/quiz"
    learner.submit(quiz, answer_key(app, DEMO_SLUG), action=f"{quiz}/{attempt}")
    certificate = learner.get(quiz).get_data(as_text=True).split('href="')
    link = next(p.split('"')[0] for p in certificate if p.startswith("/certificates/"))
    assert "CCT CCT 778812" in learner.get(link).get_data(as_text=True)


def test_bad_entries_are_refused_with_a_message_and_nothing_saved(app, demo, create_user):
    learner = _learner(app, create_user)
    cct = _cert_id(app, "CCT")
    cases = [
        (
            {"certification_id": "999999", "number": "1", "certified_on": "2024-01-01"},
            "Choose a certification",
        ),
        (
            {"certification_id": "x", "number": "1", "certified_on": "2024-01-01"},
            "Choose a certification",
        ),
        (
            {"certification_id": cct, "number": "", "certified_on": "2024-01-01"},
            "certification number",
        ),
        (
            {"certification_id": cct, "number": "=cmd|' /C calc'!A0", "certified_on": "2024-01-01"},
            "certification number",
        ),
        ({"certification_id": cct, "number": "1", "certified_on": "yesterday"}, "YYYY-MM-DD"),
        ({"certification_id": cct, "number": "1", "certified_on": "2999-01-01"}, "past date"),
    ]
    for data, message in cases:
        response = learner.submit(PAGE, data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert _holding_count(app) == 0


def test_one_learner_cannot_remove_anothers_holding(app, demo, create_user):
    owner, other = _learner(app, create_user), _learner(app, create_user)
    owner.submit(
        PAGE,
        {"certification_id": _cert_id(app, "WRT"), "number": "W1", "certified_on": "2023-05-05"},
    )
    from lms.catalogue.models import Holding

    with app.app_context():
        holding_id = app.extensions["lms"].db.session.scalars(select(Holding.id)).one()
    assert other.submit(PAGE, action=f"{PAGE}/{holding_id}/remove").status_code == 404
    assert _holding_count(app) == 1
    assert owner.submit(PAGE, action=f"{PAGE}/{holding_id}/remove").status_code == 302
    assert _holding_count(app) == 0
