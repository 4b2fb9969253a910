"""Creating and describing quizzes from plain definitions (demo data, GIFT, the studio).

A question definition ("spec") is a dict: ``type``, ``prompt``, and optionally ``title``,
``points``, ``explanation``, ``tags``, ``pool``, plus the type's own keys (see each module in
``quizzes.types``). :func:`question_spec` gives the canonical spec of a stored question back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizzes.models import Question, Quiz
from quizzes.review import LEVELS, REVIEW_WHEN
from quizzes.types import QUESTION_TYPES, DefinitionError

DEFAULT_POOL = "Default"
GRADING_METHODS = ("highest", "latest")
MAX_PROMPT_LENGTH = 10_000
#: The columns' lengths (quizzes/models.py).
MAX_TITLE = 200
MAX_POOL = 100


class QuizDefinitionError(ValueError):
    """A quiz definition was refused; the message says which question and why."""


def build_question(spec: dict[str, Any], *, position: int, default_pool: str) -> Question:
    """A Question from a spec, checked; raises QuizDefinitionError naming the question."""
    where = f"question {position}"
    if not isinstance(spec, dict):
        raise QuizDefinitionError(f"{where}: not a question definition")
    qtype = QUESTION_TYPES.get(str(spec.get("type", "")))
    if qtype is None:
        raise QuizDefinitionError(f"{where}: unknown type {spec.get('type')!r}")
    prompt = str(spec.get("prompt") or "").strip()
    if not prompt:
        raise QuizDefinitionError(f"{where}: the question text cannot be empty")
    if len(prompt) > MAX_PROMPT_LENGTH:
        raise QuizDefinitionError(f"{where}: the question text is too long")
    try:
        config = qtype.build_config(spec)
        points = int(spec.get("points", 1))
    except DefinitionError as exc:
        raise QuizDefinitionError(f"{where}: {exc}") from None
    except (TypeError, ValueError):
        raise QuizDefinitionError(f"{where}: points must be a whole number") from None
    if not 1 <= points <= 1000:
        raise QuizDefinitionError(f"{where}: points must be from 1 to 1000")
    tags = spec.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise QuizDefinitionError(f"{where}: tags must be a list of names")
    # Refused, not cut: a shortened title or pool would be stored without anyone knowing.
    title = str(spec.get("title") or "").strip()
    if len(title) > MAX_TITLE:
        raise QuizDefinitionError(f"{where}: the title takes at most {MAX_TITLE} characters")
    pool = str(spec.get("pool") or default_pool).strip() or default_pool
    if len(pool) > MAX_POOL:
        raise QuizDefinitionError(f"{where}: the pool name takes at most {MAX_POOL} characters")
    return Question(
        position=position,
        qtype=qtype.name,
        title=title,
        prompt=prompt,
        points=points,
        config=config,
        explanation=str(spec.get("explanation") or "").strip(),
        pool=pool,
        tags=[t.strip() for t in tags],
    )


def add_questions(
    session: Session, quiz: Quiz, specs: Iterable[dict[str, Any]], *, pool: str | None = None
) -> list[Question]:
    """Append questions to a quiz. All are checked before any is added: one bad spec adds
    none. ``pool`` overrides each spec's pool when given."""
    start = (
        session.scalar(select(func.max(Question.position)).where(Question.quiz_id == quiz.id))
        if quiz.id is not None
        else None
    ) or len(quiz.questions)
    built = []
    for offset, spec in enumerate(specs, start=1):
        question = build_question(spec, position=start + offset, default_pool=DEFAULT_POOL)
        if pool:
            question.pool = pool
        built.append(question)
    quiz.questions.extend(built)
    return built


def question_spec(question: Question) -> dict[str, Any]:
    """The canonical definition of a stored question (the inverse of build_question)."""
    return {
        "type": question.qtype,
        "title": question.title,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "points": question.points,
        "tags": list(question.tags or []),
        "pool": question.pool,
        **QUESTION_TYPES[question.qtype].spec_of(question.config),
    }


