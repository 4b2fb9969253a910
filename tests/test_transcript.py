"""The learner's transcript for a period: on screen, as CSV (formula cells neutralised) and as
PDF; only their own entries; a bad period is a 400, never a 500."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.requirements.operations import Standing
from tests.conftest import DEMO_SLUG, signed_in
from tests.test_ledger_chain import add_entry, award

PERIOD = "?from=2026-01-01&to=2026-03-31"
DOWNLOADS = ("/my/transcript", "/my/transcript.csv", "/my/transcript.pdf", "/my/audit-packet.zip")


@pytest.fixture(autouse=True)
def no_cycles(monkeypatch):
    """No certification cycles unless a test gives some: the defaults tested here do not
    depend on the demo's requirement rules."""
    _cycles(monkeypatch)


@pytest.fixture
def learner(app, demo, clock, create_user):
    """A learner with entries inside and outside the first quarter of 2026 and a reversal."""
    from lms.credits.corrections import correct_entry

    user = create_user(name="Zoë Ångström-Øberg")
    add_entry(
        app,
        clock,
        user.id,
        ref="e:old",
        description="Old seminar 2025",
        earned_on=date(2025, 12, 31),
    )
    add_entry(
        app,
        clock,
        user.id,
        ref="e:jan",
        description="January trade show",
        earned_on=date(2026, 1, 15),
        credits="2",
        hours="14",
    )
    wrong = add_entry(
        app,
        clock,
        user.id,
        ref="c:feb",
        description="Claimed workshop",
        source="external_claim",
        verification="self",
        earned_on=date(2026, 2, 10),
        credits="3",
    )
    award(app, clock, user.id)  # 2026-03-02, 1 CEC, with a certificate
    add_entry(
        app, clock, user.id, ref="e:apr", description="April meeting", earned_on=date(2026, 4, 1)
    )
    clock.advance(days=1)
    with app.app_context():
        correct_entry(wrong, "Evidence was for another course", now=clock(), recorded_by_id=None)
    user.web = signed_in(app, user.email, user.plain_password)
    return user


def _stranger(app, clock, create_user):
    other = create_user(name="Someone Else")
    add_entry(
        app,
        clock,
        other.id,
        ref="x:1",
        description="Stranger's private course",
        earned_on=date(2026, 2, 1),
    )
    award(app, clock, other.id, "category-and-class-of-water-intrusion")
    return other


