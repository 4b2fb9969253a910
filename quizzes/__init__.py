"""The quiz engine: question types, quizzes, attempts and grading.

It knows nothing of the LMS: people and courses reach it as plain ids and an opaque
``context`` string chosen by the caller. Functions take a SQLAlchemy session as an argument.
"""

from quizzes.attempts import (
    AttemptError,
    FinishResult,
    InvalidResponse,
    finish_attempt,
    open_or_resume_attempt,
    presented_questions,
)
from quizzes.authoring import QuizDefinitionError, create_quiz
from quizzes.models import Attempt, Question, Quiz, metadata
from quizzes.types import QUESTION_TYPES, QuestionType, register

__all__ = [
    "QUESTION_TYPES",
    "Attempt",
    "AttemptError",
    "FinishResult",
    "InvalidResponse",
    "Question",
    "QuestionType",
    "Quiz",
    "QuizDefinitionError",
    "create_quiz",
    "finish_attempt",
    "metadata",
    "open_or_resume_attempt",
    "presented_questions",
    "register",
]
