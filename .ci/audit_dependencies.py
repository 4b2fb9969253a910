"""pip-audit over the installed dependencies: fail on a known vulnerability; when the advisory
source cannot be reached or does not know a package, say so and go on (the issue's rule)."""

from __future__ import annotations

import json
import subprocess
import sys

#: What pip-audit's errors say when the advisory source is out of reach.
NETWORK_ERRORS = (
    "ConnectionError",
    "NewConnectionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Name or service not known",
    "timed out",
    "Network is unreachable",
)


def main() -> int:
    run = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--skip-editable",
            "-f",
            "json",
            "--progress-spinner",
            "off",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        output = (run.stderr or run.stdout).strip()
        if any(sign in output for sign in NETWORK_ERRORS):
            print("pip-audit: the advisory source could not be reached; dependencies NOT audited.")
            print(output[-2000:])
            return 0
        print("pip-audit did not run (not a network problem):")
        print(output[-2000:])
        return 1
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"VULNERABLE: {dependency['name']} {dependency['version']}: {ids}")
    print(
        f"pip-audit: {audited} of {len(dependencies)} installed packages audited, "
        f"{len(vulnerable)} with a known vulnerability."
    )
    if skipped:
        print(
            f"pip-audit: {len(skipped)} packages could not be audited (the advisory source "
            f"did not answer for them), e.g. {skipped[0]['name']}: {skipped[0]['skip_reason']}"
        )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
