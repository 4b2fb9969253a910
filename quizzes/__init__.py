"""The quiz engine: question types, quizzes, pools, attempts, grading, review and GIFT.

It knows nothing of the LMS: people and courses reach it as plain ids and an opaque
``context`` string chosen by the caller. Functions take a SQLAlchemy session as an argument
and never commit.
"""

from quizzes.attempts import (
    DEFAULT_GRACE,
    AttemptClosed,
    AttemptError,
    AttemptExpired,
    AttemptRefused,
    FinishResult,
    InvalidResponse,
    PresentedQuestion,
    StartCheck,
    StartResult,
    attempts_in,
    close_expired,
    finish_attempt,
    get_attempt,
    is_expired,
    presented_questions,
    quiz_result,
    save_responses,
    seconds_left,
    start_attempt,
    start_check,
)
from quizzes.authoring import (
    QuizDefinitionError,
    add_questions,
    configure_quiz,
    create_quiz,
    question_spec,
)
from quizzes.models import Attempt, Question, Quiz, metadata
from quizzes.review import ReviewedQuestion, review_attempt, review_level
from quizzes.types import QUESTION_TYPES, QuestionType, register

__all__ = [
    "DEFAULT_GRACE",
    "QUESTION_TYPES",
    "Attempt",
    "AttemptClosed",
    "AttemptError",
    "AttemptExpired",
    "AttemptRefused",
    "FinishResult",
    "InvalidResponse",
    "PresentedQuestion",
    "Question",
    "QuestionType",
    "Quiz",
    "QuizDefinitionError",
    "ReviewedQuestion",
    "StartCheck",
    "StartResult",
    "add_questions",
    "attempts_in",
    "close_expired",
    "configure_quiz",
    "create_quiz",
    "finish_attempt",
    "get_attempt",
    "is_expired",
    "metadata",
    "presented_questions",
    "question_spec",
    "quiz_result",
    "register",
    "review_attempt",
    "review_level",
    "save_responses",
    "seconds_left",
    "start_attempt",
    "start_check",
]
