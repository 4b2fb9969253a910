"""Moodle's GIFT quiz format: read a file into question specs, and write specs back.

GIFT (https://docs.moodle.org/en/GIFT_format) is the plain-text format teachers already use to
move questions in and out of Moodle, so the semantics follow Moodle's own importer,
``question/format/gift/format.php`` (``qformat_gift::readquestion``), rather than the wiki's
summary of it. Where Moodle silently guesses, this parser refuses and names the line instead:
text before the first answer (Moodle keeps it as an extra answer), ``{true}`` (Moodle reads a
short answer "true"), a second answer block (Moodle keeps it in the question text), ``=%50%``
in a choice block (Moodle ignores the weight), two ``=`` answers in one choice block, and
Moodle's numeric "any other answer" feedback ``~#...`` (our numeric type has no such answer).

Only the standard library is used, so the module is usable and testable on its own.

Spec dicts are the canonical form of a question definition (see ``quizzes.types``):

* every spec: ``type``, ``title``, ``prompt``, ``explanation`` (GIFT's ``####`` general
  feedback), ``points`` (always 1 from GIFT), ``tags`` (``// [tag:x]`` comments in the
  question's lines) and ``pool`` (the last segment of the current ``$CATEGORY:`` path, or None);
* ``single``: ``choices`` [{text, weight, feedback}], the ``=`` answer weighing "100";
* ``multiple``: ``scoring`` "partial" and ``choices``: a block of ``~`` answers only, with
  ``~%n%`` weights (Moodle's multiple-answer question);
* ``truefalse``: ``answer``, ``feedback_true`` (shown to a learner who picks True) and
  ``feedback_false``;
* ``short``: ``answers`` [{text, weight, feedback}], ``case_sensitive`` False, ``whitespace``
  "normalize";
* ``numeric``: ``answers``, each {value, tolerance, weight, feedback} or
  {min, max, weight, feedback};
* ``matching``: ``pairs`` [{left, right}] and ``distractors`` (``= -> extra`` lines).

Weights and numbers are strings holding a normalized decimal ("100", "-33.33333", "0.5").
Essays (``{}``) and descriptions (no answer block) are reported as skipped, not as errors.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

__all__ = ["GiftError", "GiftParse", "ParsedQuestion", "Skipped", "parse_gift", "to_gift"]

#: What a missing-word question shows where its answer block stood.
BLANK = "_____"

# Backslash escapes, as in qformat_gift::escapedchar_pre ("\\" first, so "\\=" is "\" then "=").
_UNESCAPE = {"~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "n": "\n", "\\": "\\"}
# Stands in the structural copy of a text for an escaped character, so it never looks special.
_HIDDEN = "\x00"
_FORMAT_PREFIX = re.compile(r"\[(?:html|moodle|plain|markdown)\]")
_WEIGHT = re.compile(r"%([+-]?(?:\d+(?:\.\d*)?|\.\d+))%")
# Something meant as a weight but not written as one (e.g. "%50 %" or "%--5%").
_WEIGHT_LIKE = re.compile(r"%[\s\d.+-]*\d[\s\d.+-]*%")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# Moodle's tag syntax (extract_idnumber_and_tags_from_comment): "\]" for a "]" in a tag.
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")
_UNWRITABLE_TAG = re.compile(r"[<>`\x00-\x1f\x7f]")
_TRUE_WORDS = ("T", "TRUE")
_FALSE_WORDS = ("F", "FALSE")
_CATEGORY = "$CATEGORY:"
_CONTEXT = re.compile(r"\$[a-z]+\$")
# Longest number and widest exponent accepted: enough for any quiz, bounded for the parser.
_MAX_NUMBER_LENGTH = 60
_MAX_EXPONENT = 50


class GiftError(ValueError):
    """A GIFT file that cannot be read; ``line`` is the 1-based line of the first problem."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.line, self.reason))


@dataclass(frozen=True)
class ParsedQuestion:
    """A question read from GIFT: the line where it starts and its canonical spec."""

    line: int
    spec: dict[str, Any]


@dataclass(frozen=True)
class Skipped:
    """A question left out (or, from ``to_gift``, exported with a loss), and why.

    ``line`` is 0 for specs given to ``to_gift``. ``title`` is the question's title or, when
    it has none, the start of its text.
    """

    line: int
    title: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "title": self.title, "reason": self.reason}


