"""The benchmark of issue 21: every main page as a ratio to a bare one-lookup Flask page.

    python tests/bench/run.py [--quick] [--database-url URL] [--workers N] [--duration S]
                              [--connections C] [--reseed] [--client auto|wrk|python]
                              [--cache-dir DIR] [--keep]

Seeds (or reuses from the cache) a provider-sized data set (see dataset.py), serves the LMS
with gunicorn on 127.0.0.1 as production would (``wsgi:app``, not debug, LMS_BASE_URL and an
issuer key set), serves the floor app (floor.py) with as many workers, drives a bounded load
at each page (wrk when installed, else a Python client), and prints a table and, last, one
line of JSON. Progress goes to stderr. Not part of the test suite. docs/PERFORMANCE.md says
how to run it and what each number means.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import dataset
import load
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from certificates.keys import private_key_from_pem
from certificates.models import Certificate
from certificates.sealing import seal_matches
from certificates.signing import verify
from lms import create_app
from lms.accounts.models import User
from lms.app import sqlalchemy_url
from lms.awards.issuer import seal_keys
from lms.credits.verification import verify_ledger
from lms.migrate import upgrade_database
from quizzes.models import Attempt

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent
#: What credentials and links carry: fixed, so a cached database's credentials stay valid.
BASE_URL = "https://ce.bench.example"
#: Submissions prepared per second of the submit page's run: well above its target rate; the
#: run ends early, honestly timed, if they run out.
SUBMITS_PER_SECOND = 500
#: Seconds of each run of the floor between the pages.
FLOOR_SECONDS = 3.0
#: Databases the benchmark must never create or drop.
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}

TARGETS = {
    "verify": 0.8,
    "dashboard": 0.5,
    "catalogue": 0.5,
    "catalogue (anonymous)": 0.5,
    "compliance": 0.5,
    "transcript": 0.5,
    "course page": 0.5,
    "course page (anonymous)": 0.5,
    "quiz autosave": 0.5,
    "quiz submit": 0.25,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    scale = dataset.SCALES["quick" if args.quick else "full"]
    seconds = args.duration or (3.0 if args.quick else 10.0)
    client = args.client
    if client == "auto":
        client = "wrk" if load.wrk_available() else "python"
    elif client == "wrk" and not load.wrk_available():
        sys.exit("wrk is not installed (apt-get install wrk), or use --client python")
    workdir = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    cache = Path(args.cache_dir or os.environ.get("LMS_BENCH_CACHE") or _default_cache())
    cache.mkdir(parents=True, exist_ok=True)
    store = (
        PostgresStore(args.database_url, scale, cache)
        if args.database_url
        else SqliteStore(scale, cache, workdir)
    )
    try:
        manifest, seed_seconds = store.prepare(reseed=args.reseed)
        run_url = store.run_copy()
        env = lms_environment(run_url, workdir, manifest)
        run = benchmark(
            env,
            manifest,
            workers=args.workers,
            connections=args.connections,
            seconds=seconds,
            client=client,
            workdir=workdir,
        )
    finally:
        if not args.keep:
            store.drop_run_copy()
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            dataset.log(f"kept {workdir} and the run's database")
    summary = {
        "scale": scale.name,
        "database": store.dialect,
        "workers": args.workers,
        "connections": args.connections,
        "seconds": seconds,
        "client": client,
        "seed_seconds": seed_seconds,
        "counts": manifest["counts"],
        "floor_runs": [round(f, 1) for f in run.floor_runs],
        "load_average": [round(a, 2) for a in run.load_average],
        "pages": [_as_json(r) for r in run.results],
    }
    _print_table(run, summary)
    print(json.dumps(summary))
    return 1 if any(r.errors for r in run.results) else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data set, short runs")
    parser.add_argument(
        "--database-url",
        help="postgresql://user@host:port/NAME: NAME is created and dropped (never 'test'); "
        "default: an SQLite file in a temporary directory",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--duration", type=float, help="seconds per page (default 10, quick 3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--reseed", action="store_true", help="seed again, ignoring the cache")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--cache-dir", help="where seeded databases are kept (LMS_BENCH_CACHE)")
    parser.add_argument("--keep", action="store_true", help="keep the run's files and database")
    return parser


def _default_cache() -> Path:
    return Path(tempfile.gettempdir()) / "lms-bench-cache"


# -- the LMS's configuration ---------------------------------------------------------------


def lms_environment(database_url: str, workdir: Path, manifest: dict[str, Any]) -> dict[str, str]:
    """Production settings (README "Production"), plus one the single load client needs. The
    secret key and the issuer key are the data set's own: credentials are sealed under the
    one and signed with the other."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        LMS_DATABASE_URL=database_url,
        LMS_SECRET_KEY=manifest["secret_key"],
        LMS_BASE_URL=BASE_URL,
        LMS_ISSUER_KEY=manifest["issuer_key_pem"],
        LMS_INSTANCE_PATH=str(workdir / "instance"),
        # Named explicitly, as a database server requires (lms/deployment.py); no mail is sent.
        LMS_MAIL_BACKEND="console",
        # Every request comes from one address: the per-client limit on the public
        # verification pages (60 a minute) would answer nearly all of them with 429. The
        # limiter still runs on each request.
        LMS_VERIFY_RATE_LIMIT="1000000 per minute",
    )
    return env


