"""The dashboard's next step, chosen from plain values: the requirement due soonest that is
not met yet, and where to go for it (the course in progress first, else a course that counts
toward it). Pure, so each choice is tested without an app."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from lms.learning.enrolments import CourseProgress
from lms.requirements.operations import Standing, SuggestedCourse

#: "continue" a course in progress; "start" a course that counts; "browse" when no course
#: counts yet; "met" when every requirement is; "add" when no certification is on file.
Action = Literal["continue", "start", "browse", "met", "add"]


@dataclass(frozen=True)
class NextStep:
    action: Action
    #: The unmet requirement due soonest (None when all are met or there are none).
    requirement: Standing | None = None
    in_progress: CourseProgress | None = None
    suggestion: SuggestedCourse | None = None


def soonest_unmet(standings: Sequence[Standing]) -> Standing | None:
    """The unmet requirement with the earliest due date (an overdue one comes first)."""
    unmet = [s for s in standings if s.status != "complete"]
    return min(unmet, key=lambda s: (s.cycle_end, s.rule_code, s.certification), default=None)


def next_step(
    standings: Sequence[Standing],
    in_progress: CourseProgress | None,
    suggestions: Sequence[SuggestedCourse] = (),
) -> NextStep:
    """What the learner should do next. A course already started wins over a new one: the
    learner keeps their place (and every course they can enrol in is in the catalogue)."""
    requirement = soonest_unmet(standings)
    if in_progress is not None:
        return NextStep("continue", requirement, in_progress=in_progress)
    if requirement is not None:
        if suggestions:
            return NextStep("start", requirement, suggestion=suggestions[0])
        return NextStep("browse", requirement)
    return NextStep("met" if standings else "add")
