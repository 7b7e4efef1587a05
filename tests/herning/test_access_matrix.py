"""Who gets what from every page and endpoint that exists (docs/access.md), for every persona."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseParticipant, CaseState, Child, Notification
from herning.audit.models import AccessLog
from herning.core.privacy import content_models
from tests.access import ANONYMOUS, NATIONAL_OPERATOR, PERSONAS, AccessMatrix, assert_access, outcome_for_all
from tests.factories import CaseFactory, ChildFactory

ADVISORS = ("advisor", "colleague", "outsider", "duty_advisor")


def role_page(*allowed: str) -> dict[str, int]:
    return outcome_for_all(403, **dict.fromkeys(allowed, 200))


class TestStartRedirectsEachRole(AccessMatrix):
    url = "/"
    expected = outcome_for_all(302, **{NATIONAL_OPERATOR: 302})


class TestMyDay(AccessMatrix):
    url = "/min-dag/"
    expected = role_page(*ADVISORS)


class TestTeamOverview(AccessMatrix):
    url = "/team/"
    expected = role_page("team_leader", "other_team_leader")


class TestDuty(AccessMatrix):
    url = "/vagt/"
    expected = role_page("duty_advisor")


class TestIntake(AccessMatrix):
    url = "/underretninger/"
    expected = role_page("case_admin")


class TestMyCases(AccessMatrix):
    url = "/mine-sager/"
    expected = role_page("psychologist", "health_visitor")


class TestManagement(AccessMatrix):
    url = "/ledelse/"
    expected = role_page("management")


class TestNoRole(AccessMatrix):
    url = "/ingen-rolle/"
    expected = outcome_for_all(200)


class TestAccessLogSearch(AccessMatrix):
    url = "/adgangslog/"
    expected = role_page("data_protection")


class TestAccessLogSearchByPost(AccessMatrix):
    url = "/adgangslog/"
    method = "post"
    data = {"channel": "page"}
    expected = role_page("data_protection")


class TestCitizenExport(AccessMatrix):
    url = "/adgangslog/indsigt/"
    expected = role_page("data_protection")


class TestCitizenExportByPost(AccessMatrix):
    url = "/adgangslog/indsigt/"
    method = "post"
    data = {"cpr": "010203-4006", "fmt": "csv"}
    expected = role_page("data_protection")


class TestHealth(AccessMatrix):
    url = "/sundhed/"
    expected = outcome_for_all(200, **{ANONYMOUS: 200})


class TestLoginPage(AccessMatrix):
    url = "/log-ind/"
    expected = outcome_for_all(302, **{ANONYMOUS: 200, NATIONAL_OPERATOR: 302})


class TestSecondFactorPageOnceVerified(AccessMatrix):
    url = "/to-faktor/"
    expected = outcome_for_all(302, **{NATIONAL_OPERATOR: 302})


class TestBackupCodes(AccessMatrix):
    url = "/to-faktor/reservekoder/"
    expected = outcome_for_all(200, **{NATIONAL_OPERATOR: 200})


class TestSecondFactorSetupOnceVerified(AccessMatrix):
    url = "/to-faktor/opsaet/"
    expected = outcome_for_all(302, **{NATIONAL_OPERATOR: 302})


class TestSecondFactorCodeOnceVerified(TestSecondFactorPageOnceVerified):
    method = "post"


class TestSecondFactorSetupPostedOnceVerified(TestSecondFactorSetupOnceVerified):
    method = "post"


class TestNewBackupCodes(TestBackupCodes):
    method = "post"
    expected = outcome_for_all(302, **{NATIONAL_OPERATOR: 302})


class TestPasswordResetIsOpenToAll(AccessMatrix):
    url = "/glemt-adgangskode/"
    expected = outcome_for_all(200, **{ANONYMOUS: 200, NATIONAL_OPERATOR: 200})


class TestLogout(AccessMatrix):
    url = "/log-ud/"
    method = "post"
    expected = outcome_for_all(302, **{NATIONAL_OPERATOR: 302})


class TestLogoutIsNotAGetLink(AccessMatrix):
    url = "/log-ud/"
    expected = outcome_for_all(405, **{ANONYMOUS: 405, NATIONAL_OPERATOR: 405})


class TestLanguageSwitch(AccessMatrix):
    url = "/i18n/setlang/"
    method = "post"
    data = {"language": "en", "next": "/log-ind/"}
    expected = outcome_for_all(302, **{NATIONAL_OPERATOR: 302})


class TestAdminIndex(AccessMatrix):
    url = "/admin/"
    expected = outcome_for_all(302, sysadmin=200, **{NATIONAL_OPERATOR: 200})


class TestAdminTeams(AccessMatrix):
    """A configuration model's pages in the admin: the system administrator only; everyone else is
    sent to the admin's login. Every other registered model's list is opened by every persona in
    ``test_every_admin_list_opens_for_the_system_administrator_only``."""

    url = "/admin/organisation/team/"
    expected = outcome_for_all(302, sysadmin=200)


class TestAdminTeamsAction(TestAdminTeams):
    method = "post"  # no action chosen: the list again, with a message


class TestAdminTeamAddPage(TestAdminTeams):
    url = "/admin/organisation/team/add/"


class TestAdminTeamAdd(TestAdminTeamAddPage):
    method = "post"  # an empty form: refused with the errors (200)


def _case_outcome(**readers: int) -> dict[str, int]:
    return outcome_for_all(404, **readers)


@pytest.mark.urls("tests.herning.access_urls")
class TestCaseOfTeamAByIdWhenTheTeamDoesNotShare(AccessMatrix):
    """The case of Alice (team A); outsiders get 404, never 403, so the case's existence is hidden."""

    url = staticmethod(lambda objects: f"/test/sag/{objects.case.pk}/")
    expected = _case_outcome(advisor=200, team_leader=200)

    @pytest.fixture
    def objects(self, org):
        return SimpleNamespace(case=CaseFactory(team=org.team_a, advisor=org.advisor))


