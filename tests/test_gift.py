"""GIFT import and export (quizzes.gift): Moodle's semantics, refusals with line numbers, and
the round trip spec -> GIFT -> spec. Pure functions: no app, no database."""

from __future__ import annotations

import ast
import copy
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.gift import BLANK, GiftError, GiftParse, Skipped, parse_gift, to_gift


def specs(text: str) -> list[dict]:
    return [q.spec for q in parse_gift(text).questions]


def one(text: str) -> dict:
    found = specs(text)
    assert len(found) == 1, found
    return found[0]


def common(**overrides) -> dict:
    base = {
        "title": "",
        "explanation": "",
        "points": 1,
        "tags": [],
        "pool": None,
    }
    return {**base, **overrides}


# Titles, comments, escapes, formats ----------------------------------------------------------


def test_title_and_comment_lines():
    spec = one("// a comment the reader drops\n::Q1:: 1+1=2 {T}\n")
    assert spec == {
        **common(title="Q1"),
        "type": "truefalse",
        "prompt": "1+1=2",
        "answer": True,
        "feedback_true": "",
        "feedback_false": "",
    }


def test_comment_lines_inside_a_question_are_ignored():
    spec = one("Which? {\n// the right one first\n=yes\n// then a wrong one\n~no\n}")
    assert [c["text"] for c in spec["choices"]] == ["yes", "no"]


def test_a_question_without_title_has_an_empty_title():
    assert one("Sky colour? {=blue ~green}")["title"] == ""


@pytest.mark.parametrize(
    ("escaped", "meant"),
    [
        ("\\~", "~"),
        ("\\=", "="),
        ("\\#", "#"),
        ("\\{", "{"),
        ("\\}", "}"),
        ("\\:", ":"),
        ("\\n", "\n"),
        ("\\\\", "\\"),
    ],
)
def test_every_escape_in_prompt_and_answers(escaped, meant):
    spec = one(f"::t{escaped}x::a{escaped}b {{=c{escaped}d#e{escaped}f ~g}}")
    assert spec["title"] == f"t{meant}x"
    assert spec["prompt"] == f"a{meant}b"
    assert spec["choices"][0] == {"text": f"c{meant}d", "weight": "100", "feedback": f"e{meant}f"}


def test_a_backslash_before_an_ordinary_character_stays():
    assert one("Path C\\dir? {T}")["prompt"] == "Path C\\dir?"


@pytest.mark.parametrize("prefix", ["[markdown]", "[html]", "[plain]", "[moodle]"])
def test_format_prefixes_are_stripped(prefix):
    spec = one(f"{prefix}Who's **here**? {{={prefix}me#{prefix}yes ~you}}")
    assert spec["prompt"] == "Who's **here**?"
    assert spec["choices"][0] == {"text": "me", "weight": "100", "feedback": "yes"}


def test_an_unknown_bracket_prefix_is_text():
    assert one("[note] Read this {T}")["prompt"] == "[note] Read this"


def test_newlines_inside_a_prompt_are_kept_and_lines_are_trimmed():
    spec = one("::Kanji::Japanese characters originally\n    came from what country? {=China}")
    assert spec["prompt"] == "Japanese characters originally\ncame from what country?"


def test_crlf_bom_and_tabs_are_accepted():
    text = "\ufeff::A::\tFirst?\t{T}\r\n\r\n::B::\tSecond? {\r\n\t=yes\r\n\t~no\r\n}\r\n"
    parsed = parse_gift(text)
    assert [(q.line, q.spec["title"], q.spec["prompt"]) for q in parsed.questions] == [
        (1, "A", "First?"),
        (3, "B", "Second?"),
    ]
    assert [c["text"] for c in parsed.questions[1].spec["choices"]] == ["yes", "no"]


def test_old_mac_line_endings_count_as_lines():
    with pytest.raises(GiftError) as caught:
        parse_gift("Ok {T}\r\rBroken {=a")
    assert caught.value.line == 3


def test_general_feedback():
    spec = one("How are you? {=fine ~bad ####We hope you are well.}")
    assert spec["explanation"] == "We hope you are well."
    assert [c["text"] for c in spec["choices"]] == ["fine", "bad"]


def test_general_feedback_starts_at_the_last_four_hashes():
    # Moodle: strrpos($answertext, '####'); earlier hashes belong to the answers.
    spec = one("Q {~a =b####c ####gen}")
    assert spec["explanation"] == "gen"
    assert spec["choices"][1] == {"text": "b", "weight": "100", "feedback": "###c"}