@dataclass(frozen=True)
class GiftParse:
    questions: list[ParsedQuestion]
    skipped: list[Skipped]


# Reading -------------------------------------------------------------------------------------


class _Lines:
    """Maps positions in a question's decoded text back to the file's line numbers."""

    def __init__(self, mask: str, numbers: list[int]) -> None:
        self.breaks = [i for i, char in enumerate(mask) if char == "\n"]
        self.numbers = numbers

    def line(self, position: int) -> int:
        index = bisect_left(self.breaks, max(position, 0))
        return self.numbers[min(index, len(self.numbers) - 1)]


class _Src:
    """A slice of a question with its escapes resolved.

    ``raw`` holds the text as meant (escapes resolved); ``mask`` is as long, with every escaped
    character replaced by ``_HIDDEN``. Structure (braces, markers, ``#``) is looked for in
    ``mask``, content is read from ``raw``, and positions are the same in both.
    """

    __slots__ = ("lines", "mask", "raw", "start")

    def __init__(self, raw: str, mask: str, start: int, lines: _Lines) -> None:
        self.raw = raw
        self.mask = mask
        self.start = start
        self.lines = lines

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, key: slice) -> _Src:
        begin, end, _ = key.indices(len(self.raw))
        end = max(begin, end)
        return _Src(self.raw[begin:end], self.mask[begin:end], self.start + begin, self.lines)

    def strip(self) -> _Src:
        # Moodle trims after resolving escapes, so an escaped "\n" at either end goes too.
        begin = len(self.raw) - len(self.raw.lstrip())
        end = len(self.raw.rstrip())
        return self[begin : max(begin, end)]

    def line(self, position: int = 0) -> int:
        return self.lines.line(self.start + position)

    def first_line(self) -> int:
        """The line of the first visible character (of the start when there is none)."""
        return self.line(len(self.raw) - len(self.raw.lstrip()) if self.raw.strip() else 0)


def _decode(text: str, numbers: list[int]) -> _Src:
    raw: list[str] = []
    mask: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        follower = text[index + 1 : index + 2]
        if char == "\\" and follower in _UNESCAPE:
            raw.append(_UNESCAPE[follower])
            mask.append(_HIDDEN)
            index += 2
        else:
            raw.append(char)
            mask.append(char)
            index += 1
    joined_mask = "".join(mask)
    return _Src("".join(raw), joined_mask, 0, _Lines(joined_mask, numbers))


def _content(text: str) -> str:
    """A text as Moodle keeps it (parse_text_with_format): a leading [format] dropped, trimmed."""
    text = text.strip()
    match = _FORMAT_PREFIX.match(text)
    if match:
        text = text[match.end() :].strip()
    return text


def _decimal_text(number: Decimal) -> str:
    # A wide context so that normalizing never rounds a long number.
    with localcontext() as context:
        context.prec = 2 * _MAX_NUMBER_LENGTH
        text = format(number.normalize(), "f")
    return "0" if text == "-0" else text


def _number(text: str, line: int, what: str) -> Decimal:
    token = text.strip()
    if len(token) > _MAX_NUMBER_LENGTH or not _NUMBER.fullmatch(token):
        raise GiftError(line, f"{what} {token!r} is not a number")
    number = Decimal(token)
    if number and abs(number.adjusted()) > _MAX_EXPONENT:
        raise GiftError(line, f"{what} {token!r} is out of range")
    return number


def _weight(segment: _Src) -> tuple[str | None, _Src]:
    """Split a leading ``%n%`` weight off an answer; None when the answer has none."""
    segment = segment.strip()
    match = _WEIGHT.match(segment.mask)
    if match:
        value = _number(match.group(1), segment.line(), "the weight")
        if not Decimal(-100) <= value <= Decimal(100):
            raise GiftError(segment.line(), f"the weight {match.group(0)} is not within -100..100")
        return _decimal_text(value), segment[match.end() :]
    match = _WEIGHT_LIKE.match(segment.mask)
    if match:
        raise GiftError(segment.line(), f"{match.group(0)!r} is not a weight: write e.g. %50%")
    return None, segment


def _feedback(segment: _Src) -> tuple[_Src, str]:
    """Split ``answer#feedback`` at the first ``#`` (qformat_gift::commentparser)."""
    mark = segment.mask.find("#")
    if mark < 0:
        return segment, ""
    return segment[:mark], _content(segment[mark + 1 :].raw)


