"""A version's question bank in GIFT from the studio's quiz page: import into a draft only,
export from any version, for the course's owner (or an admin) only."""

from __future__ import annotations

import io

from tests.conftest import DEMO_SLUG, Web
from tests.test_gift_cli import BANK, _question_count, _specs

V1 = f"/studio/courses/{DEMO_SLUG}/v1"  # published


def _signed_in(app, email: str, password: str) -> Web:
    web = Web(app.test_client())
    web.login(email, password)
    return web


def test_the_owner_imports_a_gift_file_into_the_draft(app, trainer, draft):
    before = len(_specs(app, DEMO_SLUG))  # the newest version: the draft
    response = trainer.submit(
        f"{draft}/quiz",
        {"file": (io.BytesIO(BANK.encode()), "bank.gift"), "pool": "Imported"},
        action=f"{draft}/quiz/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = trainer.get(f"{draft}/quiz").get_data(as_text=True)
    assert (
        "Imported 10 questions (1 matching, 1 multiple, 3 numeric, 1 short, 2 single, "
        "2 truefalse). Skipped 2" in page
    )
    specs = _specs(app, DEMO_SLUG)
    assert len(specs) == before + 10 and {s["pool"] for s in specs[before:]} == {"Imported"}


def test_a_published_version_takes_no_import(app, trainer, draft):
    before = _question_count(app)
    response = trainer.submit(f"{draft}/quiz", {"text": "::X:: y {T}"}, action=f"{V1}/quiz/import")
    assert response.status_code == 409
    assert "only a draft can be changed" in response.get_data(as_text=True)
    assert _question_count(app) == before
    assert "Import questions" not in trainer.get(f"{V1}/quiz").get_data(as_text=True)


def test_pasted_gift_with_an_error_is_refused_whole_and_kept_in_the_box(app, trainer, draft):
    before = _question_count(app)
    pasted = "::Fine:: ok? {T}\n\n::Broken:: how many? {#seven}\n"
    response = trainer.submit(f"{draft}/quiz", {"text": pasted}, action=f"{draft}/quiz/import")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was imported: line 3:" in page
    assert "how many? {#seven}" in page  # the text is given back to fix
    assert _question_count(app) == before


def test_wrong_file_types_and_empty_imports_are_refused(app, trainer, draft):
    response = trainer.submit(
        f"{draft}/quiz",
        {"file": (io.BytesIO(b"%PDF-1.7"), "bank.pdf")},
        action=f"{draft}/quiz/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "Upload a GIFT file" in response.get_data(as_text=True)
    response = trainer.submit(
        f"{draft}/quiz",
        {"file": (io.BytesIO(b"\xff\xfe::X"), "bank.gift")},
        action=f"{draft}/quiz/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "not UTF-8" in response.get_data(as_text=True)
    response = trainer.submit(f"{draft}/quiz", {"text": "  "}, action=f"{draft}/quiz/import")
    assert response.status_code == 400 and "Choose a GIFT file" in response.get_data(as_text=True)


def test_export_downloads_any_versions_bank_as_gift(app, trainer, draft):
    for page in (V1, draft):
        response = trainer.get(f"{page}/quiz/export.gift")
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        version = page.rsplit("/v", 1)[1]
        assert f'filename="{DEMO_SLUG}-v{version}.gift"' in response.headers["Content-Disposition"]
        assert "Why should carpet be thoroughly pre-vacuumed" in response.get_data(as_text=True)


def test_other_trainers_and_learners_are_kept_out(app, draft, create_user):
    other = create_user(role="trainer")
    learner = create_user()
    before = _question_count(app)
    for user, status in ((other, 404), (learner, 403)):
        web = _signed_in(app, user.email, user.plain_password)
        for page in (V1, draft):
            assert web.get(f"{page}/quiz").status_code == status
            assert web.get(f"{page}/quiz/export.gift").status_code == status
            token = web.token("/dashboard")
            posted = web.client.post(
                f"{page}/quiz/import", data={"csrf_token": token, "text": "::X:: y {T}"}
            )
            assert posted.status_code == status
        assert web.get(f"/studio/courses/{DEMO_SLUG}/questions").status_code == status
    assert _question_count(app) == before


def test_an_admin_reaches_every_course(app, admin, draft):
    assert admin.get(f"{draft}/quiz").status_code == 200
    assert admin.get(f"{V1}/quiz/export.gift").status_code == 200


def test_the_old_address_leads_to_the_newest_versions_quiz(app, trainer, draft):
    response = trainer.get(f"/studio/courses/{DEMO_SLUG}/questions")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{draft}/quiz")


def test_the_import_needs_a_csrf_token(app, trainer, draft):
    before = _question_count(app)
    response = trainer.client.post(f"{draft}/quiz/import", data={"text": "::X:: y {T}"})
    assert response.status_code == 400
    assert _question_count(app) == before
