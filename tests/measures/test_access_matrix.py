"""Who may start, end and change a case's measures (docs/access.md §2; the world is
``tests.matrix``): the case's writers; who may read it get 403; everyone else 404."""

from __future__ import annotations

from tests.matrix import OnTheCase, writes


class TestMeasureStartPage(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/indsatser/ny/"  # noqa: E731
    expected = writes()


class TestMeasureStart(TestMeasureStartPage):
    method = "post"


class TestMeasureEndPage(OnTheCase):
    needs = ("measure",)
    url = lambda objects: f"/indsatser/{objects.measure.pk}/afslut/"  # noqa: E731
    expected = writes()


class TestMeasureEnd(TestMeasureEndPage):
    method = "post"


class TestMeasureChangePage(OnTheCase):
    needs = ("measure",)
    url = lambda objects: f"/indsatser/{objects.measure.pk}/skift/"  # noqa: E731
    expected = writes()


class TestMeasureChange(TestMeasureChangePage):
    method = "post"