def _markers(block: _Src, markers: str) -> tuple[_Src, list[tuple[str, _Src]]]:
    """Cut a block at each unescaped marker: the text before the first one, then (marker,
    text up to the next marker) pairs."""
    cuts = [i for i, char in enumerate(block.mask) if char in markers]
    lead = block[: cuts[0]] if cuts else block
    parts = []
    for n, cut in enumerate(cuts):
        end = cuts[n + 1] if n + 1 < len(cuts) else len(block)
        parts.append((block.mask[cut], block[cut + 1 : end]))
    return lead, parts


def _no_lead(lead: _Src, hint: str) -> None:
    if lead.raw.strip():
        text = lead.raw.strip()
        raise GiftError(lead.first_line(), f"unexpected {text!r} in the answer block: {hint}")


def _choices(block: _Src) -> dict[str, Any]:
    lead, parts = _markers(block, "~=")
    _no_lead(lead, "each answer starts with = (the right one) or ~ (a wrong one)")
    if len(parts) < 2:
        raise GiftError(block.first_line(), "a multiple-choice block needs at least two answers")
    choices = []
    right_lines = []
    full_lines = []
    for marker, segment in parts:
        line = segment.line(-1)  # the marker's line
        weight, rest = _weight(segment)
        if marker == "=":
            # Moodle gives every "=" answer 100% and keeps a "%n%" after it as text.
            if weight is not None:
                raise GiftError(
                    line, "'=' marks the fully right answer and takes no weight: use ~%n% instead"
                )
            weight = "100"
            right_lines.append(line)
        elif weight is None:
            weight = "0"
        elif Decimal(weight) == 100:
            full_lines.append(line)
        text, feedback = _feedback(rest)
        content = _content(text.raw)
        if not content:
            raise GiftError(line, "an answer has no text")
        choices.append({"text": content, "weight": weight, "feedback": feedback})
    if len(right_lines) > 1:
        raise GiftError(
            right_lines[1],
            "only one answer may be marked '=': for several right answers give every answer "
            "a ~%n% weight",
        )
    if right_lines:
        if full_lines:
            raise GiftError(full_lines[0], "only the '=' answer may be worth 100%")
        return {"type": "single", "choices": choices}
    # Moodle: "Multiple answers are enabled if no single answer is 100% correct."
    if not any(Decimal(c["weight"]) > 0 for c in choices):
        raise GiftError(
            block.first_line(),
            "no right answer: mark it with '=', or give the right answers ~%n% weights",
        )
    return {"type": "multiple", "scoring": "partial", "choices": choices}


def _matching(block: _Src) -> dict[str, Any]:
    lead, parts = _markers(block, "=")
    _no_lead(lead, "each pair is written =item -> match")
    pairs: list[dict[str, str]] = []
    distractors: list[str] = []
    for _, segment in parts:
        line = segment.line(-1)
        arrow = segment.mask.find("->")
        if arrow < 0:
            raise GiftError(line, "a matching pair is written =item -> match")
        left = _content(segment[:arrow].raw)
        right = segment[arrow + 2 :].raw.strip()  # Moodle reads no [format] on this side
        if not right:
            raise GiftError(line, f"{left!r} is matched with nothing")
        if not left:
            distractors.append(right)  # "= -> extra": an option that matches no item
        elif any(p["left"] == left for p in pairs):
            raise GiftError(line, f"the item {left!r} appears twice")
        else:
            pairs.append({"left": left, "right": right})
    if len(pairs) < 2:
        raise GiftError(block.first_line(), "a matching question needs at least two pairs")
    return {"type": "matching", "pairs": pairs, "distractors": distractors}


def _truefalse(block: _Src) -> dict[str, Any]:
    first = block.mask.find("#")
    second = block.mask.find("#", first + 1) if first >= 0 else -1
    word = (block[:first] if first >= 0 else block).raw.strip()
    wrong = right = ""
    if first >= 0:
        wrong = _content(block[first + 1 : second if second >= 0 else len(block)].raw)
    if second >= 0:
        right = _content(block[second + 1 :].raw)
    # Moodle (split_truefalse_comment): {T#wrong#right}; the first feedback is for the wrong
    # pick, the second for the right one, whichever of True and False is right.
    answer = word in _TRUE_WORDS
    return {
        "type": "truefalse",
        "answer": answer,
        "feedback_true": right if answer else wrong,
        "feedback_false": wrong if answer else right,
    }


