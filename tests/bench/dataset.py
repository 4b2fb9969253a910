"""The benchmark's data set: a provider at a realistic size, seeded fast but faithfully.

The few, small things go through the project's own services: the admin and trainer accounts,
the provider, certifications and requirement rules (``lms.demo``), every course with its
modules and final quiz (``create_course``, content from ``lms.demo_content``), the issuer key
(``register_key``) and the revocations (``lms.awards.operations.revoke``, which also reverses
the credit). The bulk (learners, holdings, enrolments, module completions, graded attempts,
certificates, events, attendances and the credit ledger) is inserted with SQLAlchemy Core,
built the way the services build it:

* each certificate carries an Open Badges credential signed by
  ``certificates.documents.build_credential`` with the site's issuer and key, with a random
  unique status index, sealed as ``sign_certificate`` seals it (``seal_of`` under the
  SECRET_KEY's seal key, so the seeded database must be served with the same SECRET_KEY);
  signing costs milliseconds each, so it runs on every core;
* each credit entry is sealed with ``lms.credits.chain.entry_hash`` in ``seq`` order, each
  pointing at the one before, and the ledger head names the last: ``lms verify-ledger`` passes;
* each entry's ``cycles`` come from the rule engine's ``cycles_of_credit``, as an award's do.

Run-time quiz takers (learners with open attempts for the autosave and submit pages) are added
by ``add_quiz_takers``, through the quiz engine's ``start_attempt``.
"""

from __future__ import annotations

import copy
import math
import multiprocessing
import os
import random
import secrets
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from sqlalchemy import func, insert, select, text, update
from werkzeug.security import generate_password_hash

from certificates.documents import Issuer, SigningKey, build_credential
from certificates.issuing import new_public_id
from certificates.keys import pem_of, private_key_from_pem, register_key
from certificates.models import Certificate
from certificates.sealing import seal_of
from certificates.signing import STATUS_LIST_MIN_BITS
from certificates.snapshot import CertificateFacts, digest_of
from lms.accounts.models import User
from lms.accounts.operations import create_user
from lms.awards.issuer import issuer, seal_keys
from lms.awards.operations import revoke
from lms.catalogue.models import Certification, Course, Holding, Module, Provider
from lms.catalogue.operations import create_course
from lms.clock import system_clock
from lms.credits.chain import entry_hash
from lms.credits.models import CreditEntry, LedgerHead
from lms.demo import seed_demo_rules
from lms.demo_content import CERTIFICATIONS, COURSES, PROVIDER
from lms.events.models import Attendance, Event
from lms.learning.models import Enrolment, ModuleCompletion
from lms.requirements.operations import all_rules
from lms.requirements.rules import HeldCertification, cycles_of_credit
from quizzes.attempts import start_attempt
from quizzes.grading import GradedQuestion, grade
from quizzes.models import Attempt, Question, Quiz
from quizzes.types import QUESTION_TYPES

#: Bump when the data set changes shape: cached databases with another version are reseeded.
SEED_VERSION = 4
#: Every bench account signs in with this password (one hash, computed once: hashing ten
#: thousand passwords with scrypt would take minutes and prove nothing).
PASSWORD = "bench-password-2026"
DOMAIN = "bench.example"
#: Rows per INSERT batch, and certificates per signing task.
BATCH = 5000
SIGN_BATCH = 200

FIRST_NAMES = ("Ada", "Ben", "Cleo", "Dev", "Ema", "Finn", "Gia", "Hal", "Ines", "Jon", "Kai")
LAST_NAMES = ("Abbott", "Baker", "Cruz", "Diaz", "Evans", "Fox", "Gray", "Hughes", "Ito", "Khan")
CITIES = ("Austin", "Boise", "Denver", "Fresno", "Omaha", "Reno", "Tampa", "Tulsa", "Wichita")
EVENT_KINDS = ("Drying science workshop", "Mold remediation seminar", "Trade show session")


