"""docs/deadlines.md explains every deadline the product computes (issue 17, point 12): each kind of
deadline and each registered source is named there, so a new one cannot ship undocumented."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases import obligations
from followups.models import DeadlineKind

DOC = (Path(__file__).resolve().parents[2] / "docs" / "deadlines.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", [k.value for k in DeadlineKind])
def test_every_deadline_kind_is_explained(kind):
    assert f"`{kind}`" in DOC, f"docs/deadlines.md does not explain the deadline kind `{kind}`"


def test_every_registered_source_is_in_the_table_of_sources():
    names = obligations.sources()
    assert names, "no deadline source is registered"
    for name in names:
        assert f"| `{name}` |" in DOC, f"docs/deadlines.md lists no source `{name}`"
