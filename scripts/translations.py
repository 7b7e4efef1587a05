#!/usr/bin/env python
"""Maintain the English catalogue (Danish is the source language).

scripts/translations.py update         # makemessages for en, keeping existing translations
scripts/translations.py todo FILE      # write untranslated msgids to FILE (JSON: {msgid: ""})
scripts/translations.py apply FILE     # fill translations from FILE (JSON: {msgid: "English"})
scripts/translations.py check          # exit 1 if anything is untranslated or fuzzy
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
IGNORE = [".venv", "node_modules", "var", "tests", "benchmarks", "scripts", "docs"]


def update() -> None:
    (ROOT / "locale").mkdir(exist_ok=True)
    args = [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location", "--no-obsolete"]
    for pattern in IGNORE:
        args += ["--ignore", pattern]
    subprocess.run(args, cwd=ROOT, check=True)


def _key(entry: polib.POEntry) -> str:
    return (
        json.dumps([entry.msgctxt, entry.msgid, entry.msgid_plural])
        if (entry.msgctxt or entry.msgid_plural)
        else entry.msgid
    )


def todo(path: str) -> None:
    po = polib.pofile(str(PO))
    missing = {_key(e): "" for e in po if not e.translated() or "fuzzy" in e.flags}
    Path(path).write_text(json.dumps(missing, ensure_ascii=False, indent=1))
    print(f"{len(missing)} untranslated of {len(po)}")


def apply(path: str) -> None:
    po = polib.pofile(str(PO))
    done = json.loads(Path(path).read_text())
    count = 0
    for entry in po:
        value = done.get(_key(entry))
        if not value:
            continue
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value, value]
            entry.msgstr_plural = {0: forms[0], 1: forms[1]}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        count += 1
    po.save(str(PO))
    print(f"applied {count}")


def check() -> int:
    po = polib.pofile(str(PO))
    bad = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    for msgid in bad[:50]:
        print(f"untranslated: {msgid!r}")
    return 1 if bad else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "todo":
        todo(sys.argv[2])
    elif command == "apply":
        apply(sys.argv[2])
    else:
        sys.exit(check())