def configure_quiz(quiz: Quiz, **settings: Any) -> Quiz:
    """Check and set a quiz's settings; unknown names are refused, nothing is half-set."""
    checked: dict[str, Any] = {}
    for name, value in settings.items():
        if name == "pass_percent":
            checked[name] = _whole(value, name, 1, 100, "the pass mark")
        elif name == "max_attempts":
            checked[name] = None if value in (None, "", 0) else _whole(value, name, 1, 100)
        elif name == "cooldown_minutes":
            checked[name] = _whole(value or 0, name, 0, 60 * 24 * 30, "the cooldown")
        elif name == "time_limit_minutes":
            checked[name] = None if value in (None, "", 0) else _whole(value, name, 1, 600)
        elif name == "grading_method":
            checked[name] = _one_of(value, GRADING_METHODS, "the grading method")
        elif name == "review_shows":
            checked[name] = _one_of(value, LEVELS, "what the review shows")
        elif name == "review_when":
            checked[name] = _one_of(value, REVIEW_WHEN, "when the review opens")
        elif name == "draw_rules":
            checked[name] = _draw_rules(quiz, value)
        elif name == "title":
            title = str(value or "").strip()
            if not title or len(title) > 200:
                raise QuizDefinitionError("a quiz needs a title of at most 200 characters")
            checked[name] = title
        else:
            raise QuizDefinitionError(f"unknown quiz setting {name!r}")
    for name, value in checked.items():
        setattr(quiz, name, value)
    return quiz


def _whole(value: Any, name: str, low: int, high: int, label: str | None = None) -> int:
    label = label or name.replace("_", " ")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise QuizDefinitionError(f"{label} must be a whole number") from None
    if not low <= number <= high:
        raise QuizDefinitionError(f"{label} must be from {low} to {high}")
    return number


def _one_of(value: Any, allowed: tuple[str, ...], label: str) -> str:
    if value not in allowed:
        raise QuizDefinitionError(f"{label} must be one of: {', '.join(allowed)}")
    return str(value)


def _draw_rules(quiz: Quiz, rules: Any) -> list[dict[str, Any]]:
    """Each rule names an existing pool and draws at most as many questions as it has, once
    the rules an attempt draws before it (tagged rules first) have taken theirs."""
    if not isinstance(rules, list):
        raise QuizDefinitionError("draw rules must be a list")
    checked = []
    pools: list[set[Question]] = []
    for number, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict) or not str(rule.get("pool") or "").strip():
            raise QuizDefinitionError(f"draw rule {number}: name a pool")
        pool = str(rule["pool"]).strip()
        tag = str(rule["tag"]).strip() if rule.get("tag") else None
        tagged = f" tagged {tag!r}" if tag else ""
        candidates = [
            q for q in quiz.questions if q.pool == pool and (tag is None or tag in (q.tags or []))
        ]
        count = rule.get("count")
        if count is not None:
            count = _whole(count, "count", 1, 1000, f"draw rule {number}'s count")
            if count > len(candidates):
                raise QuizDefinitionError(
                    f"draw rule {number}: the pool {pool!r} has {len(candidates)} "
                    f"questions{tagged}, fewer than {count}"
                )
        if not candidates:
            raise QuizDefinitionError(
                f"draw rule {number}: the pool {pool!r} has no questions{tagged}"
            )
        checked.append({"pool": pool, "count": count, "tag": tag})
        pools.append(set(candidates))
    # Rules together: in the order attempts draw them (tagged first), each rule's count must
    # fit what the earlier rules may have left, at worst.
    order = sorted(range(len(checked)), key=lambda i: checked[i]["tag"] is None)
    for position, i in enumerate(order):
        count = checked[i]["count"]
        if count is None:
            continue
        taken = sum(
            min(checked[j]["count"] or len(pools[j]), len(pools[i] & pools[j]))
            for j in order[:position]
        )
        left = max(0, len(pools[i]) - taken)
        if count > left:
            tagged = f" tagged {checked[i]['tag']!r}" if checked[i]["tag"] else ""
            raise QuizDefinitionError(
                f"draw rule {i + 1}: the pool {checked[i]['pool']!r} has {left} "
                f"question{'' if left == 1 else 's'}{tagged} left once the other rules have "
                f"drawn, fewer than {count}"
            )
    return checked


def create_quiz(
    session: Session,
    *,
    title: str,
    pass_percent: int,
    questions: list[dict[str, Any]],
    now: datetime,
    **settings: Any,
) -> Quiz:
    """Add a quiz and its questions to ``session`` (the caller commits)."""
    if not questions:
        raise QuizDefinitionError("a quiz needs at least one question")
    quiz = Quiz(title=title, pass_percent=70, created_at=now, draw_rules=[])
    configure_quiz(quiz, title=title, pass_percent=pass_percent)
    add_questions(session, quiz, questions)
    draw_rules = settings.pop("draw_rules", None)
    configure_quiz(quiz, **settings)
    if draw_rules is not None:
        configure_quiz(quiz, draw_rules=draw_rules)
    session.add(quiz)
    return quiz
