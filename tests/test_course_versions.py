"""Course versions and their lifecycle: learners keep the version they began, certificates
name it, and no credit is awarded once the certifying body's approval has lapsed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_SLUG, Web, answer_key, complete_modules, signed_in, start_quiz

VERSIONS = f"/studio/courses/{DEMO_SLUG}/"


def _course(app, version: int):
    from lms.catalogue.operations import course_version

    return course_version(DEMO_SLUG, version)


def _approve(app, version: int, expires_on: date | None = None) -> None:
    from lms.db import session
    from lms.studio import lifecycle

    with app.app_context():
        lifecycle.approve(
            _course(app, version),
            number=f"APP-{version}",
            approved_on=date(2026, 1, 1),
            expires_on=expires_on or date(2030, 1, 1),
            admin_id=1,
        )
        session().commit()


def _step(web: Web, version: int, step: str):
    # The demo course claims more than its credit estimate: a submission gives the reason.
    data = {"credit_reason": "Practical work."} if step == "submit" else None
    if step == "retire":  # retiring is confirmed with a tick
        data = {"sure": "yes"}
    return web.submit(VERSIONS, data, action=f"/studio/courses/{DEMO_SLUG}/v{version}/{step}")


def _learner(app, create_user) -> Web:
    user = create_user()
    return signed_in(app, user.email, user.plain_password)


def _certificate_facts(app, web: Web) -> dict:
    from certificates import Certificate
    from lms.db import session

    page = web.get(f"/courses/{DEMO_SLUG}/quiz").get_data(as_text=True)
    public_id = page.split("/certificates/")[1].split('"')[0]
    with app.app_context():
        cert = (
            session().scalars(select(Certificate).where(Certificate.public_id == public_id)).one()
        )
        return cert.facts


def _revise_version_2(app) -> None:
    """What a trainer's edits would do to the draft: a new title and a changed module."""
    from lms.db import session

    with app.app_context():
        draft = _course(app, 2)
        draft.title = "Hot Water Extraction Fundamentals, 2027 edition"
        draft.modules[0].title = "Pre-inspection, revised"
        session().commit()


def test_a_learner_mid_course_keeps_version_1_and_its_certificate_names_it(
    app, demo, trainer, create_user
):
    early = _learner(app, create_user)
    assert (
        early.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol").status_code
        == 302
    )
    first = early.get(f"/courses/{DEMO_SLUG}/continue").headers["Location"]
    assert early.submit(first, action=first + "/complete").status_code == 302

    assert _step(trainer, 1, "new-version").status_code == 302
    _revise_version_2(app)
    assert _step(trainer, 2, "submit").status_code == 302
    _approve(app, 2)
    assert _step(trainer, 2, "publish").status_code == 302
    with app.app_context():
        assert (_course(app, 1).status, _course(app, 2).status) == ("retired", "published")

    # Newcomers see version 2; the learner mid-course still sees version 1.
    assert "2027 edition" in Web(app.test_client()).get("/").get_data(as_text=True)
    late = _learner(app, create_user)
    assert "2027 edition" in late.get(f"/courses/{DEMO_SLUG}").get_data(as_text=True)
    mine = early.get(f"/courses/{DEMO_SLUG}").get_data(as_text=True)
    assert "2027 edition" not in mine and "<dt>Version</dt><dd>1" in mine
    assert "Pre-inspection, revised" not in early.get(first).get_data(as_text=True)

    complete_modules(early, DEMO_SLUG)
    attempt = start_quiz(early, DEMO_SLUG)
    page = f"/courses/{DEMO_SLUG}/quiz"
    done = early.submit(page, answer_key(app, DEMO_SLUG, version=1), action=f"{page}/{attempt}")
    assert done.status_code == 302
    facts = _certificate_facts(app, early)
    assert (facts["course_version"], facts["course_title"]) == (
        1,
        "Hot Water Extraction Fundamentals",
    )
    assert facts["approval_number"] == "IICRC-CEC-26-0142"

    # A newcomer enrols in, and is certified for, version 2 with its own approval number.
    late.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    complete_modules(late, DEMO_SLUG)
    attempt = start_quiz(late, DEMO_SLUG)
    late.submit(page, answer_key(app, DEMO_SLUG, version=2), action=f"{page}/{attempt}")
    facts = _certificate_facts(app, late)
    assert (facts["course_version"], facts["approval_number"]) == (2, "APP-2")
    assert facts["course_title"].endswith("2027 edition")


def _ready_for_quiz(app, create_user) -> Web:
    learner = _learner(app, create_user)
    learner.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    complete_modules(learner, DEMO_SLUG)
    return learner


def _expiry(app) -> date:
    with app.app_context():
        return _course(app, 1).approval_expires_on


@pytest.mark.parametrize("days_after_expiry, credited", [(0, True), (1, False)])
def test_no_credit_once_the_approval_has_expired(
    app, demo, clock, create_user, days_after_expiry, credited
):
    from lms.credits.models import CreditEntry
    from lms.db import session

    learner = _ready_for_quiz(app, create_user)
    attempt = start_quiz(learner, DEMO_SLUG)  # started while the approval held
    clock.current = clock() + (_expiry(app) - clock().date()) + timedelta(days=days_after_expiry)
    page = f"/courses/{DEMO_SLUG}/quiz"
    learner.submit(page, answer_key(app, DEMO_SLUG), action=f"{page}/{attempt}")
    result = learner.get(f"{page}/{attempt}").get_data(as_text=True)
    assert "You passed" in result
    with app.app_context():
        entries = session().scalar(select(func.count()).select_from(CreditEntry))
    assert entries == (1 if credited else 0)
    assert ("No credit" in result) is not credited
    if not credited:
        assert "IICRC-CEC-26-0142" in result and "expired on" in result