def test_rows_and_totals_for_a_period(app, learner):
    page = learner.web.get("/my/transcript" + PERIOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for inside in ("January trade show", "Claimed workshop", "Hot Water Extraction Fundamentals"):
        assert inside in html
    assert "Old seminar 2025" not in html and "April meeting" not in html
    # The reversed entry is marked, the reversal is a negative line, the total nets them.
    assert ">3 March 2026</time>: Evidence was for another course" in html
    assert "Correction of: Claimed workshop" in html and "-3 CEC" in html
    assert (
        'Total CEC</th><td data-label="Credits" class="num key">3 CEC</td>'
        '<td data-label="Hours" class="num">14</td>'
    ) in html
    assert "Self-reported" in html and "System-verified" in html and "Trainer-confirmed" in html
    assert "Zoë Ångström-Øberg" in html and "2026-01-01 to 2026-03-31" in html
    # The certificate links to its public verification page; the downloads keep the period.
    assert 'href="/verify/' in html
    assert "/my/transcript.csv?from=2026-01-01&amp;to=2026-03-31" in html


def test_all_time_by_default_without_cycles(app, learner):
    html = learner.web.get("/my/transcript").get_data(as_text=True)
    assert "All time" in html and "Old seminar 2025" in html and "April meeting" in html
    assert 'Total CEC</th><td data-label="Credits" class="num key">5 CEC</td>' in html
    open_end = learner.web.get("/my/transcript?from=2026-03-01").get_data(as_text=True)
    assert "from 2026-03-01" in open_end and "April meeting" in open_end
    assert "January trade show" not in open_end


def _cycles(monkeypatch, *standings: Standing) -> None:
    from lms.requirements import operations

    monkeypatch.setattr(operations, "standing_of", lambda user_id, today: list(standings))


def _standing(code: str, start: date, end: date, counted: tuple[int, ...] = ()) -> Standing:
    """A stand-in cycle; ``counted``: the entry ids it counts (all of them when empty)."""
    return Standing(
        entry_ids=counted or tuple(range(1, 1000)),
        rule_code=code,
        rule_name=f"Rule {code}",
        certification_codes=(code,),
        cycle_start=start,
        cycle_end=end,
        credit_unit="CEC",
        required=Decimal(14),
        earned=Decimal(0),
        status="on_track",
    )


def test_a_cycle_is_chosen_by_rule_and_the_running_one_due_first_is_the_default(
    app, learner, monkeypatch
):
    _cycles(
        monkeypatch,
        _standing("CCT", date(2025, 6, 1), date(2027, 5, 31)),
        _standing("WRT", date(2025, 1, 1), date(2026, 1, 31)),  # the past cycle: overdue
        _standing("WRT", date(2026, 2, 1), date(2026, 3, 31)),
    )
    default = learner.web.get("/my/transcript").get_data(as_text=True)
    assert "<dd>Rule WRT: 2026-02-01 to 2026-03-31</dd>" in default
    assert "Claimed workshop" in default and "January trade show" not in default
    assert "/my/transcript.pdf?rule=WRT&amp;start=2026-02-01" in default
    # Every cycle is offered, the past one too.
    assert 'href="/my/transcript?rule=WRT&amp;start=2025-01-01"' in default
    assert 'href="/my/transcript?rule=CCT&amp;start=2025-06-01"' in default

    wrt = learner.web.get("/my/transcript?rule=WRT").get_data(as_text=True)
    assert "<dd>Rule WRT: 2026-02-01 to 2026-03-31</dd>" in wrt
    past = learner.web.get("/my/transcript?rule=WRT&start=2025-01-01").get_data(as_text=True)
    assert "<dd>Rule WRT: 2025-01-01 to 2026-01-31</dd>" in past
    assert "Old seminar 2025" in past and "January trade show" in past
    assert "Claimed workshop" not in past
    cct = learner.web.get("/my/transcript?rule=CCT").get_data(as_text=True)
    assert "April meeting" in cct and "Old seminar 2025" in cct
    csv_text = learner.web.get("/my/transcript.csv?rule=WRT&start=2025-01-01").get_data(
        as_text=True
    )
    assert "January trade show" in csv_text and "Claimed workshop" not in csv_text

    for query in ("?rule=WRT&start=2024-01-01", "?start=2025-01-01", "?rule=WRT&start=x"):
        assert learner.web.get("/my/transcript" + query).status_code == 400, query

    everything = learner.web.get("/my/transcript?all=1").get_data(as_text=True)
    assert "All time" in everything and "April meeting" in everything


BAD = [
    ("?from=2026-13-01", "does not exist"),
    ("?from=yesterday", "YYYY-MM-DD"),
    ("?to=20260101", "YYYY-MM-DD"),
    ("?from=2026-02-30", "does not exist"),
    ("?from=2026-03-31&to=2026-01-01", "start date is after the end date"),
    ("?rule=NOPE", "None of your certification cycles"),
    ("?rule=WRT&from=2026-01-01", "not both"),
    ("?from=%EF%BF%BF", "YYYY-MM-DD"),
]


@pytest.mark.parametrize("query,message", BAD)
def test_a_bad_period_is_a_400_with_a_message(app, learner, query, message):
    for path in DOWNLOADS:
        response = learner.web.get(path + query)
        assert response.status_code == 400, (path, query)
        assert message in response.get_data(as_text=True)


def test_csv_cells_are_neutralised_and_numbers_stay_numbers(app, demo, clock, create_user):
    from lms.catalogue.operations import published_course
    from lms.db import session

    user = create_user()
    with app.app_context():
        published_course(DEMO_SLUG).title = "=cmd|' /C calc'!A0"
        session().commit()
    award(app, clock, user.id)
    hostile = ("+SUM(A1:A9)", "-2+3", "@import", "\tTabbed", "\rReturn", "  =spaced")
    for n, description in enumerate(hostile):
        add_entry(app, clock, user.id, ref=f"h:{n}", description=description)
    from lms.credits.corrections import correct_entry

    with app.app_context():
        correct_entry(1, "Duplicate", now=clock(), recorded_by_id=None)

    web = signed_in(app, user.email, user.plain_password)
    response = web.get("/my/transcript.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="transcript-all-time.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Entry", "Date earned", "Description"]
    descriptions = [r[2] for r in body]
    assert "'=cmd|' /C calc'!A0" in descriptions
    for description in hostile:
        assert "'" + description in descriptions
    assert "Correction of: =cmd|' /C calc'!A0" in descriptions  # starts with a letter: as is
    for row in body:
        assert not row[2].lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))
    credits = [r[5] for r in body]
    assert credits.count("-1") == 1 and credits.count("1") == 7  # a number, not "'-1"
    reversed_row = next(r for r in body if r[0] == "1")
    assert (
        reversed_row[10].startswith("Reversed on 2026-03-02 (entry ")
        and "Duplicate" in reversed_row[10]
    )
    assert reversed_row[9].startswith("http://localhost/verify/")


