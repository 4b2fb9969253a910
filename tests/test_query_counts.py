"""Pages issue a fixed number of SQL statements, whatever the amount of data (no N+1)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from lms.catalogue.models import Certification, Provider
from lms.catalogue.operations import create_course
from tests.conftest import Web, answer_key, complete_modules, start_quiz

SLUGS = [
    "hot-water-extraction-fundamentals",
    "category-and-class-of-water-intrusion",
    "moisture-mapping-and-drying-documentation",
]


def _add_courses(app, count: int, clock) -> None:  # noqa: ANN001
    with app.app_context():
        db = app.extensions["lms"].db.session
        provider = db.scalars(select(Provider)).first()
        certifications = list(db.scalars(select(Certification)))
        for n in range(count):
            create_course(
                slug=f"extra-{n}",
                title=f"Extra course {n}",
                summary="More.",
                provider=provider,
                credits=Decimal("0.5"),
                certifications=certifications,
                modules=[{"title": "Only module", "body": "Text."}],
                quiz={
                    "title": "Quiz",
                    "pass_percent": 50,
                    "questions": [{"type": "truefalse", "prompt": "Yes?", "answer": True}],
                },
                now=clock(),
            )


def test_catalogue_query_count_does_not_grow_with_courses(app, client, demo, statements, clock):
    few = statements.during(lambda: client.get("/"))
    _add_courses(app, 5, clock)
    many = statements.during(lambda: client.get("/"))
    assert "Extra course 4" in client.get("/").get_data(as_text=True)
    assert many == few


def test_dashboard_query_count_does_not_grow_with_enrolments_and_credits(
    app, demo, create_user, statements
):
    user = create_user()
    web = Web(app.test_client())
    web.login(user.email, user.plain_password)

    def take(slug: str) -> None:
        web.submit(f"/courses/{slug}", action=f"/courses/{slug}/enrol")
        complete_modules(web, slug)
        attempt = start_quiz(web, slug)
        web.submit(
            f"/courses/{slug}/quiz", answer_key(app, slug), action=f"/courses/{slug}/quiz/{attempt}"
        )

    take(SLUGS[0])
    one = statements.during(lambda: web.get("/dashboard"))
    take(SLUGS[1])
    take(SLUGS[2])
    three = statements.during(lambda: web.get("/dashboard"))
    assert "<strong>4 CEC</strong>" in web.get("/dashboard").get_data(as_text=True)
    assert three == one
