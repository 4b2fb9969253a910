"""A course's question bank in GIFT: import into its final quiz, export from it.

Used by ``lms quizzes import-gift`` / ``export-gift`` and by the trainer's pages.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from lms.catalogue.models import Course
from lms.db import session
from quizzes import Quiz, QuizDefinitionError, question_spec
from quizzes.authoring import DEFAULT_POOL, build_question
from quizzes.gift import GiftError, Skipped, parse_gift, to_gift

#: Control characters other than tab (GIFT text is lines of printable text).
BAD_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


#: A GIFT file larger than this is refused unread (a question bank is a few hundred KB).
MAX_GIFT_BYTES = 5 * 1024 * 1024


class ImportRefused(ValueError):
    """The file was refused as a whole; the message names the line. Nothing was imported."""


def import_gift(
    course: Course, text: str, now: datetime, pool: str | None = None
) -> dict[str, Any]:
    """Add every question of a GIFT file to the course's final quiz, or none of them.

    Returns the summary ``{"imported": N, "by_type": {...}, "skipped": [...]}``; essays and
    descriptions are skipped (they cannot be graded automatically), not refused. Only a
    draft version takes questions: a published quiz is what its learners and its approval saw.
    """
    if course.status != "draft":
        raise ImportRefused(
            f"version {course.version} of this course is {course.status}; questions go into a "
            "draft version (start a new version in the studio)"
        )
    for number, line in enumerate(text.splitlines(), start=1):
        if BAD_CHARACTERS.search(line):
            raise ImportRefused(f"line {number}: contains a control character (such as NUL)")
    try:
        parsed = parse_gift(text)
    except GiftError as exc:
        raise ImportRefused(str(exc)) from None
    if not parsed.questions:
        raise ImportRefused("the file holds no question that can be imported")
    built = []
    for item in parsed.questions:
        try:
            question = build_question(item.spec, position=0, default_pool=pool or DEFAULT_POOL)
        except QuizDefinitionError as exc:
            detail = str(exc).split(": ", 1)[-1]  # "question 0: why" -> "why"
            raise ImportRefused(f"line {item.line}: {detail}") from None
        if pool:
            question.pool = pool
        built.append(question)
    db = session()
    try:
        quiz = db.get(Quiz, course.final_quiz_id) if course.final_quiz_id else None
        if quiz is None:
            quiz = Quiz(title=f"Final quiz: {course.title}", created_at=now, draw_rules=[])
            db.add(quiz)
        position = max((q.position for q in quiz.questions), default=0)
        for offset, question in enumerate(built, start=1):
            question.position = position + offset
            quiz.questions.append(question)
        db.flush()
        course.final_quiz_id = quiz.id
        db.commit()
    except Exception:
        db.rollback()
        raise
    by_type = Counter(item.spec["type"] for item in parsed.questions)
    return {
        "imported": len(parsed.questions),
        "by_type": dict(sorted(by_type.items())),
        "skipped": [s.as_dict() for s in parsed.skipped],
    }


def export_gift(course: Course) -> tuple[str, list[Skipped]]:
    """The course's final quiz as GIFT, and the questions GIFT cannot express."""
    quiz = session().get(Quiz, course.final_quiz_id) if course.final_quiz_id else None
    if quiz is None:
        return "", []
    return to_gift(question_spec(q) for q in quiz.questions)
