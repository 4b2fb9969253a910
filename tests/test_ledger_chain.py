"""The credit ledger's hash chain: ``lms verify-ledger`` finds an edit made behind the
application's back and names the first broken link; corrections are reversing entries, once,
from the admin page or ``lms ledger reverse``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from tests.conftest import DEMO_SLUG, signed_in

SLUGS = (
    "hot-water-extraction-fundamentals",
    "category-and-class-of-water-intrusion",
    "moisture-mapping-and-drying-documentation",
)


def award(app, clock, user_id: int, slug: str = DEMO_SLUG) -> str:
    """A real course award (enrol, complete, certificate, ledger entry); the certificate id."""
    from lms.awards.issuer import prepare_signing
    from lms.catalogue.operations import published_course
    from lms.credits.operations import award_course_completion
    from lms.db import session
    from lms.learning.operations import enrol

    # A request context: without LMS_BASE_URL, tests sign under http://localhost, as pages do.
    with app.test_request_context():
        prepare_signing()
        enrolment = enrol(user_id, published_course(slug), clock())
        session().commit()
        certificate = award_course_completion(enrolment, clock())
        assert certificate is not None
        session().commit()
        return certificate.public_id


def add_entry(
    app,
    clock,
    user_id: int,
    *,
    ref: str,
    credits: str = "1",
    earned_on: date | None = None,
    description: str = "Annual regional conference",
    source: str = "event",
    verification: str = "trainer",
    unit: str = "CEC",
    hours: str | None = None,
) -> int:
    """An entry appended straight through the ledger (as events and claims do); its id."""
    from lms.credits.ledger import append_entry
    from lms.db import session

    with app.app_context():
        entry = append_entry(
            session(),
            user_id=user_id,
            source=source,
            source_ref=ref,
            description=description,
            credits=Decimal(credits),
            credit_unit=unit,
            hours=None if hours is None else Decimal(hours),
            earned_on=earned_on or clock().date(),
            verification=verification,
            now=clock(),
        )
        session().commit()
        return entry.id


def verify(app):
    from lms.credits.verification import verify_ledger
    from lms.db import session

    with app.app_context():
        report = verify_ledger(session())
        session().rollback()
        return report


def sql(app, statement: str, **params) -> None:
    """Tampering as someone with database access would: straight SQL, no application."""
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        with engine.begin() as conn:
            conn.execute(text(statement), params)


def entry_at(app, seq: int) -> int:
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT id FROM lms_credit_entry WHERE seq = :s"), {"s": seq}
            ).scalar_one()


@pytest.fixture
def ledger(app, demo, clock, create_user) -> dict[str, int]:
    """Six entries by two learners: three real course awards and three appended ones."""
    first, second = create_user(), create_user()
    award(app, clock, first.id, SLUGS[0])
    add_entry(app, clock, second.id, ref="event:1:user:2")
    clock.advance(days=3)
    award(app, clock, second.id, SLUGS[1])
    add_entry(app, clock, first.id, ref="claim:1", source="external_claim", verification="self")
    award(app, clock, first.id, SLUGS[2])
    add_entry(app, clock, second.id, ref="event:2:user:2", credits="0.5")
    return {"first": first.id, "second": second.id}


def test_an_untouched_ledger_passes_and_the_command_prints_the_head(app, ledger, runner):
    report = verify(app)
    assert report.ok and report.checked == 6 and report.head_seq == 6
    result = runner.invoke(args=["verify-ledger"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 6 entries") and report.head_hash in result.output


def test_an_empty_ledger_passes(app, runner):
    result = runner.invoke(args=["verify-ledger"])
    assert result.exit_code == 0 and "OK: 0 entries" in result.output


def _recompute_own_hash(app, seq: int) -> None:
    """The careful forger: edit a row, then give it a hash that matches its new contents."""
    from lms.credits.chain import entry_hash
    from lms.credits.models import CreditEntry

    sql(app, "UPDATE lms_credit_entry SET credits = 9 WHERE seq = :s", s=seq)
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        table = CreditEntry.__table__
        with engine.connect() as conn:
            row = conn.execute(select(*table.c).where(table.c.seq == seq)).one()
        sql(
            app,
            "UPDATE lms_credit_entry SET entry_hash = :h WHERE seq = :s",
            h=entry_hash(row),
            s=seq,
        )


def _swap(app, a: int, b: int) -> None:
    sql(app, "UPDATE lms_credit_entry SET seq = -1 WHERE seq = :a", a=a)
    sql(app, "UPDATE lms_credit_entry SET seq = :a WHERE seq = :b", a=a, b=b)
    sql(app, "UPDATE lms_credit_entry SET seq = :b WHERE seq = -1", b=b)


def _swap_ids(app, a: int, b: int) -> None:
    """Give the entries at seq a and b each other's id (the rest of each row stays)."""
    first, second, spare = entry_at(app, a), entry_at(app, b), 2_000_000_000
    sql(app, "UPDATE lms_credit_entry SET id = :t WHERE id = :f", t=spare, f=first)
    sql(app, "UPDATE lms_credit_entry SET id = :f WHERE id = :s", f=first, s=second)
    sql(app, "UPDATE lms_credit_entry SET id = :s WHERE id = :t", s=second, t=spare)