# Multiple choice -----------------------------------------------------------------------------


def test_single_choice_with_feedback():
    spec = one(
        "What's between orange and green?\n"
        "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }"
    )
    assert spec == {
        **common(),
        "type": "single",
        "prompt": "What's between orange and green?",
        "choices": [
            {"text": "yellow", "weight": "100", "feedback": "right; good!"},
            {"text": "red", "weight": "0", "feedback": "wrong, it's yellow"},
            {"text": "blue", "weight": "0", "feedback": "wrong, it's yellow"},
        ],
    }


def test_single_choice_with_partial_credit():
    spec = one(
        "::Hometown::He was from {\n"
        "~Jerusalem#An important city, but no.\n"
        "~%25%Bethlehem#Born here, not raised here.\n"
        "~%50%Galilee#More specific, please.\n"
        "=Nazareth#Yes!}."
    )
    assert spec["type"] == "single"
    assert spec["prompt"] == f"He was from {BLANK}."
    assert [(c["text"], c["weight"]) for c in spec["choices"]] == [
        ("Jerusalem", "0"),
        ("Bethlehem", "25"),
        ("Galilee", "50"),
        ("Nazareth", "100"),
    ]


def test_a_block_without_equals_is_multiple_answer_with_weights():
    spec = one(
        "Who is in the tomb? {\n"
        "~%-50%No one\n"
        "~%50%Grant\n"
        "~%50%Grant's wife#and she is\n"
        "~%-33.333330%Grant's father\n"
        "}"
    )
    assert spec == {
        **common(),
        "type": "multiple",
        "prompt": "Who is in the tomb?",
        "scoring": "partial",
        "choices": [
            {"text": "No one", "weight": "-50", "feedback": ""},
            {"text": "Grant", "weight": "50", "feedback": ""},
            {"text": "Grant's wife", "weight": "50", "feedback": "and she is"},
            {"text": "Grant's father", "weight": "-33.33333", "feedback": ""},
        ],
    }


def test_weights_are_normalized_decimals():
    spec = one("Q {~%0.50%a ~%+100%b ~%-0%c ~%5.%d}")
    assert [c["weight"] for c in spec["choices"]] == ["0.5", "100", "0", "5"]


def test_escaped_equals_in_choices_are_text():
    spec = one("Which answer equals 5? {\n~ \\= 2 + 2\n= \\= 2 + 3\n~ \\= 2 + 4 }")
    assert [(c["text"], c["weight"]) for c in spec["choices"]] == [
        ("= 2 + 2", "0"),
        ("= 2 + 3", "100"),
        ("= 2 + 4", "0"),
    ]


# True / false --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "answer"), [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False)]
)
def test_true_false_words(block, answer):
    spec = one(f"The sun rises in the east. {block}")
    assert spec["type"] == "truefalse"
    assert spec["answer"] is answer


def test_true_false_feedback_follows_moodle_wrong_then_right():
    # Moodle: {TRUE#feedback for a wrong pick#feedback for a right pick}.
    true = one("Water is wet. {T#No, it is wet.#Yes, wet.}")
    assert (true["feedback_true"], true["feedback_false"]) == ("Yes, wet.", "No, it is wet.")
    false = one("Grant is buried in Grant's tomb. {FALSE#He is entombed.#Right: entombed.}")
    assert (false["feedback_true"], false["feedback_false"]) == (
        "He is entombed.",
        "Right: entombed.",
    )


def test_true_false_with_one_feedback_is_for_the_wrong_pick():
    spec = one("Grant is buried in Grant's tomb.{FALSE#No one is buried there.}")
    assert spec["feedback_true"] == "No one is buried there."
    assert spec["feedback_false"] == ""


def test_true_false_feedback_written_back_in_moodle_order():
    spec = one("Q {F#wrong pick#right pick####why}")
    text, notes = to_gift([spec])
    assert "{FALSE#wrong pick#right pick####why}" in text
    assert notes == []


# Short answer, matching, numeric -------------------------------------------------------------


def test_short_answer_with_several_answers():
    spec = one(
        "::Hometown (short):: He was from {\n"
        "=Nazareth#Yes!\n"
        "=%75%Nazereth#Right, but misspelled.\n"
        "=%25%Bethlehem#Born here.\n"
        "}."
    )
    assert spec == {
        **common(title="Hometown (short)"),
        "type": "short",
        "prompt": f"He was from {BLANK}.",
        "answers": [
            {"text": "Nazareth", "weight": "100", "feedback": "Yes!"},
            {"text": "Nazereth", "weight": "75", "feedback": "Right, but misspelled."},
            {"text": "Bethlehem", "weight": "25", "feedback": "Born here."},
        ],
        "case_sensitive": False,
        "whitespace": "normalize",
    }