@dataclass(frozen=True)
class Scale:
    name: str
    learners: int
    courses: int
    certificates: int
    entries: int
    events: int
    revoked: int
    #: Ledger entries of the learner whose pages are measured (the issue's "200 entries").
    heavy_entries: int = 200

    @property
    def heavy_courses(self) -> int:
        """Of the heavy learner's entries, the courses they completed (the rest are events)."""
        return min(self.courses, self.heavy_entries * 3 // 4)


SCALES = {
    "full": Scale("full", 10_000, 200, 100_000, 200_000, 1_000, 50),
    "quick": Scale("quick", 1_000, 20, 10_000, 20_000, 200, 5),
}


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def new_issuer_key_pem() -> str:
    return pem_of(Ed25519PrivateKey.generate()).decode()


def seed(app: Flask, scale: Scale, rng: random.Random) -> dict[str, Any]:
    """Fill an empty, migrated database; returns the manifest (what run.py needs to know)."""
    with app.app_context():
        seeder = _Seeder(app, scale, rng)
        return seeder.run()


class _Seeder:
    def __init__(self, app: Flask, scale: Scale, rng: random.Random) -> None:
        self.app = app
        self.db = app.extensions["lms"].db.session
        self.scale = scale
        self.rng = rng
        # Everything is dated relative to the seeding: two years of history, approvals that
        # hold for three more.
        self.now = system_clock().replace(microsecond=0)
        self.start = self.now - timedelta(days=3 * 365)

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        self._staff_and_catalogue()
        log(f"catalogue: {self.scale.courses} courses ({time.perf_counter() - started:.0f} s)")
        self._learners()
        log(f"people: {self.scale.learners} learners ({time.perf_counter() - started:.0f} s)")
        entries = self._completions()
        entries += self._events()
        self._ledger(entries)
        log(f"ledger: {len(entries)} entries chained ({time.perf_counter() - started:.0f} s)")
        _sync_sequences(self.db)
        revoked = self._revocations()
        _analyze(self.db)
        log(f"revoked {len(revoked)} certificates through the service")
        return {
            "scale": self.scale.name,
            "seed_version": SEED_VERSION,
            "seeded_at": self.now.isoformat(),
            "heavy_email": self.heavy_email,
            "password": PASSWORD,
            "revoked": revoked,
            "counts": self._counts(),
        }

    # -- staff, catalogue, rules ------------------------------------------------------------

    def _staff_and_catalogue(self) -> None:
        db = self.db
        create_user(
            name="Ada Admin",
            email=f"admin@{DOMAIN}",
            password=PASSWORD,
            role="admin",
            now=self.start,
        )
        trainer = create_user(
            name="Terry Trainer",
            email=f"trainer@{DOMAIN}",
            password=PASSWORD,
            role="trainer",
            now=self.start,
        )
        self.trainer_id = trainer.id
        provider = Provider(name=PROVIDER["name"], website=PROVIDER["website"])
        db.add(provider)
        for spec in CERTIFICATIONS:
            db.add(
                Certification(
                    code=spec["code"],
                    name=spec["name"],
                    credits_required=Decimal(spec["credits_required"]),
                    credit_unit=spec["credit_unit"],
                    cycle_years=spec["cycle_years"],
                )
            )
        db.commit()
        seed_demo_rules()
        certifications = {c.code: c for c in db.scalars(select(Certification))}
        for n in range(1, self.scale.courses + 1):
            spec = COURSES[(n - 1) % len(COURSES)]
            create_course(
                slug=f"{spec['slug']}-{n:03d}",
                title=f"{spec['title']} ({n})",
                summary=spec["summary"],
                provider=provider,
                credits=Decimal(spec["credits"]),
                certifications=[certifications[code] for code in spec["certifications"]],
                modules=copy.deepcopy(spec["modules"]),
                quiz=copy.deepcopy(spec["quiz"]),
                now=self.start,
                owner_id=trainer.id,
                approval_number=f"BENCH-CEC-{n:05d}",
                approved_on=self.start.date(),
                approval_expires_on=self.now.date() + timedelta(days=3 * 365),
            )
        self.courses = load_courses(db)
        self.rules = all_rules()
        self.provider_name = provider.name

    # -- learners and their certifications --------------------------------------------------

    def _learners(self) -> None:
        rng, db = self.rng, self.db
        password_hash = generate_password_hash(PASSWORD)
        first_id = (db.scalar(select(func.max(User.id))) or 0) + 1
        codes = {c.code: c.id for c in db.scalars(select(Certification))}
        users, holdings = [], []
        self.learners: dict[int, SimpleNamespace] = {}
        for n in range(self.scale.learners):
            user_id = first_id + n
            created = self.start + timedelta(seconds=rng.randrange(365 * 86400))
            # The first learner is the one whose pages are measured: they hold two
            # certifications, so their compliance page has something to compute.
            email = f"heavy@{DOMAIN}" if n == 0 else f"learner{n:05d}@{DOMAIN}"
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            users.append(
                {
                    "id": user_id,
                    "email": email,
                    "name": name,
                    "password_hash": password_hash,
                    "role": "learner",
                    "external_id": None,
                    "created_at": created,
                }
            )
            held = ["CCT", "WRT"] if n == 0 else _some_certifications(rng)
            learner = SimpleNamespace(id=user_id, email=email, name=name, holdings=[])
            for code in held:
                certified_on = (self.now - timedelta(days=rng.randrange(60, 6 * 365))).date()
                number = f"{code}-{100000 + user_id}"
                holdings.append(
                    {
                        "user_id": user_id,
                        "certification_id": codes[code],
                        "number": number,
                        "certified_on": certified_on,
                        "created_at": created,
                    }
                )
                learner.holdings.append((code, number, certified_on))
            self.learners[user_id] = learner
        self.heavy_id, self.heavy_email = first_id, f"heavy@{DOMAIN}"
        _insert(db, User, users)
        _insert(db, Holding, holdings)
        db.commit()

    def _cycles(self, learner: SimpleNamespace, codes: Sequence[str], day: date) -> list[dict]:
        held = [HeldCertification(code, certified_on) for code, _, certified_on in learner.holdings]
        return cycles_of_credit(self.rules, held, codes, day)

    # -- course completions: enrolments, modules, attempts, certificates, credits ----------------

    def _completion_pairs(self) -> list[tuple[int, int]]:
        """(learner id, course index) of every completed course, each pair once."""
        rng, scale = self.rng, self.scale
        courses = len(self.courses)
        pairs = [(self.heavy_id, c) for c in rng.sample(range(courses), scale.heavy_courses)]
        others = sorted(self.learners)[1:]
        wanted = scale.certificates - len(pairs)
        for cell in rng.sample(range(len(others) * courses), wanted):
            pairs.append((others[cell // courses], cell % courses))
        return pairs

    def _completions(self) -> list[dict[str, Any]]:
        rng, db = self.rng, self.db
        pairs = self._completion_pairs()
        enrolment_id = (db.scalar(select(func.max(Enrolment.id))) or 0) + 1
        certificate_id = (db.scalar(select(func.max(Certificate.id))) or 0) + 1
        status_indexes = rng.sample(range(STATUS_LIST_MIN_BITS), len(pairs))
        history = (self.now - self.start).days - 365  # completions in the last two years
        enrolments, completions, attempts, to_sign, entries = [], [], [], [], []
        for n, (user_id, course_index) in enumerate(pairs):
            course, learner = self.courses[course_index], self.learners[user_id]
            finished = self.now - timedelta(seconds=rng.randrange(3600, history * 86400))
            enrolled = finished - timedelta(seconds=rng.randrange(3600, 30 * 86400))
            started = finished - timedelta(minutes=rng.randrange(5, 19))
            eid, cid = enrolment_id + n, certificate_id + n
            enrolments.append(
                {
                    "id": eid,
                    "user_id": user_id,
                    "course_id": course.id,
                    "course_version": 1,
                    "enrolled_at": enrolled,
                    "completed_at": finished,
                }
            )
            for position, module_id in enumerate(course.module_ids, start=1):
                completions.append(
                    {
                        "enrolment_id": eid,
                        "module_id": module_id,
                        "completed_at": enrolled + timedelta(minutes=20 * position),
                    }
                )
            attempts.append(graded_attempt(course, user_id, eid, started, finished, rng))
            numbers = "; ".join(
                sorted(
                    f"{code} {number}"
                    for code, number, _ in learner.holdings
                    if code in course.codes
                )
            )
            facts = CertificateFacts(
                learner_name=learner.name,
                course_title=course.title,
                course_version=1,
                provider=self.provider_name,
                credits=course.credits,
                credit_unit=course.credit_unit,
                completed_on=finished.date(),
                certification_numbers=numbers,
                approval_number=course.approval_number,
            ).to_json()
            to_sign.append(
                {
                    "id": cid,
                    "public_id": new_public_id(),
                    "award_key": f"course-enrolment:{eid}",
                    "facts": facts,
                    "issued_at": finished,
                    "status_index": status_indexes[n],
                    "slug": course.slug,
                    "description": course.summary,
                    "email": learner.email,
                }
            )
            entries.append(
                {
                    "user_id": user_id,
                    "source": "online_course",
                    "source_ref": f"enrolment:{eid}",
                    "course_id": course.id,
                    "certificate_id": cid,
                    "description": course.title[:300],
                    "credits": course.credits,
                    "credit_unit": course.credit_unit,
                    "hours": None,
                    "category": "general",
                    "verification": "system",
                    "earned_on": finished.date(),
                    "cycles": self._cycles(learner, course.codes, finished.date()),
                    "reverses_id": None,
                    "reason": "",
                    "recorded_by_id": None,
                    "created_at": finished,
                }
            )
        started_only, first_modules = self._in_progress(set(pairs), enrolment_id + len(pairs))
        enrolments += started_only
        completions += first_modules
        _insert(db, Enrolment, enrolments)
        _insert(db, ModuleCompletion, completions)
        _insert(db, Attempt, attempts)
        db.commit()
        log(
            f"enrolments: {len(pairs)} completed (modules, graded attempts), "
            f"{len(started_only)} in progress"
        )
        self._sign_and_insert(to_sign)
        return entries

    def _in_progress(
        self, taken: set[tuple[int, int]], first_id: int
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Courses begun and not finished (their first module read), as enrolment and module
        completion rows: the heavy learner has a few on their dashboard, one learner in five
        has one."""
        rng = self.rng
        others = sorted(self.learners)[1:]
        enrolments: list[dict[str, Any]] = []
        completions: list[dict[str, Any]] = []
        for user_id in [self.heavy_id] * 3 + rng.sample(others, len(others) // 5):
            free = [c for c in range(len(self.courses)) if (user_id, c) not in taken]
            if not free:
                continue
            index = rng.choice(free)
            taken.add((user_id, index))
            course = self.courses[index]
            enrolled = self.now - timedelta(seconds=rng.randrange(3600, 60 * 86400))
            eid = first_id + len(enrolments)
            enrolments.append(
                {
                    "id": eid,
                    "user_id": user_id,
                    "course_id": course.id,
                    "course_version": 1,
                    "enrolled_at": enrolled,
                    "completed_at": None,
                }
            )
            completions.append(
                {
                    "enrolment_id": eid,
                    "module_id": course.module_ids[0],
                    "completed_at": enrolled + timedelta(minutes=20),
                }
            )
        return enrolments, completions

    def _sign_and_insert(self, to_sign: list[dict[str, Any]]) -> None:
        """Sign every credential on every core and insert the certificates as they come."""
        db = self.db
        key_pem = self.app.config["LMS_ISSUER_KEY"]
        # The key was in use before the first certificate: a verifier checks the proof's date.
        key = register_key(db, private_key_from_pem(key_pem), self.start - timedelta(days=1))
        db.commit()
        site = issuer()
        batches = [to_sign[i : i + SIGN_BATCH] for i in range(0, len(to_sign), SIGN_BATCH)]
        started, done, reported = time.perf_counter(), 0, 0.0
        processes = os.cpu_count() or 1
        context = multiprocessing.get_context("fork")
        with context.Pool(
            processes,
            initializer=_init_signer,
            initargs=(site, key.key_id, key_pem, seal_keys()[0]),
        ) as pool:
            for signed in pool.imap(_sign_batch, batches):
                _insert(db, Certificate, signed)
                done += len(signed)
                if done / len(to_sign) - reported >= 0.1 or done == len(to_sign):
                    reported = done / len(to_sign)
                    elapsed = time.perf_counter() - started
                    log(
                        f"certificates: {done}/{len(to_sign)} signed on {processes} processes "
                        f"({elapsed:.0f} s, {elapsed / done * 1000:.1f} ms each)"
                    )
        db.commit()

    # -- events: the other half of the ledger -------------------------------------------------

    def _events(self) -> list[dict[str, Any]]:
        rng, db, scale = self.rng, self.db, self.scale
        event_id = (db.scalar(select(func.max(Event.id))) or 0) + 1
        events, by_id = [], {}
        codes_taken: set[str] = set()
        for n in range(scale.events):
            starts = (self.now - timedelta(days=rng.randrange(2, 730))).replace(
                hour=9, minute=0, second=0
            )
            code = _checkin_code(rng, codes_taken)
            kind = EVENT_KINDS[n % len(EVENT_KINDS)]
            event = {
                "id": event_id + n,
                "owner_id": self.trainer_id,
                "title": f"{kind} {n + 1}",
                "description": "Hands-on session with the provider's instructors.",
                "place": rng.choice(CITIES),
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=6),
                "credits": Decimal(rng.choice(("1.00", "2.00"))),
                "credit_unit": "CEC",
                "hours": Decimal(rng.choice(("3.00", "6.00"))),
                "category": rng.choice(("technical", "general")),
                "certification_codes": rng.choice((["WRT"], ["CCT"], ["CCT", "WRT"], ["MWR"])),
                "capacity": None,
                "checkin_code": code,
                "status": "confirmed",
                "confirmed_at": starts + timedelta(hours=7),
                "created_at": starts - timedelta(days=30),
            }
            events.append(event)
            by_id[event["id"]] = event
        # Event credits fill the ledger up to its size; the heavy learner's make up their 200.
        course_entries = scale.certificates
        wanted = scale.entries - course_entries - scale.revoked
        heavy_count = scale.heavy_entries - scale.heavy_courses
        event_ids = sorted(by_id)
        pairs = [
            (self.heavy_id, e) for e in rng.sample(event_ids, min(heavy_count, len(event_ids)))
        ]
        others = sorted(self.learners)[1:]
        for cell in rng.sample(range(len(others) * len(event_ids)), wanted - len(pairs)):
            pairs.append((others[cell // len(event_ids)], event_ids[cell % len(event_ids)]))
        attendances, entries = [], []
        for user_id, eid in pairs:
            event, learner = by_id[eid], self.learners[user_id]
            attendances.append(
                {
                    "event_id": eid,
                    "user_id": user_id,
                    "checked_in_at": event["starts_at"] - timedelta(minutes=10),
                    "method": "code",
                    "removed": False,
                }
            )
            earned = event["starts_at"].date()
            entries.append(
                {
                    "user_id": user_id,
                    "source": "event",
                    "source_ref": f"event:{eid}:user:{user_id}",
                    "course_id": None,
                    "certificate_id": None,
                    "description": f"{event['title']} ({event['place']})"[:300],
                    "credits": event["credits"],
                    "credit_unit": event["credit_unit"],
                    "hours": event["hours"],
                    "category": event["category"],
                    "verification": "trainer",
                    "earned_on": earned,
                    "cycles": self._cycles(learner, event["certification_codes"], earned),
                    "reverses_id": None,
                    "reason": "",
                    "recorded_by_id": self.trainer_id,
                    "created_at": event["confirmed_at"],
                }
            )
        _insert(db, Event, events)
        _insert(db, Attendance, attendances)
        db.commit()
        log(f"events: {len(events)} with {len(attendances)} attendances")
        return entries

    # -- the ledger -------------------------------------------------------------------------

    def _ledger(self, entries: list[dict[str, Any]]) -> None:
        """Chain every entry in time order, as ``append_entry`` would have one by one."""
        db = self.db
        head = db.execute(select(LedgerHead.seq, LedgerHead.entry_hash)).one()
        if head.seq != 0:
            raise RuntimeError("the ledger is not empty: seed a fresh database")
        entries.sort(key=lambda e: (e["created_at"], e["source_ref"]))
        prev = head.entry_hash
        for seq, entry in enumerate(entries, start=1):
            entry.update(id=seq, seq=seq, prev_hash=prev)
            entry["credits"] = Decimal(entry["credits"]).quantize(Decimal("0.01"))
            if entry["hours"] is not None:
                entry["hours"] = Decimal(entry["hours"]).quantize(Decimal("0.01"))
            entry["entry_hash"] = prev = entry_hash(SimpleNamespace(**entry))
        _insert(db, CreditEntry, entries)
        db.execute(
            update(LedgerHead).where(LedgerHead.id == 1).values(seq=len(entries), entry_hash=prev)
        )
        db.commit()

    def _revocations(self) -> list[str]:
        """A few revoked certificates (not the heavy learner's), through the service: the
        status list is non-trivial and their credits are reversed in the ledger."""
        db = self.db
        candidates = list(
            db.scalars(
                select(Certificate)
                .join(CreditEntry, CreditEntry.certificate_id == Certificate.id)
                .where(CreditEntry.user_id != self.heavy_id)
                .order_by(Certificate.id)
                .limit(self.scale.revoked * 50)
            )
        )
        revoked = []
        for certificate in self.rng.sample(candidates, self.scale.revoked):
            revoke(certificate, "Issued in error (benchmark data)", self.now)
            revoked.append(certificate.public_id)
        return revoked

    def _counts(self) -> dict[str, int]:
        db = self.db
        return {
            "learners": db.scalar(select(func.count()).where(User.role == "learner")),
            "courses": db.scalar(select(func.count()).select_from(Course)),
            "certificates": db.scalar(select(func.count()).select_from(Certificate)),
            "credit_entries": db.scalar(select(func.count()).select_from(CreditEntry)),
            "heavy_entries": db.scalar(
                select(func.count()).where(CreditEntry.user_id == self.heavy_id)
            ),
        }


def _some_certifications(rng: random.Random) -> list[str]:
    held = [
        code for code, share in (("CCT", 0.5), ("WRT", 0.6), ("MWR", 0.1)) if rng.random() < share
    ]
    return held or ["WRT"]


def _checkin_code(rng: random.Random, taken: set[str]) -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    while True:
        code = "".join(rng.choice(alphabet) for _ in range(8))
        if code not in taken:
            taken.add(code)
            return code


def _insert(db: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    """Core executemany in batches (the ORM's unit of work would cost minutes here)."""
    table = model.__table__
    for i in range(0, len(rows), BATCH):
        db.execute(insert(table), rows[i : i + BATCH])


# -- courses as plain values ---------------------------------------------------------------


def load_courses(db: Any) -> list[SimpleNamespace]:
    """Every published course with what seeding and the quiz pages need, in id order."""
    courses = list(
        db.scalars(select(Course).where(Course.status == "published").order_by(Course.id))
    )
    modules: dict[int, list[int]] = {}
    for course_id, module_id in db.execute(
        select(Module.course_id, Module.id).order_by(Module.course_id, Module.position)
    ):
        modules.setdefault(course_id, []).append(module_id)
    quizzes = {q.id: q for q in db.scalars(select(Quiz))}
    questions: dict[int, list[Question]] = {}
    for question in db.scalars(select(Question).order_by(Question.position)):
        questions.setdefault(question.quiz_id, []).append(question)
    return [
        SimpleNamespace(
            id=c.id,
            slug=c.slug,
            title=c.title,
            summary=c.summary,
            credits=Decimal(c.credits),
            credit_unit=c.credit_unit,
            approval_number=c.approval_number or "",
            codes=[cert.code for cert in c.certifications],
            module_ids=modules.get(c.id, []),
            quiz_id=c.final_quiz_id,
            pass_percent=quizzes[c.final_quiz_id].pass_percent,
            time_limit=quizzes[c.final_quiz_id].time_limit_minutes,
            questions={q.id: q for q in questions[c.final_quiz_id]},
        )
        for c in courses
    ]


def correct_answers(course: SimpleNamespace, layout: list[dict[str, Any]]) -> dict[str, list[str]]:
    """A passing submission for an attempt: every question's correct response."""
    answers = {}
    for item in layout:
        question = course.questions[item["question_id"]]
        answers[str(question.id)] = QUESTION_TYPES[question.qtype].correct_response(question.config)
    return answers


def graded_attempt(
    course: SimpleNamespace,
    user_id: int,
    enrolment_id: int,
    started: datetime,
    finished: datetime,
    rng: random.Random,
) -> dict[str, Any]:
    """The passed attempt behind a completion, drawn and graded by the quiz engine's rules."""
    questions = list(course.questions.values())
    rng.shuffle(questions)
    layout = [
        {"question_id": q.id, **QUESTION_TYPES[q.qtype].layout(q.config, rng)} for q in questions
    ]
    responses = correct_answers(course, layout)
    result = grade(
        [GradedQuestion(q.qtype, q.points, q.config, responses[str(q.id)]) for q in questions],
        course.pass_percent,
    )
    return {
        "quiz_id": course.quiz_id,
        "user_id": user_id,
        "context": f"enrolment:{enrolment_id}",
        "state": "graded",
        "started_at": started,
        "deadline": started + timedelta(minutes=course.time_limit) if course.time_limit else None,
        "saved_at": None,
        "finished_at": finished,
        "finish_reason": "submitted",
        "layout": layout,
        "responses": responses,
        "score": result.score,
        "max_score": result.max_score,
        "passed": result.passed,
    }


# -- signing in worker processes -------------------------------------------------------------

_signer: SimpleNamespace | None = None


def _init_signer(site: Issuer, key_id: str, key_pem: str, seal_key: bytes) -> None:
    global _signer
    _signer = SimpleNamespace(
        site=site, key=SigningKey(key_id, private_key_from_pem(key_pem)), seal_key=seal_key
    )


def _sign_batch(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert _signer is not None
    rows = []
    for item in batch:
        facts = CertificateFacts.from_json(item["facts"])
        credential = build_credential(
            issuer=_signer.site,
            key=_signer.key,
            public_id=item["public_id"],
            facts=facts,
            course_slug=item["slug"],
            course_description=item["description"],
            learner_email=item["email"],
            salt=secrets.token_hex(16),
            status_index=item["status_index"],
            issued_at=item["issued_at"],
        )
        rows.append(
            {
                "id": item["id"],
                "public_id": item["public_id"],
                "award_key": item["award_key"],
                "facts": item["facts"],
                "digest": digest_of(item["facts"]),
                "issued_at": item["issued_at"],
                "revoked_at": None,
                "revocation_reason": None,
                "credential": credential,
                "seal": seal_of(credential, _signer.seal_key),
                "status_index": item["status_index"],
                "replaces_id": None,
            }
        )
    return rows


# -- after seeding -----------------------------------------------------------------------------


def _sync_sequences(db: Any) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move each past its table's rows before
    the services insert rows of their own."""
    from lms.models import ALL_METADATA

    if db.get_bind().dialect.name != "postgresql":
        return
    for metadata in ALL_METADATA:
        for table in metadata.sorted_tables:
            if "id" not in table.c or not table.c.id.primary_key:
                continue
            # The names come from our own metadata, not from input.
            db.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )
    db.commit()


def _analyze(db: Any) -> None:
    """Statistics for the planner, as autovacuum would have collected on a live PostgreSQL
    database (SQLite's are left alone: the application never runs ANALYZE there)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ANALYZE"))
        db.commit()


# -- run-time quiz takers ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenAttempt:
    slug: str
    attempt_id: int
    answers: dict[str, list[str]]


@dataclass(frozen=True)
class Taker:
    email: str
    attempts: list[OpenAttempt]


def add_quiz_takers(app: Flask, label: str, attempts_wanted: int) -> list[Taker]:
    """Learners enrolled in every course with every module done and the final quiz started
    (by the quiz engine's ``start_attempt``), so each open attempt can take one passing
    submission. Committed in one transaction."""
    with app.app_context():
        db = app.extensions["lms"].db.session
        courses = load_courses(db)
        now = system_clock()
        certifications = {c.code: c.id for c in db.scalars(select(Certification))}
        password_hash = db.scalar(select(User.password_hash).where(User.email == f"heavy@{DOMAIN}"))
        count = math.ceil(attempts_wanted / len(courses))
        takers = []
        for n in range(count):
            user = User(
                email=f"{label}{n:04d}@{DOMAIN}",
                name=f"Quiz Taker {n + 1}",
                password_hash=password_hash,
                role="learner",
                created_at=now,
            )
            db.add(user)
            db.flush()
            for code in ("CCT", "WRT"):
                db.add(
                    Holding(
                        user_id=user.id,
                        certification_id=certifications[code],
                        number=f"{code}-{900000 + user.id}",
                        certified_on=(now - timedelta(days=400)).date(),
                        created_at=now,
                    )
                )
            opened = []
            for course in courses:
                enrolment = Enrolment(
                    user_id=user.id, course_id=course.id, course_version=1, enrolled_at=now
                )
                db.add(enrolment)
                db.flush()
                db.add_all(
                    ModuleCompletion(enrolment_id=enrolment.id, module_id=m, completed_at=now)
                    for m in course.module_ids
                )
                attempt = start_attempt(
                    db,
                    quiz_id=course.quiz_id,
                    user_id=user.id,
                    context=f"enrolment:{enrolment.id}",
                    now=now,
                ).attempt
                opened.append(
                    OpenAttempt(course.slug, attempt.id, correct_answers(course, attempt.layout))
                )
            takers.append(Taker(user.email, opened[: attempts_wanted - n * len(courses)]))
        db.commit()
        return takers
