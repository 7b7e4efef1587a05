"""The deadlines the network meetings app owns: the agreements of a meeting that a member of staff
owns, with a date. Registered from ``NetworkMeetingsConfig.ready()`` (see ``cases.obligations``).
"""

from __future__ import annotations

from django.utils import timezone

from cases import obligations
from cases.obligations import DeadlineValues as Values
from cases.obligations import Source, same
from herning.core import dates
from network_meetings.selectors import open_staff_agreements

# The deadline kind (``followups.models.DeadlineKind``).
AGREEMENT = "agreement"

_MEETING_KIND_DA = {"network": "netværksmødet", "involving": "det inddragende netværksmøde"}


class AgreementSource(Source):
    """The agreements of network meetings that a member of staff owns, with a date (Herningmodellen 1.0,
    "Netværksmøder og inddragende netværksmøder": "Aftaler og løsninger")."""

    kinds = (AGREEMENT,)
    triggers = {"agreement": same}
    rule = "Herningmodellen 1.0: netværksmøder, aftaler"

    def open_ids(self, today):
        return open_staff_agreements().order_by().values_list("pk", flat=True)

    def compute(self, ids, today, context):
        # An agreement that is done, cancelled or deleted has nothing open.
        results = {(AGREEMENT, pk): None for pk in ids}
        for a in open_staff_agreements().filter(pk__in=ids).select_related("meeting__team"):
            meeting = a.meeting
            held_on = timezone.localdate(meeting.starts_at)
            # The agreement's own words stay out: they may name the child, and the explanation goes
            # into reminder e-mails, which never do.
            results[(AGREEMENT, a.pk)] = Values(
                municipality_id=meeting.municipality_id,
                case_id=meeting.case_id,
                team_id=meeting.team_id,
                district_id=meeting.team.district_id,
                responsible_id=a.owner_user_id,
                due_on=a.due_on,
                due_at=dates.end_of(a.due_on),
                statutory=False,
                rule=self.rule,
                explanation=(
                    f"Aftale fra {_MEETING_KIND_DA.get(meeting.kind, 'netværksmødet')} "
                    f"{dates.format_date(held_on, 'da')} (møde nr. {meeting.pk}), "
                    f"senest {dates.format_date(a.due_on, 'da')}."
                ),
                explanation_en=(
                    f"Agreement from the network meeting of {dates.format_date(held_on, 'en')} "
                    f"(meeting no. {meeting.pk}), by {dates.format_date(a.due_on, 'en')}."
                ),
            )
        return results


def register() -> None:
    obligations.register_source("agreement", AgreementSource())
