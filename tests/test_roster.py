"""The completion roster CSV: its columns, its values, and formula-injection escaping."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from lms.studio.roster import neutralise, roster_filename
from tests.conftest import DEMO_SLUG, Clock
from tests.test_reports import ALL_BUT_LAST, NONE, ROSTER, enrolled, take_quiz

HEADER = [
    "Provider",
    "Course ID",
    "Approval number",
    "Learner name",
    "E-mail",
    "Certification number",
    "Completion date",
    "Credits",
    "Credit unit",
    "Course version",
]
HOSTILE = ['=HYPERLINK("http://x")', "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd"]
UNICODE = "Zoë Łukasiewicz-Núñez 渡辺"
MOISTURE = "moisture-mapping-and-drying-documentation"  # counts toward CCT and WRT


def parse(response) -> list[list[str]]:  # noqa: ANN001
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def hold(app: Flask, user_id: int, code: str, number: str, clock: Clock) -> None:
    from lms.catalogue.models import Certification, Holding

    with app.app_context():
        db = app.extensions["lms"].db.session
        certification = db.scalars(select(Certification).where(Certification.code == code)).one()
        db.add(
            Holding(
                user_id=user_id,
                certification_id=certification.id,
                number=number,
                certified_on=date(2020, 5, 1),
                created_at=clock(),
            )
        )
        db.commit()


def test_header_only_before_anyone_completes(trainer):
    response = trainer.get(ROSTER)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="roster-{DEMO_SLUG}-2026-03-02.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert parse(response) == [HEADER]


def test_rows_carry_what_the_certifying_body_asks_for(app, trainer, create_user, clock):
    web, plain = enrolled(app, create_user, "Pat Plain")
    hold(app, plain.id, "CCT", "12345", clock)
    hold(app, plain.id, "WRT", "99999", clock)  # this course does not count toward WRT
    clock.advance(days=3)
    take_quiz(app, web, ALL_BUT_LAST)
    failed, _ = enrolled(app, create_user, "Fran Failed")
    take_quiz(app, failed, NONE)  # no completion, no row
    enrolled(app, create_user, "Nina Notyet")

    rows = parse(trainer.get(ROSTER))
    assert rows[0] == HEADER
    assert rows[1:] == [
        [
            "Northfield Restoration Academy",
            DEMO_SLUG,
            "IICRC-CEC-26-0142",
            "Pat Plain",
            plain.email,
            "CCT 12345",
            "2026-03-05",
            "1",
            "CEC",
            "1",
        ]
    ]


def test_formula_cells_are_neutralised_and_other_names_untouched(app, trainer, create_user):
    learners = {}
    for name in [*HOSTILE, "Pat Plain", UNICODE, 'O\'Brien, Jo "JJ"']:
        web, user = enrolled(app, create_user, name)
        take_quiz(app, web, ALL_BUT_LAST)
        learners[name] = user
    response = trainer.get(ROSTER)
    raw = response.get_data().decode("utf-8-sig")
    rows = parse(response)
    names = {row[3] for row in rows[1:]}
    for hostile in HOSTILE:
        assert "'" + hostile in names  # shown as text, never evaluated
        assert hostile not in names
    assert {"Pat Plain", UNICODE, 'O\'Brien, Jo "JJ"'} <= names  # left exactly as they were
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    # Every cell is quoted, so a comma or quote in a name cannot open a new cell.
    assert '"\'=HYPERLINK(""http://x"")"' in raw
    assert len({len(row) for row in rows}) == 1
    assert {row[4] for row in rows[1:]} == {u.email for u in learners.values()}


def test_several_certification_numbers_are_joined(app, trainer, create_user, clock):
    web, user = enrolled(app, create_user, "Dual Holder", slug=MOISTURE)
    hold(app, user.id, "WRT", "A-77", clock)
    hold(app, user.id, "CCT", "12345", clock)
    take_quiz(app, web, {1, 2, 3, 4, 5, 6, 7, 8}, slug=MOISTURE)
    rows = parse(trainer.get(f"/studio/courses/{MOISTURE}/roster.csv"))
    assert len(rows) == 2
    assert rows[1][1] == MOISTURE
    assert rows[1][2] == "IICRC-CEC-25-0988"
    assert rows[1][5] == "CCT 12345; WRT A-77"
    # The other courses' rosters do not list it.
    assert parse(trainer.get(ROSTER)) == [HEADER]


def test_each_row_names_the_version_completed_and_its_approval(app, trainer, create_user, clock):
    from lms.catalogue.operations import course_version
    from lms.db import session
    from lms.studio import lifecycle

    first, _ = enrolled(app, create_user, "Vera Versionone")
    with app.app_context():
        draft = lifecycle.new_version(course_version(DEMO_SLUG, 1), clock())
        draft.credits = Decimal("1.5")
        lifecycle.submit(draft, clock(), "Hands-on practice makes up the difference.")
        lifecycle.approve(
            draft,
            number="APP-V2",
            approved_on=date(2026, 3, 1),
            expires_on=date(2028, 3, 1),
            admin_id=1,
        )
        lifecycle.publish(draft, clock())
        session().commit()
    second, _ = enrolled(app, create_user, "Walt Versiontwo")
    clock.advance(days=1)
    take_quiz(app, first, ALL_BUT_LAST, version=1)
    take_quiz(app, second, ALL_BUT_LAST, version=2)
    rows = parse(trainer.get(ROSTER))
    by_name = {row[3]: row for row in rows[1:]}
    assert by_name["Vera Versionone"][2] == "IICRC-CEC-26-0142"
    assert by_name["Vera Versionone"][7:] == ["1", "CEC", "1"]
    assert by_name["Walt Versiontwo"][2] == "APP-V2"
    assert by_name["Walt Versiontwo"][7:] == ["1.5", "CEC", "2"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),  # spreadsheets may trim the spaces first
        ("Anne-Marie", "Anne-Marie"),
        ("a=b", "a=b"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
)
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_the_filename_is_safe_whatever_the_slug():
    assert roster_filename('a"b\r\n/../c', date(2026, 1, 2)) == "roster-abc-2026-01-02.csv"
    assert roster_filename("", date(2026, 1, 2)) == "roster-course-2026-01-02.csv"


def test_a_revoked_certificate_leaves_the_roster(app, trainer, create_user, clock):
    from certificates import Certificate
    from lms.awards.operations import revoke
    from lms.db import session

    kept, _ = enrolled(app, create_user, "Kim Kept")
    take_quiz(app, kept, ALL_BUT_LAST)
    gone, _ = enrolled(app, create_user, "Rory Revoked")
    take_quiz(app, gone, ALL_BUT_LAST)
    assert [r[3] for r in parse(trainer.get(ROSTER))[1:]] == ["Kim Kept", "Rory Revoked"]
    with app.app_context():
        certificate = (
            session()
            .scalars(
                select(Certificate).where(
                    Certificate.facts["learner_name"].as_string() == "Rory Revoked"
                )
            )
            .one()
        )
        revoke(certificate, "Issued in error", clock())
    assert [r[3] for r in parse(trainer.get(ROSTER))[1:]] == ["Kim Kept"]


def test_the_roster_prints_the_number_on_the_certificate_not_a_later_edit(
    app, trainer, create_user, clock
):
    from lms.catalogue.models import Holding
    from lms.db import session

    web, learner = enrolled(app, create_user, "Ned Numbers")
    hold(app, learner.id, "CCT", "11111", clock)
    take_quiz(app, web, ALL_BUT_LAST)
    with app.app_context():
        holding = session().scalars(select(Holding).where(Holding.user_id == learner.id)).one()
        holding.number = "22222"
        session().commit()
    assert parse(trainer.get(ROSTER))[1][5] == "CCT 11111"
