"""Reaching another municipality's record by id: 404 for everyone (docs/access.md §1).

Every access matrix on the shared case (``tests.matrix.OnTheCase``) is asked again with its
records built in a neighbouring municipality, with the same shape and people of its own. Who
reads or writes the record at home must get 404 there; who is refused at home for their role
(403) may be refused the same way, as that says nothing about the record.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from tests.access import ANONYMOUS, request_as
from tests.fixtures import make_org
from tests.herning.test_every_url_covered import _import_test_modules, _matrix_classes
from tests.matrix import OnTheCase, build


def _object_matrices() -> list[type]:
    _import_test_modules()
    found = [cls for cls in _matrix_classes(OnTheCase) if callable(cls.url) and cls.expected]
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


@pytest.mark.parametrize("matrix", _object_matrices(), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_a_record_of_another_municipality_is_404_by_id(matrix, org):
    elsewhere = build(make_org(name="Ikast-Brande Kommune", code="756", prefix="ib_"), *matrix.needs)
    url = matrix._resolve("url", elsewhere)
    data = matrix._resolve("data", elsewhere)
    wrong = []
    for persona, at_home in sorted(matrix.expected.items()):
        if persona == ANONYMOUS or at_home == 404:
            continue
        allowed = {403, 404} if at_home == 403 else {404}
        with transaction.atomic():
            status = request_as(Client(), org, persona, url, method=matrix.method, data=data).status_code
            transaction.set_rollback(True)
        if status not in allowed:
            wrong.append(f"{persona} got {status} (at home {at_home})")
    assert not wrong, f"{matrix.method.upper()} {url} of another municipality:\n  " + "\n  ".join(wrong)
