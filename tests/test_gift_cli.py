"""GIFT through the ``lms quizzes`` commands: an exact summary, a lossless round trip
through the database, and a malformed file refused whole, naming its line."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from lms.catalogue.models import Course
from quizzes import question_spec
from quizzes.models import Question, Quiz
from tests.test_quiz_pages import make_course, marker_quiz

BANK = """\
// A question bank for water damage restoration.
$CATEGORY: $course$/top/Water damage

// [tag:category]
::Cat 1::A broken supply line is which category?{
  =Category 1#Right: it starts clean.
  ~Category 2#No: nothing contaminated it yet.
  ~%-50%Category 3#Far off.
  ####Water from a sanitary source is Category 1.
}

::Drying aids::Which of these speed drying? {
  ~%50%Air movers
  ~%50%Dehumidifiers
  ~%-100%A closed, unheated room
}

::RH::Relative humidity changes with temperature.{TRUE#It does.#Right: it is relative.}

::Acronym:: What does GPP stand for? {=grains per pound =%50%grains#Nearly}

::Grains:: How many grains are in a pound? {#7000:0}

::Range:: Give a drying temperature in °F between 70 and 90. {#70..90}

::Several numbers:: When did the IICRC S500 first appear? {#=1994:0 =%50%1994:2}

::Match:: Match the class with its evaporation load. {
  =Class 1 -> least water, low evaporation
  =Class 2 -> a whole room of carpet and cushion
  =Class 4 -> bound water in dense materials
}

Dry carpet is {~rarely =usually ~never} lighter than wet carpet.

::Escapes:: Is 2 \\= 2 \\{really\\} \\~ \\# \\: ?{T}

::Essay::Describe your drying plan.{}

::Note:: This is only a description.
"""

SUMMARY = {
    "imported": 10,
    "by_type": {
        "matching": 1,
        "multiple": 1,
        "numeric": 3,
        "short": 1,
        "single": 2,
        "truefalse": 2,
    },
    "skipped": [
        {"line": 38, "title": "Essay", "reason": "essay questions are not graded automatically"},
        {"line": 40, "title": "Note", "reason": "a description has no answers"},
    ],
}

SLUG = "hot-water-extraction-fundamentals"


def _specs(app, slug: str) -> list[dict]:
    with app.app_context():
        db = app.extensions["lms"].db.session
        newest = select(Course).where(Course.slug == slug).order_by(Course.version.desc())
        course = db.scalars(newest).first()
        quiz = db.get(Quiz, course.final_quiz_id)
        specs = [question_spec(q) for q in quiz.questions]
        db.remove()
        return specs


def _question_count(app) -> int:
    with app.app_context():
        db = app.extensions["lms"].db.session
        count = db.scalar(select(func.count()).select_from(Question))
        db.remove()
        return count


def test_import_prints_the_exact_summary_and_adds_the_questions(app, draft, runner, tmp_path):
    bank = tmp_path / "bank.gift"
    bank.write_text(BANK, encoding="utf-8")
    before = len(_specs(app, SLUG))
    result = runner.invoke(args=["quizzes", "import-gift", str(bank), "--course", SLUG])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0]) == SUMMARY
    specs = _specs(app, SLUG)[before:]
    assert len(specs) == 10
    first = specs[0]
    assert first["title"] == "Cat 1" and first["pool"] == "Water damage"
    assert first["tags"] == ["category"]
    assert first["explanation"] == "Water from a sanitary source is Category 1."
    assert [c["weight"] for c in first["choices"]] == ["100", "0", "-50"]
    escapes = next(s for s in specs if s["title"] == "Escapes")
    assert escapes["prompt"] == "Is 2 = 2 {really} ~ # : ?"
    blank = next(s for s in specs if s["title"] == "")
    assert blank["prompt"] == "Dry carpet is _____ lighter than wet carpet."


def test_pool_option_puts_every_question_in_one_pool(app, draft, runner, tmp_path):
    bank = tmp_path / "bank.gift"
    bank.write_text(BANK, encoding="utf-8")
    before = len(_specs(app, SLUG))
    result = runner.invoke(
        args=["quizzes", "import-gift", str(bank), "--course", SLUG, "--pool", "Week 2"]
    )
    assert result.exit_code == 0, result.output
    assert {s["pool"] for s in _specs(app, SLUG)[before:]} == {"Week 2"}


def test_import_export_import_gives_the_same_questions(app, draft, runner, tmp_path):
    bank = tmp_path / "bank.gift"
    bank.write_text(BANK, encoding="utf-8")
    make_course(
        app,
        {**marker_quiz(), "questions": marker_quiz()["questions"][:1]},
        slug="first",
        status="draft",
    )
    make_course(
        app,
        {**marker_quiz(), "questions": marker_quiz()["questions"][:1]},
        slug="second",
        status="draft",
    )
    assert (
        runner.invoke(args=["quizzes", "import-gift", str(bank), "--course", "first"]).exit_code
        == 0
    )
    exported = runner.invoke(args=["quizzes", "export-gift", "--course", "first"])
    assert exported.exit_code == 0
    again = tmp_path / "again.gift"
    again.write_text(exported.stdout, encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(again), "--course", "second"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == 11
    # "second" had one question of its own; after it come first's eleven, exactly.
    assert _specs(app, "second")[1:] == _specs(app, "first")


def test_a_malformed_file_is_refused_naming_its_line_and_nothing_is_imported(
    app, draft, runner, tmp_path
):
    broken = BANK.replace(
        "::Grains:: How many grains are in a pound? {#7000:0}", "::Grains:: How many? {#seven}"
    )
    bank = tmp_path / "broken.gift"
    bank.write_text(broken, encoding="utf-8")
    before = _question_count(app)
    result = runner.invoke(args=["quizzes", "import-gift", str(bank), "--course", SLUG])
    assert result.exit_code == 1
    assert "line 22" in result.output and "nothing was imported" in result.output
    assert _question_count(app) == before


def test_an_unclosed_answer_block_names_the_line_where_it_opens(app, draft, runner, tmp_path):
    bank = tmp_path / "open.gift"
    bank.write_text(
        "::A:: fine {T}\n\n::B:: never closed {=yes ~no\n\n::C:: fine {F}\n", encoding="utf-8"
    )
    result = runner.invoke(args=["quizzes", "import-gift", str(bank), "--course", SLUG])
    assert result.exit_code == 1 and "line 3" in result.output


def test_bad_files_and_courses_get_clear_errors(app, draft, runner, tmp_path):
    binary = tmp_path / "binary.gift"
    binary.write_bytes(b"\xff\xfe\x00bad")
    result = runner.invoke(args=["quizzes", "import-gift", str(binary), "--course", SLUG])
    assert result.exit_code == 1 and "not UTF-8" in result.output
    empty = tmp_path / "empty.gift"
    empty.write_text("// nothing here\n", encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(empty), "--course", SLUG])
    assert result.exit_code == 1 and "no question" in result.output
    result = runner.invoke(args=["quizzes", "import-gift", str(empty), "--course", "nope"])
    assert result.exit_code == 2 and "no course has the slug 'nope'" in result.output


def test_control_characters_are_refused_naming_the_line(app, draft, runner, tmp_path):
    bank = tmp_path / "nul.gift"
    bank.write_bytes(b"::A:: fine {T}\n\n::N:: Null\x00byte question? {T}\n")
    before = _question_count(app)
    result = runner.invoke(args=["quizzes", "import-gift", str(bank), "--course", SLUG])
    assert result.exit_code == 1 and "line 3: contains a control character" in result.output
    assert _question_count(app) == before


def test_a_published_version_takes_no_questions(app, demo, runner, tmp_path):
    bank = tmp_path / "bank.gift"
    bank.write_text(BANK, encoding="utf-8")
    before = _question_count(app)
    result = runner.invoke(args=["quizzes", "import-gift", str(bank), "--course", SLUG])
    assert result.exit_code == 1
    assert "version 1 of this course is published" in result.output
    assert _question_count(app) == before
