"""The certificate engine's pure parts: snapshots, digests, ids and the PDF."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from certificates import CertificateFacts, digest_of, new_public_id, render_pdf

FACTS = CertificateFacts(
    learner_name="Ana María Ñúñez-Łukasz Ολγα Дмитриева",
    course_title="Category and Class of Water Intrusion",
    course_version=3,
    provider="Northfield Restoration Academy",
    credits=Decimal("2.50"),
    credit_unit="CEC",
    completed_on=date(2026, 2, 28),
)


def test_facts_round_trip_through_json():
    data = FACTS.to_json()
    assert data["credits"] == "2.5"
    assert data["completed_on"] == "2026-02-28"
    assert CertificateFacts.from_json(data) == FACTS


def test_digest_is_stable_and_changes_with_any_fact():
    data = FACTS.to_json()
    assert digest_of(data) == digest_of(dict(reversed(list(data.items()))))
    assert digest_of(data) != digest_of({**data, "credits": "3"})


def test_public_ids_are_random_and_at_least_128_bits():
    ids = {new_public_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) >= 22 for i in ids)  # 22 base64url characters carry 132 bits


def test_pdf_prints_every_fact_in_latin_greek_and_cyrillic_names():
    pdf = render_pdf(FACTS, public_id="abc123", verify_url="https://ce.example/verify/abc123")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for expected in (
        "Ana María Ñúñez-Łukasz Ολγα Дмитриева",
        "Category and Class of Water Intrusion",
        "Northfield Restoration Academy",
        "2.5 CEC",
        "28 February 2026",
        "abc123",
    ):
        assert expected in text


def test_chinese_japanese_and_korean_names_print_too(caplog):
    """DejaVu Sans has no CJK glyphs; without the fallback font these names printed blank."""
    from dataclasses import replace

    facts = replace(
        FACTS,
        learner_name="王小明 山田 はなこ 김민수",
        course_title="水損復旧の基礎 (Water Damage Basics)",
    )
    pdf = render_pdf(facts, public_id="abc123", verify_url="https://ce.example/verify/abc123")
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "王小明 山田 はなこ 김민수" in text
    assert "水損復旧の基礎 (Water Damage Basics)" in text
    assert "missing the following glyphs" not in caplog.text


def test_the_fallback_font_is_embedded_only_when_a_text_needs_it():
    latin = render_pdf(FACTS, public_id="abc123", verify_url="https://ce.example/verify/abc")
    fonts = " ".join(
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(latin)).pages
        for font in page["/Resources"]["/Font"].values()
    )
    assert "DejaVu" in fonts and "Droid" not in fonts


def test_the_pdf_prints_the_approval_number_only_when_the_course_has_one():
    from dataclasses import replace

    def text(facts: CertificateFacts) -> str:
        pdf = render_pdf(facts, public_id="abc123", verify_url="https://ce.example/verify/abc123")
        return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    assert "Approval number: IICRC-AP-4471" in text(replace(FACTS, approval_number="IICRC-AP-4471"))
    assert "Approval number" not in text(FACTS)
    assert "Credits earned: 2.5 CEC" in text(FACTS)
