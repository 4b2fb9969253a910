"""Offline verifier for Open Badges 3.0 credentials issued by this LMS (or any OB 3.0 issuer
using ``eddsa-rdfc-2022`` and a published profile of Multikeys)::

    python -m certificates.verify CREDENTIAL.json --issuer-profile ISSUER.json \\
        --status-list STATUS.json

Nothing is fetched: it trusts only the keys listed in the issuer profile file it is given.
Each step prints as ``PASS|FAIL|SKIP  <step>: <detail>``, then the verdict and, when the
signature holds, what the credential certifies as signed (holder, achievement, issuer).
Only credentials in this issuer's exact form are accepted: the pinned contexts and nothing
else, every field under its own name (:mod:`certificates.reading`).

Exit status: 0 when every step passes; 1 when any step fails or was skipped (without
``--issuer-profile`` the signature cannot be checked, without ``--status-list`` nor the
revocation); 2 when a file cannot be read or is not JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from certificates.checking import check_credential


class _InputError(Exception):
    pass


def _load(path: str, what: str) -> Any:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise _InputError(f"cannot read the {what} file {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _InputError(f"the {what} file {path} is not UTF-8 text: {exc.reason}") from None

    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not allowed in JSON")

    def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        # Parsers disagree on which of two equal keys wins: the file must not say two things.
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise ValueError(f"the key {key!r} appears twice in one object")
            seen[key] = value
        return seen

    try:
        return json.loads(text, parse_constant=refuse_constant, object_pairs_hook=refuse_duplicates)
    except (ValueError, RecursionError) as exc:
        raise _InputError(f"the {what} file {path} is not valid JSON: {exc}") from None


def _parse_now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        moment.astimezone(UTC)  # OverflowError at the ends of the calendar
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date-time such as 2026-03-02T09:00:00Z"
        ) from None
    return moment


_UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _printable(text: str) -> str:
    """Text from a file, safe on a terminal: control, bidi-override and lone surrogate
    characters are shown as escapes, never sent raw (nor crash the print)."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m certificates.verify",
        description="Verify an Open Badges 3.0 credential offline, step by step.",
    )
    parser.add_argument("credential", help="the credential (JSON-LD) to verify")
    parser.add_argument(
        "--issuer-profile",
        metavar="FILE",
        help="the issuer's profile (JSON-LD) listing its keys; only these keys are trusted",
    )
    parser.add_argument(
        "--status-list",
        metavar="FILE",
        help="the issuer's revocation list (a BitstringStatusListCredential)",
    )
    parser.add_argument(
        "--now",
        type=_parse_now,
        metavar="DATETIME",
        help="check as of this time (ISO 8601; default: the current time)",
    )
    args = parser.parse_args(argv)
    try:
        credential = _load(args.credential, "credential")
        profile = _load(args.issuer_profile, "issuer profile") if args.issuer_profile else None
        status_list = _load(args.status_list, "status list") if args.status_list else None
    except _InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    now = args.now or datetime.now(UTC)
    report = check_credential(credential, issuer_profile=profile, status_list=status_list, now=now)
    for step in report.steps:
        print(f"{step.label}  {step.name}: {_printable(step.detail)}")
    caveat = " (as far as checked: see below)" if report.ok and not report.complete else ""
    print(f"verdict: {report.verdict}{caveat}")
    if report.reading is not None and report.step("signature").ok:
        # What it certifies, read from the signed meaning (never from a key that may alias).
        signed = report.reading
        print(_printable(f"holder: {signed.holder_name or '(not named)'}"))
        print(_printable(f"achievement: {signed.achievement_name} ({signed.achievement_id})"))
        print(_printable(f"issuer: {signed.issuer}"))
    missing = []
    if args.issuer_profile is None:
        missing.append("--issuer-profile FILE (without it no key is trusted)")
    if args.status_list is None:
        missing.append("--status-list FILE (without it revocation is not checked)")
    if report.complete:
        return 0
    failed = [step.name for step in report.steps if step.ok is False]
    if failed:
        print(f"not verified: failed {', '.join(failed)}")
    if missing:
        print("not fully verified: missing " + "; ".join(missing))
    return 1


if __name__ == "__main__":
    sys.exit(main())
