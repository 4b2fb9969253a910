"""The claim form in a real browser at phone width (defect 9): a send that fails keeps what
was typed and the chosen evidence file, the error is on its field, and the corrected send
goes through without choosing the file again. axe on every page; screenshots forms-*."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.conftest import PHONE, sign_in  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_failed_claim_keeps_the_evidence_and_what_was_typed(
    journey: Any, tmp_path: Any, app: Any, certificates: None
) -> None:
    """The demo graduate holds CCT and WRT (the certificates fixture records them)."""
    evidence = tmp_path / "attendance-record.pdf"
    evidence.write_bytes(PDF)
    tab = journey("forms", viewport=PHONE, is_mobile=True, has_touch=True)
    page = tab.page
    sign_in(tab, "graduate@example.com", "graduate-demo-pass")
    page.goto("/my/claims/new")
    expect(page.get_by_role("heading", name="Claim credits")).to_be_visible()
    tab.check("claim-form")

    page.get_by_label("Which certification is it for?").select_option(
        label="Water Damage Restoration Technician (WRT)"
    )
    page.get_by_label("Title of the course or event").fill("Classroom drying refresher")
    page.get_by_label("Provider or organiser").fill("Restoration Academy")
    page.get_by_label("Date you completed it").fill("2026-02-20")
    page.get_by_label("Hours of instruction").fill("2")
    page.get_by_label("Credits on your certificate").fill("two")  # refused: not a number
    page.get_by_label("Evidence").set_input_files(str(evidence))
    page.get_by_role("button", name="Send the claim").click()

    credits = page.get_by_label("Credits on your certificate")
    expect(credits).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#credits-error")).to_contain_text("must be a number")
    expect(page.get_by_label("Title of the course or event")).to_have_value(
        "Classroom drying refresher"
    )
    expect(page.get_by_label("Date you completed it")).to_have_value("2026-02-20")
    expect(page.get_by_text("attendance-record.pdf is attached")).to_be_visible()
    tab.check("claim-form-kept")

    credits.fill("0.5")  # the file is not chosen again
    page.get_by_role("button", name="Send the claim").click()
    expect(page.get_by_text("Your claim for “Classroom drying refresher” was sent")).to_be_visible()
    expect(page.locator("td[data-label='Activity']").first).to_contain_text("for WRT")
    tab.check("claims-after")
    tab.finish()

    from sqlalchemy import select

    from lms.claims.models import CreditClaim

    with app.app_context():
        claim = app.extensions["lms"].db.session.scalars(select(CreditClaim)).one()
        assert (claim.evidence_filename, claim.evidence_data) == ("attendance-record.pdf", PDF)
