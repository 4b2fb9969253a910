"""The studio's question bank page: GIFT import and export from the trainer's pages, for the
course's owner (or an admin) only."""

from __future__ import annotations

import io

import pytest

from tests.conftest import Web
from tests.test_gift_cli import BANK, _question_count, _specs

SLUG = "hot-water-extraction-fundamentals"  # owned by the demo trainer
PAGE = f"/studio/courses/{SLUG}/questions"
IMPORT = f"/studio/courses/{SLUG}/questions/import"


def _signed_in(app, email: str, password: str) -> Web:
    web = Web(app.test_client())
    web.login(email, password)
    return web


@pytest.fixture
def trainer(app, demo) -> Web:
    return _signed_in(app, "trainer@example.com", "trainer-demo-pass")


def test_the_owner_imports_a_gift_file_from_the_page(app, trainer):
    before = len(_specs(app, SLUG))
    response = trainer.submit(
        PAGE,
        {"file": (io.BytesIO(BANK.encode()), "bank.gift"), "pool": "Imported"},
        action=IMPORT,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = trainer.get(PAGE).get_data(as_text=True)
    assert (
        "Imported 10 questions (1 matching, 1 multiple, 3 numeric, 1 short, 2 single, "
        "2 truefalse). Skipped 2" in page
    )
    specs = _specs(app, SLUG)
    assert len(specs) == before + 10 and {s["pool"] for s in specs[before:]} == {"Imported"}


def test_pasted_gift_with_an_error_is_refused_whole_and_kept_in_the_box(app, trainer):
    before = _question_count(app)
    pasted = "::Fine:: ok? {T}\n\n::Broken:: how many? {#seven}\n"
    response = trainer.submit(PAGE, {"text": pasted}, action=IMPORT)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was imported: line 3:" in page
    assert "how many? {#seven}" in page  # the text is given back to fix
    assert _question_count(app) == before


def test_wrong_file_types_and_empty_imports_are_refused(app, trainer):
    response = trainer.submit(
        PAGE,
        {"file": (io.BytesIO(b"%PDF-1.7"), "bank.pdf")},
        action=IMPORT,
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "Upload a GIFT file" in response.get_data(as_text=True)
    response = trainer.submit(PAGE, {"text": "  "}, action=IMPORT)
    assert response.status_code == 400 and "Choose a GIFT file" in response.get_data(as_text=True)


def test_export_downloads_the_bank_as_gift(app, trainer):
    response = trainer.get(f"/studio/courses/{SLUG}/questions.gift")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert f'filename="{SLUG}.gift"' in response.headers["Content-Disposition"]
    assert "Why should carpet be thoroughly pre-vacuumed" in response.get_data(as_text=True)


def test_other_trainers_and_learners_are_kept_out(app, demo, create_user):
    other = create_user(role="trainer")
    learner = create_user()
    for user, status in ((other, 404), (learner, 403)):
        web = _signed_in(app, user.email, user.plain_password)
        assert web.get(PAGE).status_code == status
        assert web.get(f"/studio/courses/{SLUG}/questions.gift").status_code == status
        token = web.token("/dashboard")
        posted = web.client.post(IMPORT, data={"csrf_token": token, "text": "::X:: y {T}"})
        assert posted.status_code == status
    assert "Hot Water" not in _signed_in(app, other.email, other.plain_password).get(
        "/studio/"
    ).get_data(as_text=True)


def test_an_admin_sees_every_course(app, demo):
    admin = _signed_in(app, "admin@example.com", "admin-demo-pass")
    assert admin.get(PAGE).status_code == 200
    assert admin.get("/studio/").get_data(as_text=True).count("Question bank") == 3


def test_the_import_needs_a_csrf_token(app, trainer):
    before = _question_count(app)
    response = trainer.client.post(IMPORT, data={"text": "::X:: y {T}"})
    assert response.status_code == 400
    assert _question_count(app) == before
