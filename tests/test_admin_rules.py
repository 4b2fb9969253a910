"""Admins keep the requirement rules: list them with their versions, add a version (never
edit one), refuse bad input with nothing written. The clock starts on 2026-03-02."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import Web, signed_in
from tests.html_safety import script_hazards

LIST = "/admin/rules"
NEW = "/admin/rules/new"


def _versions(app, code: str) -> list[tuple]:
    from lms.requirements.models import RequirementRule

    with app.app_context():
        db = app.extensions["lms"].db.session
        rows = db.scalars(
            select(RequirementRule)
            .where(RequirementRule.code == code)
            .order_by(RequirementRule.effective_from)
        )
        return [
            (
                r.effective_from,
                r.credits_required,
                r.hours_per_unit,
                r.cycle_months,
                r.category_minimums,
                r.source_caps,
                r.certification_codes,
                r.pooled,
            )
            for r in rows
        ]


def _rule_count(app) -> int:
    from lms.requirements.models import RequirementRule

    with app.app_context():
        db = app.extensions["lms"].db.session
        return db.scalar(select(func.count()).select_from(RequirementRule))


def _version_form(**changes: str) -> dict[str, str]:
    """A new version of CCT, as the prefilled form would send it, with ``changes``."""
    return {
        "name": "Carpet Cleaning Technician",
        "credits_required": "3",
        "credit_unit": "CEC",
        "hours_per_unit": "1",
        "cycle_months": "24",
        "effective_from": "2026-04-01",
        "category-0": "",
        "minimum-0": "",
        "cap-source-0": "",
        "cap-per-0": "each",
        "cap-max-0": "",
        **changes,
    }


def _text(response) -> str:
    """The page's text on one line, without the cells' phone labels (data-label)."""
    page = re.sub(r' data-label="[^"]*"', "", response.get_data(as_text=True))
    return " ".join(page.split())


def test_the_rules_are_listed_with_their_versions(app, admin):
    page = _text(admin.get(LIST))
    for code in ("CCT", "WRT", "MWR", "IICRC-POOLED"):
        assert f"{code}:" in page
    pooled = page.split(">IICRC-POOLED: ")[1]
    # Both versions, the older superseded, the 2024 one in force.
    assert "2015-01-01</th> <td>Superseded</td> <td>2 CEC</td> <td>7</td> <td>48 months" in pooled
    assert "2024-01-01</th> <td><strong>In force</strong></td> <td>14 CEC</td> <td>1</td>" in pooled
    assert "Pooled: one requirement per person holding any of CCT, WRT, MWR" in pooled
    wrt = page.split(">WRT: ")[1]
    assert "technical: 1" in wrt and "2 from any one event" in wrt
    assert 'href="/admin/rules/new?code=WRT"' in page


def _value(page: str, name: str) -> str | None:
    """The value the page's <input name=...> shows (None without one)."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no input {name}"
    found = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return found.group(1) if found else None


def test_the_version_form_starts_from_the_newest_version(app, admin):
    page = admin.get(f"{NEW}?code=WRT").get_data(as_text=True)
    assert _value(page, "credits_required") == "4"
    assert _value(page, "category-0") == "technical"
    assert re.search(r'<option selected value="event">', page)
    assert _value(page, "cap-max-0") == "2"
    assert _value(page, "effective_from") in ("", None)
    # The rule's certifications are shown, not offered for change.
    assert 'name="certification-' not in page
    assert admin.get(f"{NEW}?code=NOPE").status_code == 404
    assert admin.get(f"{NEW}?code=%3Cx%3E").status_code == 404


