"""Tables on a phone (defect 6): at 390 px every table of the learner's, trainer's and admin's
pages is a stack of cards, each cell names its column, the key cell (credits in a credit log,
status in claims) is on screen, no word is broken inside, nothing scrolls sideways, and axe
finds nothing serious. Screenshots: tables-<person>-NN-<page>-phone/desktop.png."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from tests.browser.conftest import PHONE, sign_in  # noqa: E402

#: What the page's tables look like, measured in the browser: rows that are not cards,
#: cells without their column's label, key cells off screen, words broken across lines.
MEASURE = """() => {
  const found = {tables: 0, cards: 0, notCards: [], unlabelled: [], keys: 0, keysOff: [],
                 headersShown: [], broken: []};
  const width = window.innerWidth;
  const tables = [...document.querySelectorAll(".table-wrap > table:not(.rows)")];
  for (const table of tables) {
    found.tables++;
    const labels = [...table.tHead.rows[0].cells]
      .map(c => c.textContent.trim().replace(/\\s+/g, " "));
    if (table.tHead.getBoundingClientRect().width > 1) found.headersShown.push(labels.join(" | "));
    for (const body of table.tBodies) for (const row of body.rows) {
      if (getComputedStyle(row).display === "flex") found.cards++;
      else found.notCards.push(row.textContent.trim().slice(0, 40));
      for (const cell of row.cells) {
        if (!cell.textContent.trim() || cell.matches("th[scope=row]")) continue;
        const label = cell.dataset.label;
        const shown = getComputedStyle(cell, "::before").content;
        if (!label || !labels.includes(label) || shown === "none" || shown === "")
          found.unlabelled.push(`${label}: ${cell.textContent.trim().slice(0, 40)}`);
      }
    }
    for (const key of table.querySelectorAll("td.key")) {
      found.keys++;
      const box = key.getBoundingClientRect();
      if (box.width === 0 || box.left < 0 || box.right > width)
        found.keysOff.push(key.textContent.trim());
    }
    // Each word (a run of letters or digits; an id longer than 24 may break) must sit on one
    // line: a word broken inside has rectangles on two lines.
    const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest("thead, .visually-hidden")) continue;
      for (const match of node.data.matchAll(/[\\p{L}\\p{N}]+/gu)) {
        if (match[0].length < 2 || match[0].length > 24) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                       .map(r => Math.round(r.top)));
        if (tops.size > 1) found.broken.push(match[0]);
      }
    }
  }
  return found;
}"""

#: Squeezes a cell the way the old rules did (break-all in a narrow column), so the test
#: shows that MEASURE sees a word broken inside.
SQUEEZE = """() => {
  const cell = document.querySelector(".table-wrap > table:not(.rows) td[data-label='Activity']");
  cell.style.wordBreak = "break-all";
  cell.style.width = "4ch";
  return cell.textContent.match(/[\\p{L}]{9,}/gu);
}"""

#: Credentials and pages with tables, per person.
PEOPLE = {
    "graduate": (
        ("graduate@example.com", "graduate-demo-pass"),
        [
            ("/dashboard", "dashboard"),
            ("/my/claims", "claims"),
            ("/my/transcript", "transcript"),
            ("/my/certifications", "certifications"),
        ],
    ),
    "trainer": (
        ("trainer@example.com", "trainer-demo-pass"),
        [
            ("/studio/", "studio"),
            ("/studio/courses/hot-water-extraction-fundamentals/report", "report"),
        ],
    ),
    "admin": (
        ("admin@example.com", "admin-demo-pass"),
        [
            ("/admin/claims", "claims-queue"),
            ("/admin/certifications", "certifications"),
            ("/admin/rules", "rules"),
            ("/admin/users", "users"),
        ],
    ),
}

#: A claim whose words are long enough to be broken in a narrow column ("Cl/as/s").
CLAIM_TITLE = "Classroom Upholstery Cleaning Refresher"


@pytest.fixture
def claims(app: Any, certificates: None) -> None:
    """The graduate's claims: one approved (in the credit log), one waiting, one rejected."""
    from lms.accounts.operations import find_user_by_email
    from lms.claims.operations import approve_claim, reject_claim, submit_claim
    from lms.clock import now

    pdf = b"%PDF-1.4\n% attendance record\n"
    with app.app_context():
        graduate = find_user_by_email("graduate@example.com")
        admin = find_user_by_email("admin@example.com")
        made = []
        for title in (CLAIM_TITLE, "Restoration Trade Show Seminar", "Mould Remediation Basics"):
            values = {
                "kind": "course",
                "certification_id": None,
                "title": title,
                "provider": "Professional Restoration Academy",
                "completed_on": now().date(),
                "hours": Decimal("2"),
                "credits": Decimal("0.5"),
                "credit_unit": "CEC",
                "category": "technical",
            }
            made.append(
                submit_claim(
                    graduate.id,
                    values,
                    filename="attendance-record.pdf",
                    content_type="application/pdf",
                    data=pdf + hashlib.sha256(title.encode()).digest(),
                    now=now(),
                )
            )
        approve_claim(made[0], admin.id, now())
        reject_claim(made[2], admin.id, "The record names another person.", now())


def test_tables_become_labelled_cards_on_a_phone_with_no_word_broken(
    claims: None, journey: Any
) -> None:
    for person, ((email, password), pages) in PEOPLE.items():
        tab = journey(f"tables-{person}", viewport=PHONE, is_mobile=True, has_touch=True)
        sign_in(tab, email, password)
        for path, shot in pages:
            tab.page.goto(path)
            tab.check(shot)  # axe, screenshots at both widths, no sideways scroll at 390 px
            found = tab.page.evaluate(MEASURE)
            where = f"{person} {path}"
            assert found["tables"] >= 1 and found["cards"] >= 1, (where, found)
            assert found["notCards"] == [], (where, found["notCards"])
            assert found["headersShown"] == [], (where, found["headersShown"])
            assert found["unlabelled"] == [], (where, found["unlabelled"])
            assert found["keysOff"] == [], (where, found["keysOff"])
            assert found["broken"] == [], (where, found["broken"])
            if person == "graduate" and path in ("/dashboard", "/my/claims"):
                assert found["keys"] >= 1, where  # credits / status marked as the key
        tab.finish()


def test_the_check_sees_a_word_broken_inside(claims: None, journey: Any) -> None:
    tab = journey("tables-squeezed", viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(tab, "graduate@example.com", "graduate-demo-pass")
    tab.page.goto("/my/claims")
    tab.check()
    assert tab.page.evaluate(MEASURE)["broken"] == []
    squeezed = tab.page.evaluate(SQUEEZE)
    broken = tab.page.evaluate(MEASURE)["broken"]
    assert squeezed and set(squeezed) <= set(broken), (squeezed, broken)
    tab.finish()
