"""The learner's compliance page, through the pages with real data: holdings added on "My
certifications", a course passed, the ledger as the awards write it. The clock starts on
2026-03-02."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from tests.conftest import (
    DEMO_SLUG,
    Web,
    answer_key,
    complete_modules,
    signed_in,
    start_quiz,
)
from tests.html_safety import script_hazards

PAGE = "/my/compliance"
WRT_SLUG = "category-and-class-of-water-intrusion"
BOTH_SLUG = "moisture-mapping-and-drying-documentation"


def _learner(app, create_user) -> tuple[Web, int]:
    user = create_user()
    return signed_in(app, user.email, user.plain_password), user.id


def _add_holding(app, web: Web, code: str, number: str, certified_on: str) -> None:
    from lms.catalogue.models import Certification

    with app.app_context():
        db = app.extensions["lms"].db.session
        cert_id = db.scalars(select(Certification.id).where(Certification.code == code)).one()
    saved = web.submit(
        "/my/certifications",
        {"certification_id": cert_id, "number": number, "certified_on": certified_on},
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)


def _pass(app, web: Web, slug: str) -> None:
    assert web.submit(f"/courses/{slug}", action=f"/courses/{slug}/enrol").status_code == 302
    complete_modules(web, slug)
    attempt = start_quiz(web, slug)
    done = web.submit(
        f"/courses/{slug}/quiz", answer_key(app, slug), action=f"/courses/{slug}/quiz/{attempt}"
    )
    assert done.status_code == 302


def _section(page: str, heading: str) -> str:
    """The <section> whose heading starts with ``heading``."""
    for part in page.split("<section")[1:]:
        title = re.search(r"<h2[^>]*>(.*?)</h2>", part, re.S)
        if title and title.group(1).strip().startswith(heading):
            return " ".join(part.split("</section>")[0].split())
    raise AssertionError(f"no section {heading!r} on the page")


def _credit(
    app,
    user_id: int,
    amount: str,
    on: date,
    *,
    codes,
    source="external_claim",
    ref=None,
    category="general",
    unit="CEC",
    hours=None,
):
    """An entry as the claims and events write it: through the ledger, with its cycles."""
    from lms.credits.ledger import append_entry
    from lms.db import session
    from lms.requirements.operations import cycles_for

    with app.app_context():
        entry = append_entry(
            session(),
            user_id=user_id,
            source=source,
            source_ref=ref or f"claim:{user_id}-{on}-{amount}-{category}",
            description="Approved claim",
            credits=Decimal(amount),
            credit_unit=unit,
            hours=None if hours is None else Decimal(hours),
            category=category,
            earned_on=on,
            cycles=cycles_for(user_id, list(codes), on),
            now=datetime(2026, 3, 1, 12),
        )
        session().commit()
        return entry.id


def test_without_certifications_the_page_asks_for_them(app, demo, create_user):
    web, _ = _learner(app, create_user)
    page = web.get(PAGE).get_data(as_text=True)
    assert "Add your certifications to see what you need" in page
    assert 'href="/my/certifications"' in page
    assert "<progress" not in page


def test_the_page_needs_sign_in(app, demo):
    response = Web(app.test_client()).get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_learner_adds_certifications_passes_a_course_and_sees_where_they_stand(
    app, demo, create_user
):
    web, user_id = _learner(app, create_user)
    _add_holding(app, web, "CCT", "CCT 5501", "2025-03-02")
    _add_holding(app, web, "WRT", "WRT 5502", "2024-09-02")
    _pass(app, web, DEMO_SLUG)  # Hot Water Extraction Fundamentals: 1 CEC toward CCT

    page = web.get(PAGE).get_data(as_text=True)
    cct = _section(page, "Carpet Cleaning Technician")
    # 1 of 2 this cycle; the cycle runs from the certification date for 24 months.
    assert "1 of 2 CEC" in cct and "1 CEC still needed" in cct
    assert '<progress max="2" value="1"' in cct
    assert "2025-03-02 to 2027-03-01" in cct and "364 days left" in cct
    # Half the cycle gone with half the credits: on track, said in words.
    assert "Status: On track" in cct
    # The course passed is not suggested again; the one for both certifications is.
    assert "Hot Water Extraction Fundamentals" not in cct
    assert f'href="/courses/{BOTH_SLUG}"' in cct

    wrt = _section(page, "Water Damage Restoration Technician")
    assert "0 of 4 CEC" in wrt and "Status: At risk" in wrt
    assert "technical: at least 1 CEC — <strong>1 CEC missing</strong>" in wrt
    assert "2024-09-02 to 2026-09-01" in wrt
    assert f'href="/courses/{WRT_SLUG}"' in wrt and f'href="/courses/{BOTH_SLUG}"' in wrt

    # The pooled rule: once per person, anchored on the earliest certification (WRT), under
    # the version in force when that cycle began (2024-09-02: the 14-CEC one from 2024).
    pooled = _section(page, "IICRC renewal")
    assert "one requirement for CCT, MWR, WRT" in pooled
    assert "1 of 14 CEC" in pooled and "2024-09-02 to 2028-09-01" in pooled

    # The award recorded the cycles the credit counts toward.
    from lms.credits.models import CreditEntry

    with app.app_context():
        db = app.extensions["lms"].db.session
        entry = db.scalars(select(CreditEntry).where(CreditEntry.user_id == user_id)).one()
        assert entry.cycles == [
            {"rule": "CCT", "certification": "CCT", "start": "2025-03-02", "end": "2027-03-01"},
            {
                "rule": "IICRC-POOLED",
                "certification": "pooled",
                "start": "2024-09-02",
                "end": "2028-09-01",
            },
        ]

    # The dashboard sums it up and links here.
    dashboard = web.get("/dashboard").get_data(as_text=True)
    assert f'href="{PAGE}"' in dashboard
    assert "Carpet Cleaning Technician: 1 of 2 CEC" in " ".join(dashboard.split())


def test_complete_with_caps_and_categories_and_the_lapsed_cycle_as_overdue(app, demo, create_user):
    web, user_id = _learner(app, create_user)
    _add_holding(app, web, "WRT", "W-1", "2024-06-01")  # cycle 2024-06-01 .. 2026-05-31
    _add_holding(app, web, "CCT", "C-1", "2024-01-15")  # cycle 0 ended 2026-01-14
    # WRT: 3 from one event counts 2 (the cap per event); 2 technical from a claim.
    _credit(
        app,
        user_id,
        "3",
        date(2025, 1, 10),
        codes=["WRT"],
        source="event",
        ref=f"event:1:user:{user_id}",
    )
    _credit(app, user_id, "2", date(2025, 2, 10), codes=["WRT"], category="technical")
    page = web.get(PAGE).get_data(as_text=True)
    wrt = _section(page, "Water Damage Restoration Technician")
    assert "4 CEC earned, 4 required — met" in wrt and "Status: Complete" in wrt
    assert "technical: at least 1 CEC — met" in wrt
    assert "1 CEC did not count: the rule caps" in wrt
    assert "Courses that would count" not in wrt

    # CCT: the cycle that ended 47 days ago without its credits is shown as overdue, and the
    # new cycle beside it.
    assert page.count("Carpet Cleaning Technician") >= 2
    assert "2024-01-15 to 2026-01-14" in page and "Status: Overdue" in page
    assert "47 days ago" in page
    assert "2026-01-15 to 2028-01-14" in page


def test_an_entry_in_another_unit_without_hours_is_explained(app, demo, create_user):
    web, user_id = _learner(app, create_user)
    _add_holding(app, web, "CCT", "C-2", "2025-01-01")
    _credit(app, user_id, "1", date(2025, 6, 1), codes=["CCT"], unit="PDH")
    _credit(app, user_id, "1", date(2025, 6, 2), codes=["CCT"], unit="CEU", hours="1.5")
    cct = _section(web.get(PAGE).get_data(as_text=True), "Carpet Cleaning Technician")
    assert "1.5 of 2 CEC" in cct  # 1.5 hours at 1 hour per CEC
    assert "In PDH, not CEC, and no hours are recorded to convert it." in cct


def test_names_are_escaped(app, demo, create_user):
    from lms.db import session
    from lms.requirements.models import RequirementRule

    with app.app_context():
        session().add(
            RequirementRule(
                code="HOSTILE",
                name='<script>alert(1)</script>"><img src=x onerror=alert(2)>',
                certification_codes=["CCT"],
                pooled=False,
                credits_required=Decimal(1),
                credit_unit="CEC",
                hours_per_unit=Decimal(1),
                cycle_months=12,
                category_minimums={"<b>bold</b>": "1"},
                source_caps=[],
                effective_from=date(2020, 1, 1),
                created_at=datetime(2026, 1, 1),
            )
        )
        session().commit()
    web, _ = _learner(app, create_user)
    _add_holding(app, web, "CCT", "C-3", "2025-01-01")
    page = web.get(PAGE).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>" not in page and script_hazards(page) == []
    admin = signed_in(app, "admin@example.com", "admin-demo-pass")
    listing = admin.get("/admin/rules").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing and script_hazards(listing) == []


def test_the_demo_graduate_has_one_requirement_complete_and_one_at_risk(app, demo, clock):
    from lms.demo import seed_demo_certificates

    app.config["LMS_BASE_URL"] = "http://lms.example"
    with app.app_context():
        seed_demo_certificates()
    web = signed_in(app, "graduate@example.com", "graduate-demo-pass")
    page = web.get(PAGE).get_data(as_text=True)
    assert "Status: Complete" in _section(page, "Carpet Cleaning Technician")
    assert "Status: At risk" in _section(page, "Water Damage Restoration Technician")
    learner = signed_in(app, "learner@example.com", "learner-demo-pass")
    assert "Add your certifications" in learner.get(PAGE).get_data(as_text=True)


def test_the_page_issues_a_fixed_number_of_queries(app, demo, create_user, statements):
    web, user_id = _learner(app, create_user)
    _add_holding(app, web, "WRT", "W-9", "2024-06-01")
    _credit(app, user_id, "1", date(2025, 1, 10), codes=["WRT"], ref="claim:a")
    one = statements.during(lambda: web.get(PAGE))
    _add_holding(app, web, "CCT", "C-9", "2024-06-01")
    for n in range(4):
        _credit(app, user_id, "0.5", date(2025, 1, 11 + n), codes=["WRT", "CCT"], ref=f"claim:b{n}")
    _credit(
        app,
        user_id,
        "1",
        date(2025, 2, 1),
        codes=["WRT"],
        source="event",
        ref=f"event:1:user:{user_id}",
    )
    many = statements.during(lambda: web.get(PAGE))
    assert many == one


def test_standings_kept_between_pages_follow_every_change_at_once(
    app, demo, create_user, clock, database_url, tmp_path
):
    """A process keeps a person's standings between requests, but each request checks the
    database first: a credit appended by another host, a certification date corrected, a
    new rule version or the next day shows on the next page."""
    from tests.conftest import make_app

    web, user_id = _learner(app, create_user)
    _add_holding(app, web, "CCT", "CCT 1", "2025-03-02")

    def cct_line() -> str:
        page = " ".join(web.get("/dashboard").get_data(as_text=True).split())
        return page.split("Carpet Cleaning Technician: ", 1)[1].split(",", 1)[0]

    assert cct_line() == "0 of 2 CEC earned"
    assert cct_line() == "0 of 2 CEC earned"  # served from what this process kept
    other_host = make_app(database_url, tmp_path / "other-host")
    _credit(other_host, user_id, "1.5", date(2026, 1, 5), codes=["CCT"], ref="claim:elsewhere")
    with other_host.app_context():
        other_host.extensions["lms"].db.engine.dispose()
    assert cct_line() == "1.5 of 2 CEC earned"
    # A corrected certification date moves the cycle: the January credit no longer counts.
    _add_holding(app, web, "CCT", "CCT 1", "2026-02-01")
    assert cct_line() == "0 of 2 CEC earned"
    # A new version of the rule (from the next cycle on) is read as soon as it is added.
    from lms.requirements.models import RequirementRule

    with app.app_context():
        db = app.extensions["lms"].db.session
        rule = db.scalars(select(RequirementRule).where(RequirementRule.code == "CCT")).first()
        db.add(
            RequirementRule(
                code="CCT",
                name="Carpet Cleaning Technician (2026)",
                certification_codes=["CCT"],
                pooled=False,
                credits_required=Decimal(3),
                credit_unit="CEC",
                hours_per_unit=Decimal(1),
                cycle_months=24,
                anchor="certified_on",
                category_minimums={},
                source_caps=[],
                effective_from=date(2026, 1, 1),
                created_at=clock(),
            )
        )
        db.commit()
        assert rule is not None
    page = " ".join(web.get("/dashboard").get_data(as_text=True).split())
    assert "Carpet Cleaning Technician (2026): 0 of 3 CEC" in page
    # Time moves on: the status is computed for the new day.
    clock.advance(days=700)
    page = " ".join(web.get("/dashboard").get_data(as_text=True).split())
    assert "(at risk)" in page