TAMPERING = {
    "more credits": (
        lambda app: sql(app, "UPDATE lms_credit_entry SET credits = 5 WHERE seq = 3"),
        "edited",
        3,
        "entry {id3} (seq 3): its contents no longer match its hash (edited after it was written)",
    ),
    "another description": (
        lambda app: sql(
            app, "UPDATE lms_credit_entry SET description = 'Advanced course' WHERE seq = 4"
        ),
        "edited",
        4,
        "entry {id4} (seq 4): its contents no longer match its hash",
    ),
    "a middle row deleted": (
        lambda app: sql(app, "DELETE FROM lms_credit_entry WHERE seq = 3"),
        "gap",
        3,
        "a gap: seq 3 is missing",
    ),
    "the last row deleted": (
        lambda app: sql(app, "DELETE FROM lms_credit_entry WHERE seq = 6"),
        "truncated",
        6,
        "the head says 6 entries but the chain ends at 5 (entries removed from the end)",
    ),
    "two rows swapped": (
        lambda app: _swap(app, 2, 3),
        "edited",
        2,
        "entry {id3} (seq 2): its contents no longer match its hash",
    ),
    "a row rewritten with a matching hash": (
        lambda app: _recompute_own_hash(app, 4),
        "link",
        5,
        "seq 5 (entry {id5}) points at a previous hash that is not entry {id4}'s",
    ),
    "the head's hash changed": (
        lambda app: sql(app, "UPDATE lms_ledger_head SET entry_hash = :h", h="f" * 64),
        "head_hash",
        6,
        "the head's hash " + "f" * 64 + " is not entry {id6}'s (seq 6)",
    ),
    "two rows' ids swapped": (
        # Reversals point at ids: moving one onto another entry must not pass unseen.
        lambda app: _swap_ids(app, 2, 3),
        "edited",
        2,
        "(seq 2): its contents no longer match its hash",
    ),
    "a verification level raised": (
        lambda app: sql(app, "UPDATE lms_credit_entry SET verification = 'system' WHERE seq = 4"),
        "edited",
        4,
        "entry {id4} (seq 4)",
    ),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_tampering_is_found_at_the_first_broken_link(app, ledger, runner, case):
    ids = {f"id{seq}": entry_at(app, seq) for seq in range(1, 7)}
    tamper, kind, seq, message = TAMPERING[case]
    tamper(app)
    report = verify(app)
    assert not report.ok
    assert (report.broken.kind, report.broken.seq) == (kind, seq), report.broken
    assert message.format(**ids) in report.broken.message
    result = runner.invoke(args=["verify-ledger"])
    assert result.exit_code == 1
    assert message.format(**ids) in result.output and not result.output.startswith("OK")


def test_a_forged_entry_after_the_head_is_found(app, ledger):
    """A well-formed entry (right link, right hash) added without moving the head."""
    from lms.credits.chain import entry_hash
    from lms.credits.models import CreditEntry

    sql(
        app,
        "INSERT INTO lms_credit_entry (seq, user_id, source, source_ref, description, credits, "
        "credit_unit, category, verification, earned_on, cycles, reason, created_at, "
        "prev_hash, entry_hash) SELECT 7, user_id, source, 'forged', description, 9, "
        "credit_unit, category, verification, earned_on, cycles, reason, created_at, "
        "entry_hash, :placeholder FROM lms_credit_entry WHERE seq = 6",
        placeholder="e" * 64,
    )
    with app.app_context():
        table = CreditEntry.__table__
        with app.extensions["lms"].db.engine.connect() as conn:
            forged = conn.execute(select(*table.c).where(table.c.seq == 7)).one()
    sql(app, "UPDATE lms_credit_entry SET entry_hash = :h WHERE seq = 7", h=entry_hash(forged))
    report = verify(app)
    assert (report.broken.kind, report.broken.seq) == ("beyond_head", 7)
    assert "the chain goes on to seq 7 but the head says 6" in report.broken.message


def test_reversals_keep_the_chain_intact(app, ledger, runner, clock):
    clock.advance(days=1)
    first = entry_at(app, 1)
    result = runner.invoke(args=["ledger", "reverse", str(first), "--reason", "Duplicate award"])
    assert result.exit_code == 0, result.output
    assert f"Entry {first} reversed by entry" in result.output and "-1.00 CEC" in result.output
    report = verify(app)
    assert report.ok and report.checked == 7

    from lms.credits.models import CreditEntry
    from lms.db import session

    with app.app_context():
        reversal = (
            session().scalars(select(CreditEntry).where(CreditEntry.reverses_id == first)).one()
        )
        assert (reversal.seq, reversal.credits, reversal.reason) == (
            7,
            Decimal("-1.00"),
            "Duplicate award",
        )
        assert reversal.recorded_by_id is None and reversal.source == "reversal"
        reversal_id = reversal.id

    again = runner.invoke(args=["ledger", "reverse", str(first), "--reason", "Once more"])
    assert again.exit_code == 1 and "already reversed" in again.output
    of_reversal = runner.invoke(
        args=["ledger", "reverse", str(reversal_id), "--reason", "Undo the undo"]
    )
    assert of_reversal.exit_code == 1 and "itself a correction" in of_reversal.output
    missing = runner.invoke(args=["ledger", "reverse", "999999", "--reason", "Whatever"])
    assert missing.exit_code == 1 and "no ledger entry 999999" in missing.output
    no_reason = runner.invoke(args=["ledger", "reverse", str(entry_at(app, 2)), "--reason", " "])
    assert no_reason.exit_code == 1 and "Give a reason" in no_reason.output
    assert verify(app).checked == 7  # nothing written by the refusals

    # A reversal rewritten behind the application's back is caught like any entry.
    sql(app, "UPDATE lms_credit_entry SET credits = 0 WHERE id = :i", i=reversal_id)
    assert verify(app).broken.entry_id == reversal_id


def test_a_race_of_two_corrections_leaves_one(app, ledger, clock):
    """The second correction of the same entry collides on the unique reverses_id even if it
    got past the look-up, and is refused with the same message."""
    from lms.credits import corrections
    from lms.credits.corrections import CorrectionRefused, correct_entry

    first = entry_at(app, 1)
    with app.app_context():
        correct_entry(first, "First correction", now=clock(), recorded_by_id=None)
    original = corrections.reversal_of
    corrections.reversal_of = lambda entry_id: None  # the look-up ran before the other commit
    try:
        with app.app_context(), pytest.raises(CorrectionRefused, match="already reversed"):
            correct_entry(first, "Second correction", now=clock(), recorded_by_id=None)
    finally:
        corrections.reversal_of = original
    report = verify(app)
    assert report.ok and report.checked == 7


ADMIN_LEDGER = "/admin/users/{}/ledger"


def test_an_admin_reverses_an_entry_with_a_reason_once(app, ledger, admin, clock):
    user = ledger["first"]
    page = ADMIN_LEDGER.format(user)
    listing = admin.get(page).get_data(as_text=True)
    assert "Hot Water Extraction Fundamentals" in listing and "System-verified" in listing
    assert "Self-reported" in listing and "External claim" in listing

    target = entry_at(app, 1)
    action = f"{page}/{target}/reverse"
    short = admin.submit(page, {"reason": "x"}, action=action)
    assert short.status_code == 400 and "Give a reason" in short.get_data(as_text=True)

    clock.advance(days=2)
    done = admin.submit(page, {"reason": "Completed twice under two accounts"}, action=action)
    assert done.status_code == 302
    after = admin.get(page).get_data(as_text=True)
    assert 'Reversed on <time datetime="2026-03-07T' in after and ">7 March 2026</time>" in after
    assert "Completed twice under two accounts" in after

    twice = admin.submit(page, {"reason": "Again"}, action=action)
    assert twice.status_code == 409 and "already reversed" in twice.get_data(as_text=True)

    from lms.credits.models import CreditEntry
    from lms.db import session

    with app.app_context():
        reversal = (
            session().scalars(select(CreditEntry).where(CreditEntry.reverses_id == target)).one()
        )
        assert reversal.recorded_by_id is not None
        reversal_id = reversal.id
    undo = admin.submit(page, {"reason": "Undo"}, action=f"{page}/{reversal_id}/reverse")
    assert undo.status_code == 409 and "itself a correction" in undo.get_data(as_text=True)
    # Another person's entry through this person's page: as if it did not exist.
    other = entry_at(app, 2)
    assert (
        admin.submit(page, {"reason": "Wrong person"}, action=f"{page}/{other}/reverse").status_code
        == 404
    )
    assert admin.get(ADMIN_LEDGER.format(999999)).status_code == 404
    assert verify(app).ok


def test_the_learner_sees_the_reversal_and_the_verification_levels(app, demo, clock, create_user):
    from lms.credits.corrections import correct_entry

    learner = create_user()
    award(app, clock, learner.id)
    claim = add_entry(
        app,
        clock,
        learner.id,
        ref="claim:9",
        source="external_claim",
        verification="reviewer",
        credits="2",
    )
    clock.advance(days=1)
    with app.app_context():
        correct_entry(
            claim,
            "Certificate of attendance was for another person",
            now=clock(),
            recorded_by_id=None,
        )
    web = signed_in(app, learner.email, learner.plain_password)
    page = web.get("/dashboard").get_data(as_text=True)
    assert "System-verified" in page and "Reviewer-approved" in page
    assert ">3 March 2026</time>: Certificate of attendance was for another person" in page
    assert "-2 CEC" in page and "Correction of: Annual regional conference" in page
    assert "<strong>1 CEC</strong>" in page  # 1 + 2 - 2
    assert "/my/transcript" in page


def test_only_admins_see_a_ledger_or_reverse(app, ledger, trainer, create_user):
    learner = create_user()
    web = signed_in(app, learner.email, learner.plain_password)
    target = entry_at(app, 1)
    page = ADMIN_LEDGER.format(ledger["first"])
    for who in (web, trainer):
        assert who.get(page).status_code == 403
        reverse = who.submit(
            "/dashboard", {"reason": "I want to"}, action=f"{page}/{target}/reverse"
        )
        assert reverse.status_code == 403
        assert who.get(f"/admin/users/{ledger['first']}/audit-packet.zip").status_code == 403
    assert verify(app).checked == 6
    anonymous = app.test_client().get(page)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