def test_short_answer_single():
    spec = one("Who's buried in Grant's tomb?{=no one}")
    assert spec["answers"] == [{"text": "no one", "weight": "100", "feedback": ""}]


def test_matching_with_a_distractor():
    spec = one(
        "Match countries and capitals. {\n"
        "=Canada -> Ottawa\n"
        "=Italy  -> Rome\n"
        "=Japan->Tokyo\n"
        "= -> Paris\n"
        "}"
    )
    assert spec == {
        **common(),
        "type": "matching",
        "prompt": "Match countries and capitals.",
        "pairs": [
            {"left": "Canada", "right": "Ottawa"},
            {"left": "Italy", "right": "Rome"},
            {"left": "Japan", "right": "Tokyo"},
        ],
        "distractors": ["Paris"],
    }


def test_matching_right_side_keeps_later_arrows():
    spec = one("Q {=a -> b->c =d -> e}")
    assert spec["pairs"][0] == {"left": "a", "right": "b->c"}


def test_numeric_with_tolerance():
    spec = one("What is pi to 3 places? {#3.1415:0.0005}")
    assert spec == {
        **common(),
        "type": "numeric",
        "prompt": "What is pi to 3 places?",
        "answers": [{"value": "3.1415", "tolerance": "0.0005", "weight": "100", "feedback": ""}],
    }


def test_numeric_range_and_bare_value():
    assert one("A number from 1 to 5? {#1..5}")["answers"] == [
        {"min": "1", "max": "5", "weight": "100", "feedback": ""}
    ]
    assert one("Year? {#1822}")["answers"] == [
        {"value": "1822", "tolerance": "0", "weight": "100", "feedback": ""}
    ]
    assert one("Cold? {#-5.50..-1.0}")["answers"][0] == {
        "min": "-5.5",
        "max": "-1",
        "weight": "100",
        "feedback": "",
    }


def test_numeric_several_weighted_answers():
    spec = one("When? {#=%100%2030:0 =%50%2029:2#close}")
    assert spec["answers"] == [
        {"value": "2030", "tolerance": "0", "weight": "100", "feedback": ""},
        {"value": "2029", "tolerance": "2", "weight": "50", "feedback": "close"},
    ]


def test_numeric_multiline_with_continued_feedback():
    spec = one(
        "When was Grant born? {#\n"
        "     =1822:0      #Correct! 100% credit\n"
        "     =%50%1822:2  #He was born in 1822.\n"
        "                  You get 50% credit for being close.\n"
        "}"
    )
    assert spec["answers"][1] == {
        "value": "1822",
        "tolerance": "2",
        "weight": "50",
        "feedback": "He was born in 1822.\nYou get 50% credit for being close.",
    }


def test_numeric_exponent_is_written_out():
    assert one("Big? {#1e3:2.5E-1}")["answers"][0]["value"] == "1000"
    assert one("Big? {#1e3:2.5E-1}")["answers"][0]["tolerance"] == "0.25"


# Missing word --------------------------------------------------------------------------------


def test_missing_word_prompt_keeps_the_spacing():
    spec = one("Moodle costs {~lots of money =nothing ~a small amount} to download.")
    assert spec["prompt"] == "Moodle costs _____ to download."
    assert spec["type"] == "single"


def test_missing_word_at_the_start_and_with_closing_punctuation():
    assert one("{=Paris ~Rome} is the capital of France.")["prompt"] == (
        "_____ is the capital of France."
    )
    # Text after the block, even a lone full stop, makes it a missing-word question (Moodle).
    assert one("Two plus two is {=four}.")["prompt"] == "Two plus two is _____."


def test_to_gift_puts_the_block_back_in_the_blank():
    spec = one("Moodle costs {~lots =nothing} to download.")
    text, _ = to_gift([spec])
    assert "[markdown]Moodle costs {\n~lots\n=nothing\n} to download." in text


def test_to_gift_puts_the_block_at_the_end_when_the_blank_is_ambiguous():
    spec = one("Fill _____ and _____ in. {=x}")
    text, _ = to_gift([spec])
    assert "[markdown]Fill _____ and _____ in. {\n=x\n}" in text
    assert one(text) == spec


# Skipped questions, categories, tags ---------------------------------------------------------


