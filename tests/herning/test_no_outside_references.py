"""No code or document points at a file outside the repository.

A newcomer has only the repository: a comment that cites "001 compendium", "domain.md §4" or
"../shared/…" sends them to papers they do not have. A rule's source is named itself
(Herningmodellen 1.0, KORA 2017, Serviceloven § 70, Barnets Lov § 95) or points at the
repository's own documents (docs/domain.md, docs/architecture.md).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {".py", ".md", ".html", ".txt", ".po", ".toml", ".yml", ".yaml", ".cfg", ".js", ".css"}
# Query plans kept by the benchmark are PostgreSQL's output, not prose.
SKIPPED = ("benchmarks/plans/",)

OUTSIDE = re.compile(
    r"""
      (?<![\d][.,])(?<![\w])00[0-4](?![\w.,]\d)(?!\w)  # a seed document's number: "001", "(000: 75/25)"
    | \bseeds?/ | \bshared/ | \breference/               # folders outside the repository
    | (?<![\w/])(?<!\]\()domain\.md                       # the outside brief (docs/domain.md, or a link
                                                         # to it from docs/, is ours)
    | (?<!\]\()\.\./                                       # above the repository (a link from docs/
                                                         # to the repository's root is fine)
    | \bcompendium\b | \bseed\ documents?\b
    | law_dubu | primero\.md | django_style\.md | style\.md
    """,
    re.VERBOSE | re.IGNORECASE,
)


def outside_references(text: str) -> list[str]:
    """The lines of ``text`` that cite something outside the repository, numbered from 1."""
    return [f"{n}: {line.strip()}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]


def tracked_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [
        ROOT / name
        for name in names.stdout.splitlines()
        if Path(name).suffix in SUFFIXES and not name.startswith(SKIPPED) and (ROOT / name).is_file()
    ]


def test_no_file_refers_to_anything_outside_the_repository():
    found = []
    for path in tracked_files():
        if path == Path(__file__):
            continue
        found += [f"{path.relative_to(ROOT)}:{hit}" for hit in outside_references(path.read_text())]
    assert not found, "name the source itself, or point at docs/…:\n  " + "\n  ".join(found)


def test_the_pattern_finds_outside_references_and_leaves_numbers_alone():
    for cited in (
        "(001 compendium, p. 32)",
        "KORA 001 Fig. 4.1",
        "targets (000: 75/25)",
        "(seed 003)",
        "see domain.md §4",
        "`../shared/style.md`",
        "[style](../../shared/style.md)",
        "reference/law_dubu.md §2",
        "the compendium's template",
    ):
        assert outside_references(cited), cited
    for fine in (
        "docs/domain.md §4",
        "[`docs/domain.md`](domain.md) §8",
        "[`CONTRIBUTING.md`](../CONTRIBUTING.md)",
        "1,000 follow-ups",
        "1.000 kr.",
        "100_000 measures",
        "RUF001",
        "herning.E001",
        "0002_default_targets",
        "cost=0.004..0.005",
        "Herningmodellen 1.0 (KORA 2017)",
    ):
        assert not outside_references(fine), fine