def lms_app(env: dict[str, str]) -> Flask:
    """The standalone app, built in this process from the same environment gunicorn gets."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        return create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _dispose(app: Flask) -> None:
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()


# -- where the seeded database lives ---------------------------------------------------------


class SqliteStore:
    """The seeded file is cached by scale and seed version; each run works on a copy."""

    dialect = "sqlite"

    def __init__(self, scale: dataset.Scale, cache: Path, workdir: Path) -> None:
        self.scale = scale
        self.key = f"sqlite-{scale.name}-v{dataset.SEED_VERSION}"
        self.cached = cache / f"{self.key}.sqlite3"
        self.manifest_path = cache / f"{self.key}.json"
        self.run_path = workdir / "bench.sqlite3"
        self.workdir = workdir

    def prepare(self, *, reseed: bool) -> tuple[dict[str, Any], float | None]:
        if not reseed and self.cached.exists() and self.manifest_path.exists():
            manifest = json.loads(self.manifest_path.read_text())
            try:
                self._upgrade(f"sqlite:///{self.cached}", manifest)
                dataset.log(f"reusing the seeded database {self.cached}")
                return manifest, None
            except Exception as exc:  # e.g. a migration this cache's revision cannot reach
                dataset.log(f"the cached database cannot be used ({exc}); seeding again")
        partial = self.cached.with_suffix(".partial")
        for path in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            path.unlink(missing_ok=True)
        manifest, seconds = seed_database(f"sqlite:///{partial}", self.scale, self.workdir)
        _checkpoint(f"sqlite:///{partial}")
        partial.replace(self.cached)
        _write_private(self.manifest_path, json.dumps(manifest))
        return manifest, seconds

    def _upgrade(self, url: str, manifest: dict[str, Any]) -> None:
        app = lms_app(lms_environment(url, self.workdir, manifest))
        upgrade_database(app)
        _dispose(app)
        _checkpoint(url)

    def run_copy(self) -> str:
        shutil.copyfile(self.cached, self.run_path)
        return f"sqlite:///{self.run_path}"

    def drop_run_copy(self) -> None:
        pass  # it lives in the work directory, which goes


def _checkpoint(url: str) -> None:
    """Fold the WAL into the main file, so the file alone is the whole database."""
    engine = create_engine(url)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


class PostgresStore:
    """The seeded database is kept on the server as a template; each run is a copy of it
    (CREATE DATABASE ... TEMPLATE), created under the URL's name and dropped afterwards."""

    dialect = "postgresql"

    def __init__(self, url: str, scale: dataset.Scale, cache: Path) -> None:
        parsed = make_url(sqlalchemy_url(url))
        name = parsed.database or ""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", name) or name in PROTECTED_DATABASES:
            sys.exit(f"--database-url must name a database of its own (not {name!r})")
        self.scale = scale
        self.run_name = name
        self.template = f"{name}_seed_{scale.name}_v{dataset.SEED_VERSION}"
        self.server = parsed
        self.manifest_path = cache / f"pg-{parsed.host}-{parsed.port}-{self.template}.json"
        self.admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def _url(self, database: str) -> str:
        return self.server.set(database=database).render_as_string(hide_password=False)

    def _exists(self, database: str) -> bool:
        with self.admin.connect() as connection:
            return bool(
                connection.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}
                )
            )

    def _sql(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def prepare(self, *, reseed: bool) -> tuple[dict[str, Any], float | None]:
        if not reseed and self._exists(self.template) and self.manifest_path.exists():
            manifest = json.loads(self.manifest_path.read_text())
            try:
                with tempfile.TemporaryDirectory() as scratch:
                    app = lms_app(
                        lms_environment(self._url(self.template), Path(scratch), manifest)
                    )
                    upgrade_database(app)
                    _dispose(app)
                dataset.log(f"reusing the seeded database {self.template}")
                return manifest, None
            except Exception as exc:
                dataset.log(f"the cached database cannot be used ({exc}); seeding again")
        self.manifest_path.unlink(missing_ok=True)
        self._sql(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        self._sql(f"CREATE DATABASE {self.template}")
        with tempfile.TemporaryDirectory() as scratch:
            manifest, seconds = seed_database(self._url(self.template), self.scale, Path(scratch))
        _write_private(self.manifest_path, json.dumps(manifest))
        return manifest, seconds

    def run_copy(self) -> str:
        self._sql(f"DROP DATABASE IF EXISTS {self.run_name} WITH (FORCE)")
        self._sql(f"CREATE DATABASE {self.run_name} TEMPLATE {self.template}")
        return self._url(self.run_name)

    def drop_run_copy(self) -> None:
        self._sql(f"DROP DATABASE IF EXISTS {self.run_name} WITH (FORCE)")
        self.admin.dispose()


def _write_private(path: Path, content: str) -> None:
    # The manifest holds the data set's secret key and issuer key.
    path.touch(mode=0o600)
    path.write_text(content)


def seed_database(url: str, scale: dataset.Scale, workdir: Path) -> tuple[dict[str, Any], float]:
    dataset.log(f"seeding the {scale.name} data set into {make_url(url).database} ...")
    started = time.perf_counter()
    keys = {"secret_key": secrets.token_hex(32), "issuer_key_pem": dataset.new_issuer_key_pem()}
    app = lms_app(lms_environment(url, workdir, keys))
    upgrade_database(app)
    manifest = dataset.seed(app, scale, random.Random(2026)) | keys
    _dispose(app)
    seconds = round(time.perf_counter() - started, 1)
    manifest["seed_seconds"] = seconds
    dataset.log(f"seeded in {seconds:.0f} s: {manifest['counts']}")
    return manifest, seconds


# -- servers -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    app_spec: str, *, chdir: Path, env: dict[str, str], workers: int, log: Path, probe: str
) -> Iterator[str]:
    """Serve ``app_spec`` with gunicorn's default (sync) workers; yields its base URL."""
    port = _free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--chdir",
                str(chdir),
                app_spec,
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(server, probe, process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: str, probe: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; its log:\n{_tail(log)}")
        with contextlib.suppress(OSError):
            if fetch(server, probe).status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{server}{probe} did not answer within 60 s; the log:\n{_tail(log)}")


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# -- HTTP as a browser would do it --------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str


def fetch(
    server: str,
    path: str,
    *,
    method: str = "GET",
    cookie: str = "",
    body: str = "",
    accept: str = "text/html",
) -> Answer:
    host, port = server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    headers = {"Accept": accept}
    if cookie:
        headers["Cookie"] = cookie
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.msg, response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _session_cookie(answer: Answer, current: str) -> str:
    for header in answer.headers.get_all("Set-Cookie") or []:
        pair = header.split(";", 1)[0]
        if pair.startswith("session="):
            return pair
    return current


@dataclass(frozen=True)
class SignedIn:
    cookie: str
    csrf_token: str


def sign_in(server: str, email: str, password: str) -> SignedIn:
    """Open the sign-in page, post the form with its CSRF token, then read a fresh token
    from the dashboard (the sign-in starts a new session, so the old token is gone)."""
    page = fetch(server, "/login")
    cookie = _session_cookie(page, "")
    token = CSRF_RE.search(page.body)
    if page.status != 200 or token is None:
        raise RuntimeError(f"/login answered {page.status} without a form")
    form = urlencode({"email": email, "password": password, "csrf_token": token[1], "next": ""})
    posted = fetch(server, "/login", method="POST", cookie=cookie, body=form)
    if posted.status not in (302, 303):
        raise RuntimeError(f"signing in as {email} answered {posted.status}")
    cookie = _session_cookie(posted, cookie)
    dashboard = fetch(server, "/dashboard", cookie=cookie)
    token = CSRF_RE.search(dashboard.body)
    if dashboard.status != 200 or token is None:
        raise RuntimeError(f"/dashboard answered {dashboard.status} after signing in as {email}")
    return SignedIn(_session_cookie(dashboard, cookie), token[1])


def _sign_in_all(server: str, emails: list[str], password: str) -> dict[str, SignedIn]:
    # Each sign-in checks a scrypt hash on the server: a few at a time.
    with ThreadPoolExecutor(4) as pool:
        sessions = pool.map(lambda e: sign_in(server, e, password), emails)
        return dict(zip(emails, sessions, strict=True))


# -- the run -----------------------------------------------------------------------------------


def benchmark(
    env: dict[str, str],
    manifest: dict[str, Any],
    *,
    workers: int,
    connections: int,
    seconds: float,
    client: str,
    workdir: Path,
) -> Run:
    app = lms_app(env)
    started = time.perf_counter()
    savers = dataset.add_quiz_takers(app, "saver", 4 * connections)
    takers = dataset.add_quiz_takers(
        app, "taker", max(200, math.ceil(SUBMITS_PER_SECOND * seconds))
    )
    facts = _facts(app)
    _check_seals(app)
    dataset.log(
        f"prepared {sum(len(t.attempts) for t in takers)} open attempts for the submit page and "
        f"{sum(len(t.attempts) for t in savers)} for autosave "
        f"({time.perf_counter() - started:.0f} s)"
    )
    floor_env = {**env, "BENCH_FLOOR_DATABASE_URL": env["LMS_DATABASE_URL"]}
    with (
        gunicorn(
            "wsgi:app",
            chdir=ROOT,
            workers=workers,
            env=env,
            log=workdir / "lms.log",
            probe="/healthz",
        ) as lms,
        gunicorn(
            "floor:app",
            chdir=BENCH_DIR,
            workers=workers,
            env=floor_env,
            log=workdir / "floor.log",
            probe=f"/floor/{facts['learner_ids'][0]}",
        ) as floor,
    ):
        dataset.log(f"serving the LMS at {lms} and the floor at {floor}, {workers} workers each")
        started = time.perf_counter()
        heavy = sign_in(lms, manifest["heavy_email"], manifest["password"])
        emails = [t.email for t in savers + takers]
        sessions = _sign_in_all(lms, emails, manifest["password"])
        dataset.log(f"signed in {len(emails) + 1} learners ({time.perf_counter() - started:.0f} s)")
        _check_certificates(lms, facts, manifest)
        floor_page = load.Page(
            "floor", floor, [load.Request("GET", f"/floor/{i}") for i in facts["learner_ids"]]
        )
        pages = _pages(lms, facts, heavy, savers, takers, sessions)
        load_average = [os.getloadavg()[0]]
        run = _measure_all(floor_page, pages, connections, seconds, client, workdir)
        load_average.append(os.getloadavg()[0])
        submit = next(r for r in run.results if r.page == "quiz submit")
        if submit.requests:
            submit.errors += _failed_submissions(app, takers)
    _check_ledger(app)
    _dispose(app)
    return Run(run.results, run.floor_runs, load_average)


def _measure_all(
    floor: load.Page,
    pages: list[load.Page],
    connections: int,
    seconds: float,
    client: str,
    workdir: Path,
) -> Run:
    """Each page between two short runs of the floor; its ratio divides by their mean. On a
    machine shared with other work the floor drifts by tens of percent within minutes, and a
    floor measured beside the page keeps the ratio honest."""
    floor_seconds = min(seconds, FLOOR_SECONDS)
    floor_runs = [_measure(floor, connections, floor_seconds, client, workdir)]
    results = []
    for page in pages:
        result = _measure(page, connections, seconds, client, workdir)
        floor_runs.append(_measure(floor, connections, floor_seconds, client, workdir, warm=False))
        beside = (floor_runs[-2].rps + floor_runs[-1].rps) / 2
        result.floor_rps = beside
        result.ratio = result.rps / beside if beside and result.requests else None
        results.append(result)
    # The floor's row: all its runs together (latencies: the median of its runs').
    total = load.Result(
        "floor",
        requests=sum(r.requests for r in floor_runs),
        seconds=sum(r.seconds for r in floor_runs),
        p50_ms=statistics.median(r.p50_ms for r in floor_runs),
        p95_ms=statistics.median(r.p95_ms for r in floor_runs),
        errors=sum(r.errors for r in floor_runs),
    )
    total.floor_rps, total.ratio = total.rps, 1.0
    return Run([total, *results], [r.rps for r in floor_runs], [])


def _measure(
    page: load.Page,
    connections: int,
    seconds: float,
    client: str,
    workdir: Path,
    *,
    warm: bool = True,
) -> load.Result:
    if warm:
        failure = _first_request_fails(page, workdir)
        if failure:
            return load.Result(page.name, 0, 0, 0, 0, errors=1, note=failure)
        if not page.once:  # the first requests compile templates and fill caches
            load.run_page(page, connections=connections, seconds=1, client=client)
    result = load.run_page(page, connections=connections, seconds=seconds, client=client)
    dataset.log(
        f"{page.name}: {result.rps:.1f} req/s, p95 {result.p95_ms:.0f} ms, {result.errors} errors"
    )
    return result


@dataclass(frozen=True)
class Run:
    #: The floor's row first (all its runs together), then each page's.
    results: list[load.Result]
    #: Requests per second of each run of the floor, in order.
    floor_runs: list[float]
    #: The one-minute load average before the first page and after the last.
    load_average: list[float]


def _facts(app: Flask) -> dict[str, Any]:
    with app.app_context():
        db = app.extensions["lms"].db.session
        return {
            "learner_ids": list(
                db.scalars(select(User.id).where(User.role == "learner").order_by(User.id))
            ),
            "public_ids": list(db.scalars(select(Certificate.public_id))),
            "slugs": [c.slug for c in dataset.load_courses(db)],
        }


def _pages(
    lms: str,
    facts: dict[str, Any],
    heavy: SignedIn,
    savers: list[dataset.Taker],
    takers: list[dataset.Taker],
    sessions: dict[str, SignedIn],
) -> list[load.Page]:
    """Every page of the issue's table (the floor is measured between them)."""
    get = load.Request

    def signed_in(path: str) -> load.Request:
        return get("GET", path, cookie=heavy.cookie)

    def quiz_posts(people: list[dataset.Taker], suffix: str, accept: str) -> list[load.Request]:
        posts = []
        for person in people:
            session = sessions[person.email]
            for attempt in person.attempts:
                fields = [("csrf_token", session.csrf_token)]
                fields += [(f"q-{q}", v) for q, values in attempt.answers.items() for v in values]
                path = f"/courses/{attempt.slug}/quiz/{attempt.attempt_id}{suffix}"
                posts.append(load.Request("POST", path, session.cookie, accept, urlencode(fields)))
        return posts

    submissions = quiz_posts(takers, "", "text/html")
    random.Random(7).shuffle(submissions)  # concurrent submissions from different people
    ids = facts["public_ids"]
    return [
        load.Page("/healthz", lms, [get("GET", "/healthz")]),
        load.Page("verify", lms, [get("GET", f"/verify/{p}") for p in ids]),
        load.Page(
            "/credentials/<id>",
            lms,
            [get("GET", f"/credentials/{p}", accept="application/json") for p in ids],
        ),
        load.Page("dashboard", lms, [signed_in("/dashboard")]),
        load.Page("catalogue", lms, [signed_in("/")]),
        load.Page("catalogue (anonymous)", lms, [get("GET", "/")]),
        load.Page("compliance", lms, [signed_in("/my/compliance")]),
        load.Page("transcript", lms, [signed_in("/my/transcript")]),
        load.Page("course page", lms, [signed_in(f"/courses/{s}") for s in facts["slugs"]]),
        load.Page(
            "course page (anonymous)", lms, [get("GET", f"/courses/{s}") for s in facts["slugs"]]
        ),
        load.Page("quiz autosave", lms, quiz_posts(savers, "/save", "application/json")),
        load.Page("quiz submit", lms, submissions, once=True),
    ]


def _first_request_fails(page: load.Page, workdir: Path) -> str | None:
    """Why the page fails outright, if it does: a fast error page is not a result, so such a
    page is reported as failed, not measured."""
    request = page.requests[-1] if page.once else page.requests[0]
    if page.once:
        page.requests.pop()  # it is used up here
    answer = fetch(
        page.server,
        request.path,
        method=request.method,
        cookie=request.cookie,
        body=request.body,
        accept=request.accept,
    )
    if not load.is_error(answer.status, answer.headers.get("Location") or ""):
        return None
    dataset.log(
        f"{page.name}: {request.method} {request.path} answered {answer.status}; "
        f"the server's log ends:\n{_tail(workdir / 'lms.log')}"
    )
    return f"{request.method} {request.path} answered {answer.status}"


def _check_certificates(lms: str, facts: dict[str, Any], manifest: dict[str, Any]) -> None:
    """A sample of the seeded certificates through the site: verdicts and signatures."""
    rng = random.Random()
    revoked = manifest["revoked"][:3]
    for public_id in rng.sample(facts["public_ids"], 5) + revoked:
        answer = fetch(lms, f"/verify/{public_id}", accept="application/json")
        verdict = json.loads(answer.body).get("verdict") if answer.status == 200 else answer.status
        expected = "revoked" if public_id in revoked else "valid"
        if verdict != expected:
            raise RuntimeError(f"/verify/{public_id} says {verdict!r}, not {expected!r}")
    public_key = private_key_from_pem(manifest["issuer_key_pem"]).public_key()
    for public_id in rng.sample(facts["public_ids"], 3):
        credential = json.loads(fetch(lms, f"/credentials/{public_id}").body)
        check = verify(credential, public_key)
        if not check.ok:
            raise RuntimeError(f"the credential of {public_id} does not verify: {check.reason}")
    dataset.log(f"checked {5 + len(revoked)} verification verdicts and 3 signatures")


def _check_seals(app: Flask) -> None:
    """Seeded credentials are sealed as the site seals its own (else /verify would take the
    slow path for every seeded certificate, unlike for certificates the site issued)."""
    with app.app_context():
        db = app.extensions["lms"].db.session
        sample = db.scalars(select(Certificate).order_by(func.random()).limit(20)).all()
        keys = seal_keys()
        unsealed = [c.public_id for c in sample if not seal_matches(c.credential, c.seal, keys)]
    if unsealed:
        raise RuntimeError(f"seeded credentials without a matching seal: {unsealed}")


def _failed_submissions(app: Flask, takers: list[dataset.Taker]) -> int:
    """Submissions that were answered 3xx but did not pass, or passed without a certificate."""
    ids = [a.attempt_id for t in takers for a in t.attempts]
    with app.app_context():
        db = app.extensions["lms"].db.session
        graded = db.execute(
            select(Attempt.passed, Attempt.context).where(
                Attempt.id.in_(ids), Attempt.state == "graded"
            )
        ).all()
        passed = [context for ok, context in graded if ok]
        keys = [f"course-{context}" for context in passed]  # "course-enrolment:<id>"
        certified = db.scalar(
            select(func.count()).select_from(Certificate).where(Certificate.award_key.in_(keys))
        )
    failed = (len(graded) - len(passed)) + (len(passed) - certified)
    dataset.log(
        f"quiz submit: {len(graded)} attempts graded, {len(passed)} passed, "
        f"{certified} certificates issued"
    )
    return failed


def _check_ledger(app: Flask) -> None:
    with app.app_context():
        report = verify_ledger(app.extensions["lms"].db.session)
    dataset.log(f"after the run, verify-ledger: {report.summary()}")
    if not report.ok:
        raise RuntimeError("the credit ledger's chain is broken")


# -- output ------------------------------------------------------------------------------------


def _as_json(result: load.Result) -> dict[str, Any]:
    return {
        "page": result.page,
        "requests": result.requests,
        "rps": round(result.rps, 1),
        "p50_ms": round(result.p50_ms, 1),
        "p95_ms": round(result.p95_ms, 1),
        "errors": result.errors,
        "floor_rps": None if result.floor_rps is None else round(result.floor_rps, 1),
        "ratio": None if result.ratio is None else round(result.ratio, 3),
        "target": TARGETS.get(result.page),
        "note": result.note,
    }


def _print_table(run: Run, summary: dict[str, Any]) -> None:
    results = run.results
    print(
        f"\n{summary['scale']} data set on {summary['database']}, {summary['workers']} workers, "
        f"{summary['connections']} connections, {summary['seconds']:g} s a page "
        f"({summary['client']})"
    )
    header = ("page", "req/s", "p50 ms", "p95 ms", "errors", "floor req/s", "ratio", "target")
    rows = [
        (
            r.page,
            f"{r.rps:,.1f}",
            f"{r.p50_ms:.1f}",
            f"{r.p95_ms:.1f}",
            str(r.errors),
            "" if r.floor_rps is None else f"{r.floor_rps:,.1f}",
            "" if r.ratio is None else f"{r.ratio:.3f}",
            f">= {TARGETS[r.page]}" if r.page in TARGETS else "",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        cells = [cell.rjust(width) for cell, width in zip(row, widths, strict=True)]
        cells[0] = row[0].ljust(widths[0])
        print("  ".join(cells))
    for result in results:
        if result.note:
            print(f"{result.page}: not measured: {result.note}")
    low, high = min(run.floor_runs), max(run.floor_runs)
    print(
        "Each ratio divides by the floor measured just before and after its page "
        f"({min(summary['seconds'], FLOOR_SECONDS):g} s each; over the run from {low:,.0f} to "
        f"{high:,.0f} req/s). Load "
        f"average before the first page and after the last: {run.load_average[0]:.1f}, "
        f"{run.load_average[1]:.1f}."
    )


if __name__ == "__main__":
    sys.exit(main())
