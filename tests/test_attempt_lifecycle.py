"""The attempt lifecycle as a state machine: start, autosave, submit, submit again, race a
second session, let time pass and sweep expired attempts, in any order, on a timed quiz with
attempt limits and a cooldown. A plain model beside the engine says what each call must do;
invariants check the database after every step."""

from __future__ import annotations

import copy
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

import quizzes
from quizzes import (
    DEFAULT_GRACE,
    Attempt,
    AttemptClosed,
    AttemptError,
    AttemptExpired,
    AttemptRefused,
    InvalidResponse,
)
from quizzes.models import metadata
from quizzes.types import QUESTION_TYPES

START = datetime(2026, 3, 2, 9, 0, 0)
LIMIT = timedelta(minutes=10)
COOLDOWN = timedelta(minutes=2)
MAX_ATTEMPTS = 3
PASS_PERCENT = 60
#: (user id, context): one person in two enrolments, and another person.
WHO = [(1, "enrolment:1"), (1, "enrolment:2"), (2, "enrolment:1")]

SPECS: list[dict[str, Any]] = [
    {
        "type": "multiple",
        "prompt": "Which of these dry a room?",
        "scoring": "partial",
        "penalty": 50,
        "points": 3,
        "choices": [
            {"id": "dh", "text": "Dehumidifier", "correct": True},
            {"id": "am", "text": "Air mover", "correct": True},
            {"id": "ht", "text": "Heater", "correct": True},
            {"id": "mop", "text": "Mop"},
            {"id": "bk", "text": "Bucket"},
        ],
    },
    {
        "type": "single",
        "prompt": "Sewage is which category?",
        "choices": [
            {"id": "c3", "text": "Category 3", "correct": True},
            {"id": "c2", "text": "Category 2", "weight": 50},
            {"id": "c1", "text": "Category 1"},
        ],
    },
    {
        "type": "short",
        "prompt": "RH stands for?",
        "points": 2,
        "answers": [{"text": "relative humidity"}, {"text": "RH", "weight": 50}],
    },
    {
        "type": "numeric",
        "prompt": "Grains per pound, roughly?",
        "points": 2,
        "answers": [{"value": "3.5", "tolerance": "0.25"}, {"min": 10, "max": 20, "weight": 50}],
    },
    {
        "type": "matching",
        "prompt": "Match the water to its category.",
        "points": 3,
        "pairs": [
            {"left": "Category 1", "right": "Clean"},
            {"left": "Category 2", "right": "Grey"},
            {"left": "Category 3", "right": "Black"},
        ],
        "distractors": ["Brown"],
    },
    {
        "type": "ordering",
        "prompt": "Put the job in order.",
        "scoring": "partial",
        "points": 4,
        "items": ["Inspect", "Extract", "Dry", "Verify"],
    },
    {"type": "truefalse", "prompt": "Extra 1", "answer": True, "pool": "extra", "points": 5},
    {"type": "truefalse", "prompt": "Extra 2", "answer": False, "pool": "extra", "points": 7},
]
DRAW_RULES = [{"pool": "Default"}, {"pool": "extra", "count": 1}]

SHORT_TEXTS = ["relative humidity", "RH", "Relative Humidity", "humidity"]
NUMBERS = ["3.5", "3.75", "3.76", "15", "-2", "0"]


@dataclass(frozen=True)
class Q:
    id: int
    qtype: str
    points: int
    config: dict[str, Any]


@dataclass
class Model:
    """What the engine must have stored for one attempt."""

    id: int
    who: tuple[int, str]
    layout: list[dict[str, Any]]
    started_at: datetime
    deadline: datetime
    state: str = "open"
    responses: dict[str, list[str]] = field(default_factory=dict)
    saved_at: datetime | None = None
    finished_at: datetime | None = None
    reason: str | None = None
    score: Decimal | None = None
    max_score: int | None = None
    passed: bool | None = None