def test_essay_and_description_are_skipped():
    parsed = parse_gift(
        "::Intro:: The next questions are about water.\n\n"
        "Describe a flood. {}\n\n"
        "::Story:: Tell us more. {####A model answer.}\n\n"
        "Ok? {T}\n"
    )
    assert parsed.skipped == [
        Skipped(1, "Intro", "a description has no answers"),
        Skipped(3, "Describe a flood.", "essay questions are not graded automatically"),
        Skipped(5, "Story", "essay questions are not graded automatically"),
    ]
    assert [q.line for q in parsed.questions] == [7]
    assert parsed.skipped[0].as_dict() == {
        "line": 1,
        "title": "Intro",
        "reason": "a description has no answers",
    }


def test_category_sets_the_pool_of_what_follows():
    parsed = parse_gift(
        "First? {T}\n\n"
        "$CATEGORY: $course$/top/Water damage\n\n"
        "Second? {T}\n\n"
        "Third? {F}\n\n"
        "$CATEGORY: $course$/top/Fire//smoke\n"
        "Fourth? {T}\n"
    )
    assert [(q.line, q.spec["pool"]) for q in parsed.questions] == [
        (1, None),
        (5, "Water damage"),
        (7, "Water damage"),
        (10, "Fire/smoke"),
    ]


def test_a_category_naming_only_a_context_means_no_pool():
    parsed = parse_gift("$CATEGORY: A\n\nOne? {T}\n\n$CATEGORY: $course$/top\n\nTwo? {T}")
    assert [q.spec["pool"] for q in parsed.questions] == ["A", None]
    # A pool that looks like a context is written under the course's top category.
    spec = {**parsed.questions[0].spec, "pool": "$course$"}
    text, _ = to_gift([spec])
    assert text.startswith("$CATEGORY: $course$/top/$course$\n")
    assert one(text) == spec


def test_tags_come_from_comments_in_the_question_lines():
    spec = one("// [tag:water] [tag:safety]\n// [id:Q-17] [tag: water ] [tag:a\\]b]\nWet? {T}")
    assert spec["tags"] == ["water", "safety", "a]b"]


def test_a_comment_block_separated_by_a_blank_line_gives_no_tags():
    parsed = parse_gift("// [tag:orphan]\n\nWet? {T}\n")
    assert parsed.questions[0].spec["tags"] == []


# Refusals ------------------------------------------------------------------------------------

GOOD = "::Fine:: A good question. {T}\n\n"  # lines 1-2, so the problems below start at line 3


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("What is {\n=x\n~y\n\n=z}", 3, "'{' is not closed"),
        ("Closed too early } {T}", 3, "'}' without '{'"),
        ("Sure? {true}", 3, "unexpected 'true'"),
        ("Capital? {Paris}", 3, "unexpected 'Paris'"),
        ("Pick {\n~a\n~b\n}", 4, "no right answer"),
        ("Pick {\n=a\n~b\n=c\n}", 6, "only one answer may be marked '='"),
        ("Pick {\n=a\n=%50%b\n~c\n}", 5, "takes no weight"),
        ("Pick {\n=a\n~b\n~%150%c\n}", 6, "not within -100..100"),
        ("Pick {\n=a\n~%50 %b\n}", 5, "is not a weight"),
        ("Pick {\n=a\n~%100%b\n}", 5, "only the '=' answer may be worth 100%"),
        ("Pick {stray ~a =b}", 3, "unexpected 'stray'"),
        ("Pick {~only =}", 3, "an answer has no text"),
        ("Short {=}", 3, "an accepted answer has no text"),
        ("Short {=%50%half}", 3, "no accepted answer is worth 100%"),
        ("Match {\n=a -> b\n}", 4, "at least two pairs"),
        ("Match {\n=a -> b\n=c\n}", 5, "=item -> match"),
        ("Match {\n=a -> b\n=a -> c\n}", 5, "appears twice"),
        ("Match {\n=a -> b\n=c ->\n}", 5, "matched with nothing"),
        ("Number {#\n=1\n=abc\n}", 5, "'abc' is not a number"),
        ("Number {#5..1}", 3, "minimum is above its maximum"),
        ("Number {#5:-1}", 3, "tolerance cannot be negative"),
        ("Number {#=5 ~#anything else}", 3, "'~' in a numeric block"),
        ("Number {#}", 3, "needs an answer"),
        ("Number {#1e999}", 3, "out of range"),
        ("::No end title {T}", 3, "title has no closing"),
        ("Two blocks {T} and {F}", 3, "after the answer block"),
        ("Nested {=a {b} ~c}", 3, "inside the answer block"),
        ("::Only a title::{T}", 3, "has no text"),
        ("$CATEGORY: /", 3, "names no category"),
        ("Glued {T}\n$CATEGORY: Next", 4, "needs a blank line before it"),
    ],
)
def test_malformed_input_is_refused_with_its_line(text, line, fragment):
    with pytest.raises(GiftError) as caught:
        parse_gift(GOOD + text + "\n\nAnother fine one? {F}\n")
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}: ")
    assert fragment in str(caught.value)


