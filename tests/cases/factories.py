"""Helpers for the cases tests: a case with a measure, a notification, a plan."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from cases import deadlines, obligations
from cases.models import Notification
from tests.factories import CaseFactory, ChildFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    """A received, unassessed notification on ``case`` (its child, district and municipality follow)."""

    class Meta:
        model = Notification

    case = factory.SubFactory(CaseFactory)
    child = factory.SelfAttribute("case.child")
    municipality = factory.SelfAttribute("case.municipality")
    district = factory.SelfAttribute("case.district")
    received_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=2))
    notifier_kind = Notification.NotifierKind.PROFESSIONAL
    notifier_name = "Lærer Hansen"
    notifier_organisation = "Sunds Skole"
    concern = "Barnet kommer sultent i skole og virker bange for at gå hjem."
    registered_by = factory.SubFactory("tests.factories.UserFactory")
    assessment_due_at = factory.LazyAttribute(lambda n: deadlines.assessment_due(n.received_at))
    receipt_due_on = factory.LazyAttribute(lambda n: deadlines.receipt_due(n.received_at))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Written as notification_register writes it: the deadlines follow (cases.obligations).
        notification = super()._create(model_class, *args, **kwargs)
        obligations.changed("notification", [notification.pk])
        return notification


__all__ = ["CaseFactory", "ChildFactory", "NotificationFactory"]
