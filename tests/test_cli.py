"""The ``lms`` command: init, create-user, demo, and the Flask CLI it wraps."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.catalogue.models import Course
from lms.demo import DEMO_CERTIFICATES


def test_init_is_idempotent(runner):
    for _ in range(2):
        result = runner.invoke(args=["init"])
        assert result.exit_code == 0, result.output
        assert "Database ready" in result.output


def test_create_user_with_each_role(app, runner):
    for role in ("learner", "trainer", "admin"):
        result = runner.invoke(
            args=[
                "create-user",
                "--role",
                role,
                "--name",
                f"A {role}",
                "--email",
                f"{role}@cli.example",
                "--password",
                "a fine password",
            ]
        )
        assert result.exit_code == 0, result.output
    with app.app_context():
        db = app.extensions["lms"].db.session
        roles = dict(db.execute(select(User.email, User.role)).all())
    assert roles == {
        "learner@cli.example": "learner",
        "trainer@cli.example": "trainer",
        "admin@cli.example": "admin",
    }


def test_create_user_refuses_bad_input_clearly(runner):
    args = ["create-user", "--name", "X", "--email", "x@cli.example", "--password"]
    short = runner.invoke(args=[*args, "short"])
    assert short.exit_code == 2
    assert "at least 10 characters" in short.output
    assert runner.invoke(args=[*args, "a fine password"]).exit_code == 0
    again = runner.invoke(args=[*args, "a fine password"])
    assert again.exit_code == 2
    assert "already exists" in again.output
    bad_role = runner.invoke(args=[*args, "a fine password", "--role", "root"])
    assert bad_role.exit_code == 2


def test_demo_data_is_idempotent(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["demo", "--no-serve"])
        assert result.exit_code == 0, result.output
        assert "learner@example.com" in result.output
    with app.app_context():
        db = app.extensions["lms"].db.session
        assert db.scalar(select(func.count()).select_from(Course)) == 3
        assert db.scalar(select(func.count()).select_from(User)) == 4
        from certificates import Certificate

        assert db.scalar(select(func.count()).select_from(Certificate)) == len(DEMO_CERTIFICATES)


def test_host_apps_get_the_commands_under_flask_lms(database_url, tmp_path):
    from flask import Flask

    from lms import LMS

    host = Flask("host", instance_path=str(tmp_path))
    host.config.update(
        SECRET_KEY="the host app's own long and random secret key 9f3b",
        SQLALCHEMY_DATABASE_URI=database_url,
        LMS_MAIL_BACKEND="file",  # a host on a database server names it
    )
    LMS(host)
    runner = host.test_cli_runner()
    assert runner.invoke(args=["lms", "init"]).exit_code == 0
    created = runner.invoke(
        args=[
            "lms",
            "create-user",
            "--role",
            "trainer",
            "--name",
            "Host Trainer",
            "--email",
            "t@host.example",
            "--password",
            "a fine password",
        ]
    )
    assert created.exit_code == 0, created.output
    with host.app_context():
        db = host.extensions["lms"].db
        assert db.session.scalars(select(User.role)).all() == ["trainer"]
        db.engine.dispose()


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    env["LMS_INSTANCE_PATH"] = str(tmp_path / "instance")
    return env


def test_the_installed_lms_command_is_the_flask_cli(tmp_path):
    script = Path(sys.executable).with_name("lms")
    assert script.exists(), "pip install should put an `lms` console script beside python"
    result = subprocess.run(
        [str(script), "--help"],
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for command in ("run", "routes", "shell", "init", "demo", "create-user"):
        assert f"  {command} " in result.stdout
    routes = subprocess.run(
        [str(script), "routes"],
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "/verify/<public_id>" in routes.stdout


def test_lms_demo_serves_on_the_given_port(tmp_path):
    """`lms demo --port N` migrates, seeds and serves on 127.0.0.1:N (port 0: any free one)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lms", "demo", "--port", "0"],
        env=_clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = []
        for line in process.stdout:
            output.append(line)
            if line.startswith("Serving the demo at "):
                url = line.split()[4].rstrip("/")
                break
        else:
            raise AssertionError("".join(output))
        assert "learner@example.com" in "".join(output)
        with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
            assert response.status == 200
        with urllib.request.urlopen(url + "/", timeout=10) as response:
            assert "Hot Water Extraction Fundamentals" in response.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_create_user_before_init_says_to_run_init(tmp_path):
    from lms import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}"},
        instance_path=str(tmp_path),
    )
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--name",
            "A",
            "--email",
            "a@cli.example",
            "--password",
            "a fine password",
        ]
    )
    assert result.exit_code == 1
    assert "run `lms init` first" in result.output


def test_demo_on_a_busy_port_says_so(runner):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(args=["demo", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Port {port} is in use by another program" in result.output