def test_adding_a_version_writes_a_new_row_and_leaves_the_old_one(app, admin):
    before = _versions(app, "CCT")
    sent = _version_form(
        **{
            "category-0": " Technical ",
            "minimum-0": "1",
            "category-1": "safety",
            "minimum-1": "0.5",
            "cap-source-0": "event",
            "cap-per-0": "each",
            "cap-max-0": "2",
            "cap-source-1": "external_claim",
            "cap-per-1": "all",
            "cap-max-1": "1.5",
            # Not fields of a version: ignored.
            "certification-WRT": "1",
            "pooled": "1",
            "code": "OTHER",
        }
    )
    response = admin.submit(f"{NEW}?code=CCT", sent)
    assert response.status_code == 302, response.get_data(as_text=True)
    after = _versions(app, "CCT")
    assert after[:-1] == before
    assert after[-1] == (
        date(2026, 4, 1),
        Decimal(3),
        Decimal(1),
        24,
        {"technical": "1", "safety": "0.5"},
        [
            {"source": "event", "per": "each", "max": "2"},
            {"source": "external_claim", "per": "all", "max": "1.5"},
        ],
        ["CCT"],
        False,
    )
    listing = _text(admin.get(LIST)).split(">CCT: ")[1].split("<section")[0]
    assert "2026-04-01</th> <td>Scheduled</td> <td>3 CEC</td>" in listing
    assert "2015-01-01</th> <td><strong>In force</strong></td>" in listing


BAD = [
    ({"effective_from": "2026-03-01"}, "cannot take effect in the past"),
    ({"effective_from": "2014-12-31"}, "after the newest one (2015-01-01)"),
    ({"effective_from": "next week"}, "as YYYY-MM-DD"),
    ({"effective_from": "9999-01-01"}, "between 1950 and 2200"),
    ({"cycle_months": "0"}, "from 1 to 120"),
    ({"cycle_months": "121"}, "from 1 to 120"),
    ({"cycle_months": "twelve"}, "from 1 to 120"),
    ({"cycle_months": "١٢"}, "from 1 to 120"),
    ({"credits_required": "-1"}, "must be more than 0"),
    ({"credits_required": "0"}, "must be more than 0"),
    ({"credits_required": "abc"}, "must be a number"),
    ({"credits_required": "NaN"}, "must be more than 0"),
    ({"credits_required": "1.234"}, "at most two decimals"),
    ({"credits_required": "1e9"}, "at most 9999.99"),
    ({"hours_per_unit": "0"}, "hours per credit must be more than 0"),
    ({"credit_unit": ""}, "credit unit"),
    ({"name": "   "}, "Give the rule a name"),
    ({"category-0": "technical", "minimum-0": ""}, "minimum in category row 1 must be a number"),
    ({"category-0": "Tech!cal", "minimum-0": "1"}, "Category row 1: name the category"),
    ({"category-0": "technical", "minimum-0": "5"}, "more than the credits required"),
    (
        {"category-0": "technical", "minimum-0": "1", "category-1": "technical", "minimum-1": "1"},
        "technical is listed twice",
    ),
    ({"cap-source-0": "lottery", "cap-max-0": "2"}, "choose a source from the list"),
    ({"cap-source-0": "event", "cap-per-0": "forever", "cap-max-0": "2"}, "per each or in all"),
    ({"cap-source-0": "event", "cap-max-0": "lots"}, "maximum in cap row 1 must be a number"),
    ({"cap-source-0": "event", "cap-max-0": ""}, "maximum in cap row 1 must be a number"),
    ({"name": "Carpet\x07Cleaning"}, "invisible control characters"),
]


@pytest.mark.parametrize(("changes", "message"), BAD)
def test_bad_input_is_refused_with_a_message_and_nothing_written(app, admin, changes, message):
    before = _rule_count(app)
    response = admin.submit(f"{NEW}?code=CCT", _version_form(**changes))
    assert response.status_code == 400
    page = _text(response)
    assert "Nothing was saved" in page and message in page, page
    assert _rule_count(app) == before
    # What was typed is kept for correcting.
    assert 'name="name"' in page