@pytest.mark.urls("tests.herning.access_urls")
class TestCaseOfASharingTeam(AccessMatrix):
    url = staticmethod(lambda objects: f"/test/sag/{objects.case.pk}/")
    # The duty advisor is also an advisor in team A.
    expected = _case_outcome(advisor=200, colleague=200, duty_advisor=200, team_leader=200)

    @pytest.fixture
    def objects(self, org):
        org.team_a.shares_cases = True
        org.team_a.save()
        return SimpleNamespace(case=CaseFactory(team=org.team_a, advisor=org.advisor))


@pytest.mark.urls("tests.herning.access_urls")
class TestCaseWithParticipants(AccessMatrix):
    """The psychologist and a system administrator added to the case read it; the health visitor
    of the same team is not added and does not."""

    url = staticmethod(lambda objects: f"/test/sag/{objects.case.pk}/")
    expected = _case_outcome(advisor=200, team_leader=200, psychologist=200, sysadmin=200)

    @pytest.fixture
    def objects(self, org):
        case = CaseFactory(team=org.team_a, advisor=org.advisor)
        CaseParticipant.objects.create(case=case, user=org.psychologist)
        CaseParticipant.objects.create(case=case, user=org.sysadmin)
        return SimpleNamespace(case=case)


@pytest.mark.urls("tests.herning.access_urls")
class TestCaseWithANotificationAwaitingTheDutyAdvisor(AccessMatrix):
    url = staticmethod(lambda objects: f"/test/sag/{objects.case.pk}/")
    expected = _case_outcome(advisor=200, team_leader=200, duty_advisor=200)

    @pytest.fixture
    def objects(self, org):
        case = CaseFactory(team=org.team_a, advisor=org.advisor)
        notify(case.child, case=case, district=org.district_a, registered_by=org.case_admin)
        return SimpleNamespace(case=case)


@pytest.mark.urls("tests.herning.access_urls")
class TestCaseOfTeamB(AccessMatrix):
    url = staticmethod(lambda objects: f"/test/sag/{objects.case.pk}/")
    expected = _case_outcome(outsider=200, other_team_leader=200)

    @pytest.fixture
    def objects(self, org):
        return SimpleNamespace(case=CaseFactory(team=org.team_b, advisor=org.outsider))