def _short(block: _Src) -> dict[str, Any]:
    lead, parts = _markers(block, "=")
    _no_lead(
        lead,
        "true/false is T, TRUE, F or FALSE; short answers start with =; choices with = and ~;"
        " numbers with #",
    )
    answers = []
    for _, segment in parts:
        line = segment.line(-1)
        weight, rest = _weight(segment)
        text, feedback = _feedback(rest)
        content = _content(text.raw)
        if not content:
            raise GiftError(line, "an accepted answer has no text")
        answers.append({"text": content, "weight": weight or "100", "feedback": feedback})
    if not any(Decimal(a["weight"]) == 100 for a in answers):
        raise GiftError(block.first_line(), "no accepted answer is worth 100%")
    return {"type": "short", "answers": answers, "case_sensitive": False, "whitespace": "normalize"}


def _numeric(block: _Src) -> dict[str, Any]:
    body = block[1:]  # past the "#" that makes it numeric
    tilde = body.mask.find("~")
    if tilde >= 0:
        raise GiftError(
            body.line(tilde),
            "'~' in a numeric block (feedback for any other answer) is not supported",
        )
    lead, parts = _markers(body, "=")
    # Moodle accepts one bare answer ({#3:0.5}) as well as "=" answers.
    items = ([("", lead)] if lead.raw.strip() else []) + parts
    if not items:
        raise GiftError(block.first_line(), "a numeric block needs an answer, e.g. {#3:0.5}")
    answers = []
    for marker, segment in items:
        line = segment.line(-1) if marker else segment.first_line()
        weight, rest = _weight(segment)
        value, feedback = _feedback(rest)
        value = value.strip()
        answer: dict[str, str]
        dots = value.mask.find("..")
        colon = value.mask.find(":")
        if dots > 0:
            low = _number(value[:dots].raw, line, "the minimum")
            high = _number(value[dots + 2 :].raw, line, "the maximum")
            if low > high:
                raise GiftError(line, "the range's minimum is above its maximum")
            answer = {"min": _decimal_text(low), "max": _decimal_text(high)}
        else:
            tolerance = Decimal(0)
            if colon > 0:
                tolerance = _number(value[colon + 1 :].raw, line, "the tolerance")
                value = value[:colon]
                if tolerance < 0:
                    raise GiftError(line, "a tolerance cannot be negative")
            number = _number(value.raw, line, "the answer")
            answer = {"value": _decimal_text(number), "tolerance": _decimal_text(tolerance)}
        answer["weight"] = weight or "100"
        answer["feedback"] = feedback
        answers.append(answer)
    if not any(Decimal(a["weight"]) == 100 for a in answers):
        raise GiftError(block.first_line(), "no numeric answer is worth 100%")
    return {"type": "numeric", "answers": answers}


def _label(title: str, prompt: str) -> str:
    if title:
        return title
    words = " ".join(prompt.split())
    return words if len(words) <= 60 else words[:59] + "…"


def _question(
    content: list[tuple[int, str]], tags: list[str], pool: str | None
) -> ParsedQuestion | Skipped:
    start = content[0][0]
    for number, line in content[1:]:
        if line.startswith(_CATEGORY):
            raise GiftError(number, "a $CATEGORY: line needs a blank line before it")
    src = _decode("\n".join(text for _, text in content), [n for n, _ in content])
    title = ""
    if src.mask.startswith("::"):
        end = src.mask.find("::", 2)
        if end < 0:
            raise GiftError(start, "the title has no closing '::'")
        title = src[2:end].raw.strip()
        src = src[end + 2 :]
    opening, closing = src.mask.find("{"), src.mask.find("}")
    if opening < 0 and closing < 0:
        return Skipped(start, _label(title, _content(src.raw)), "a description has no answers")
    if opening < 0 or 0 <= closing < opening:
        raise GiftError(src.line(closing), "'}' without '{' (write \\} for a brace in a text)")
    if closing < 0:
        raise GiftError(src.line(opening), "'{' is not closed by '}' on the question's lines")
    for index in range(opening + 1, len(src)):
        if src.mask[index] in "{}" and index != closing:
            where = "inside the answer block" if index < closing else "after the answer block"
            raise GiftError(
                src.line(index),
                f"{src.mask[index]!r} {where}: one block per question; write \\{{ or \\}} "
                "for a brace in a text",
            )
    block = src[opening + 1 : closing]
    after = src[closing + 1 :].raw
    # Moodle: answers that end the question are cut out; anywhere else they leave a blank.
    prompt = _content(src[:opening].raw + (BLANK + after if after.strip() else ""))
    if not prompt:
        raise GiftError(start, "the question has no text")
    explanation = ""
    general = block.mask.rfind("####")  # Moodle takes the last "####" (strrpos)
    if general >= 0:
        explanation = _content(block[general + 4 :].raw)
        block = block[:general]
    block = block.strip()
    if not block.raw:
        return Skipped(start, _label(title, prompt), "essay questions are not graded automatically")
    # The order of Moodle's type detection matters: "#" first, then "~", then "=" with "->".
    mask = block.mask
    if mask.startswith("#"):
        body = _numeric(block)
    elif "~" in mask:
        body = _choices(block)
    elif "=" in mask and "->" in mask:
        body = _matching(block)
    else:
        mark = mask.find("#")
        word = (block[:mark] if mark > 0 else block).raw.strip()
        body = _truefalse(block) if word in _TRUE_WORDS + _FALSE_WORDS else _short(block)
    spec = {
        "type": body.pop("type"),
        "title": title,
        "prompt": prompt,
        "explanation": explanation,
        "points": 1,
        "tags": list(tags),
        "pool": pool,
        **body,
    }
    return ParsedQuestion(start, spec)


