"""Bounded load at one page: wrk when installed, else a Python client (threads, keep-alive)."""

from __future__ import annotations

import http.client
import json
import random
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

LUA_SCRIPT = Path(__file__).with_name("bench.lua")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    cookie: str = ""
    accept: str = "text/html"
    #: Form-encoded; empty for none.
    body: str = ""


@dataclass(frozen=True)
class Page:
    """One row of the table: the requests that load it, and how they are picked."""

    name: str
    #: http://127.0.0.1:PORT of the server that answers it.
    server: str
    requests: list[Request]
    #: True: each request is sent once, in order, and the run ends when they run out (quiz
    #: submissions); False: a request is picked at random each time.
    once: bool = False


@dataclass
class Result:
    page: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int
    #: The floor's requests per second beside this page, and this page's share of it.
    floor_rps: float | None = None
    ratio: float | None = None
    #: Why the page was not measured (it failed outright), if it was not.
    note: str | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_page(page: Page, *, connections: int, seconds: float, client: str) -> Result:
    if client == "wrk":
        return _run_wrk(page, connections, seconds)
    return _run_python(page, connections, seconds)


# -- wrk ---------------------------------------------------------------------------------------


def _run_wrk(page: Page, connections: int, seconds: float) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
        for r in page.requests:
            handle.write(f"{r.method}\t{r.path}\t{r.cookie}\t{r.accept}\t{r.body}\n")
        requests_file = handle.name
    try:
        completed = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                # Long enough that a slow page is measured, not dropped as a timeout.
                "--timeout",
                "60s",
                "-s",
                str(LUA_SCRIPT),
                page.server,
                "--",
                requests_file,
                "once" if page.once else "random",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        Path(requests_file).unlink()
    line = next((x for x in completed.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed on {page.name}:\n{completed.stdout}\n{completed.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    socket_errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    return Result(
        page=page.name,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        errors=data["bad"] + socket_errors,
    )


# -- the Python client -------------------------------------------------------------------------


def is_error(status: int, location: str) -> bool:
    """A status of 400 or more, or a redirect to the sign-in page (the same rule as wrk's)."""
    return status >= 400 or (300 <= status < 400 and "/login" in location)


def _run_python(page: Page, connections: int, seconds: float) -> Result:
    parts = urlsplit(page.server)
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    pending = iter(page.requests)
    latencies: list[float] = []
    errors = [0]

    def next_request() -> Request | None:
        if not page.once:
            return random.choice(page.requests)
        with lock:
            return next(pending, None)

    def worker() -> None:
        mine: list[float] = []
        failed = 0
        connection: http.client.HTTPConnection | None = None
        while time.monotonic() < deadline:
            request = next_request()
            if request is None:
                break
            headers = {"Accept": request.accept}
            if request.cookie:
                headers["Cookie"] = request.cookie
            if request.body:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                connection.request(
                    request.method, request.path, body=request.body or None, headers=headers
                )
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                if connection is not None:
                    connection.close()
                connection = None
                continue
            mine.append(time.perf_counter() - started)
            failed += is_error(response.status, response.getheader("Location") or "")
            if response.will_close:  # gunicorn's sync workers close after each response
                connection.close()
                connection = None
        if connection is not None:
            connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return Result(
        page=page.name,
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=_percentile(latencies, 50) * 1000,
        p95_ms=_percentile(latencies, 95) * 1000,
        errors=errors[0],
    )


def _percentile(ordered: list[float], percent: float) -> float:
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(percent / 100 * len(ordered)) - 1))
    return ordered[rank]