def valid_answer(q: Q) -> st.SearchStrategy[list[str]]:
    """A readable answer, already in the form the engine stores; [] is unanswered."""
    config = q.config
    if q.qtype == "multiple":
        ids = [c["id"] for c in config["choices"]]
        return st.lists(st.sampled_from(ids), unique=True, max_size=len(ids))
    if q.qtype in ("single", "truefalse"):
        ids = [c["id"] for c in config["choices"]]
        return st.one_of(st.just([]), st.sampled_from(ids).map(lambda c: [c]))
    if q.qtype == "short":
        return st.one_of(st.just([]), st.sampled_from(SHORT_TEXTS).map(lambda t: [t]))
    if q.qtype == "numeric":
        return st.one_of(st.just([]), st.sampled_from(NUMBERS).map(lambda n: [n]))
    if q.qtype == "matching":
        items = [i["id"] for i in config["items"]]
        options = [o["id"] for o in config["options"]]
        pairs = st.lists(
            st.tuples(st.sampled_from(items), st.sampled_from(options)),
            unique_by=lambda pair: pair[0],
            max_size=len(items),
        )
        return pairs.map(lambda ps: [f"{item}:{option}" for item, option in ps])
    assert q.qtype == "ordering"
    ids = [i["id"] for i in config["items"]]
    return st.one_of(st.just([]), st.permutations(ids))


def unreadable_answer(q: Q) -> list[str]:
    """An answer to a drawn question that the engine cannot read."""
    config = q.config
    if q.qtype in ("multiple", "single", "truefalse"):
        return ["no-such-choice"]
    if q.qtype == "short":
        return ["two", "answers"]
    if q.qtype == "numeric":
        return ["three and a half"]
    if q.qtype == "matching":
        return [f"{config['items'][0]['id']}:no-such-option"]
    return [config["items"][0]["id"]]  # ordering: one item of four


def expected_grade(questions: list[Q], responses: dict[str, list[str]]) -> tuple[Decimal, int]:
    """The score by the types' own grading of each stored answer, summed over the draw."""
    max_score = sum(q.points for q in questions)
    score = sum(
        (QUESTION_TYPES[q.qtype].grade(q.config, responses.get(str(q.id), [])) * q.points)
        for q in questions
    )
    return Decimal(score).quantize(Decimal("0.0001")), max_score


class AttemptLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.engine = create_engine("sqlite://")
        metadata.create_all(self.engine)
        self.db = Session(self.engine)
        self.now = START
        quiz = quizzes.create_quiz(
            self.db,
            title="Water damage",
            pass_percent=PASS_PERCENT,
            questions=copy.deepcopy(SPECS),
            now=self.now,
            max_attempts=MAX_ATTEMPTS,
            cooldown_minutes=COOLDOWN.seconds // 60,
            time_limit_minutes=LIMIT.seconds // 60,
            draw_rules=DRAW_RULES,
        )
        self.db.commit()
        self.quiz_id = quiz.id
        self.questions = {
            q.id: Q(q.id, q.qtype, q.points, copy.deepcopy(q.config)) for q in quiz.questions
        }
        self.model: dict[int, Model] = {}
        #: How many calls reported newly_graded=True, per attempt id.
        self.newly_graded: Counter[int] = Counter()

    def teardown(self) -> None:
        self.db.close()
        self.engine.dispose()

    # Reading the model ---------------------------------------------------------------------

    def attempts_of(self, who: tuple[int, str]) -> list[Model]:
        return [m for _, m in sorted(self.model.items()) if m.who == who]

    def expired(self, m: Model) -> bool:
        return m.state == "open" and self.now > m.deadline + DEFAULT_GRACE

    def open_attempts(self) -> list[Model]:
        return [m for _, m in sorted(self.model.items()) if m.state == "open"]

    def graded_attempts(self) -> list[Model]:
        return [m for _, m in sorted(self.model.items()) if m.state == "graded"]

    def drawn(self, m: Model) -> list[Q]:
        return [self.questions[item["question_id"]] for item in m.layout]

    def would_pass(self, m: Model) -> bool:
        score, max_score = expected_grade(self.drawn(m), m.responses)
        return score * 100 >= PASS_PERCENT * max_score

    def close_model(self, m: Model, responses: dict[str, list[str]], at: datetime, reason: str):
        m.state, m.responses, m.finished_at, m.reason = "graded", dict(responses), at, reason
        m.score, m.max_score = expected_grade(self.drawn(m), m.responses)
        m.passed = self.would_pass(m)

    def draw_responses(self, data: st.DataObject, m: Model) -> tuple[dict[str, list[str]], bool]:
        """Answers to some of the attempt's questions, and whether the engine must take them."""
        drawn = self.drawn(m)
        if data.draw(st.integers(0, 3)) == 0:  # the right answers, so that some attempts pass
            responses = {
                str(q.id): QUESTION_TYPES[q.qtype].correct_response(q.config) for q in drawn
            }
        else:
            chosen = data.draw(st.lists(st.sampled_from(drawn), unique_by=lambda q: q.id))
            responses = {str(q.id): data.draw(valid_answer(q)) for q in chosen}
        if data.draw(st.integers(0, 3)) > 0:
            return responses, True
        layout_ids = {q.id for q in drawn}
        undrawn = [str(i) for i in sorted(self.questions) if i not in layout_ids]
        key = data.draw(st.sampled_from(["score", "passed", "999999", "-1", *undrawn, "drawn"]))
        if key == "drawn":
            q = data.draw(st.sampled_from(drawn))
            responses[str(q.id)] = unreadable_answer(q)
        else:
            responses[key] = ["100"] if key == "score" else ["true"]
        return responses, False

    def record(self, result: quizzes.FinishResult) -> None:
        if result.newly_graded:
            self.newly_graded[result.attempt.id] += 1

    # Rules ---------------------------------------------------------------------------------

    @rule(who=st.sampled_from(WHO), seed=st.integers(0, 2**32 - 1))
    def start(self, who: tuple[int, str], seed: int) -> None:
        mine = self.attempts_of(who)
        to_close = [m for m in mine if self.expired(m)]
        still_open = [m for m in mine if m.state == "open" and not self.expired(m)]
        graded = [m for m in mine if m.state == "graded"] + to_close
        refusal = None
        if not still_open:
            # Attempts closed on the way count, finished at their deadline.
            passed = [m.passed if m.state == "graded" else self.would_pass(m) for m in graded]
            last = max((m.finished_at or m.deadline for m in graded), default=None)
            if any(passed):
                refusal = ("already passed", None)
            elif len(graded) >= MAX_ATTEMPTS:
                refusal = (f"used all {MAX_ATTEMPTS} attempts", None)
            elif last is not None and self.now < last + COOLDOWN:
                refusal = ("try again from", last + COOLDOWN)
        user, context = who
        try:
            result = quizzes.start_attempt(
                self.db,
                quiz_id=self.quiz_id,
                user_id=user,
                context=context,
                now=self.now,
                rng=random.Random(seed),
            )
        except AttemptRefused as exc:
            # As the LMS does: a refused start is rolled back, closes included.
            self.db.rollback()
            assert refusal is not None, f"refused unexpectedly: {exc}"
            assert refusal[0] in str(exc)
            assert exc.retry_at == refusal[1]
            event(f"start: refused ({refusal[0]})")
            return
        self.db.commit()
        assert refusal is None, f"started although it should be refused: {refusal}"
        assert [c.attempt.id for c in result.closed] == [m.id for m in to_close]
        for closed, m in zip(result.closed, to_close, strict=True):
            assert closed.newly_graded and closed.late
            self.record(closed)
            self.close_model(m, m.responses, m.deadline, "timed_out")
        attempt = result.attempt
        if still_open:
            assert result.resumed is True
            assert attempt.id == still_open[0].id
            assert attempt.layout == still_open[0].layout
            event("start: resumed")
            return
        assert result.resumed is False
        event(f"start: new, after closing {len(result.closed)}")
        assert attempt.id not in self.model
        assert attempt.deadline == self.now + LIMIT
        self.model[attempt.id] = Model(
            attempt.id, who, copy.deepcopy(attempt.layout), self.now, self.now + LIMIT
        )

    @precondition(lambda self: self.open_attempts())
    @rule(data=st.data())
    def autosave(self, data: st.DataObject) -> None:
        self._save(data.draw(st.sampled_from(self.open_attempts())), data)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def save_to_any_attempt(self, data: st.DataObject) -> None:
        self._save(data.draw(st.sampled_from([m for _, m in sorted(self.model.items())])), data)

    def _save(self, m: Model, data: st.DataObject) -> None:
        responses, readable = self.draw_responses(data, m)
        someone_else = data.draw(st.integers(0, 9)) == 0
        user = 99 if someone_else else m.who[0]
        if someone_else:
            expected: type[Exception] | None = AttemptError
        elif m.state == "graded":
            expected = AttemptClosed
        elif self.expired(m):
            expected = AttemptExpired
        elif not readable:
            expected = InvalidResponse
        else:
            expected = None
        try:
            quizzes.save_responses(
                self.db, attempt_id=m.id, user_id=user, responses=responses, now=self.now
            )
            raised = None
        except (AttemptError, AttemptExpired, InvalidResponse) as exc:
            raised = exc
        # Committed even when refused: a refusal must have written nothing.
        self.db.commit()
        event(f"save: {expected.__name__ if expected else 'accepted'}")
        if expected is None:
            assert raised is None, f"a valid save was refused: {raised!r}"
            m.responses = {key: values for key, values in responses.items() if values}
            m.saved_at = self.now
        else:
            assert type(raised) is expected, f"expected {expected.__name__}, got {raised!r}"

    def _submit(self, m: Model, responses: dict[str, list[str]], readable: bool) -> None:
        try:
            result = quizzes.finish_attempt(
                self.db, attempt_id=m.id, user_id=m.who[0], responses=responses, now=self.now
            )
        except InvalidResponse:
            self.db.commit()
            event("submit: InvalidResponse")
            assert m.state == "open" and not self.expired(m) and not readable
            return
        self.db.commit()
        self.record(result)
        if m.state == "graded":
            event("submit: already graded")
            assert (result.newly_graded, result.late) == (False, False)
        elif self.expired(m):
            event("submit: late, saved answers graded")
            assert (result.newly_graded, result.late) == (True, True)
            self.close_model(m, m.responses, m.deadline, "timed_out")
        else:
            assert readable, "unreadable answers were graded"
            assert (result.newly_graded, result.late) == (True, False)
            event("submit: graded")
            taken = {key: values for key, values in responses.items() if values}
            self.close_model(m, taken, self.now, "submitted")

    @precondition(lambda self: self.open_attempts())
    @rule(data=st.data())
    def submit(self, data: st.DataObject) -> None:
        m = data.draw(st.sampled_from(self.open_attempts()))
        self._submit(m, *self.draw_responses(data, m))

    @precondition(lambda self: self.graded_attempts())
    @rule(data=st.data())
    def submit_again(self, data: st.DataObject) -> None:
        m = data.draw(st.sampled_from(self.graded_attempts()))
        self._submit(m, *self.draw_responses(data, m))

    @precondition(lambda self: self.open_attempts())
    @rule(data=st.data())
    def race_two_sessions(self, data: st.DataObject) -> None:
        """A second tab read the attempt while open; both submit; the second to write loses."""
        m = data.draw(st.sampled_from(self.open_attempts()))
        mine = {str(q.id): data.draw(valid_answer(q)) for q in self.drawn(m)}
        theirs = {str(q.id): data.draw(valid_answer(q)) for q in self.drawn(m)}
        with Session(self.engine) as other:
            stale = quizzes.get_attempt(other, m.id, m.who[0])
            assert stale.state == "open"
            self._submit(m, mine, True)
            lost = quizzes.finish_attempt(
                other, attempt_id=m.id, user_id=m.who[0], responses=theirs, now=self.now
            )
            self.record(lost)
            assert lost.newly_graded is False
            assert lost.attempt.state == "graded"
            event("race")
            other.commit()

    @rule(
        seconds=st.one_of(
            st.integers(1, 90), st.integers(5 * 60, 11 * 60), st.integers(3600, 86400)
        )
    )
    def time_passes(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)
        event("advance time")

    @precondition(lambda self: self.open_attempts())
    @rule(
        data=st.data(),
        offset=st.sampled_from(
            [timedelta(seconds=-1), timedelta(0), timedelta(microseconds=1), timedelta(seconds=1)]
        ),
    )
    def time_reaches_the_edge_of_the_grace(self, data: st.DataObject, offset: timedelta) -> None:
        m = data.draw(st.sampled_from(self.open_attempts()))
        self.now = max(self.now, m.deadline + DEFAULT_GRACE + offset)
        event("advance to the edge of the grace")

    def waiting(self) -> list[tuple[int, str]]:
        """Who has graded attempts and none open: the next start waits for the cooldown."""
        return [
            who
            for who in WHO
            if any(m.state == "graded" for m in self.attempts_of(who))
            and not any(m.state == "open" for m in self.attempts_of(who))
        ]

    @precondition(lambda self: self.waiting())
    @rule(
        data=st.data(),
        offset=st.sampled_from([timedelta(microseconds=-1), timedelta(0), timedelta(seconds=1)]),
    )
    def time_reaches_the_end_of_a_cooldown(self, data: st.DataObject, offset: timedelta) -> None:
        who = data.draw(st.sampled_from(self.waiting()))
        last = max(m.finished_at for m in self.attempts_of(who) if m.finished_at is not None)
        self.now = max(self.now, last + COOLDOWN + offset)
        event("advance to the end of a cooldown")

    @precondition(lambda self: self.open_attempts())
    @rule()
    def time_out(self) -> None:
        due = [m for m in self.open_attempts() if self.expired(m)]
        closed = quizzes.close_expired(self.db, now=self.now)
        self.db.commit()
        assert [c.attempt.id for c in closed] == [m.id for m in due]
        event(f"time out: closed {len(closed)}")
        for result, m in zip(closed, due, strict=True):
            assert result.newly_graded and result.late
            self.record(result)
            self.close_model(m, m.responses, m.deadline, "timed_out")

    # Invariants ----------------------------------------------------------------------------

    @invariant()
    def the_database_matches_the_model(self) -> None:
        stored = {a.id: a for a in self.db.scalars(select(Attempt))}
        assert sorted(stored) == sorted(self.model)
        for attempt_id, m in self.model.items():
            a = stored[attempt_id]
            assert (a.user_id, a.context) == m.who
            assert a.layout == m.layout  # frozen
            assert a.deadline == m.deadline == a.started_at + LIMIT
            assert a.state == m.state
            # No answer is taken after the deadline and its grace: what is stored is the last
            # accepted save, or what a submission within the time sent.
            assert a.responses == m.responses
            assert a.saved_at == m.saved_at
            if a.saved_at is not None:
                assert a.saved_at <= a.deadline + DEFAULT_GRACE
            assert a.finish_reason == m.reason
            assert a.finished_at == m.finished_at
            if a.state == "open":
                assert a.score is a.max_score is a.passed is None
                continue
            if a.finish_reason == "timed_out":
                assert a.finished_at == a.deadline
            else:
                assert a.finish_reason == "submitted"
                assert a.started_at <= a.finished_at <= a.deadline + DEFAULT_GRACE
            assert a.max_score == m.max_score == sum(q.points for q in self.drawn(m))
            assert 0 <= a.score <= a.max_score
            assert a.score == m.score
            assert a.passed is m.passed

    @invariant()
    def each_attempt_is_graded_exactly_once(self) -> None:
        assert all(count <= 1 for count in self.newly_graded.values()), self.newly_graded
        graded = {m.id for m in self.graded_attempts()}
        assert {i for i, count in self.newly_graded.items() if count} == graded

    @invariant()
    def the_result_is_the_highest_or_the_latest_graded_attempt(self) -> None:
        for who in WHO:
            user, context = who
            attempts = quizzes.attempts_in(self.db, user_id=user, context=context)
            graded = [m for m in self.attempts_of(who) if m.state == "graded"]
            highest = quizzes.quiz_result(attempts, "highest")
            latest = quizzes.quiz_result(attempts, "latest")
            if not graded:
                assert highest is latest is None
                continue
            best = max(m.score for m in graded)
            assert highest.id == next(m.id for m in graded if m.score == best)
            assert latest.id == max(m.id for m in graded)  # attempts follow one another

    @invariant()
    def limits_per_person_and_context_hold(self) -> None:
        for who in WHO:
            mine = self.attempts_of(who)
            assert sum(m.state == "open" for m in mine) <= 1
            graded = [m for m in mine if m.state == "graded"]
            assert len(graded) <= MAX_ATTEMPTS
            assert sum(bool(m.passed) for m in graded) <= 1
            if any(m.passed for m in graded):  # a pass ends the quiz: nothing after it
                first_pass = next(m for m in graded if m.passed)
                assert all(m.id <= first_pass.id for m in mine)


def test_the_attempt_lifecycle_keeps_its_promises() -> None:
    run_state_machine_as_test(
        AttemptLifecycle,
        settings=settings(
            max_examples=60,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
