"""Between the studio's HTML forms and the quiz engine's definitions ("specs").

A question form is a few single fields (title, prompt, ...) and, per type, groups of rows
(choices, accepted answers, pairs, items). :func:`read_form` keeps what the author typed, as
typed, so a refused form comes back with their input; :func:`to_spec` turns it into a spec for
``quizzes.authoring.build_question`` (which does the real checking); :func:`from_spec` is the
way back, so that an unchanged edit form gives the same spec again.

Field names: ``title``, ``prompt``, ... and ``<group>-<row>-<field>`` (``choice-0-text``); a
single-choice question's correct choice is the radio ``choice-correct`` (its row number).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from quizzes.authoring import DEFAULT_POOL, GRADING_METHODS
from quizzes.review import LEVELS, REVIEW_WHEN
from quizzes.types import QUESTION_TYPES

#: Row groups of each type and the fields of a row (``correct`` is a checkbox or radio).
ROW_GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "single": {"choice": ("text", "correct", "weight", "feedback")},
    "multiple": {"choice": ("text", "correct", "weight", "feedback")},
    "truefalse": {},
    "short": {"answer": ("text", "weight", "feedback")},
    "numeric": {"answer": ("value", "tolerance", "min", "max", "weight", "feedback")},
    "matching": {"pair": ("left", "right"), "distractor": ("text",)},
    "ordering": {"item": ("text",)},
}
COMMON_FIELDS = ("title", "prompt", "points", "explanation", "pool", "tags")
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "single": (),
    "multiple": ("scoring", "penalty"),
    "truefalse": ("answer", "feedback_true", "feedback_false"),
    "short": ("case_sensitive", "whitespace"),
    "numeric": (),
    "matching": (),
    "ordering": ("scoring",),
}
CHECKBOXES = {"case_sensitive"}
#: Blank rows shown at least, per group, so there is room to add.
MIN_ROWS = {"choice": 4, "answer": 2, "pair": 4, "distractor": 2, "item": 4}
#: Rows beyond this row number are not read (no question needs so many).
MAX_ROWS = 100
#: Type names in the order the studio offers them.
TYPE_ORDER = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering")

_ROW_KEY = re.compile(r"([a-z]+)-([0-9]{1,3})-([a-z]+)")


class FormError(ValueError):
    """The form contradicts itself (e.g. a choice marked correct with a zero weight)."""


@dataclass
class QuestionForm:
    """What the author typed, kept as text: single fields and rows per group."""

    qtype: str
    fields: dict[str, str]
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return QUESTION_TYPES[self.qtype].label


def blank(qtype: str) -> QuestionForm:
    """The form of a new question of this type."""
    fields = dict.fromkeys((*COMMON_FIELDS, *TYPE_FIELDS[qtype]), "")
    fields.update(points="1", pool=DEFAULT_POOL)
    if qtype in ("multiple", "ordering"):
        fields["scoring"] = "all_or_nothing"
    if qtype == "multiple":
        fields["penalty"] = "100"
    if qtype == "short":
        fields["whitespace"] = "normalize"
    return QuestionForm(qtype, fields, {group: [] for group in ROW_GROUPS[qtype]})


def padded(form: QuestionForm, extra: int = 2) -> QuestionForm:
    """The form with blank rows added to every group (at least ``extra``), for typing into."""
    rows = {}
    for group, names in ROW_GROUPS[form.qtype].items():
        have = form.rows.get(group, [])
        more = max(extra, MIN_ROWS[group] - len(have))
        rows[group] = have + [dict.fromkeys(names, "") for _ in range(more)]
    return QuestionForm(form.qtype, dict(form.fields), rows)


def read_form(qtype: str, data: Mapping[str, str]) -> QuestionForm:
    """The submitted form as typed; rows left completely blank are dropped."""
    names = (*COMMON_FIELDS, *TYPE_FIELDS[qtype])
    fields = {
        name: ("on" if data.get(name) else "") if name in CHECKBOXES else str(data.get(name, ""))
        for name in names
    }
    numbers: dict[str, set[int]] = {group: set() for group in ROW_GROUPS[qtype]}
    for key in data:
        match = _ROW_KEY.fullmatch(key)
        if match and match[1] in numbers and int(match[2]) < MAX_ROWS:
            numbers[match[1]].add(int(match[2]))
    rows: dict[str, list[dict[str, str]]] = {}
    for group, row_fields in ROW_GROUPS[qtype].items():
        rows[group] = []
        for number in sorted(numbers[group] | _radio_rows(qtype, group, data)):
            row = {name: str(data.get(f"{group}-{number}-{name}", "")) for name in row_fields}
            if "correct" in row_fields:
                if qtype == "single":
                    row["correct"] = "on" if data.get("choice-correct") == str(number) else ""
                else:
                    row["correct"] = "on" if row["correct"] else ""
            if any(value.strip() for value in row.values()):
                rows[group].append(row)
    return QuestionForm(qtype, fields, rows)


def _radio_rows(qtype: str, group: str, data: Mapping[str, str]) -> set[int]:
    """The row a single-choice radio points at counts as a row even if nothing else is typed."""
    value = str(data.get("choice-correct", ""))
    if qtype == "single" and group == "choice" and re.fullmatch(r"[0-9]{1,3}", value):
        return {int(value)} if int(value) < MAX_ROWS else set()
    return set()


def to_spec(form: QuestionForm) -> dict[str, Any]:
    """The question definition the form describes (checked further by build_question)."""
    f = form.fields
    spec: dict[str, Any] = {
        "type": form.qtype,
        "title": f["title"].strip(),
        "prompt": f["prompt"].strip(),
        "points": f["points"].strip(),
        "explanation": f["explanation"].strip(),
        "pool": f["pool"].strip(),
        "tags": [tag.strip() for tag in f["tags"].split(",") if tag.strip()],
    }
    rows = form.rows
    if form.qtype in ("single", "multiple"):
        spec["choices"] = [_choice(form.qtype, n, row) for n, row in enumerate(rows["choice"], 1)]
        if form.qtype == "multiple":
            spec["scoring"] = f["scoring"] or "all_or_nothing"
            if f["penalty"].strip():
                spec["penalty"] = f["penalty"].strip()
    elif form.qtype == "truefalse":
        spec["answer"] = {"true": True, "false": False}.get(f["answer"])
        spec["feedback_true"] = f["feedback_true"].strip()
        spec["feedback_false"] = f["feedback_false"].strip()
    elif form.qtype == "short":
        spec["answers"] = [
            {"text": r["text"], "weight": r["weight"].strip() or "100", "feedback": r["feedback"]}
            for r in rows["answer"]
        ]
        spec["case_sensitive"] = f["case_sensitive"] == "on"
        spec["whitespace"] = f["whitespace"] or "normalize"
    elif form.qtype == "numeric":
        spec["answers"] = [_numeric(n, row) for n, row in enumerate(rows["answer"], 1)]
    elif form.qtype == "matching":
        spec["pairs"] = [{"left": r["left"], "right": r["right"]} for r in rows["pair"]]
        spec["distractors"] = [r["text"] for r in rows["distractor"]]
    elif form.qtype == "ordering":
        spec["items"] = [r["text"] for r in rows["item"]]
        spec["scoring"] = f["scoring"] or "all_or_nothing"
    return spec


def _number(text: str) -> Decimal | None:
    """The number typed, or None if it is not one (the engine then says why)."""
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _choice(qtype: str, n: int, row: dict[str, str]) -> dict[str, Any]:
    """One choice: the "correct" mark decides, a weight refines it (partial credit)."""
    correct = row["correct"] == "on"
    weight = row["weight"].strip()
    number = _number(weight) if weight else None
    if number is not None:
        # The mark and the weight must agree, or the author would not get what they see.
        if qtype == "single" and correct and number != 100:
            raise FormError(f"choice {n} is marked correct, so it is worth 100 %; clear its weight")
        if qtype == "single" and not correct and number == 100:
            raise FormError(f"choice {n} is worth 100 % but is not marked correct")
        if qtype == "multiple" and correct != (number > 0):
            raise FormError(
                f"choice {n}: a correct choice needs a positive weight, a wrong one zero or less"
            )
    choice: dict[str, Any] = {"text": row["text"], "correct": correct, "feedback": row["feedback"]}
    if weight and not (qtype == "single" and correct):
        choice["weight"] = weight
    return choice


def _numeric(n: int, row: dict[str, str]) -> dict[str, Any]:
    ranged = bool(row["min"].strip() or row["max"].strip())
    if ranged and (row["value"].strip() or row["tolerance"].strip()):
        raise FormError(f"answer {n}: give a value (with a tolerance) or a range, not both")
    answer: dict[str, Any] = (
        {"min": row["min"].strip(), "max": row["max"].strip()}
        if ranged
        else {"value": row["value"].strip(), "tolerance": row["tolerance"].strip() or "0"}
    )
    answer["weight"] = row["weight"].strip() or "100"
    answer["feedback"] = row["feedback"]
    return answer


def from_spec(spec: dict[str, Any]) -> QuestionForm:
    """The form showing a stored question (``question_spec``), to edit it."""
    qtype = spec["type"]
    form = blank(qtype)
    form.fields.update(
        title=spec.get("title", ""),
        prompt=spec.get("prompt", ""),
        points=str(spec.get("points", 1)),
        explanation=spec.get("explanation", ""),
        pool=spec.get("pool", ""),
        tags=", ".join(spec.get("tags") or []),
    )
    if qtype == "single":
        form.rows["choice"] = [
            {
                "text": c["text"],
                "correct": "on" if Decimal(c["weight"]) == 100 else "",
                "weight": "" if Decimal(c["weight"]) in (0, 100) else c["weight"],
                "feedback": c["feedback"],
            }
            for c in spec["choices"]
        ]
    elif qtype == "multiple":
        form.rows["choice"], form.fields["penalty"] = _multiple_rows(spec["choices"])
        form.fields["scoring"] = spec["scoring"]
    elif qtype == "truefalse":
        form.fields.update(
            answer="true" if spec["answer"] else "false",
            feedback_true=spec["feedback_true"],
            feedback_false=spec["feedback_false"],
        )
    elif qtype == "short":
        form.rows["answer"] = [
            {"text": a["text"], "weight": a["weight"], "feedback": a["feedback"]}
            for a in spec["answers"]
        ]
        form.fields["case_sensitive"] = "on" if spec["case_sensitive"] else ""
        form.fields["whitespace"] = spec["whitespace"]
    elif qtype == "numeric":
        form.rows["answer"] = [
            {
                "value": a.get("value", ""),
                "tolerance": a.get("tolerance", ""),
                "min": a.get("min", ""),
                "max": a.get("max", ""),
                "weight": a["weight"],
                "feedback": a["feedback"],
            }
            for a in spec["answers"]
        ]
    elif qtype == "matching":
        form.rows["pair"] = [{"left": p["left"], "right": p["right"]} for p in spec["pairs"]]
        form.rows["distractor"] = [{"text": d} for d in spec.get("distractors") or []]
    elif qtype == "ordering":
        form.rows["item"] = [{"text": text} for text in spec["items"]]
        form.fields["scoring"] = spec["scoring"]
    return form


def _default_weights(correct: list[bool], penalty: Decimal) -> list[Decimal]:
    """The weights the multiple-select type gives when none are written (see its docs)."""
    count = max(sum(correct), 1)
    step = Decimal("0.00001")
    return [(Decimal(100) / count if c else -penalty / count).quantize(step) for c in correct]


def _multiple_rows(choices: list[dict[str, str]]) -> tuple[list[dict[str, str]], str]:
    """Rows of a multiple-select question, and its penalty. When the weights are the type's
    defaults for some penalty, the weights are left blank and that penalty is shown (the form
    an author would have typed); otherwise every weight is written out."""
    weights = [Decimal(c["weight"]) for c in choices]
    correct = [w > 0 for w in weights]
    wrong = [w for w in weights if w <= 0]
    candidates = [Decimal(100)]
    if wrong:
        raw = -wrong[0] * max(sum(correct), 1)
        candidates += [raw.to_integral_value(), raw.quantize(Decimal("0.01")), raw]
    penalty = next(
        (
            p
            for p in candidates
            if 0 <= p <= 100 and _default_weights(correct, p) == weights  # Decimal equality
        ),
        None,
    )
    rows = [
        {
            "text": c["text"],
            "correct": "on" if ok else "",
            "weight": "" if penalty is not None else c["weight"],
            "feedback": c["feedback"],
        }
        for c, ok in zip(choices, correct, strict=True)
    ]
    shown = format(penalty.normalize(), "f") if penalty is not None else "100"
    return rows, shown


# Quiz settings ---------------------------------------------------------------------------------

SETTING_FIELDS = (
    "title",
    "pass_percent",
    "max_attempts",
    "cooldown_minutes",
    "grading_method",
    "time_limit_minutes",
    "review_shows",
    "review_when",
)
RULE_FIELDS = ("pool", "count", "tag")
MIN_RULE_ROWS = 3
CHOICES = {
    "grading_method": GRADING_METHODS,
    "review_shows": LEVELS,
    "review_when": REVIEW_WHEN,
}


@dataclass
class SettingsForm:
    """The quiz settings form as typed, with its draw-rule rows."""

    fields: dict[str, str]
    rules: list[dict[str, str]]

    def padded(self) -> SettingsForm:
        more = max(2, MIN_RULE_ROWS - len(self.rules))
        return SettingsForm(
            dict(self.fields), self.rules + [dict.fromkeys(RULE_FIELDS, "") for _ in range(more)]
        )


def settings_of(quiz: Any) -> SettingsForm:
    """The form showing a quiz's current settings."""
    fields = {
        name: "" if getattr(quiz, name) is None else str(getattr(quiz, name))
        for name in SETTING_FIELDS
    }
    rules = [
        {
            "pool": rule.get("pool") or "",
            "count": "" if rule.get("count") is None else str(rule["count"]),
            "tag": rule.get("tag") or "",
        }
        for rule in quiz.draw_rules or []
    ]
    return SettingsForm(fields, rules)


def read_settings(data: Mapping[str, str]) -> SettingsForm:
    fields = {name: str(data.get(name, "")) for name in SETTING_FIELDS}
    numbers = set()
    for key in data:
        match = _ROW_KEY.fullmatch(key)
        if match and match[1] == "rule" and int(match[2]) < MAX_ROWS:
            numbers.add(int(match[2]))
    rules = []
    for number in sorted(numbers):
        rule = {name: str(data.get(f"rule-{number}-{name}", "")) for name in RULE_FIELDS}
        if any(value.strip() for value in rule.values()):
            rules.append(rule)
    return SettingsForm(fields, rules)


def settings_values(form: SettingsForm) -> dict[str, Any]:
    """Keyword arguments for ``quizzes.configure_quiz`` (which checks them all)."""
    values: dict[str, Any] = {name: form.fields[name].strip() for name in SETTING_FIELDS}
    for name in ("max_attempts", "time_limit_minutes"):
        values[name] = values[name] or None  # blank: unlimited / untimed
    values["draw_rules"] = [
        {
            "pool": rule["pool"].strip(),
            "count": rule["count"].strip() or None,
            "tag": rule["tag"].strip() or None,
        }
        for rule in form.rules
    ]
    return values