def test_a_new_rule_needs_known_certifications_and_a_free_code(app, admin):
    rule = {
        "code": "odour-tech",
        "name": "Odour Control",
        "certification-CCT": "1",
        "certification-MWR": "1",
        "pooled": "1",
        "credits_required": "6",
        "credit_unit": "CEC",
        "hours_per_unit": "1",
        "cycle_months": "36",
        "effective_from": "2020-01-01",  # a new rule may be introduced with any date
    }
    before = _rule_count(app)
    unknown = admin.submit(NEW, {**rule, "certification-XYZ": "1"})
    assert unknown.status_code == 400 and "There is no certification XYZ" in _text(unknown)
    none = admin.submit(NEW, {k: v for k, v in rule.items() if not k.startswith("certification")})
    assert none.status_code == 400 and "Choose at least one certification" in _text(none)
    bad_code = admin.submit(NEW, {**rule, "code": "x"})
    assert bad_code.status_code == 400 and "code takes 2 to 40" in _text(bad_code)
    taken = admin.submit(NEW, {**rule, "code": "wrt"})
    assert taken.status_code == 400 and "already a rule WRT" in _text(taken)
    assert _rule_count(app) == before

    assert admin.submit(NEW, rule).status_code == 302
    assert _versions(app, "ODOUR-TECH") == [
        (date(2020, 1, 1), Decimal(6), Decimal(1), 36, {}, [], ["CCT", "MWR"], True)
    ]


@pytest.mark.parametrize(
    "who",
    [("learner@example.com", "learner-demo-pass"), ("trainer@example.com", "trainer-demo-pass")],
)
def test_only_admins_reach_the_rules(app, demo, who):
    web = signed_in(app, *who)
    before = _rule_count(app)
    assert web.get(LIST).status_code == 403
    assert web.get(f"{NEW}?code=CCT").status_code == 403
    token = web.token("/dashboard")
    posted = web.client.post(f"{NEW}?code=CCT", data={"csrf_token": token, **_version_form()})
    assert posted.status_code == 403
    assert _rule_count(app) == before
    anonymous = Web(app.test_client()).get(LIST)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_new_version_applies_only_to_cycles_starting_on_or_after_its_date(
    app, admin, create_user, clock
):
    from lms.catalogue.models import Certification, Holding
    from lms.db import session
    from lms.requirements.operations import standing_of

    assert admin.submit(f"{NEW}?code=CCT", _version_form()).status_code == 302  # 3 from 04-01

    early, late = create_user(), create_user()
    with app.app_context():
        cct = session().scalars(select(Certification).where(Certification.code == "CCT")).one()
        # early: the current cycle began 2026-03-02 (today), before the change.
        # late: the current cycle ends 2026-03-31; the next begins on the change's date.
        for user, certified in ((early, date(2024, 3, 2)), (late, date(2024, 4, 1))):
            session().add(
                Holding(
                    user_id=user.id,
                    certification_id=cct.id,
                    number="N1",
                    certified_on=certified,
                    created_at=clock(),
                )
            )
        session().commit()

        def cct_cycle(user_id: int, today: date) -> tuple[date, Decimal]:
            # The cycle containing the day (an overdue one before it is reported too).
            found = next(
                s
                for s in standing_of(user_id, today)
                if s.rule_code == "CCT" and s.cycle_start <= today <= s.cycle_end
            )
            return found.cycle_start, found.required

        assert cct_cycle(early.id, date(2026, 3, 2)) == (date(2026, 3, 2), Decimal(2))
        # Still 2 after the change's date: that cycle began before it.
        assert cct_cycle(early.id, date(2027, 1, 1)) == (date(2026, 3, 2), Decimal(2))
        assert cct_cycle(late.id, date(2026, 3, 31)) == (date(2024, 4, 1), Decimal(2))
        assert cct_cycle(late.id, date(2026, 4, 1)) == (date(2026, 4, 1), Decimal(3))

    # The learner sees it on the page once their new cycle has begun.
    clock.current = clock.current.replace(month=4, day=2)
    web = signed_in(app, late.email, late.plain_password)
    page = _text(web.get("/my/compliance"))
    assert "0 of 3 CEC" in page and "2026-04-01 to 2028-03-31" in page


def test_hostile_text_in_a_new_rule_is_escaped_on_the_list(app, admin):
    sent = _version_form(
        name="<img src=x onerror=alert(1)>", **{"category-0": "ok", "minimum-0": "1"}
    )
    assert admin.submit(f"{NEW}?code=CCT", sent).status_code == 302
    page = admin.get(LIST).get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and script_hazards(page) == []