def test_the_first_error_wins_and_nothing_is_returned():
    text = "Fine? {T}\n\nBad {~a ~b}\n\nWorse {#x}\n"
    with pytest.raises(GiftError) as caught:
        parse_gift(text)
    assert caught.value.line == 3
    assert isinstance(caught.value, ValueError)
    clone = copy.deepcopy(caught.value)
    assert (clone.line, str(clone)) == (3, str(caught.value))


def test_error_points_at_the_unclosed_brace_line():
    with pytest.raises(GiftError) as caught:
        parse_gift("::Q::\nA long question\nwhose block opens here {\n=a\n")
    assert caught.value.line == 3


# A whole file in the shape of Moodle's documentation -----------------------------------------

DOCS_FILE = """\
// ===Multiple choice===

Who wrote Hamlet?{~Marlowe ~Bacon =Shakespeare}

Hamlet is {~a comedy =a tragedy ~a history} by Shakespeare.

The play is set in the country of {
    ~Norway
    ~Sweden
    =Denmark
} on the Baltic.

// ===Short answer===

Who wrote Hamlet?{=Shakespeare =William Shakespeare}

Two plus two equals {=four =4}.

// ===True-false===

Hamlet is a comedy.{F}

Hamlet is a tragedy.{T}

// ===Matching===

Match the plays and their settings. {
    =Hamlet -> Denmark
    =Macbeth  -> Scotland
    =Othello  -> Venice
    }

// ===Numerical===

In what year was Hamlet first printed? {#1603}

What is e to 3 decimal places? {#2.718:0.0005}.

What is e to 3 decimal places? {#2.718..2.719}.

In what year was Shakespeare born? {#
    =1564:0
    =%50%1564:2}

// ===Options===
// Subheading: names, feedback, weights

::Author::Who
wrote Hamlet? {=Shakespeare}

What's the answer to this multiple-choice question?{
~wrong answer#feedback comment on the wrong answer
~another wrong answer#feedback comment on this wrong answer
=right answer#Very good!}

[markdown]Who wrote **Hamlet**?{
=Shakespeare#excellent answer!
=William Shakespeare#excellent answer!}

Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}

Which two wrote plays? {
    ~%50%Shakespeare
    ~%50%Marlowe
    ~%-100%Newton }

::GIFT control characters::
Which of the following is NOT a control character for GIFT? {
   ~ \\~     # \\~ is a control character.
   ~ \\=     # \\= is a control character.
   ~ \\#     # \\# is a control character.
   ~ \\{     # \\{ is a control character.
   ~ \\}     # \\} is a control character.
   = \\\\     # Correct! \\\\ (backslash) is not a control character. BUT,
              it is used to escape the control characters.
}
"""


def test_a_whole_file_in_the_shape_of_the_moodle_docs():
    parsed = parse_gift(DOCS_FILE)
    assert parsed.skipped == []
    by_line = {q.line: q.spec for q in parsed.questions}
    assert [(line, spec["type"]) for line, spec in by_line.items()] == [
        (3, "single"),
        (5, "single"),
        (7, "single"),
        (15, "short"),
        (17, "short"),
        (21, "truefalse"),
        (23, "truefalse"),
        (27, "matching"),
        (35, "numeric"),
        (37, "numeric"),
        (39, "numeric"),
        (41, "numeric"),
        (48, "short"),
        (51, "single"),
        (56, "short"),
        (60, "single"),
        (62, "multiple"),
        (67, "single"),
    ]
    assert by_line[7]["prompt"] == "The play is set in the country of _____ on the Baltic."
    assert by_line[17]["prompt"] == "Two plus two equals _____."
    assert by_line[21]["answer"] is False
    assert by_line[27]["pairs"][1] == {"left": "Macbeth", "right": "Scotland"}
    assert by_line[37]["prompt"] == "What is e to 3 decimal places? _____."
    assert by_line[39]["answers"][0] == {
        "min": "2.718",
        "max": "2.719",
        "weight": "100",
        "feedback": "",
    }
    assert [a["weight"] for a in by_line[41]["answers"]] == ["100", "50"]
    assert (by_line[48]["title"], by_line[48]["prompt"]) == ("Author", "Who\nwrote Hamlet?")
    assert by_line[51]["choices"][2] == {
        "text": "right answer",
        "weight": "100",
        "feedback": "Very good!",
    }
    assert by_line[56]["prompt"] == "Who wrote **Hamlet**?"
    assert [c["weight"] for c in by_line[60]["choices"]] == ["0", "50", "100"]
    assert [c["weight"] for c in by_line[62]["choices"]] == ["50", "50", "-100"]
    control = by_line[67]
    assert control["title"] == "GIFT control characters"
    assert [c["text"] for c in control["choices"]] == ["~", "=", "#", "{", "}", "\\"]
    assert control["choices"][5]["feedback"] == (
        "Correct! \\ (backslash) is not a control character. BUT,\n"
        "it is used to escape the control characters."
    )
    assert control["choices"][0]["feedback"] == "~ is a control character."