def test_the_learner_is_told_before_starting_and_cannot_enrol_or_start(
    app, demo, clock, create_user
):
    waiting = _ready_for_quiz(app, create_user)
    clock.current = clock() + (_expiry(app) - clock().date()) + timedelta(days=1)

    quiz_page = waiting.get(f"/courses/{DEMO_SLUG}/quiz").get_data(as_text=True)
    assert "No credit" in quiz_page and "Start the quiz" not in quiz_page
    refused = waiting.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/quiz/start")
    assert refused.status_code == 409 and "expired on" in refused.get_data(as_text=True)

    newcomer = _learner(app, create_user)
    assert "No credit: approval expired" in newcomer.get("/").get_data(as_text=True)
    course_page = newcomer.get(f"/courses/{DEMO_SLUG}").get_data(as_text=True)
    assert "No credit" in course_page and "Enrol in this course" not in course_page
    refused = newcomer.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    assert refused.status_code == 409 and "expired on" in refused.get_data(as_text=True)


def test_submission_needs_a_complete_course_and_each_step_happens_once(app, demo, trainer, clock):
    from lms.catalogue.models import Certification, Course
    from lms.db import session
    from lms.studio import lifecycle

    with app.app_context():
        cert = session().scalars(select(Certification)).first()
        empty = lifecycle.create_draft(
            owner_id=_course(app, 1).owner_id,
            title="Odour Control",
            summary="",
            provider_name="Demo Provider",
            credits="1",
            certifications=[cert],
            now=clock(),
        )
        session().commit()
        slug = empty.slug
    refused = trainer.submit(VERSIONS, action=f"/studio/courses/{slug}/v1/submit")
    assert refused.status_code == 409
    assert "at least one module" in refused.get_data(as_text=True)
    assert "a final quiz with at least one question" in refused.get_data(as_text=True)

    assert _step(trainer, 1, "new-version").status_code == 302
    assert _step(trainer, 1, "new-version").status_code == 302  # the same draft, not a third
    with app.app_context():
        assert session().scalar(select(func.count()).where(Course.slug == DEMO_SLUG)) == 2
    assert _step(trainer, 2, "publish").status_code == 409  # not approved
    assert _step(trainer, 2, "submit").status_code == 302
    again = _step(trainer, 2, "submit")
    assert again.status_code == 409 and "submitted for approval" in again.get_data(as_text=True)
    assert _step(trainer, 2, "withdraw").status_code == 302
    assert _step(trainer, 2, "submit").status_code == 302

    _approve(app, 2)
    with app.app_context(), pytest.raises(lifecycle.LifecycleError):
        lifecycle.approve(
            _course(app, 2),
            number="OTHER",
            approved_on=date(2026, 1, 1),
            expires_on=date(2031, 1, 1),
            admin_id=1,
        )
    with app.app_context():
        assert _course(app, 2).approval_number == "APP-2"  # the first approval stands
    assert _step(trainer, 2, "publish").status_code == 302
    assert _step(trainer, 2, "publish").status_code == 409
    assert _step(trainer, 2, "retire").status_code == 302
    with app.app_context():
        statuses = [c.status for c in lifecycle.versions_of(DEMO_SLUG)]
    assert statuses == ["retired", "retired"]
    assert Web(app.test_client()).get(f"/courses/{DEMO_SLUG}").status_code == 404


def test_a_lapsed_approval_cannot_be_published_and_trainers_are_warned(app, demo, trainer, clock):
    _step(trainer, 1, "new-version")
    _step(trainer, 2, "submit")
    _approve(app, 2, expires_on=clock().date() - timedelta(days=1))
    refused = _step(trainer, 2, "publish")
    assert refused.status_code == 409 and "renewed" in refused.get_data(as_text=True)

    index = trainer.get("/studio/").get_data(as_text=True)
    # The third demo course's approval ends within 45 days: the trainer is told.
    assert "Approvals ending soon" in index and "IICRC-CEC-25-0988" in index


def test_a_sent_back_submission_shows_the_reason(app, demo, trainer):
    from lms.db import session
    from lms.studio import lifecycle

    _step(trainer, 1, "new-version")
    _step(trainer, 2, "submit")
    with app.app_context():
        lifecycle.send_back(_course(app, 2), "Cite the 2025 standard in module 2.")
        session().commit()
    page = trainer.get(VERSIONS).get_data(as_text=True)
    assert "Sent back by the reviewer" in page and "Cite the 2025 standard" in page


def test_a_learner_stuck_on_a_lapsed_version_may_start_the_approved_one(
    app, demo, trainer, clock, create_user
):
    learner = _ready_for_quiz(app, create_user)  # all modules of version 1 done
    _step(trainer, 1, "new-version")
    _step(trainer, 2, "submit")
    _approve(app, 2, expires_on=date(2040, 1, 1))
    _step(trainer, 2, "publish")
    page = learner.get(f"/courses/{DEMO_SLUG}").get_data(as_text=True)
    assert "Start version 2" not in page  # version 1's approval still holds: stay on it

    clock.current = clock() + (_expiry(app) - clock().date()) + timedelta(days=1)
    page = learner.get(f"/courses/{DEMO_SLUG}").get_data(as_text=True)
    assert "No credit" in page and "Start version 2" in page
    moved = learner.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    assert moved.status_code == 302
    complete_modules(learner, DEMO_SLUG)
    attempt = start_quiz(learner, DEMO_SLUG)
    page = f"/courses/{DEMO_SLUG}/quiz"
    learner.submit(page, answer_key(app, DEMO_SLUG, version=2), action=f"{page}/{attempt}")
    facts = _certificate_facts(app, learner)
    assert (facts["course_version"], facts["approval_number"]) == (2, "APP-2")