@pytest.mark.urls("tests.herning.access_urls")
class TestClosedCaseIsStillReadByItsPeople(AccessMatrix):
    url = staticmethod(lambda objects: f"/test/sag/{objects.case.pk}/")
    expected = _case_outcome(advisor=200, team_leader=200)

    @pytest.fixture
    def objects(self, org):
        case = CaseFactory(
            team=org.team_a, advisor=org.advisor, state=CaseState.CLOSED, closed_on=timezone.localdate()
        )
        return SimpleNamespace(case=case)


def notify(child, *, district, registered_by, case=None, assessed=False):
    now = timezone.now()
    return Notification.objects.create(
        municipality=child.municipality,
        child=child,
        case=case,
        district=district,
        received_at=now,
        notifier_kind=Notification.NotifierKind.PRIVATE,
        concern="Bekymring",
        registered_by=registered_by,
        assessment_due_at=now + timezone.timedelta(hours=24),
        assessed_at=now if assessed else None,
    )


@pytest.mark.urls("tests.herning.access_urls")
def test_a_case_in_another_municipality_is_404_even_for_its_team_leader_elsewhere(org):
    from tests.factories import MunicipalityFactory, TeamFactory

    elsewhere = TeamFactory(district__municipality=MunicipalityFactory(code="661"))
    case = CaseFactory(team=elsewhere)
    assert_access(org, f"/test/sag/{case.pk}/", dict.fromkeys(PERSONAS, 404))


@pytest.mark.urls("tests.herning.access_urls")
def test_reading_a_case_page_writes_one_access_log_entry(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    login(org.advisor).get(f"/test/sag/{case.pk}/")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.child, entry.case, entry.channel) == (
        org.advisor,
        case.child,
        case,
        AccessLog.Channel.PAGE,
    )


