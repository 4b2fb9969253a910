"""Revoking a certificate takes its credit back: a reversing entry in the chained ledger, once;
reissuing one (a correction of the certificate) keeps the credit."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import DEMO_SLUG, answer_key, complete_modules, signed_in, start_quiz


def _certified(app, create_user):
    user = create_user()
    web = signed_in(app, user.email, user.plain_password)
    web.submit(f"/courses/{DEMO_SLUG}", action=f"/courses/{DEMO_SLUG}/enrol")
    complete_modules(web, DEMO_SLUG)
    attempt = start_quiz(web, DEMO_SLUG)
    quiz = f"/courses/{DEMO_SLUG}/quiz"
    web.submit(quiz, answer_key(app, DEMO_SLUG), action=f"{quiz}/{attempt}")
    return user


def _ledger(app, user_id: int) -> list[tuple[str, str]]:
    from lms.credits.models import CreditEntry

    with app.app_context():
        db = app.extensions["lms"].db.session
        rows = db.scalars(
            select(CreditEntry).where(CreditEntry.user_id == user_id).order_by(CreditEntry.seq)
        )
        return [(e.source, format(e.credits, "f")) for e in rows]


def _certificate(app, user_id: int):
    from certificates import Certificate
    from lms.credits.models import CreditEntry

    db = app.extensions["lms"].db.session
    entry = db.scalars(select(CreditEntry).where(CreditEntry.user_id == user_id)).first()
    return db.get(Certificate, entry.certificate_id)


def test_revoking_reverses_the_credit_once_and_the_chain_holds(
    app, demo, create_user, clock, runner
):
    from lms.awards.operations import revoke

    user = _certified(app, create_user)
    assert _ledger(app, user.id) == [("online_course", "1.00")]
    with app.app_context():
        certificate = _certificate(app, user.id)
        assert revoke(certificate, "Identity not confirmed", clock()) is True
        assert revoke(certificate, "Identity not confirmed", clock()) is False
    assert _ledger(app, user.id) == [("online_course", "1.00"), ("reversal", "-1.00")]
    result = runner.invoke(args=["verify-ledger"])
    assert result.exit_code == 0 and result.output.startswith("OK")


def test_reissuing_keeps_the_credit(app, demo, create_user, clock):
    from lms.awards.operations import reissue

    app.config["LMS_BASE_URL"] = "http://lms.example"
    user = _certified(app, create_user)
    with app.app_context():
        reissue(_certificate(app, user.id), clock())
    assert _ledger(app, user.id) == [("online_course", "1.00")]


def test_revoking_a_reissued_certificate_reverses_the_credit(app, demo, create_user, clock):
    from lms.awards.operations import reissue, revoke

    app.config["LMS_BASE_URL"] = "http://lms.example"
    user = _certified(app, create_user)
    with app.app_context():
        replacement = reissue(_certificate(app, user.id), clock())
        assert revoke(replacement, "Fraud", clock()) is True
    assert _ledger(app, user.id) == [("online_course", "1.00"), ("reversal", "-1.00")]


def test_a_revoked_certificate_cannot_be_reissued_back_to_valid(app, admin, create_user, clock):
    """Revoking reversed the credit: a replacement would be a valid certificate for a credit
    the log no longer holds. The page offers no reissue, and the route refuses it."""
    from certificates import Certificate
    from lms.awards.operations import revoke

    app.config["LMS_BASE_URL"] = "http://lms.example"
    user = _certified(app, create_user)
    with app.app_context():
        certificate = _certificate(app, user.id)
        public_id = certificate.public_id
        assert revoke(certificate, "Issued in error", clock()) is True
    page = f"/certificates/{public_id}"
    shown = admin.get(page).get_data(as_text=True)
    assert "Issued in error" in shown and f"{page}/reissue" not in shown
    refused = admin.submit(page, action=f"{page}/reissue")
    assert refused.status_code == 409
    assert "A revoked certificate cannot be reissued" in refused.get_data(as_text=True)
    with app.app_context():
        db = app.extensions["lms"].db.session
        replacements = select(Certificate).where(Certificate.replaces_id.is_not(None))
        assert db.scalars(replacements).all() == []
    assert _ledger(app, user.id) == [("online_course", "1.00"), ("reversal", "-1.00")]
