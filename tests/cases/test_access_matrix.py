"""Who gets what from every page of the child and the case, reading (GET) and writing (POST), for
every persona (docs/access.md §2; the world is ``tests.matrix``).

A POST with an empty form is refused by the form (200 with the errors) for those who may write,
so the matrix tests the access without changing anything; those who may read but not write get
403 and the rest 404 before the form is looked at.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cases import services
from tests.access import AccessMatrix, outcome_for_all
from tests.factories import CaseFactory
from tests.matrix import OnTheCase, reads, writes

CASE_ROLES = ("advisor", "colleague", "outsider", "duty_advisor", "team_leader", "other_team_leader")


def role_page(*allowed: str, status: int = 200) -> dict[str, int]:
    return outcome_for_all(403, **dict.fromkeys(allowed, status))


# --- Lists and finding a child -------------------------------------------------------------------


class TestCaseList(AccessMatrix):
    url = "/sager/"
    expected = role_page(*CASE_ROLES)


class TestCaseListFilterPosted(AccessMatrix):
    """The filter is posted (never put in the address) and kept in the session; a plain post is
    sent back to the list."""

    url = "/sager/"
    method = "post"
    data = {"q": "Ida", "state": "all"}
    expected = role_page(*CASE_ROLES, status=302)


class TestFindChildPage(AccessMatrix):
    url = "/find-barn/"
    expected = role_page(*CASE_ROLES)


class TestFindChildByCpr(OnTheCase):
    """Those who may read the child are sent to the child's page; those with the role who may not
    are told nothing was found (200), exactly as for a number nobody has."""

    url = "/find-barn/"
    method = "post"
    data = staticmethod(lambda objects: {"cpr": objects.child.cpr})
    expected = role_page(*CASE_ROLES) | dict.fromkeys(
        ("advisor", "colleague", "duty_advisor", "team_leader"), 302
    )


class TestDistribution(AccessMatrix):
    url = "/fordeling/"
    expected = role_page("team_leader", "other_team_leader")


class TestIntakeRegistration(AccessMatrix):
    url = "/underretninger/"
    method = "post"
    expected = role_page("case_admin")


class TestAccessRequests(AccessMatrix):
    url = "/adgangsanmodninger/"
    expected = role_page("team_leader", "other_team_leader")


class TestAccessRequestGrant(OnTheCase):
    """Read by whoever reads the child; decided only by the leader of the child's team (team B's
    advisor asked, and is added to the case)."""

    needs = ("access_request",)
    url = lambda objects: f"/adgangsanmodninger/{objects.access_request.pk}/imoedekom/"  # noqa: E731
    method = "post"
    expected = reads(team_leader=302) | dict.fromkeys(
        ("advisor", "colleague", "duty_advisor", "psychologist"), 403
    )


class TestAccessRequestRefuse(TestAccessRequestGrant):
    url = lambda objects: f"/adgangsanmodninger/{objects.access_request.pk}/afvis/"  # noqa: E731


# --- The child ----------------------------------------------------------------------------------


class TestChildPage(OnTheCase):
    url = lambda objects: f"/boern/{objects.child.pk}/"  # noqa: E731
    expected = reads()


class TestChildCreatePage(AccessMatrix):
    url = "/boern/nyt/"
    expected = role_page(*CASE_ROLES)


class TestChildCreate(AccessMatrix):
    url = "/boern/nyt/"
    method = "post"
    expected = role_page(*CASE_ROLES)


class TestChildUpdatePage(OnTheCase):
    url = lambda objects: f"/boern/{objects.child.pk}/ret/"  # noqa: E731
    expected = writes()


class TestChildUpdate(TestChildUpdatePage):
    method = "post"


class TestRelationAddPage(OnTheCase):
    url = lambda objects: f"/boern/{objects.child.pk}/relationer/ny/"  # noqa: E731
    expected = writes()


class TestRelationAdd(TestRelationAddPage):
    method = "post"


class TestRelationUpdatePage(OnTheCase):
    needs = ("relation",)
    url = lambda objects: f"/relationer/{objects.relation.pk}/ret/"  # noqa: E731
    expected = writes()


class TestRelationUpdate(TestRelationUpdatePage):
    method = "post"


class TestCaseOpenPage(OnTheCase):
    """A new case for a child whose case is closed: those who may read the child and register
    children; the psychologist added to the old case reads it but registers no cases."""

    needs = ("closed",)
    url = lambda objects: f"/boern/{objects.child.pk}/ny-sag/"  # noqa: E731
    expected = reads(psychologist=403)


class TestCaseOpen(TestCaseOpenPage):
    method = "post"


# --- The case -----------------------------------------------------------------------------------


class TestCasePage(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/"  # noqa: E731
    expected = reads()


class TestCaseHistory(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/historik/"  # noqa: E731
    expected = reads()


# The child page's sections read when opened (HTMX), each its own view under the page's rule; asked
# without HTMX they answer with a page of their own (the link for a browser without JavaScript).


class TestHistorySection(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/historik/seneste/"  # noqa: E731
    expected = reads()


class TestPanelSection(OnTheCase):
    """A folded section of the case's page (here the plan's), read when it is opened."""

    url = lambda objects: f"/sager/{objects.case.pk}/afsnit/plan/"  # noqa: E731
    expected = reads()


class TestJournalPage(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/journal/side/?side=2"  # noqa: E731
    expected = reads()


class TestTimelineSection(OnTheCase):
    url = lambda objects: f"/boern/{objects.child.pk}/tidslinje/"  # noqa: E731
    expected = reads()


class TestCaseAssignPage(OnTheCase):
    """Only the team leader of the case's team gives it an advisor; the advisor reads it."""

    url = lambda objects: f"/sager/{objects.case.pk}/fordel/"  # noqa: E731
    expected = writes(advisor=403)