# Writing -------------------------------------------------------------------------------------


def test_to_gift_writes_titles_tags_categories_and_blank_lines():
    first = {
        **common(title="Q: one", tags=["water", "a]b"], pool="Water damage"),
        "type": "truefalse",
        "prompt": "Is {water} wet?",
        "explanation": "It is #1.",
        "answer": True,
        "feedback_true": "",
        "feedback_false": "",
    }
    second = {**first, "title": "", "tags": [], "prompt": "Again ~ = :", "explanation": ""}
    third = {**second, "pool": "Fire/smoke"}
    text, notes = to_gift([first, second, third])
    assert text == (
        "$CATEGORY: Water damage\n"
        "\n"
        "// [tag:water]\n"
        "// [tag:a\\]b]\n"
        "::Q\\: one::[markdown]Is \\{water\\} wet? {TRUE####It is \\#1.}\n"
        "\n"
        "[markdown]Again \\~ \\= \\: {TRUE}\n"
        "\n"
        "$CATEGORY: Fire//smoke\n"
        "\n"
        "[markdown]Again \\~ \\= \\: {TRUE}\n"
    )
    assert notes == []
    assert specs(text) == [first, second, third]


def test_to_gift_skips_what_gift_cannot_hold():
    ordering = {**common(), "type": "ordering", "prompt": "Sort", "items": ["a", "b"]}
    arrow = {
        **common(),
        "type": "short",
        "prompt": "Arrow?",
        "answers": [{"text": "a->b", "weight": "100", "feedback": ""}],
        "case_sensitive": False,
        "whitespace": "normalize",
    }
    essay = {**common(title="E"), "type": "essay", "prompt": "Write"}
    broken = {
        **common(),
        "type": "single",
        "prompt": "No right one",
        "choices": [{"text": "a", "weight": "0"}, {"text": "b", "weight": "0"}],
    }
    text, notes = to_gift([ordering, arrow, essay, broken])
    assert text == ""
    assert [n.as_dict() for n in notes] == [
        {"line": 0, "title": "Sort", "reason": "ordering questions have no GIFT form"},
        {
            "line": 0,
            "title": "Arrow?",
            "reason": "a short answer containing '->' has no GIFT form (it reads as matching)",
        },
        {"line": 0, "title": "E", "reason": "'essay' questions have no GIFT form"},
        {"line": 0, "title": "No right one", "reason": notes[3].reason},
    ]
    assert notes[3].reason.startswith("no GIFT form: no right answer")


def test_all_or_nothing_is_exported_with_its_weights_and_a_note():
    spec = {
        **common(title="Both"),
        "type": "multiple",
        "prompt": "Pick both",
        "scoring": "all_or_nothing",
        "choices": [
            {"text": "a", "weight": "50", "feedback": ""},
            {"text": "b", "weight": "50", "feedback": ""},
            {"text": "c", "weight": "-100", "feedback": ""},
        ],
    }
    text, notes = to_gift([spec])
    assert text == "::Both::[markdown]Pick both {\n~%50%a\n~%50%b\n~%-100%c\n}\n"
    assert notes == [
        Skipped(0, "Both", "all-or-nothing scoring has no GIFT form; exported with partial weights")
    ]
    assert one(text) == {**spec, "scoring": "partial"}


def test_to_gift_protects_texts_that_would_read_as_syntax():
    spec = {
        **common(),
        "type": "single",
        "prompt": "// not a comment",
        "explanation": "[html]<b>kept</b>",
        "choices": [
            {"text": "%50%literal", "weight": "100", "feedback": "[plain]kept"},
            {"text": "[markdown]x", "weight": "0", "feedback": ""},
        ],
    }
    text, notes = to_gift([spec])
    assert notes == []
    assert text.startswith("[markdown]// not a comment {\n=[markdown]%50%literal#[markdown][plain]")
    assert one(text) == spec


