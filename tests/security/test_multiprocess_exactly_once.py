"""Exactly once across real OS processes sharing one database (a SQLite file in WAL mode, or
PostgreSQL when LMS_TEST_DATABASE_URL names one): WORKERS processes, each with its own app,
engine and connection pool (as several WSGI workers have), signed in with their own browser
session, send the same form at the same moment, released together by a barrier.

* one passing quiz attempt submitted by every process: one grade, one credit, one certificate;
* one learner checking in to one event from every process (half by code, half by the QR's
  signed link), then every process confirming the roster (the owner and other admins): one
  attendance, one confirmation, one credit;
* one claim approved by a different admin in every process: one approval, one credit.

Every response is a success or a clear refusal (302 or 409), never a 500, and neither a page
nor a log line says "database is locked": on SQLite a write transaction takes the lock at its
BEGIN IMMEDIATE and waits (the busy timeout) instead of failing halfway. The ledger's hash
chain verifies afterwards. The processes are started once per module and reused.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import queue
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from certificates.models import Certificate
from lms.accounts.models import User
from lms.claims.models import CreditClaim
from lms.credits.models import CreditEntry
from lms.credits.verification import verify_ledger
from lms.events.models import Attendance, Event
from quizzes.models import Attempt
from tests.conftest import (
    Clock,
    Web,
    answer_key,
    complete_modules,
    make_app,
    signed_in,
    start_quiz,
)

#: Processes sending the same form at once.
WORKERS = 8
#: Seconds a worker waits at the barrier for the others (they are all started and signed in
#: first, so only a worker that died keeps them there).
BARRIER_TIMEOUT = 120
#: Seconds the test waits for a worker's report.
REPORT_TIMEOUT = 240
LOCKED = "database is locked"
QUIZ_SLUG = "category-and-class-of-water-intrusion"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# What travels to the workers and back (module-level classes, so they pickle) -----------------


@dataclass(frozen=True)
class Step:
    """One person's form: signed in as ``email``, the CSRF token read on ``page`` (as a browser
    would), ``data`` posted to ``action`` when the barrier releases every worker."""

    email: str
    password: str
    page: str
    action: str
    data: dict[str, str | list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Task:
    run: int
    database_url: str
    instance: str
    #: The worker's fixed clock (the test's clock, so windows and deadlines match).
    now: datetime
    #: One step per phase; every worker posts its step of a phase at the same moment.
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Outcome:
    status: int
    location: str
    locked: bool
    excerpt: str
    #: Seconds from the barrier's release to the response.
    seconds: float


@dataclass(frozen=True)
class Report:
    run: int
    worker: int
    outcomes: tuple[Outcome, ...] = ()
    #: Warnings and errors logged in the worker while it ran the task.
    log: tuple[str, ...] = ()
    #: The traceback of anything raised (a 500 raises under TESTING), or a broken barrier.
    error: str = ""
    #: Seconds from receiving the task to being ready (app built, signed in, forms read).
    setup: float = 0.0


# The worker process --------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _run(task: Task, barrier: Any) -> tuple[float, tuple[Outcome, ...]]:
    started = time.perf_counter()
    app = make_app(task.database_url, Path(task.instance))
    app.extensions["lms"].clock = Clock(task.now)
    try:
        ready = []
        for step in task.steps:  # sign in and read every form before the first release
            web = Web(app.test_client())
            web.login(step.email, step.password)
            ready.append((web, web.token(step.page)))
        setup = time.perf_counter() - started
        outcomes = []
        for step, (web, token) in zip(task.steps, ready, strict=True):
            barrier.wait(BARRIER_TIMEOUT)
            released = time.perf_counter()
            response = web.client.post(step.action, data={"csrf_token": token, **step.data})
            body = response.get_data(as_text=True)
            outcomes.append(
                Outcome(
                    status=response.status_code,
                    location=response.headers.get("Location", ""),
                    locked=LOCKED in body.lower(),
                    excerpt=body[:300] if response.status_code >= 500 else "",
                    seconds=time.perf_counter() - released,
                )
            )
        return setup, tuple(outcomes)
    finally:
        with app.app_context():
            app.extensions["lms"].db.session.remove()
            app.extensions["lms"].db.engine.dispose()


def worker_main(index: int, tasks: Any, reports: Any, barrier: Any) -> None:
    """Run tasks until told to stop (None); report each one, errors included."""
    collect = _Collect()
    logging.getLogger().addHandler(collect)
    while (task := tasks.get()) is not None:
        collect.lines.clear()
        try:
            setup, outcomes = _run(task, barrier)
            report = Report(task.run, index, outcomes, tuple(collect.lines), setup=setup)
        except BaseException:  # noqa: BLE001  (reported to the test, which fails on it)
            barrier.abort()  # the others stop waiting for this one
            report = Report(task.run, index, log=tuple(collect.lines), error=traceback.format_exc())
        reports.put(report)


# The pool of workers -------------------------------------------------------------------


@dataclass
class Pool:
    processes: list[Any]
    tasks: list[Any]
    reports: Any
    barrier: Any
    runs: int = 0

    def at_once(
        self, database_url: str, app: Flask, now: datetime, steps: list[tuple[Step, ...]]
    ) -> list[Report]:
        """Every worker runs its steps, phase by phase at the same moment; their reports, in
        worker order."""
        assert len(steps) == WORKERS
        self.runs += 1
        self.barrier.reset()  # a barrier broken by an earlier failure works again
        for tasks, mine in zip(self.tasks, steps, strict=True):
            tasks.put(Task(self.runs, database_url, app.instance_path, now, mine))
        reports: list[Report] = []
        while len(reports) < WORKERS:
            try:
                report = self.reports.get(timeout=REPORT_TIMEOUT)
            except queue.Empty:
                pytest.fail(f"only {len(reports)} of {WORKERS} workers reported")
            if report.run == self.runs:  # a late report of an earlier, failed run is dropped
                reports.append(report)
        reports.sort(key=lambda r: r.worker)
        problems = [f"worker {r.worker}:\n{r.error}" for r in reports if r.error]
        assert not problems, "\n".join(problems)
        slowest = [max(r.outcomes[n].seconds for r in reports) for n in range(len(steps[0]))]
        print(  # shown with -s, and with a failure
            f"{WORKERS} processes: ready after {max(r.setup for r in reports):.1f} s; the "
            f"slowest response per phase {', '.join(f'{s:.2f}' for s in slowest)} s"
        )
        for report in reports:
            assert not any(LOCKED in line.lower() for line in report.log), report.log
            for outcome in report.outcomes:
                assert not outcome.locked, outcome
                assert outcome.status in (200, 302, 409), outcome
        return reports


@pytest.fixture(scope="module")
def pool() -> Iterator[Pool]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    reports = context.Queue()
    tasks = [context.Queue() for _ in range(WORKERS)]
    processes = [
        context.Process(target=worker_main, args=(n, tasks[n], reports, barrier), daemon=True)
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    yield Pool(processes, tasks, reports, barrier)
    for inbox in tasks:
        inbox.put(None)
    for process in processes:
        process.join(timeout=60)
        if process.is_alive():
            process.terminate()
            process.join()
    assert [p.exitcode for p in processes] == [0] * WORKERS


def statuses(reports: list[Report], phase: int = 0) -> list[int]:
    return sorted(r.outcomes[phase].status for r in reports)


def count(app: Flask, model: type, *where: Any) -> int:
    with app.app_context():
        db = app.extensions["lms"].db.session
        try:
            return db.scalar(select(func.count()).select_from(model).where(*where)) or 0
        finally:
            db.remove()


def assert_ledger_verifies(app: Flask, entries: int) -> None:
    with app.app_context():
        db = app.extensions["lms"].db.session
        report = verify_ledger(db)
        db.remove()
    assert report.ok, report.summary()
    assert report.checked == entries


def admins(create_user: Callable[..., Any], n: int) -> list[tuple[str, str]]:
    """The demo admin and n - 1 more: distinct reviewers, none of them a learner here."""
    people = [("admin@example.com", "admin-demo-pass")]
    for _ in range(n - 1):
        user = create_user(role="admin")
        people.append((user.email, user.plain_password))
    return people


# Scenario A: one quiz attempt -----------------------------------------------------------


def test_one_attempt_submitted_by_every_process_is_graded_and_credited_once(
    app: Flask,
    demo: None,
    clock: Clock,
    create_user: Callable[..., Any],
    database_url: str,
    pool: Pool,
) -> None:
    learner = create_user()
    web = signed_in(app, learner.email, learner.plain_password)
    assert (
        web.submit(f"/courses/{QUIZ_SLUG}", action=f"/courses/{QUIZ_SLUG}/enrol").status_code == 302
    )
    complete_modules(web, QUIZ_SLUG)
    attempt_id = start_quiz(web, QUIZ_SLUG)
    submit = Step(
        learner.email,
        learner.plain_password,
        page=f"/courses/{QUIZ_SLUG}",
        action=f"/courses/{QUIZ_SLUG}/quiz/{attempt_id}",
        data=answer_key(app, QUIZ_SLUG),
    )

    reports = pool.at_once(database_url, app, clock(), [(submit,)] * WORKERS)

    # A racing submission gets the graded attempt back: everyone lands on the result page.
    assert statuses(reports) == [302] * WORKERS
    assert len({r.outcomes[0].location for r in reports}) == 1
    assert count(app, Attempt, Attempt.user_id == learner.id) == 1
    assert count(app, Attempt, Attempt.id == attempt_id, Attempt.state == "graded") == 1
    assert count(app, CreditEntry) == 1
    assert count(app, CreditEntry, CreditEntry.user_id == learner.id) == 1
    assert count(app, Certificate) == 1
    assert_ledger_verifies(app, entries=1)


# Scenario B: one learner checking in to one event, then the roster confirmed --------------


def _create_event(trainer: Web) -> int:
    form = {
        "title": "Drying science day",
        "description": "Psychrometry in practice.",
        "place": "Hall 3",
        "starts_at": "2026-03-02T10:00",
        "ends_at": "2026-03-02T16:00",
        "credits": "2",
        "hours": "6",
        "credit_unit": "CEC",
        "category": "technical",
        "certification": ["WRT"],
        "capacity": "",
    }
    response = trainer.submit("/studio/events/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _checkin_link(trainer: Web, event_id: int) -> str:
    import html
    import re

    page = trainer.get(f"/studio/events/{event_id}").get_data(as_text=True)
    match = re.search(r'href="https?://[^/"]+(/events/checkin/[^"]+)"', page)
    assert match, "the event page shows no check-in link"
    return html.unescape(match.group(1))


def test_one_learner_checking_in_from_every_process_is_credited_once(
    app: Flask,
    demo: None,
    clock: Clock,
    create_user: Callable[..., Any],
    database_url: str,
    pool: Pool,
) -> None:
    trainer = signed_in(app, "trainer@example.com", "trainer-demo-pass")
    event_id = _create_event(trainer)
    with app.app_context():
        code = app.extensions["lms"].db.session.get(Event, event_id).checkin_code
    link = _checkin_link(trainer, event_id)
    learner = create_user()
    by_code = Step(
        learner.email, learner.plain_password, "/events/checkin", "/events/checkin", {"code": code}
    )
    by_link = Step(learner.email, learner.plain_password, page=link, action=link)
    roster = f"/studio/events/{event_id}"
    confirmers = [("trainer@example.com", "trainer-demo-pass"), *admins(create_user, WORKERS - 1)]
    steps = [
        (by_code if n % 2 else by_link, Step(email, password, roster, f"{roster}/confirm"))
        for n, (email, password) in enumerate(confirmers)
    ]
    clock.current = datetime(2026, 3, 2, 10, 0)  # the event started: check-in open, confirmable

    reports = pool.at_once(database_url, app, clock(), steps)

    assert statuses(reports, phase=0) == [302] * WORKERS  # "checked in" or "already checked in"
    assert statuses(reports, phase=1) == [302] + [409] * (WORKERS - 1)
    assert count(app, Attendance, Attendance.event_id == event_id) == 1
    assert count(app, Attendance, Attendance.user_id == learner.id) == 1
    assert count(app, Event, Event.id == event_id, Event.status == "confirmed") == 1
    assert count(app, CreditEntry) == 1
    assert (
        count(app, CreditEntry, CreditEntry.user_id == learner.id, CreditEntry.source == "event")
        == 1
    )
    assert_ledger_verifies(app, entries=1)


# Scenario C: one claim approved by every process -----------------------------------------


def test_one_claim_approved_by_every_process_is_credited_once(
    app: Flask,
    demo: None,
    clock: Clock,
    create_user: Callable[..., Any],
    database_url: str,
    pool: Pool,
) -> None:
    claimant = signed_in(app, "learner@example.com", "learner-demo-pass")
    claim_form = {
        "kind": "course",
        "title": "Water damage restoration workshop",
        "provider": "Restoration Academy",
        "completed_on": "2026-02-20",
        "hours": "7",
        "credits": "1.5",
        "credit_unit": "CEC",
        "category": "technical",
        "evidence": (io.BytesIO(PDF), "certificate.pdf"),
    }
    sent = claimant.submit("/my/claims/new", claim_form, content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    with app.app_context():
        db = app.extensions["lms"].db.session
        claim_id = db.scalars(select(CreditClaim.id)).one()
        db.remove()
    page = f"/admin/claims/{claim_id}"
    reviewers = admins(create_user, WORKERS)
    steps = [(Step(email, password, page, f"{page}/approve"),) for email, password in reviewers]

    reports = pool.at_once(database_url, app, clock(), steps)

    assert statuses(reports) == [302] + [409] * (WORKERS - 1)
    with app.app_context():
        db = app.extensions["lms"].db.session
        claim = db.get(CreditClaim, claim_id)
        assert claim.status == "approved"
        approver = db.get(User, claim.reviewer_id).email
        db.remove()
    winner = next(r for r in reports if r.outcomes[0].status == 302)
    assert reviewers[winner.worker][0] == approver  # the one answered 302 is the one recorded
    assert count(app, CreditEntry) == 1
    assert count(app, CreditEntry, CreditEntry.source_ref == f"claim:{claim_id}") == 1
    assert_ledger_verifies(app, entries=1)
