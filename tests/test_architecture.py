"""The engines never import the plugin, nor each other (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"lms", "quizzes", "certificates"}
ALLOWED = {"quizzes": {"quizzes"}, "certificates": {"certificates"}, "lms": PACKAGES}


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & PACKAGES


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_imports_go_one_way(package):
    for path in (ROOT / package).rglob("*.py"):
        wrong = _imported_packages(path) - ALLOWED[package]
        assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}"


@pytest.mark.parametrize("engine", ["quizzes", "certificates"])
def test_engines_do_not_need_flask(engine):
    """Engines are plain functions over a session and values: usable from any caller."""
    for path in (ROOT / engine).rglob("*.py"):
        tree = ast.parse(path.read_text())
        modules = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        flask_like = {m for m in modules if m.split(".")[0].startswith(("flask", "werkzeug"))}
        assert not flask_like, f"{path.relative_to(ROOT)} imports {flask_like}"
