"""The learner's home, the catalogue and the course player (issue 14, build items 1-3 and
defect 5): the next step chosen from the soonest-due requirement, each role's home, the
account menu, the catalogue's search, filters, pages and pictures, and the player's outline."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, select

from lms.catalogue.cards import CARD_COLOURS, card_colour, initials
from lms.catalogue.models import Certification, Course, Holding, Provider
from lms.catalogue.operations import create_course
from lms.learning.enrolments import CourseProgress
from lms.learning.models import Enrolment
from lms.next_step import next_step, soonest_unmet
from lms.requirements.operations import Standing, SuggestedCourse
from tests.conftest import DEMO_SLUG, Web, answer_key, complete_modules, signed_in, start_quiz

WATER_SLUG = "category-and-class-of-water-intrusion"
MOISTURE_SLUG = "moisture-mapping-and-drying-documentation"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _text(response: Any) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _hold(app: Any, user_id: int, code: str, certified_on: date) -> None:
    with app.app_context():
        db = app.extensions["lms"].db.session
        certification = db.scalars(select(Certification.id).where(Certification.code == code))
        db.execute(
            insert(Holding).values(
                user_id=user_id,
                certification_id=certification.one(),
                number=f"{code}-77",
                certified_on=certified_on,
                created_at=datetime(2026, 1, 1),
            )
        )
        db.commit()


@pytest.fixture
def learner(app: Any, demo: None, create_user: Any) -> Any:
    user = create_user(name="Robin Field")
    user.web = signed_in(app, user.email, user.plain_password)
    return user


def _next_step(page: str) -> str:
    return page.split('aria-labelledby="next-h"', 1)[1].split("</section>", 1)[0]


def _enrol(web: Web, slug: str) -> None:
    assert web.submit(f"/courses/{slug}", action=f"/courses/{slug}/enrol").status_code == 302


def _pass(app: Any, web: Web, slug: str) -> None:
    _enrol(web, slug)
    complete_modules(web, slug)
    attempt = start_quiz(web, slug)
    done = web.submit(
        f"/courses/{slug}/quiz", answer_key(app, slug), action=f"/courses/{slug}/quiz/{attempt}"
    )
    assert done.status_code == 302


# -- The next step, as a pure choice ------------------------------------------------------------


def _standing(code: str, due: date, status: str = "at_risk") -> Standing:
    return Standing(
        rule_code=code,
        rule_name=f"{code} rule",
        certification_codes=(code,),
        cycle_start=due - timedelta(days=730),
        cycle_end=due,
        credit_unit="CEC",
        required=Decimal(2),
        earned=Decimal(2) if status == "complete" else Decimal(0),
        status=status,
        certification=code,
    )


def test_the_next_step_is_the_unmet_requirement_due_soonest_and_a_course_in_progress_first():
    later, sooner = _standing("CCT", date(2027, 5, 1)), _standing("WRT", date(2026, 9, 1))
    met = _standing("MWR", date(2026, 4, 1), status="complete")
    assert soonest_unmet([later, met, sooner]) is sooner  # the met one is not a next step
    started = CourseProgress("a", "Started course", None, 1, 3)
    suggestion = SuggestedCourse(7, "b", "Counts for WRT", Decimal(1), "CEC")
    step = next_step([later, sooner], started, [suggestion])
    assert (step.action, step.requirement, step.in_progress) == ("continue", sooner, started)
    step = next_step([later, sooner], None, [suggestion])
    assert (step.action, step.suggestion) == ("start", suggestion)
    assert next_step([later], None, []).action == "browse"
    assert next_step([met], None, []).action == "met"
    assert next_step([], None, []).action == "add"


# -- The dashboard ----------------------------------------------------------------------------


def test_dashboard_leads_with_the_soonest_requirement_and_a_course_that_counts(app, learner):
    # Carpet cleaning is due in 2027, water damage in May 2026: water damage comes first.
    _hold(app, learner.id, "CCT", date(2025, 6, 1))
    _hold(app, learner.id, "WRT", date(2024, 6, 1))
    step = _next_step(_text(learner.web.get("/dashboard")))
    assert "Water Damage Restoration Technician" in step
    assert "Due 31 May 2026 (90 days left)" in step and "4 CEC still needed" in step
    # Nothing in progress: the first course (by title) that counts toward water damage.
    assert "Start Category and Class of Water Intrusion" in step
    assert f'href="/courses/{WATER_SLUG}"' in step


def test_dashboard_prefers_the_course_in_progress(app, learner):
    _hold(app, learner.id, "WRT", date(2024, 6, 1))
    _enrol(learner.web, DEMO_SLUG)  # counts only toward carpet cleaning, but is started
    step = _next_step(_text(learner.web.get("/dashboard")))
    assert "Water Damage Restoration Technician" in step
    assert "Continue Hot Water Extraction Fundamentals" in step
    assert f'href="/courses/{DEMO_SLUG}/continue"' in step


def test_dashboard_without_certifications_asks_for_them(learner):
    step = _next_step(_text(learner.web.get("/dashboard")))
    assert "Add your certifications" in step and 'href="/my/certifications"' in step


def test_a_completed_course_shows_complete_with_its_certificate_not_0_of_3_modules(app, learner):
    """Defect 5: a completed enrolment with no module completions recorded (passed before
    the modules were tracked, or on a version whose modules changed) said "0 of 3 modules"
    beside "Completed"."""
    _pass(app, learner.web, DEMO_SLUG)
    with app.app_context():
        db = app.extensions["lms"].db.session
        course_id = db.scalars(select(Course.id).where(Course.slug == WATER_SLUG)).one()
        db.execute(
            insert(Enrolment).values(
                user_id=learner.id,
                course_id=course_id,
                course_version=1,
                enrolled_at=datetime(2026, 1, 5),
                completed_at=datetime(2026, 2, 1),
            )
        )
        db.commit()
    page = _text(learner.web.get("/dashboard"))
    courses = page.split('id="courses-h"', 1)[1].split('id="ledger-h"', 1)[0]
    assert "0 of 3 modules" not in courses and "In progress" not in courses
    assert "✓ Completed <time" in courses and ">1 February 2026</time>" in courses
    assert "Category and Class of Water Intrusion" in courses
    # The course passed through its quiz links its certificate.
    certificate = re.search(r'href="(/certificates/[^"]+)">View certificate', courses)
    assert certificate, courses
    assert learner.web.get(certificate.group(1)).status_code == 200


def test_courses_in_progress_show_their_progress(app, learner):
    _enrol(learner.web, DEMO_SLUG)
    first = learner.web.get(f"/courses/{DEMO_SLUG}/continue").headers["Location"]
    learner.web.submit(first, action=first + "/complete")
    page = _text(learner.web.get("/dashboard"))
    assert "1 of 3 modules done · 33%" in page
    assert 'value="33" aria-label="Progress in Hot Water Extraction Fundamentals"' in page


# -- Homes and the header ---------------------------------------------------------------------


def _brand(page: str) -> str:
    return re.search(r'<a class="brand" href="([^"]+)"', page).group(1)


def test_each_role_has_its_home_and_the_nav_shows_it(app, learner, trainer, admin):
    learner_page = learner.web.get("/dashboard").get_data(as_text=True)
    assert _brand(learner_page) == "/dashboard"
    assert 'href="/studio/"' not in learner_page and 'href="/admin/"' not in learner_page
    trainer_home = trainer.get("/studio/")
    assert trainer_home.status_code == 200
    assert _brand(trainer_home.get_data(as_text=True)) == "/studio/"
    admin_home = admin.get("/admin/")
    admin_page = admin_home.get_data(as_text=True)
    assert admin_home.status_code == 200 and "Approval queue" in admin_page
    assert _brand(admin_page) == "/admin/" and 'href="/studio/"' in admin_page
    assert _brand(Web(app.test_client()).get("/").get_data(as_text=True)) == "/"


def test_the_account_menu_holds_profile_password_notifications_and_sign_out(learner):
    page = learner.web.get("/dashboard").get_data(as_text=True)
    menu = page.split('<details class="account-menu">', 1)[1].split("</details>", 1)[0]
    assert "Robin Field" in menu.split("</summary>", 1)[0]
    for label in ("Profile and time zone", "Password", "Notifications", "Sign out"):
        assert label in menu, label
    outside = page.replace(menu, "")
    assert ">Password</a>" not in outside  # no longer a top-level link
    signed_out = learner.web.submit("/dashboard", action="/logout")
    assert signed_out.status_code == 302
    assert learner.web.get("/dashboard").status_code == 302


# -- The catalogue ----------------------------------------------------------------------------


def _card_titles(page: str) -> list[str]:
    return re.findall(r'class="course-card-title"><a href="[^"]+">([^<]+)</a>', page)


def test_catalogue_search_matches_titles_and_summaries(app, demo):
    web = Web(app.test_client())
    assert _card_titles(_text(web.get("/?q=moisture"))) == [
        "Moisture Mapping and Drying Documentation"
    ]
    page = _text(web.get("/?q=psychrometry"))  # only in a summary
    assert _card_titles(page) == ["Moisture Mapping and Drying Documentation"]
    assert "1 course matches your search" in page
    # LIKE's wildcards are taken literally: "%" matches no title or summary.
    none = _text(web.get("/?q=%25"))
    assert _card_titles(none) == [] and "No course matches" in none
    assert 'value="%"' in none  # what was typed stays in the box


def test_catalogue_filters_by_my_certifications_and_credits(app, learner):
    _hold(app, learner.id, "CCT", date(2025, 6, 1))
    mine = _card_titles(_text(learner.web.get("/?mine=y")))
    assert mine == [
        "Hot Water Extraction Fundamentals",
        "Moisture Mapping and Drying Documentation",
    ]
    assert _card_titles(_text(learner.web.get("/?min_credits=2"))) == [
        "Category and Class of Water Intrusion"
    ]
    assert _card_titles(_text(learner.web.get("/?max_credits=1&q=water"))) == [
        "Hot Water Extraction Fundamentals"
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min_credits=3&max_credits=1", "The upper limit is below the lower one."),
        ("min_credits=NaN", "Give a number from 0."),
        ("max_credits=-1", "Give a number from 0."),
        ("min_credits=lots", "Not a valid decimal value."),
        ("q=" + "x" * 101, "Search with at most 100 characters."),
    ],
)
def test_catalogue_filters_that_make_no_sense_are_a_400_that_says_why(app, demo, query, message):
    response = Web(app.test_client()).get(f"/?{query}")
    page = _text(response)
    assert response.status_code == 400
    assert message in page and 'aria-invalid="true"' in page
    assert len(_card_titles(page)) == 3  # every course, as the page says


def _add_courses(app: Any, count: int, clock: Any) -> None:
    with app.app_context():
        db = app.extensions["lms"].db.session
        provider = db.scalars(select(Provider)).first()
        for n in range(count):
            create_course(
                slug=f"extra-{n:02d}",
                title=f"Extra course {n:02d}",
                summary="Practice.",
                provider=provider,
                credits=Decimal("0.5"),
                certifications=[],
                modules=[{"title": "Only module", "body": "Text."}],
                quiz={
                    "title": "Quiz",
                    "pass_percent": 50,
                    "questions": [{"type": "truefalse", "prompt": "Yes?", "answer": True}],
                },
                now=clock(),
            )


def test_a_search_is_paged_with_its_count(app, demo, clock):
    _add_courses(app, 15, clock)
    web = Web(app.test_client())
    first = _text(web.get("/?q=extra+course"))
    assert "15 courses match your search" in first
    assert len(_card_titles(first)) == 12 and 'href="/?q=extra+course&amp;page=2"' in first
    second = _text(web.get("/?q=extra+course&page=2"))
    assert _card_titles(second) == ["Extra course 12", "Extra course 13", "Extra course 14"]
    assert web.get("/?q=extra+course&page=3").status_code == 404


def test_cards_show_credits_certifications_and_the_learners_progress(app, learner):
    _enrol(learner.web, DEMO_SLUG)
    page = _text(learner.web.get("/"))
    card = page.split("Hot Water Extraction Fundamentals</a>", 1)[1].split(
        '<li class="course-card">', 1
    )[0]
    assert '<span class="badge">1 CEC</span>' in card
    assert 'title="Carpet Cleaning Technician">CCT</abbr>' in card
    assert "0 of 3 modules" in card


def test_a_card_without_a_picture_draws_the_courses_initials(app, demo):
    assert initials("Hot Water Extraction Fundamentals") == "HW"
    assert initials("Category and Class of Water Intrusion") == "CC"
    assert initials("The ABCs") == "A"
    assert card_colour(3) == card_colour(3 + len(CARD_COLOURS)) != card_colour(4)
    page = _text(Web(app.test_client()).get("/"))
    assert page.count("<svg") == 3 and ">HW</text>" in page
    assert "<img" not in page.split("</header>", 1)[1]  # no external request for a picture


# -- The course's picture, uploaded in the studio ---------------------------------------------


CARD = f"/studio/courses/{DEMO_SLUG}/card"


def _upload(web: Web, filename: str, data: bytes, **fields: str) -> Any:
    import io

    return web.submit(
        CARD,
        {"image": (io.BytesIO(data), filename), **fields},
        content_type="multipart/form-data",
    )


def test_a_trainer_uploads_a_picture_and_sets_the_study_time(app, trainer, learner):
    saved = _upload(trainer, "Hot water.PNG", PNG, duration_minutes="90")
    assert saved.status_code == 302, saved.get_data(as_text=True)
    catalogue = _text(learner.web.get("/"))
    picture = re.search(r'<img src="(/media/\d+/Hot_water\.png)"', catalogue)
    assert picture and "1 h 30 min" in catalogue
    assert catalogue.count("<svg") == 2  # the other two courses keep their initials
    image = learner.web.get(picture.group(1))  # public: the course is published
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert picture.group(1) in _text(learner.web.get(f"/courses/{DEMO_SLUG}"))
    # Removing it brings the initials back; the study time stays as typed.
    removed = trainer.submit(CARD, {"remove_image": "y", "duration_minutes": "45"})
    assert removed.status_code == 302
    catalogue = _text(learner.web.get("/"))
    assert "<img" not in catalogue.split("</header>", 1)[1] and "45 min" in catalogue


@pytest.mark.parametrize(
    ("filename", "data", "status", "message"),
    [
        ("notes.pdf", b"%PDF-1.4 a document", 400, "must be a PNG, JPEG, GIF or WebP image"),
        ("page.png", b"<html><script>alert(1)</script></html>", 400, "contents must match"),
        ("huge.png", PNG + b"\x00" * 2048, 413, "larger than the limit"),
    ],
)
def test_a_picture_that_is_not_an_image_or_too_large_is_refused(
    app, trainer, filename, data, status, message
):
    app.config["LMS_MEDIA_MAX_BYTES"] = 1024

    def card() -> set[tuple[Any, ...]]:
        with app.app_context():
            db = app.extensions["lms"].db.session
            found = db.execute(
                select(Course.image_media_id, Course.duration_minutes).where(
                    Course.slug == DEMO_SLUG
                )
            ).all()
            return {tuple(row) for row in found}

    before = card()
    refused = _upload(trainer, filename, data, duration_minutes="75")
    page = _text(refused)
    assert refused.status_code == status
    assert message in page and "Choose the picture again." in page
    assert 'value="75"' in page  # what was typed is kept
    assert card() == before == {(None, 60)}  # nothing written


def test_a_bad_study_time_is_refused_and_kept(app, trainer):
    refused = trainer.submit(CARD, {"duration_minutes": "ninety"})
    assert refused.status_code == 400 and 'value="ninety"' in _text(refused)
    assert trainer.submit(CARD, {"duration_minutes": "0"}).status_code == 400


def test_only_the_courses_trainer_or_an_admin_edits_its_card(app, learner, other_trainer, admin):
    assert learner.web.get(CARD).status_code == 403
    assert other_trainer.get(CARD).status_code == 404
    assert admin.get(CARD).status_code == 200


# -- The course player ------------------------------------------------------------------------


def _outline(page: str) -> list[tuple[str, str]]:
    """(state, title) of each outline entry."""
    outline = page.split('<nav class="outline"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<li class="state-(\w+)">.*?(?:<a [^>]*>|<span>)([^<]+)<', outline)


def test_the_player_outline_shows_done_current_and_locked_modules(app, learner):
    _enrol(learner.web, DEMO_SLUG)
    base = f"/courses/{DEMO_SLUG}/modules"
    learner.web.submit(f"{base}/1", action=f"{base}/1/complete")
    page = _text(learner.web.get(f"{base}/2"))
    assert _outline(page) == [
        ("done", "Inspection, fiber identification, and pre-vacuuming"),
        ("current", "Pre-spray chemistry: pH, dwell time, and agitation"),
        ("locked", "Extraction, rinsing, and drying"),
        ("locked", "Final quiz"),
    ]
    assert f'<a href="{base}/2" aria-current="page">' in page
    assert f'href="{base}/3"' not in page  # a locked module has no link
    # Previous goes back; the module not yet done offers "Mark as done and continue".
    assert f'href="{base}/1" rel="prev"' in page
    assert "Mark as done and continue" in page and 'rel="next"' not in page
    # A module already done offers Next, to the following one.
    done = _text(learner.web.get(f"{base}/1"))
    assert f'href="{base}/2" rel="next"' in done and 'rel="prev"' not in done
    assert learner.web.get(f"{base}/3").status_code == 302  # locked: back to where they are


def test_the_last_module_done_leads_to_the_final_quiz(app, learner):
    _enrol(learner.web, DEMO_SLUG)
    complete_modules(learner.web, DEMO_SLUG)
    page = _text(learner.web.get(f"/courses/{DEMO_SLUG}/modules/3"))
    assert f'href="/courses/{DEMO_SLUG}/quiz">Go to the final quiz' in page
    assert _outline(page)[-1] == ("current", "Final quiz")


def test_the_course_page_says_where_the_learner_left_off(app, learner):
    _enrol(learner.web, DEMO_SLUG)
    base = f"/courses/{DEMO_SLUG}/modules"
    learner.web.submit(f"{base}/1", action=f"{base}/1/complete")
    page = _text(learner.web.get(f"/courses/{DEMO_SLUG}"))
    assert (
        "You left off at <strong>Pre-spray chemistry: pH, dwell time, and agitation</strong>"
        in page
    )
    assert f'href="/courses/{DEMO_SLUG}/continue">Continue where you left off' in page
    assert learner.web.get(f"/courses/{DEMO_SLUG}/continue").headers["Location"].endswith("/2")
    # Someone not enrolled sees the outline without links or states of their own.
    visitor = _text(Web(app.test_client()).get(f"/courses/{DEMO_SLUG}"))
    assert f'href="{base}/1"' not in visitor and "Continue where you left off" not in visitor


def test_a_completed_course_is_complete_in_the_player_and_open_for_review(app, learner):
    """Defect 5 on the course page too: a course completed with no module completions
    recorded shows complete, not "0 of 3 modules done", and every module can be re-read."""
    with app.app_context():
        db = app.extensions["lms"].db.session
        course_id = db.scalars(select(Course.id).where(Course.slug == WATER_SLUG)).one()
        db.execute(
            insert(Enrolment).values(
                user_id=learner.id,
                course_id=course_id,
                course_version=1,
                enrolled_at=datetime(2026, 1, 5),
                completed_at=datetime(2026, 2, 1),
            )
        )
        db.commit()
    page = _text(learner.web.get(f"/courses/{WATER_SLUG}"))
    assert "0 of 3 modules" not in page and "You completed this course" in page
    assert [state for state, _ in _outline(page)] == ["done", "done", "done", "done"]
    review = learner.web.get(f"/courses/{WATER_SLUG}/modules/3")
    assert review.status_code == 200 and "✓ Course complete" in _text(review)
    assert 'rel="prev"' in _text(review) and "Mark as done" not in _text(review)


def test_the_catalogue_offers_both_formats(app, learner):
    page = _text(learner.web.get("/"))
    formats = page.split('<nav class="format-tabs" aria-label="Format">', 1)[1].split("</nav>")[0]
    assert 'href="/" aria-current="page">Online, self-paced' in formats
    assert 'href="/events">In person: events and classes' in formats
    assert learner.web.get("/events").status_code == 200


def test_search_and_filters_read_no_growing_table_whole(app, learner, clock):
    from tests.query_plans import SMALL_TABLES, full_scans, statements_of

    _hold(app, learner.id, "CCT", date(2025, 6, 1))
    _add_courses(app, 15, clock)
    with app.app_context():
        engine = app.extensions["lms"].db.engine
    for query in ("q=water", "mine=y&min_credits=0.5&max_credits=2", "q=extra&mine=y&page=2"):
        sent = statements_of(engine, lambda q=query: learner.web.get(f"/?{q}"))
        scans = [
            (table, sql) for table, sql in full_scans(engine, sent) if table not in SMALL_TABLES
        ]
        assert [t for t, _ in scans if t.startswith(("lms_", "cert_", "quiz_"))] == [], query
