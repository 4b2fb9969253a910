"""Two hosts behind one load balancer, as a deployer runs them: two gunicorn processes
(two workers each, their own instance folders) on one PostgreSQL database and one Redis,
configured only with the settings docs/DEPLOY.md says every host must share.

Runs in CI's PostgreSQL phase (LMS_TEST_DATABASE_URL names the server; the test makes and
drops a database of its own) with a private redis-server on a free port; skipped without
them unless LMS_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
REQUIRED = os.environ.get("LMS_REQUIRE_POSTGRES") == "1"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BASE_URL = "http://ce.example.test"  # the load balancer's address, the same on every host


def _missing() -> str | None:
    if not PG_URL.startswith("postgresql"):
        return "the two-host test runs on PostgreSQL: set LMS_TEST_DATABASE_URL"
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    for module in ("redis", "gunicorn", "psycopg"):
        try:
            __import__(module)
        except ImportError:
            return f"the {module} package is not installed"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None and not REQUIRED, reason=str(_missing()))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until(ready, what: str, seconds: float = 30) -> None:  # noqa: ANN001
    """Poll an external process until it is ready (it starts on its own time)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not start within {seconds} s")


@dataclass
class Host:
    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    valid_certificates: list[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lms(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """An `lms` command run on this host (its environment and instance folder)."""
        return subprocess.run(
            [sys.executable, "-m", "lms", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def python(self, script: str) -> subprocess.CompletedProcess:
        """Python run on this host inside the app (an app context pushed)."""
        prelude = "from lms import create_app\ncreate_app().app_context().push()\n"
        return subprocess.run(
            [sys.executable, "-c", prelude + script],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}"]
            + ["--graceful-timeout", "2", "--access-logfile", "-", "wsgi:app"],
            env=self.env,
            cwd=REPO,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        _wait_until(lambda: _status(f"{self.url}/healthz") == 200, f"host {self.name}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own host)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


class Browser:
    """One visitor's cookies, sent to whichever host it asks (as a load balancer would)."""

    def __init__(self) -> None:
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def request(
        self, host: Host, path: str, data: dict | None = None, accept: str = "text/html"
    ) -> tuple[int, str, dict[str, str]]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 (our own host)
            host.url + path, data=body, headers={"Accept": accept}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), dict(exc.headers)

    def token(self, host: Host, path: str) -> str:
        status, page, _ = self.request(host, path)
        assert status == 200, (path, status)
        return CSRF_RE.search(page).group(1)

    def sign_in(self, form_from: Host, post_to: Host, email: str, password: str) -> int:
        token = self.token(form_from, "/login")
        status, _, _ = self.request(
            post_to, "/login", {"csrf_token": token, "email": email, "password": password}
        )
        return status

    def verdict(self, host: Host, public_id: str) -> dict:
        status, body, _ = self.request(host, f"/verify/{public_id}", accept="application/json")
        assert status == 200, (host.name, status, body[:300])
        return json.loads(body)


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    import psycopg

    if _missing() is not None:
        pytest.fail(f"LMS_REQUIRE_POSTGRES=1 but {_missing()}")
    name = f"lms_two_hosts_{secrets.token_hex(4)}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(PG_URL)
    yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A private redis-server (never the machine's own): the test stops it on purpose."""
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    _wait_until(answers, "redis-server")
    state = {"port": port, "process": process}
    yield state
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def hosts(database, redis_port, tmp_path_factory) -> Iterator[tuple[Host, Host]]:
    shared = {
        # The settings every host must share (docs/DEPLOY.md), and nothing else.
        "LMS_SECRET_KEY": secrets.token_hex(32),
        "LMS_KEY_ENCRYPTION_KEY": secrets.token_hex(32),
        "LMS_DATABASE_URL": database,
        "LMS_BASE_URL": BASE_URL,
        "LMS_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port['port']}",
        "LMS_MAIL_BACKEND": "file",  # explicit; each host's own folder, to count duplicates
        "LMS_VERIFY_RATE_LIMIT": "1000 per minute",
    }
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LMS_") and k not in ("DATABASE_URL", "SECRET_KEY_FALLBACKS")
    }
    made = []
    for name in ("a", "b"):
        folder = tmp_path_factory.mktemp(f"host-{name}")
        env = {
            **base_env,
            **shared,
            "LMS_INSTANCE_PATH": str(folder / "instance"),
            "LMS_MAIL_DIR": str(folder / "mail"),
        }
        made.append(Host(name, _free_port(), env, folder / "gunicorn.log"))
    a, b = made
    # `lms init` on both hosts at once (as a deploy script might): one migrates, one waits.
    inits = [
        subprocess.Popen(
            [sys.executable, "-m", "lms", "init"],
            env=host.env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for host in made
    ]
    for init in inits:
        out, err = init.communicate(timeout=120)
        assert init.returncode == 0, err + out
    seeded = a.python(_SEED_DEMO_ACCOUNTS_AND_CERTIFICATES)
    assert seeded.returncode == 0, seeded.stderr
    a.valid_certificates = json.loads(seeded.stdout.strip().splitlines()[-1])
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        for host in made:  # both asked to stop first, then both awaited
            if host.process is not None and host.process.poll() is None:
                host.process.terminate()
        for host in made:
            host.stop()


def _signed_with(browser: Browser, host: Host, public_id: str) -> str:
    status, body, _ = browser.request(host, f"/credentials/{public_id}", accept="*/*")
    assert status == 200
    return json.loads(body)["proof"]["verificationMethod"].rsplit("#", 1)[1]


def _reissue(admin: Browser, host: Host, public_id: str) -> str:
    token = admin.token(host, f"/certificates/{public_id}")
    status, _, headers = admin.request(
        host, f"/certificates/{public_id}/reissue", {"csrf_token": token}
    )
    assert status == 302, status
    return headers["Location"].rstrip("/").rsplit("/", 1)[1]


def test_two_hosts_share_sessions_keys_jobs_and_survive_redis_going_down(hosts, redis_port):
    a, b = hosts
    learner = Browser()

    # A session moves between hosts: the form from A, the sign-in on B, the pages on both.
    assert learner.sign_in(a, b, "graduate@example.com", "graduate-demo-pass") == 302
    for host in (a, b, a):
        status, page, _ = learner.request(host, "/dashboard")
        assert status == 200 and "Grace Graduate" in page, host.name

    # A certificate issued on one host verifies on the other, neither holding a key file.
    valid = a.valid_certificates
    admin = Browser()
    assert admin.sign_in(b, b, "admin@example.com", "admin-demo-pass") == 302
    issued_on_a = _reissue(admin, a, valid[0])
    assert learner.verdict(b, issued_on_a)["verdict"] == "valid"
    assert _signed_with(learner, b, issued_on_a) == "key-1"
    for host in hosts:
        assert not (Path(host.env["LMS_INSTANCE_PATH"]) / "issuer-keys").exists()

    # Rotation on B is seen by A at once, with not one 5xx from either meanwhile.
    statuses: list[tuple[str, int | None]] = []
    stop = threading.Event()

    def keep_asking() -> None:
        visitor = Browser()
        while not stop.is_set():
            for host in hosts:
                for path in ("/issuer", "/status/revocation", f"/verify/{issued_on_a}"):
                    statuses.append((path, visitor.request(host, path)[0]))
            stop.wait(0.05)  # paced: the hosts and the CLI share the CPU with this loop

    asking = threading.Thread(target=keep_asking)
    asking.start()
    try:
        rotated = b.lms("keys", "rotate")
        assert rotated.returncode == 0 and "key-2" in rotated.stdout, rotated.stderr
        issued_after = _reissue(admin, a, valid[1])
    finally:
        stop.set()
        asking.join()
    assert statuses and all(status == 200 for _, status in statuses), [
        s for s in statuses if s[1] != 200
    ][:5]
    assert _signed_with(learner, a, issued_after) == "key-2"
    for host in hosts:
        assert learner.verdict(host, issued_after)["verdict"] == "valid"
        assert learner.verdict(host, issued_on_a)["verdict"] == "valid"  # key-1, retired
        status, body, _ = learner.request(host, "/readyz", accept="application/json")
        assert status == 200 and json.loads(body)["status"] == "ok"

    # Reminders started on both hosts at once: each message delivered once.
    people = a.python(_MAKE_PEOPLE_SHORT_OF_CREDITS)
    assert people.returncode == 0, people.stderr

    def mail_files() -> set[Path]:
        return {path for host in hosts for path in Path(host.env["LMS_MAIL_DIR"]).glob("*.eml")}

    before = mail_files()
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "lms", "send-reminders"],
            env=host.env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for host in hosts
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    mails = [message_from_bytes(path.read_bytes()) for path in mail_files() - before]
    sent = [(m["To"], " ".join(m["Subject"].split())) for m in mails]
    assert len(set(sent)) == len(sent)  # nobody got the same message twice
    assert sum(r["sent"] for r in reports) == len(sent)  # what the runs sent, once each
    reminders = [to for to, subject in sent if "still needed by" in subject]
    assert {f"tech{n}@example.org" for n in range(25)} <= set(reminders)
    assert sum(r["queued"] for r in reports) == len(reminders)  # queued once, by one host

    # Redis stops between the sign-in form and its answer: the sign-in still works (the
    # limits count in each process's memory, a warning is logged), /readyz says so.
    late = Browser()
    token = late.token(a, "/login")
    redis_port["process"].kill()
    redis_port["process"].wait()
    status, _, _ = late.request(
        b,
        "/login",
        {"csrf_token": token, "email": "learner@example.com", "password": "learner-demo-pass"},
    )
    assert status == 302
    assert late.request(a, "/dashboard")[0] == 200
    wrong = Browser().sign_in(a, a, "learner@example.com", "not-the-password")
    assert wrong == 401
    assert learner.verdict(a, issued_after)["verdict"] == "valid"
    for host in hosts:
        status, body, _ = late.request(host, "/readyz", accept="application/json")
        assert status == 200 and json.loads(body)["failed"] == ["rate_limit_store"]
    logs = a.log.read_text() + b.log.read_text()
    assert "falling back to in-memory storage" in logs
    assert not re.search(r'HTTP/1\.1" 5\d\d ', logs) and "Traceback" not in logs


# Run on host A: 25 people holding WRT whose 24-month cycle ends in 20
# days with nothing earned (each is due the 30-day reminder).
_MAKE_PEOPLE_SHORT_OF_CREDITS = """
from datetime import timedelta
from sqlalchemy import select
from lms.accounts.operations import create_user
from lms.catalogue.models import Certification, Holding
from lms.clock import now
from lms.db import session
from lms.requirements.rules import add_months
wrt = session().scalars(select(Certification).where(Certification.code == "WRT")).one()
certified_on = add_months(now().date(), -24) + timedelta(days=20)
for n in range(25):
    user = create_user(name=f"Tech {n}", email=f"tech{n}@example.org",
                       password="tech-password-1", role="learner", now=now())
    session().add(Holding(user_id=user.id, certification_id=wrt.id, number=f"WRT-{n}",
                          certified_on=certified_on, created_at=now()))
session().commit()
"""

# The demo's accounts, courses and the graduate's certificates (signed on host A).
_SEED_DEMO_ACCOUNTS_AND_CERTIFICATES = """
import json
from sqlalchemy import select
from certificates import Certificate
from lms.db import session
from lms.demo import seed_demo_certificates, seed_demo_data
seed_demo_data()
seed_demo_certificates()
query = select(Certificate.public_id).where(Certificate.revoked_at.is_(None))
print(json.dumps(list(session().scalars(query.order_by(Certificate.id)))))
"""
