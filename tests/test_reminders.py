"""Reminders 90, 30 and 7 days before a due date, through the outbox: once per window however
often cron runs, only for people who are short, and only after the queueing commits."""

from __future__ import annotations

import email
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms.reminders.operations import window_for
from lms.requirements.operations import Standing

DUE = date(2027, 6, 30)


@pytest.mark.parametrize(
    "days_left, window",
    [(91, None), (90, 90), (31, 90), (30, 30), (8, 30), (7, 7), (0, 7), (-1, None)],
)
def test_the_nearest_window(days_left, window):
    assert window_for(days_left) == window


def _standing(status: str = "at_risk", earned: str = "1") -> Standing:
    return Standing(
        rule_code="WRT-2Y",
        rule_name="Water Damage Restoration Technician",
        certification_codes=("WRT",),
        cycle_start=DUE - timedelta(days=730),
        cycle_end=DUE,
        credit_unit="CEC",
        required=Decimal(4),
        earned=Decimal(earned),
        status=status,
        missing_by_category={"technical": Decimal(1)},
    )


@pytest.fixture
def holder(app, demo, create_user, clock, monkeypatch):
    """A learner holding WRT; their standing is whatever the test sets in ``standings``."""
    from lms.catalogue.models import Certification, Holding

    user = create_user(name="Robin Short")
    with app.app_context():
        db = app.extensions["lms"].db.session
        wrt = db.scalars(select(Certification).where(Certification.code == "WRT")).one()
        db.add(
            Holding(
                user_id=user.id,
                certification_id=wrt.id,
                number="W-1",
                certified_on=date(2025, 6, 30),
                created_at=clock(),
            )
        )
        db.commit()
    standings = {"value": [_standing()]}
    monkeypatch.setattr(
        "lms.reminders.operations.standing_of",
        lambda user_id, today: standings["value"] if user_id == user.id else [],
    )
    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    return standings


def _run(runner, today: date) -> dict:
    result = runner.invoke(args=["send-reminders", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _mails(app) -> list[str]:
    from lms.mail import mail_dir

    with app.app_context():
        folder = mail_dir()
        return sorted(p.read_text() for p in folder.glob("*.eml")) if folder.exists() else []


def test_a_run_twice_sends_once_and_each_window_once(app, runner, holder):
    assert _run(runner, DUE - timedelta(days=100)) == {
        "queued": 0,
        "already_sent": 0,
        "sent": 0,
        "failed": 0,
    }
    first = _run(runner, DUE - timedelta(days=25))
    assert first == {"queued": 1, "already_sent": 0, "sent": 1, "failed": 0}
    again = _run(runner, DUE - timedelta(days=25))
    assert again == {"queued": 0, "already_sent": 1, "sent": 0, "failed": 0}
    assert _run(runner, DUE - timedelta(days=9))["queued"] == 0  # still the 30-day window
    assert _run(runner, DUE - timedelta(days=7))["queued"] == 1
    mails = _mails(app)
    assert len(mails) == 2
    assert "3 CEC still needed by 2027-06-30" in mails[0]
    assert "technical: 1 CEC more" in mails[0]
    assert "https://ce.example.org/my/compliance" in mails[0]


def test_nobody_complete_or_past_due_is_reminded(app, runner, holder):
    holder["value"] = [_standing(status="complete", earned="4")]
    assert _run(runner, DUE - timedelta(days=5))["queued"] == 0
    holder["value"] = [_standing()]
    assert _run(runner, DUE + timedelta(days=1))["queued"] == 0
    assert _mails(app) == []


def test_a_failed_send_is_kept_and_retried(app, runner, holder):
    from lms.outbox.models import OutboxMessage

    app.config.update(LMS_MAIL_BACKEND="smtp", LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=9)
    assert _run(runner, DUE - timedelta(days=20)) == {
        "queued": 1,
        "already_sent": 0,
        "sent": 0,
        "failed": 1,
    }
    with app.app_context():
        message = app.extensions["lms"].db.session.scalars(select(OutboxMessage)).one()
        assert message.sent_at is None and message.attempts == 1 and message.last_error
    app.config["LMS_MAIL_BACKEND"] = "file"
    assert _run(runner, DUE - timedelta(days=19)) == {
        "queued": 0,
        "already_sent": 1,
        "sent": 1,
        "failed": 0,
    }
    assert len(_mails(app)) == 1


def test_nothing_is_queued_or_sent_when_the_run_fails_midway(app, runner, holder, monkeypatch):
    from lms.outbox.models import OutboxMessage

    def broken(user, standing, days_left):
        raise RuntimeError("template broke")

    monkeypatch.setattr("lms.reminders.operations.reminder_text", broken)
    result = runner.invoke(
        args=["send-reminders", "--today", (DUE - timedelta(days=3)).isoformat()]
    )
    assert result.exit_code != 0
    with app.app_context():
        count = app.extensions["lms"].db.session.scalar(
            select(func.count()).select_from(OutboxMessage)
        )
    assert count == 0 and _mails(app) == []


def test_the_demo_rules_remind_a_holder_whose_cycle_ends_soon(
    app, demo, create_user, clock, runner
):
    """No stand-in for the rules here: a WRT holder whose 24-month cycle ends in about three
    weeks, with nothing earned, gets the 30-day reminder, once."""
    from lms.catalogue.models import Certification, Holding

    user = create_user(name="Casey Cutting-It-Close")
    today = clock().date()
    certified = date(today.year - 2, today.month, 1) + timedelta(days=20)
    with app.app_context():
        db = app.extensions["lms"].db.session
        wrt = db.scalars(select(Certification).where(Certification.code == "WRT")).one()
        db.add(
            Holding(
                user_id=user.id,
                certification_id=wrt.id,
                number="W-9",
                certified_on=certified,
                created_at=clock(),
            )
        )
        db.commit()
    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    first = _run(runner, today)
    assert (first["queued"], first["sent"]) == (1, 1), first
    assert _run(runner, today)["queued"] == 0
    [mail] = _mails(app)
    assert "4 CEC still needed" in mail and user.email in mail


def test_each_certification_of_a_rule_gets_its_own_reminder(app, runner, holder):
    from dataclasses import replace

    both = _standing()
    holder["value"] = [replace(both, certification="WRT"), replace(both, certification="CCT")]
    assert _run(runner, DUE - timedelta(days=20))["queued"] == 2
    assert _run(runner, DUE - timedelta(days=20))["queued"] == 0
    subjects = [str(email.message_from_string(m)["Subject"]) for m in _mails(app)]
    assert sorted(s.rsplit(": ", 1)[1].rstrip(")") for s in subjects) == ["CCT", "WRT"]


def test_without_a_base_url_the_command_says_what_to_set(app, runner, holder):
    app.config["LMS_BASE_URL"] = None
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 1 and "set LMS_BASE_URL" in result.output