def _category(text: str, line: int) -> str | None:
    """The pool a $CATEGORY: path names: its last category, None for a context's top."""
    # Moodle (split_category_path) splits at single slashes; "//" is a slash inside a name.
    names = [part.replace("//", "/").strip() for part in re.split(r"(?<!/)/(?!/)", text)]
    if not any(names):
        raise GiftError(line, "$CATEGORY: names no category")
    # create_category_path: a leading "$course$"-like context, then Moodle's hidden "top".
    if _CONTEXT.fullmatch(names[0]):
        names = names[1:]
        if names and names[0] == "top":
            names = names[1:]
    names = [name for name in names if name]
    return names[-1] if names else None


def _tags(comments: list[str]) -> list[str]:
    tags: list[str] = []
    for comment in comments:
        for match in _TAG.finditer(comment):
            tag = match.group(1).replace("\\]", "]").strip()
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def _blocks(text: str) -> Iterable[list[tuple[int, str]]]:
    """Questions are separated by blank lines; each line is trimmed, as Moodle does."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped:
            block.append((number, stripped))
        elif block:
            yield block
            block = []
    if block:
        yield block


def parse_gift(text: str) -> GiftParse:
    """Read a GIFT file into question specs, all or nothing.

    Raises GiftError for the first malformed question. Essays and descriptions come back in
    ``skipped``. Comment lines (``//``) inside a question's lines are ignored, except for their
    ``[tag:x]`` markers; ``[id:x]`` markers are ignored. A ``$CATEGORY:`` line sets the pool of
    the questions after it; unlike Moodle, a question may follow it without a blank line.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    questions: list[ParsedQuestion] = []
    skipped: list[Skipped] = []
    pool: str | None = None
    for block in _blocks(text):
        comments = [line for _, line in block if line.startswith("//")]
        content = [(n, line) for n, line in block if not line.startswith("//")]
        if content and content[0][1].startswith(_CATEGORY):
            number, line = content.pop(0)
            pool = _category(line[len(_CATEGORY) :], number)
        if not content:
            continue
        result = _question(content, _tags(comments), pool)
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            questions.append(result)
    return GiftParse(questions, skipped)


# Writing -------------------------------------------------------------------------------------


class _NoGift(Exception):
    """A spec that cannot be written as GIFT; the message says why."""


def _text(value: Any) -> str:
    return str(value if value is not None else "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _escape(text: str) -> str:
    # As qformat_gift::repchar: the backslash itself too, so "\=" in a text stays two chars.
    out = []
    for char in text:
        if char in "\\~=#{}:":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        else:
            out.append(char)
    return "".join(out)


def _protect(text: str, weighted: bool = False) -> str:
    """Escape a text for a place where Moodle reads a leading [format] (and, in answers, a
    %n% weight): such a start is kept as text by putting a [markdown] marker before it."""
    if _FORMAT_PREFIX.match(text) or (weighted and text.startswith("%")):
        return "[markdown]" + _escape(text)
    return _escape(text)


def _number_out(value: Any, what: str) -> str:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _NoGift(f"{what} {value!r} is not a number") from None
    if not number.is_finite():
        raise _NoGift(f"{what} {value!r} is not a finite number")
    return _decimal_text(number)


def _feedback_out(value: Any) -> str:
    feedback = _text(value)
    return "#" + _protect(feedback) if feedback else ""


def _weight_out(value: Any) -> str:
    weight = _number_out(value, "the weight")
    return "" if weight == "0" else f"%{weight}%"


def _items(spec: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = spec.get(key)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _NoGift(f"its {key} are not a list of objects")
    return items


def _write_choices(spec: dict[str, Any], warnings: list[str]) -> list[str]:
    single = spec["type"] == "single"
    if not single and spec.get("scoring", "partial") != "partial":
        warnings.append("all-or-nothing scoring has no GIFT form; exported with partial weights")
    lines = []
    for choice in _items(spec, "choices"):
        weight = _number_out(choice.get("weight", 0), "the weight")
        # Only a single-choice block has an "=" answer: a block without one is multiple-answer.
        marker = "=" if single and Decimal(weight) == 100 else "~" + _weight_out(weight)
        text = _protect(_text(choice.get("text")), weighted=True)
        lines.append(marker + text + _feedback_out(choice.get("feedback")))
    return lines


def _write_short(spec: dict[str, Any], warnings: list[str]) -> list[str]:
    if spec.get("case_sensitive"):
        warnings.append("case-sensitive matching has no GIFT form; exported as case-insensitive")
    if spec.get("whitespace", "normalize") != "normalize":
        warnings.append("exact whitespace has no GIFT form; exported as normalized")
    lines = []
    for answer in _items(spec, "answers"):
        text, feedback = _text(answer.get("text")), _text(answer.get("feedback"))
        if "->" in text or "->" in feedback:
            # Moodle reads a block with both "=" and "->" as matching; "->" has no escape.
            raise _NoGift("a short answer containing '->' has no GIFT form (it reads as matching)")
        weight = _number_out(answer.get("weight", 100), "the weight")
        mark = "" if weight == "100" else f"%{weight}%"
        lines.append("=" + mark + _protect(text, weighted=True) + _feedback_out(feedback))
    return lines


def _write_numeric(spec: dict[str, Any], warnings: list[str]) -> list[str]:
    lines = []
    for answer in _items(spec, "answers"):
        if "min" in answer or "max" in answer:
            low = _number_out(answer.get("min"), "the minimum")
            high = _number_out(answer.get("max"), "the maximum")
            value = f"{low}..{high}"
        else:
            value = _number_out(answer.get("value"), "the value")
            tolerance = _number_out(answer.get("tolerance", 0), "the tolerance")
            value += "" if tolerance == "0" else f":{tolerance}"
        weight = _number_out(answer.get("weight", 100), "the weight")
        mark = "" if weight == "100" else f"%{weight}%"
        lines.append("=" + mark + value + _feedback_out(answer.get("feedback")))
    return lines


def _write_matching(spec: dict[str, Any], warnings: list[str]) -> list[str]:
    lines = []
    for pair in _items(spec, "pairs"):
        left, right = _text(pair.get("left")), _text(pair.get("right"))
        if "->" in left:
            raise _NoGift("a matching item containing '->' has no GIFT form")
        # The right-hand side gets no [format] marker: Moodle reads none there.
        lines.append(f"={_protect(left)} -> {_escape(right)}")
    distractors = spec.get("distractors") or []
    if not isinstance(distractors, list):
        raise _NoGift("its distractors are not a list")
    lines.extend(f"= -> {_escape(_text(extra))}" for extra in distractors)
    return lines


_WRITERS = {
    "single": _write_choices,
    "multiple": _write_choices,
    "short": _write_short,
    "numeric": _write_numeric,
    "matching": _write_matching,
}


def _block_out(spec: dict[str, Any], warnings: list[str]) -> str:
    kind = spec.get("type")
    general = _text(spec.get("explanation"))
    general_out = "####" + _protect(general) if general else ""
    if kind == "truefalse":
        answer = spec.get("answer")
        if not isinstance(answer, bool):
            raise _NoGift("its answer is not true or false")
        on_true, on_false = _text(spec.get("feedback_true")), _text(spec.get("feedback_false"))
        right, wrong = (on_true, on_false) if answer else (on_false, on_true)
        # As Moodle writes it: {TRUE#feedback for the wrong pick#feedback for the right pick}.
        feedback = ""
        if wrong or right:
            feedback = "#" + _protect(wrong)
        if right:
            feedback += "#" + _protect(right)
        return "{" + ("TRUE" if answer else "FALSE") + feedback + general_out + "}"
    if kind == "ordering":
        raise _NoGift("ordering questions have no GIFT form")
    writer = _WRITERS.get(kind) if isinstance(kind, str) else None
    if writer is None:
        raise _NoGift(f"{kind!r} questions have no GIFT form")
    lines = writer(spec, warnings)
    opening = "{#" if kind == "numeric" else "{"
    return "\n".join([opening, *lines, *([general_out] if general_out else []), "}"])


def _tag_lines(tags: Any, warnings: list[str]) -> list[str]:
    lines = []
    for raw in tags if isinstance(tags, list) else []:
        tag = _text(raw)
        if not tag or _UNWRITABLE_TAG.search(tag):
            warnings.append(f"the tag {tag!r} has no GIFT form; exported without it")
            continue
        escaped = tag.replace("]", "\\]")
        lines.append(f"// [tag:{escaped}]")
    return lines


def _question_out(spec: dict[str, Any]) -> tuple[str, list[str]]:
    warnings: list[str] = []
    block = _block_out(spec, warnings)
    title, prompt = _text(spec.get("title")), _text(spec.get("prompt"))
    points = spec.get("points", 1)
    if points != 1:
        warnings.append(f"{points} points have no GIFT form; exported as 1 point")
    # The block goes where the blank is, when reading it back would give the same prompt.
    before, blank, after = prompt.partition(BLANK)
    if not blank or BLANK in after or not after.strip():
        before, after = prompt + " ", ""
    # [markdown]: prompts are Markdown here, and the marker keeps a prompt starting with "//"
    # from reading as a comment, and one starting with "[html]" as a format marker.
    head = f"::{_escape(title)}::" if title else ""
    question = head + "[markdown]" + _escape(before) + block + _escape(after)
    return "\n".join([*_tag_lines(spec.get("tags"), warnings), question]), warnings


def to_gift(specs: Iterable[dict[str, Any]]) -> tuple[str, list[Skipped]]:
    """Write question specs as a GIFT file; questions are separated by a blank line.

    Returns the text and a list of Skipped (line 0). Specs with no GIFT form (ordering, an
    unknown type, a short answer containing "->", or a spec our own reader would refuse) are
    left out of the text. Some losses are reported while the question is still written; their
    reason always contains "exported": all-or-nothing scoring of a multiple-select question
    (its weights are written, which Moodle grades as partial credit), case-sensitive or exact
    whitespace short answers, points other than 1, tags GIFT cannot hold. A ``$CATEGORY:``
    line is written whenever the pool changes; GIFT cannot go back to "no pool", so a question
    without a pool after one with a pool reads back in that pool (also reported).

    For every spec ``s`` that ``parse_gift`` can produce,
    ``parse_gift(to_gift([s])[0]).questions[0].spec == s``.
    """
    chunks: list[str] = []
    notes: list[Skipped] = []
    current: str | None = None
    for spec in specs:
        if not isinstance(spec, dict):
            notes.append(Skipped(0, "", "not a question spec"))
            continue
        label = _label(_text(spec.get("title")), _text(spec.get("prompt")))
        try:
            question, warnings = _question_out(spec)
        except _NoGift as exc:
            notes.append(Skipped(0, label, str(exc)))
            continue
        # Never hand out text that our own reader refuses or reads as another type.
        try:
            back = parse_gift(question).questions
        except GiftError as exc:
            notes.append(Skipped(0, label, f"no GIFT form: {exc.reason}"))
            continue
        if len(back) != 1 or back[0].spec["type"] != spec.get("type"):
            notes.append(Skipped(0, label, "no GIFT form: it would read back as another type"))
            continue
        pool = _text(spec.get("pool")).replace("\n", " ") or None
        if pool is not None and pool != current:
            path = pool.replace("/", "//")
            if _CONTEXT.fullmatch(path):  # a name that would read as a context such as $course$
                path = "$course$/top/" + path
            chunks.append(f"{_CATEGORY} {path}")
            current = pool
        elif pool is None and current is not None:
            warnings.append(
                f"no pool has no GIFT form after a $CATEGORY line; exported in {current!r}"
            )
        chunks.append(question)
        notes.extend(Skipped(0, label, warning) for warning in warnings)
    return ("\n\n".join(chunks) + "\n" if chunks else ""), notes