@pytest.mark.urls("tests.herning.access_urls")
def test_a_refused_read_writes_nothing_to_the_access_log(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    assert login(org.outsider).get(f"/test/sag/{case.pk}/").status_code == 404
    assert not AccessLog.objects.exists()


def test_a_notification_awaiting_assessment_shows_its_child_to_the_duty_advisor_only_in_the_district(org):
    child_a = ChildFactory(municipality=org.municipality, district=org.district_a)
    child_b = ChildFactory(municipality=org.municipality, district=org.district_b)
    notify(child_a, district=org.district_a, registered_by=org.case_admin)
    notify(child_b, district=org.district_b, registered_by=org.case_admin)
    assert list(Child.objects.visible_to(org.duty_advisor)) == [child_a]
    registered = Notification.objects.visible_to(org.case_admin).values_list("child", flat=True)
    assert set(registered) == {child_a.pk, child_b.pk}
    # Registering a notification is not a reason to read the child's record.
    assert not Child.objects.visible_to(org.case_admin).exists()


def test_once_assessed_a_notification_leaves_the_duty_advisors_view(org):
    child = ChildFactory(municipality=org.municipality, district=org.district_a)
    notify(child, district=org.district_a, registered_by=org.case_admin, assessed=True)
    assert not Child.objects.visible_to(org.duty_advisor).exists()
    assert Child.objects.visible_to(org.team_leader).get() == child


@pytest.mark.parametrize("persona", ["management", "sysadmin", "data_protection", "case_admin"])
def test_roles_without_a_place_on_cases_see_no_child_and_no_case(org, persona):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    notify(case.child, case=case, district=org.district_a, registered_by=org.case_admin)
    user = getattr(org, persona)
    from cases.models import Case

    assert not Case.objects.visible_to(user).exists()
    assert not Child.objects.visible_to(user).exists()


def test_only_the_data_protection_role_reads_the_access_log(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    AccessLog.objects.create(
        user=org.advisor, municipality=org.municipality, child=case.child, channel="page", purpose="x"
    )
    readers = [p for p in PERSONAS if AccessLog.objects.visible_to(getattr(org, p)).exists()]
    assert readers == ["data_protection"]


# --- The admin: configuration, never a child's data --------------------------------------------


def test_no_model_holding_a_childs_data_is_registered_in_the_admin():
    registered = set(admin.site._registry)
    assert not registered & content_models()
    # The computed set really contains what it must.
    labels = {m._meta.label for m in content_models()}
    assert {"cases.Child", "cases.Case", "cases.JournalNote", "measures.Measure", "audit.AccessLog"} <= labels
    assert "cases.HistoricalChild" in labels


def test_the_system_check_refuses_a_content_model_in_the_admin():
    from herning.core.privacy import check_no_content_in_admin

    assert check_no_content_in_admin() == []
    admin.site.register(Child)
    try:
        errors = check_no_content_in_admin()
    finally:
        admin.site.unregister(Child)
    assert [e.id for e in errors] == ["herning.E001"]


def admin_changelists():
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    )


@pytest.mark.parametrize("url", admin_changelists())
def test_every_admin_list_opens_for_the_system_administrator_only(org, url):
    assert_access(org, url, outcome_for_all(302, sysadmin=200))


def test_the_admin_never_shows_a_secret_key_or_backup_code(org, login):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from herning.accounts.models import BackupCode, BackupCodeDevice
    from herning.accounts.services import new_backup_codes

    device = TOTPDevice.objects.create(user=org.advisor, name="app", confirmed=True)
    code = new_backup_codes(user=org.advisor)[0]
    backup = BackupCodeDevice.objects.get(user=org.advisor)
    code_hash = BackupCode.objects.filter(device=backup).first().code_hash
    client = login(org.sysadmin)
    for url in (
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        reverse("admin:accounts_backupcodedevice_change", args=[backup.pk]),
        reverse("admin:accounts_backupcodedevice_changelist"),
        reverse("admin:otp_totp_totpdevice_changelist"),
    ):
        html = client.get(url).content.decode()
        assert device.key not in html and code not in html and code_hash.split("$")[-1] not in html


def test_a_team_leader_reads_new_notifications_of_the_district_but_not_another_teams_case(org):
    from tests.factories import Role as R
    from tests.factories import TeamFactory, staff

    neighbour_team = TeamFactory(district=org.district_a, name="Team A2")
    neighbour = staff(username="a2", municipality=org.municipality, roles=[(R.ADVISOR, neighbour_team)])
    theirs = CaseFactory(team=neighbour_team, advisor=neighbour)
    on_their_case = notify(theirs.child, case=theirs, district=org.district_a, registered_by=org.case_admin)
    new_child = ChildFactory(municipality=org.municipality, district=org.district_a)
    unassigned = notify(new_child, district=org.district_a, registered_by=org.case_admin, assessed=True)
    visible = set(Notification.objects.visible_to(org.team_leader))
    assert unassigned in visible and on_their_case not in visible
    assert set(Child.objects.visible_to(org.team_leader)) == {new_child}


def test_whoever_reads_a_case_reads_every_notification_on_it(org):
    """The child page lists a readable case's notifications without asking the notification rule
    again (cases.panels.notifications_context); this is the rule it relies on, for every persona,
    on cases of both teams, with notifications of both districts, assessed and not."""
    from cases.models import Case
    from tests.fixtures import PERSONAS

    ours = CaseFactory(team=org.team_a, advisor=org.advisor)
    theirs = CaseFactory(team=org.team_b, advisor=org.outsider)
    for case in (ours, theirs):
        for district in (org.district_a, org.district_b):
            for assessed in (False, True):
                notify(
                    case.child, case=case, district=district, registered_by=org.case_admin, assessed=assessed
                )
    readers = 0
    for persona in PERSONAS:
        user = getattr(org, persona)
        readable = set(Notification.objects.visible_to(user).values_list("pk", flat=True))
        for case in Case.objects.visible_to(user):
            on_case = set(case.notifications.values_list("pk", flat=True))
            assert len(on_case) == 4 and on_case <= readable, (persona, case.pk)
            readers += 1
    assert readers >= 6
