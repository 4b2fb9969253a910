"""Demo data: a provider, accounts, three certifications with their requirement rules, three
courses and, for `lms demo`, a graduate with two certifications, two valid certificates and
a revoked one. Idempotent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.operations import create_user, find_user_by_email
from lms.catalogue.models import Certification, Course, Holding, Provider
from lms.catalogue.operations import create_course
from lms.clock import now
from lms.db import session
from lms.demo_content import CERTIFICATIONS, COURSES, GRADUATE_HOLDINGS, PROVIDER, RULES
from lms.requirements.models import RequirementRule
from lms.requirements.rules import add_months

DEMO_ACCOUNTS = [
    {
        "role": "learner",
        "name": "Lee Learner",
        "email": "learner@example.com",
        "password": "learner-demo-pass",
    },
    {
        "role": "learner",
        "name": "Grace Graduate",
        "email": "graduate@example.com",
        "password": "graduate-demo-pass",
    },
    {
        "role": "trainer",
        "name": "Terry Trainer",
        "email": "trainer@example.com",
        "password": "trainer-demo-pass",
    },
    {
        "role": "admin",
        "name": "Ada Admin",
        "email": "admin@example.com",
        "password": "admin-demo-pass",
    },
]


def seed_demo_data() -> list[dict[str, str]]:
    """Create whatever demo data is missing; running it again changes nothing."""
    db = session()
    for account in DEMO_ACCOUNTS:
        if find_user_by_email(account["email"]) is None:
            create_user(now=now(), **account)

    provider = db.scalars(select(Provider).where(Provider.name == PROVIDER["name"])).first()
    if provider is None:
        provider = Provider(name=PROVIDER["name"], website=PROVIDER["website"])
        db.add(provider)
        db.commit()

    certifications = {c.code: c for c in db.scalars(select(Certification))}
    for spec in CERTIFICATIONS:
        if spec["code"] not in certifications:
            certification = Certification(
                code=spec["code"],
                name=spec["name"],
                credits_required=Decimal(spec["credits_required"]),
                credit_unit=spec["credit_unit"],
                cycle_years=spec["cycle_years"],
            )
            db.add(certification)
            certifications[spec["code"]] = certification
    db.commit()

    trainer = demo_user("trainer")
    existing = set(db.scalars(select(Course.slug)))
    for spec in COURSES:
        if spec["slug"] in existing:
            continue
        course = create_course(
            slug=spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            provider=provider,
            credits=Decimal(spec["credits"]),
            certifications=[certifications[code] for code in spec["certifications"]],
            modules=spec["modules"],
            quiz=spec["quiz"],
            now=now(),
            owner_id=trainer.id if trainer else None,
            approval_number=spec["approval"][0],
            approved_on=now().date() - timedelta(days=90),
            approval_expires_on=now().date() + timedelta(days=spec["approval"][1]),
        )
        # The catalogue card's study time (no picture: the cards draw the initials).
        course.duration_minutes = spec.get("duration_minutes")
        db.commit()
    seed_demo_rules()
    return DEMO_ACCOUNTS


def seed_demo_rules() -> None:
    """Each rule version that is missing (by code and effective date)."""
    db = session()
    existing = set(db.execute(select(RequirementRule.code, RequirementRule.effective_from)))
    for spec in RULES:
        effective = date.fromisoformat(spec["effective_from"])
        if (spec["code"], effective) in existing:
            continue
        db.add(
            RequirementRule(
                code=spec["code"],
                name=spec["name"],
                certification_codes=list(spec["certification_codes"]),
                pooled=spec["pooled"],
                credits_required=Decimal(spec["credits_required"]),
                credit_unit="CEC",
                hours_per_unit=Decimal(spec["hours_per_unit"]),
                cycle_months=spec["cycle_months"],
                anchor="certified_on",
                category_minimums=dict(spec["category_minimums"]),
                source_caps=[dict(cap) for cap in spec["source_caps"]],
                effective_from=effective,
                created_at=now().replace(microsecond=0),
            )
        )
    db.commit()


def seed_demo_holdings() -> None:
    """The graduate's certifications, dated relative to today so their compliance page always
    shows one requirement complete and one at risk; the demo learner holds none."""
    graduate = find_user_by_email("graduate@example.com")
    if graduate is None:
        return
    db = session()
    certifications = {c.code: c for c in db.scalars(select(Certification))}
    held = set(db.scalars(select(Holding.certification_id).where(Holding.user_id == graduate.id)))
    today = now().date()
    for code, number, months_ago in GRADUATE_HOLDINGS:
        certification = certifications[code]
        if certification.id in held:
            continue
        db.add(
            Holding(
                user_id=graduate.id,
                certification_id=certification.id,
                number=number,
                certified_on=add_months(today, -months_ago),
                created_at=now(),
            )
        )
    db.commit()


def demo_user(role: str) -> User | None:
    account = next(a for a in DEMO_ACCOUNTS if a["role"] == role)
    return find_user_by_email(account["email"])


#: The graduate's certificates: (course slug, revocation reason or None). The two valid ones
#: complete their CCT cycle; the revoked one's WRT credit is reversed, leaving WRT at risk.
DEMO_CERTIFICATES = [
    ("hot-water-extraction-fundamentals", None),
    ("moisture-mapping-and-drying-documentation", None),
    ("category-and-class-of-water-intrusion", "Issued in error (demo data)"),
]


def seed_demo_certificates() -> None:
    """Give the demo graduate valid certificates and a revoked one (needs the site's address,
    which `lms demo` sets). Running it again changes nothing."""
    from lms.awards.issuer import prepare_signing
    from lms.awards.operations import revoke
    from lms.catalogue.operations import published_course
    from lms.credits.operations import award_course_completion
    from lms.learning.operations import enrol, enrolment_in

    prepare_signing()
    seed_demo_holdings()  # first, so the credits below record the cycles they count toward
    graduate = find_user_by_email("graduate@example.com")
    db = session()
    for slug, reason in DEMO_CERTIFICATES:
        course = published_course(slug)
        # Seeded already (enrolling again would start the retake the revoked one allows).
        if (done := enrolment_in(graduate.id, slug)) is not None and done.completed_at:
            continue
        enrolment = enrol(graduate.id, course, now())
        if enrolment.completed_at is not None:
            continue
        certificate = award_course_completion(enrolment, now())
        db.commit()
        if reason and certificate is not None:
            # Issued in error: the graduate may retake the course (its page offers it).
            revoke(certificate, reason, now(), retake=True)
    seed_demo_branding()


def seed_demo_branding() -> None:
    """Certificates that look issued by someone: a signer, a contact and a drawn logo (a
    roundel with a water drop), unless an administrator set a branding already."""
    import io

    from flask import current_app
    from PIL import Image, ImageDraw

    from lms.awards.branding import BrandingValues, save_branding, stored_branding

    db = session()
    if stored_branding(db) is not None:
        return
    image = Image.new("RGB", (240, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 230, 230), fill=(30, 70, 110))
    draw.ellipse((30, 30, 210, 210), fill="white")
    draw.polygon([(120, 50), (75, 135), (165, 135)], fill=(30, 70, 110))
    draw.ellipse((75, 100, 165, 190), fill=(30, 70, 110))
    logo = io.BytesIO()
    image.save(logo, "PNG")
    config = current_app.config
    save_branding(
        db,
        BrandingValues(
            organisation_name=config["LMS_ISSUER_NAME"] or config["LMS_SITE_NAME"],
            signer_name="Morgan Reyes",
            signer_title="Director of Continuing Education",
            accent_colour="#1e466e",
            contact=config["LMS_ISSUER_EMAIL"] or "certificates@example.com",
        ),
        logo=("demo-logo.png", "image/png", logo.getvalue()),
        remove_logo=False,
        by_user_id=None,
        now=now(),
    )
    db.commit()


DEMO_EVENT_TITLE = "Hands-on drying workshop"


def seed_demo_events() -> None:
    """An upcoming workshop of the demo trainer with three seats, one taken by the graduate,
    so the learners' Events page is not empty. Idempotent (by title)."""
    from lms.events.models import Event
    from lms.events.operations import create_event
    from lms.events.registration import register

    db = session()
    trainer, graduate = demo_user("trainer"), find_user_by_email("graduate@example.com")
    if trainer is None or db.scalars(select(Event).where(Event.title == DEMO_EVENT_TITLE)).first():
        return
    # Two weeks ahead, 9:00 to 13:00 in Chicago (15:00 to 19:00 UTC, or 14:00 in summer).
    day = now().date() + timedelta(days=14)
    starts = datetime.combine(day, time(15, 0))
    event = create_event(
        trainer.id,
        {
            "title": DEMO_EVENT_TITLE,
            "description": "Set up and read a drying chamber: psychrometry with real equipment.",
            "place": "Restoration Training Center, 200 W Madison St, Chicago",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=4),
            "credits": Decimal("1"),
            "hours": Decimal("4"),
            "credit_unit": "CEC",
            "category": "technical",
            "certification_codes": ["WRT"],
            "capacity": 3,
            "time_zone": "America/Chicago",
        },
        now(),
    )
    if graduate is not None:
        register(event, graduate.id, now())