def test_round_trip_of_every_question_in_the_docs_file():
    originals = specs(DOCS_FILE)
    for spec in originals:
        text, notes = to_gift([spec])
        assert notes == []
        assert one(text) == spec
    text, notes = to_gift(originals)
    assert specs(text) == originals


def test_round_trip_of_escapes_tags_and_pools():
    source = (
        "$CATEGORY: Top/Safety//Health\n\n"
        "// [tag:first aid]\n"
        "::A\\:B \\{x\\}::[html]Use \\~ \\= \\# \\{ \\} \\: and \\\\ {\n"
        "=%50%a \\- b#fb \\# 1\n"
        "=c\\nd\n"
        "####general \\n feedback\n"
        "} here."
    )
    spec = one(source)
    assert spec == {
        **common(title="A:B {x}", tags=["first aid"], pool="Safety/Health"),
        "type": "short",
        "prompt": "Use ~ = # { } : and \\ _____ here.",
        "explanation": "general \n feedback",
        "answers": [
            {"text": "a \\- b", "weight": "50", "feedback": "fb # 1"},
            {"text": "c\nd", "weight": "100", "feedback": ""},
        ],
        "case_sensitive": False,
        "whitespace": "normalize",
    }
    text, notes = to_gift([spec])
    assert notes == []
    assert one(text) == spec


def test_a_backslash_does_not_hide_an_arrow():
    # "\-" is no escape, so "=a \-> b" still has "=" and "->": Moodle reads a matching block.
    with pytest.raises(GiftError, match="at least two pairs"):
        parse_gift("Q {=a \\-> b}")
    spec = {**common(), "type": "short", "prompt": "Arrow?", "case_sensitive": False}
    spec |= {"whitespace": "normalize", "answers": [{"text": "x", "weight": "100"}]}
    spec["answers"][0]["feedback"] = "see a->b"
    text, notes = to_gift([spec])
    assert (text, [n.reason for n in notes]) == (
        "",
        ["a short answer containing '->' has no GIFT form (it reads as matching)"],
    )


def test_points_other_than_one_are_reported():
    spec = {**one("Wet? {T}"), "points": 3}
    text, notes = to_gift([spec])
    assert one(text)["points"] == 1
    assert [n.reason for n in notes] == ["3 points have no GIFT form; exported as 1 point"]


def test_parse_result_types():
    parsed = parse_gift("Wet? {T}")
    assert isinstance(parsed, GiftParse)
    assert parsed.questions[0].line == 1


def test_the_module_imports_only_the_standard_library():
    source = Path(__file__).resolve().parent.parent / "quizzes" / "gift.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - {"__future__"} <= set(sys.stdlib_module_names)


# The round trip, with hostile texts ----------------------------------------------------------

_TOKENS = [
    "~", "=", "#", "{", "}", ":", "\\", "\n", "\t", " ", "%", "[", "]", "/", "-", ">", "_",
    "[html]", "[markdown]", "//", "->", "%50%", "####", "::", BLANK, "\\n", "$CATEGORY:",
    "T", "TRUE", "..", "é", "漢", "🙂", "\u00a0", "\x85",
]  # fmt: skip
_CHAR = st.characters(exclude_categories=("Cs",), exclude_characters="\r")


def _texts(*, avoid: str = "", newline: bool = True) -> st.SearchStrategy[str]:
    pieces = st.one_of(st.sampled_from(_TOKENS), _CHAR)
    text = st.lists(pieces, min_size=1, max_size=10).map("".join).map(str.strip)
    text = text.filter(bool)
    if avoid:
        text = text.filter(lambda t: avoid not in t)
    if not newline:
        text = text.filter(lambda t: "\n" not in t)
    return text


def _optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


def _decimal(low: int, high: int, places: int) -> st.SearchStrategy[str]:
    def text(number: Decimal) -> str:
        out = format(number.normalize(), "f")
        return "0" if out == "-0" else out

    return st.decimals(min_value=low, max_value=high, places=places).map(text)


_WEIGHTS = _decimal(-100, 100, 5)
_TAGS = st.lists(
    st.text(alphabet="ab c]\\[é-", min_size=1, max_size=6).map(str.strip).filter(bool),
    unique=True,
    max_size=3,
)


