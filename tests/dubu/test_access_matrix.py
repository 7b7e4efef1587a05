"""The DUBU exchange page is for team leaders (docs/dubu-exchange.md): the import (an upload
without a file is refused by the form) and the export."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.access import AccessMatrix, outcome_for_all

TEAM_LEADERS = {"team_leader": 200, "other_team_leader": 200}


class TestImportWithoutAFile(AccessMatrix):
    url = "/dubu/"
    method = "post"
    expected = outcome_for_all(403, **TEAM_LEADERS)


class TestExport(AccessMatrix):
    url = lambda objects: f"/dubu/udtraek/?profile={objects.profile.pk}&file_format=csv"  # noqa: E731
    expected = outcome_for_all(403, **TEAM_LEADERS)

    @pytest.fixture
    def objects(self, db):
        from dubu.models import MappingProfile

        return SimpleNamespace(profile=MappingProfile.default())


class TestImportRun(AccessMatrix):
    """One import's page (a background import's progress, then its report): the leaders of the
    teams its importer led (issue 18, point 7)."""

    url = lambda objects: f"/dubu/import/{objects.run.pk}/"  # noqa: E731
    expected = outcome_for_all(403, team_leader=200, other_team_leader=404)

    @pytest.fixture
    def objects(self, org):
        from dubu.importer import import_file
        from dubu.models import ImportRun
        from tests.dubu.conftest import csv_bytes, row

        import_file(content=csv_bytes([row()]), file_name="dubu.csv", user=org.team_leader, dry_run=True)
        return SimpleNamespace(run=ImportRun.objects.get())
