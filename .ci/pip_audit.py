"""Known vulnerabilities in the installed Python dependencies (pip-audit, PyPI's advisory data).

Fails (exit 1) when a dependency has a known vulnerability. When the advisory service cannot be
reached, or some packages cannot be looked up, it says so in plain words and does not fail: CI
must not stop on someone else's network, but nobody should believe an audit ran that did not.
A known vulnerability is accepted only by an entry in `.ci/audit-exceptions.toml` that names the
advisory id, the reason and the last day it holds (`until`); an expired entry no longer counts.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import tomllib
from pathlib import Path

BANNER = "=" * 78
EXCEPTIONS = Path(__file__).with_name("audit-exceptions.toml")


def accepted(today: datetime.date) -> list[str]:
    """The advisory ids accepted today: each entry needs an id, a reason and an ``until`` date."""
    if not EXCEPTIONS.exists():
        return []
    entries = tomllib.loads(EXCEPTIONS.read_text(encoding="utf-8")).get("exception", [])
    ids = []
    for entry in entries:
        if not entry.get("reason") or not isinstance(entry.get("until"), datetime.date):
            raise SystemExit(f"{EXCEPTIONS.name}: {entry.get('id')!r} needs a reason and an until date.")
        if entry["until"] >= today:
            ids.append(entry["id"])
        else:
            print(f"pip-audit: the exception for {entry['id']} expired on {entry['until']}; it counts again.")
    return ids


def main() -> int:
    ignore = accepted(datetime.date.today())
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--skip-editable",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        *(arg for vuln in ignore for arg in ("--ignore-vuln", vuln)),
    ]
    stderr = ""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603
        stderr = result.stderr
        report = json.loads(result.stdout)
    except (subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        stderr = stderr or str(exc)
        print(
            f"{BANNER}\npip-audit: NOT AUDITED. The vulnerability service could not be reached.\n{stderr.strip()[-2000:]}\n{BANNER}"
        )
        return 0
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    print(
        f"pip-audit: {audited} of {len(dependencies)} installed packages audited, {len(vulnerable)} vulnerable."
    )
    if dependencies and not audited:
        print(f"{BANNER}\npip-audit: NOT AUDITED. Not one package could be looked up.\n{BANNER}")
    if skipped:
        names = ", ".join(f"{d['name']} {d.get('version', '')}".strip() for d in skipped)
        print(
            f"{BANNER}\npip-audit: {len(skipped)} packages could NOT be audited (the advisory service does not "
            f"know these versions or could not be reached):\n{names}\n{BANNER}"
        )
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