@st.composite
def _common(draw, kind: str) -> dict:
    return {
        "type": kind,
        "title": draw(_optional(_texts())),
        "prompt": draw(_texts()),
        "explanation": draw(_optional(_texts())),
        "points": 1,
        "tags": draw(_TAGS),
        "pool": draw(st.one_of(st.none(), _texts(newline=False))),
    }


def _with_full_marks(items: list[dict], index: int) -> list[dict]:
    items[index % len(items)]["weight"] = "100"
    return items


@st.composite
def _single(draw) -> dict:
    choice = st.fixed_dictionaries(
        {
            "text": _texts(),
            "weight": _WEIGHTS.filter(lambda w: w != "100"),
            "feedback": _optional(_texts()),
        }
    )
    choices = draw(st.lists(choice, min_size=2, max_size=5))
    _with_full_marks(choices, draw(st.integers(0, 10)))
    return {**draw(_common("single")), "choices": choices}


@st.composite
def _multiple(draw) -> dict:
    choice = st.fixed_dictionaries(
        {"text": _texts(), "weight": _WEIGHTS, "feedback": _optional(_texts())}
    )
    choices = draw(
        st.lists(choice, min_size=2, max_size=5).filter(
            lambda cs: any(Decimal(c["weight"]) > 0 for c in cs)
        )
    )
    return {**draw(_common("multiple")), "scoring": "partial", "choices": choices}


@st.composite
def _truefalse(draw) -> dict:
    return {
        **draw(_common("truefalse")),
        "answer": draw(st.booleans()),
        "feedback_true": draw(_optional(_texts())),
        "feedback_false": draw(_optional(_texts())),
    }


@st.composite
def _short(draw) -> dict:
    answer = st.fixed_dictionaries(
        {
            "text": _texts(avoid="->"),
            "weight": _WEIGHTS,
            "feedback": _optional(_texts(avoid="->")),
        }
    )
    answers = draw(st.lists(answer, min_size=1, max_size=4))
    _with_full_marks(answers, draw(st.integers(0, 10)))
    return {
        **draw(_common("short")),
        "answers": answers,
        "case_sensitive": False,
        "whitespace": "normalize",
    }


@st.composite
def _numeric(draw) -> dict:
    def answer() -> dict:
        if draw(st.booleans()):
            low, high = sorted(
                [draw(_decimal(-(10**6), 10**6, 4)), draw(_decimal(-(10**6), 10**6, 4))],
                key=Decimal,
            )
            shape = {"min": low, "max": high}
        else:
            shape = {
                "value": draw(_decimal(-(10**6), 10**6, 4)),
                "tolerance": draw(_decimal(0, 1000, 4)),
            }
        return {**shape, "weight": draw(_WEIGHTS), "feedback": draw(_optional(_texts()))}

    answers = [answer() for _ in range(draw(st.integers(1, 3)))]
    _with_full_marks(answers, draw(st.integers(0, 10)))
    return {**draw(_common("numeric")), "answers": answers}


@st.composite
def _matching(draw) -> dict:
    lefts = draw(st.lists(_texts(avoid="->"), min_size=2, max_size=4, unique=True))
    pairs = [{"left": left, "right": draw(_texts())} for left in lefts]
    distractors = draw(st.lists(_texts(), max_size=2))
    return {**draw(_common("matching")), "pairs": pairs, "distractors": distractors}


_SPECS = st.one_of(_single(), _multiple(), _truefalse(), _short(), _numeric(), _matching())


@settings(max_examples=400, deadline=None)
@given(_SPECS)
def test_round_trip_property(spec):
    text, notes = to_gift([spec])
    assert notes == []
    assert parse_gift(text).questions[0].spec == spec


@settings(max_examples=50, deadline=None)
@given(st.lists(_SPECS, min_size=1, max_size=4))
def test_round_trip_of_a_whole_file(batch):
    # GIFT cannot go back to "no pool" after a $CATEGORY line, so pools only ever change.
    pool = None
    for spec in batch:
        pool = spec["pool"] = spec["pool"] if spec["pool"] is not None else pool
    text, notes = to_gift(batch)
    assert notes == []
    assert specs(text) == batch


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_TOKENS), _CHAR), max_size=40).map("".join))
def test_any_text_is_read_or_refused_cleanly(text):
    try:
        parsed = parse_gift(text)
    except GiftError as exc:
        assert exc.line >= 1
        assert str(exc).startswith(f"line {exc.line}: ")
    else:
        for question in parsed.questions:
            again, _ = to_gift([question.spec])
            assert parse_gift(again).questions[0].spec == question.spec