class TestCaseAssign(TestCaseAssignPage):
    method = "post"


class TestCaseTransfer(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/flyt/"  # noqa: E731
    method = "post"
    expected = writes()


class TestHandoverRecord(AccessMatrix):
    """As ``TestHandoverPage`` (tests/dashboards/test_transfer.py), for the form's POST."""

    url = lambda objects: f"/flytninger/{objects.transfer.pk}/overlevering/"  # noqa: E731
    method = "post"
    expected = outcome_for_all(404, advisor=200, other_team_leader=200, outsider=403)

    @pytest.fixture
    def objects(self, org):
        case = CaseFactory(team=org.team_a, advisor=org.advisor)
        moved = services.case_transfer(case=case, to_team=org.team_b, transferred_by=org.advisor)
        services.case_assign(case=case, advisor=org.outsider, assigned_by=org.other_team_leader)
        return SimpleNamespace(transfer=moved)


class TestCaseStatePage(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/status/"  # noqa: E731
    expected = writes()


class TestCaseState(TestCaseStatePage):
    method = "post"


class TestClosedCaseTakesNoChange(TestCaseStatePage):
    """Closing makes the case read-only for everybody: its advisor and team leader get 403 too."""

    needs = ("closed",)
    method = "post"
    expected = writes(403)


class TestCaseClosePage(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/luk/"  # noqa: E731
    expected = writes()


class TestCaseClose(TestCaseClosePage):
    method = "post"


class TestParticipantAddPage(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/fagpersoner/"  # noqa: E731
    expected = writes()


class TestParticipantAdd(TestParticipantAddPage):
    method = "post"


class TestParticipantRemove(OnTheCase):
    """The health visitor added to the case reads it, and may not take anyone off it."""

    needs = ("participant",)
    url = lambda objects: f"/sager/{objects.case.pk}/fagpersoner/{objects.participant.pk}/fjern/"  # noqa: E731
    method = "post"
    expected = writes(302, health_visitor=403)


class TestInvestigationOpenPage(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/undersoegelse/"  # noqa: E731
    expected = writes()


class TestInvestigationOpen(TestInvestigationOpenPage):
    method = "post"


class TestInvestigationCompletePage(OnTheCase):
    needs = ("investigation",)
    url = lambda objects: f"/undersoegelser/{objects.investigation.pk}/afslut/"  # noqa: E731
    expected = writes()


class TestInvestigationComplete(TestInvestigationCompletePage):
    method = "post"


class TestInvestigationAwareOnPage(OnTheCase):
    needs = ("investigation",)
    url = lambda objects: f"/undersoegelser/{objects.investigation.pk}/opmaerksom/"  # noqa: E731
    expected = writes()


class TestInvestigationAwareOn(TestInvestigationAwareOnPage):
    method = "post"


class TestInvestigationInterimPage(OnTheCase):
    needs = ("investigation",)
    url = lambda objects: f"/undersoegelser/{objects.investigation.pk}/foreloebig-vurdering/"  # noqa: E731
    expected = writes()


class TestInvestigationInterim(TestInvestigationInterimPage):
    method = "post"


class TestPlanCreatePage(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/plan/"  # noqa: E731
    expected = writes()


class TestPlanCreate(TestPlanCreatePage):
    method = "post"


class TestPlanRevisePage(OnTheCase):
    needs = ("plan",)
    url = lambda objects: f"/planer/{objects.plan.pk}/revider/"  # noqa: E731
    expected = writes()


class TestPlanRevise(TestPlanRevisePage):
    method = "post"


class TestPlanPrintPage(OnTheCase):
    """The plan printed (page and PDF) is read as the plan on the child's page: by whoever reads
    the case (``TestCasePage``)."""

    needs = ("plan",)
    url = lambda objects: f"/planer/{objects.plan.pk}/udskrift/"  # noqa: E731
    expected = reads()


class TestPlanPdf(TestPlanPrintPage):
    url = lambda objects: f"/planer/{objects.plan.pk}/plan.pdf"  # noqa: E731


class TestGoalStatusPage(OnTheCase):
    needs = ("plan",)
    url = lambda objects: f"/maal/{objects.goal.pk}/status/"  # noqa: E731
    expected = writes()


class TestGoalStatus(TestGoalStatusPage):
    method = "post"


class TestJournalAddPage(OnTheCase):
    url = lambda objects: f"/sager/{objects.case.pk}/journal/"  # noqa: E731
    expected = writes()


class TestJournalAdd(TestJournalAddPage):
    method = "post"


class TestJournalCorrectPage(OnTheCase):
    needs = ("journal",)
    url = lambda objects: f"/journal/{objects.note.pk}/ret/"  # noqa: E731
    expected = writes()


class TestJournalCorrect(TestJournalCorrectPage):
    method = "post"


# --- Notifications ------------------------------------------------------------------------------


class TestNotificationAssessPage(OnTheCase):
    """The duty advisor of the district and the team leader make the 24-hour assessment; the case
    administrator who registered it and the case's readers read it, and may not assess it."""

    needs = ("notification",)
    url = lambda objects: f"/underretninger/{objects.notification.pk}/vurder/"  # noqa: E731
    expected = reads(advisor=403, colleague=403, psychologist=403, case_admin=403)


class TestNotificationAssess(TestNotificationAssessPage):
    method = "post"


class TestNotificationReceiptPage(OnTheCase):
    """Whoever handles the notification records the professional's receipt: its registrant, the
    duty advisor, the case's advisor and team leader. A sharing colleague and a professional added
    to the case read it and may not."""

    needs = ("notification",)
    url = lambda objects: f"/underretninger/{objects.notification.pk}/kvittering/"  # noqa: E731
    expected = reads(colleague=403, psychologist=403, case_admin=200)


class TestNotificationReceipt(TestNotificationReceiptPage):
    method = "post"


class TestNotificationScreeningPage(OnTheCase):
    """The screening of Barnets Lov § 18 is the case's work: its advisor and team leader record it.
    The registrant, the duty advisor, a sharing colleague and a professional added to the case read
    the notification and may not."""

    needs = ("notification",)
    url = lambda objects: f"/underretninger/{objects.notification.pk}/screening/"  # noqa: E731
    expected = writes(case_admin=403)


class TestNotificationScreening(TestNotificationScreeningPage):
    method = "post"


class TestNotificationFeedbackPage(OnTheCase):
    """The feedback to the professional notifier (SEL § 155 b, stk. 2 / Barnets Lov § 136) tells
    what the case came to: its advisor and team leader record it; those who only read may not."""

    needs = ("notification",)
    url = lambda objects: f"/underretninger/{objects.notification.pk}/tilbagemelding/"  # noqa: E731
    expected = writes(case_admin=403)


class TestNotificationFeedback(TestNotificationFeedbackPage):
    method = "post"