def test_the_pdf_prints_chinese_japanese_and_korean_text(app, clock, create_user):
    user = create_user(name="王小明 김민수")
    add_entry(
        app,
        clock,
        user.id,
        ref="e:tokyo",
        description="東京の見本市 (Tokyo trade show)",
        earned_on=date(2026, 1, 15),
    )
    web = signed_in(app, user.email, user.plain_password)
    response = web.get("/my/transcript.pdf" + PERIOD)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.get_data()))
    flat = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Learner: 王小明 김민수" in flat and "東京の見本市 (Tokyo trade show)" in flat


def test_the_pdf_parses_and_names_the_learner_and_the_course(app, learner):
    from lms.catalogue.models import Certification, Holding
    from lms.db import session

    with app.app_context():
        wrt = session().scalars(select(Certification).where(Certification.code == "WRT")).one()
        session().add(
            Holding(
                user_id=learner.id,
                certification_id=wrt.id,
                number="55501",
                certified_on=date(2024, 5, 1),
                created_at=datetime(2024, 5, 1),
            )
        )
        session().commit()
    response = learner.web.get("/my/transcript.pdf" + PERIOD)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "transcript-2026-01-01-to-2026-03-31.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.get_data()))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "Zoë Ångström-Øberg" in flat
    assert "Hot Water Extraction Fundamentals" in flat and "January trade show" in flat
    assert "Old seminar 2025" not in flat and "April meeting" not in flat
    assert "Period: 2026-01-01 to 2026-03-31" in flat and "Total: 3 CEC (14 h)" in flat
    assert "WRT 55501" in flat


def test_another_learners_entries_never_appear(app, learner, clock, create_user):
    _stranger(app, clock, create_user)
    for path in DOWNLOADS[:3]:
        body = learner.web.get(path).get_data()
        if path.endswith(".pdf"):
            body = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).encode()
        text = body.decode("utf-8", "replace")
        assert "Stranger" not in text and "Category and Class of Water Intrusion" not in text
        assert "Someone Else" not in text


def test_the_transcript_needs_a_sign_in(app, demo):
    client = app.test_client()
    for path in DOWNLOADS:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_hostile_text_is_shown_as_text(app, demo, clock, create_user, admin):
    from lms.credits.corrections import correct_entry
    from tests.html_safety import script_hazards

    user = create_user(name="<b>Bold</b>")
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    entry = add_entry(app, clock, user.id, ref="x:1", description=hostile)
    with app.app_context():
        correct_entry(entry, hostile, now=clock(), recorded_by_id=None)
    web = signed_in(app, user.email, user.plain_password)
    for who, page in (
        (web, "/my/transcript"),
        (web, "/dashboard"),
        (admin, f"/admin/users/{user.id}/ledger"),
    ):
        html = who.get(page).get_data(as_text=True)
        assert script_hazards(html) == [], page
        assert "&lt;img src=x onerror=" in html, page


def test_a_cycle_shows_only_the_entries_that_count_toward_it(app, learner, monkeypatch):
    from lms.credits.models import CreditEntry

    with app.app_context():
        ids = list(
            app.extensions["lms"].db.session.scalars(
                select(CreditEntry.id)
                .where(CreditEntry.user_id == learner.id)
                .order_by(CreditEntry.id)
            )
        )
    assert len(ids) > 1
    _cycles(monkeypatch, _standing("WRT", date(2020, 1, 1), date(2030, 12, 31), (ids[0],)))
    page = learner.web.get("/my/transcript?rule=WRT").get_data(as_text=True)
    rows = [r for r in page.split("<tbody>")[1].split("</tbody>")[0].split("<tr") if r.strip()]
    assert len(rows) == 1
