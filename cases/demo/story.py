"""Each demo child's story, planned in memory: the child, the people around it and its cases with
their notifications, investigations, measures, plans and notes (written by ``cases.demo.write``)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases import deadlines
from cases.demo.data import (
    AT_CAP_ADVISOR,
    BOYS,
    CITY_OF_SCHOOL,
    CONCERNS,
    GIRLS,
    GOALS,
    LAST_NAMES,
    MEASURES_ON_STEP,
    NOTES,
    PARENT_FIRST,
    STREETS,
    TARGET_STEPS,
)
from cases.models import (
    Case,
    CaseState,
    Child,
    Goal,
    JournalNote,
    Notification,
    Relation,
)
from cases.services import plan_kind_for
from herning.organisation.calendar import calendar_for
from herning.organisation.models import DutyShift, Role, RoleAssignment, SchoolDistrict
from measures.models import Measure


@dataclass
class CasePlan:
    opened_on: datetime.date
    state: str
    team: object
    advisor: object | None
    closed_on: datetime.date | None = None
    closing_reason: str = ""
    notifications: list[dict] = field(default_factory=list)
    investigations: list[dict] = field(default_factory=list)
    measures: list[dict] = field(default_factory=list)
    plans: list[dict] = field(default_factory=list)
    notes: list[tuple] = field(default_factory=list)
    participants: list[tuple] = field(default_factory=list)


@dataclass
class ChildPlan:
    child: Child
    relations: list[Relation]
    cases: list[CasePlan]


class _Demo:
    def __init__(self, *, org, today, rng):
        self.org, self.today, self.rng = org, today, rng
        self.municipality = org.municipality
        # The municipality's working days (its closed days read once for the whole story).
        self.calendar = calendar_for(self.municipality.pk)
        self.teams = {name.split()[-1]: team for name, team in org.teams.items()}
        self.school_districts = defaultdict(list)
        for sd in SchoolDistrict.objects.filter(district__municipality=self.municipality).select_related(
            "district"
        ):
            self.school_districts[sd.district_id].append(sd)
        self.advisors = defaultdict(list)
        for a in RoleAssignment.objects.filter(role=Role.ADVISOR, team__in=org.teams.values()).select_related(
            "user"
        ):
            self.advisors[a.team_id].append(a.user)
        for users in self.advisors.values():
            users.sort(key=lambda u: u.username)
        self.duty = {
            (s.district_id, s.date): s.advisor_id
            for s in DutyShift.objects.filter(district__municipality=self.municipality)
        }
        self.secretary = org.users["sekretaer"]
        self.load = Counter()

    # --- small helpers -----------------------------------------------------------------------

    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def at(self, day: datetime.date, hour: int | None = None) -> datetime.datetime:
        hour = self.rng.randint(8, 15) if hour is None else hour
        return timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59)))
        )

    def pick_advisor(self, team):
        # The demo's advisor at the cap takes new cases until the team's cap is reached; everyone
        # else gets the team's least loaded advisor, so that nobody goes above the cap. A case
        # closed in the same story gives the place back, so the last one to count is an open one.
        advisors = self.advisors[team.pk]
        full = next((u for u in advisors if u.username == AT_CAP_ADVISOR), None)
        if full is not None and self.load[full.pk] < team.caseload_cap:
            chosen = full
        else:
            chosen = min(advisors, key=lambda u: (self.load[u.pk], u.username))
        self.load[chosen.pk] += 1
        return chosen

    def clamp(self, day: datetime.date) -> datetime.date:
        return min(day, self.today)

    # --- the plan of one child -----------------------------------------------------------------

    def child(self, index: int, scenario: str) -> ChildPlan:
        rng = self.rng
        district_name = rng.choice(["Nord", "Midt", "Syd"])
        team = self.teams[district_name]
        district = team.district
        school_district = rng.choice(self.school_districts[district.pk])
        girl = rng.random() < 0.5
        age = (
            rng.randint(18, 21)
            if scenario == "aftercare"
            else rng.choice([1, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17])
        )
        birth = self.today - relativedelta(years=age) - datetime.timedelta(days=rng.randint(30, 330))
        # Born 2000-2036, so the 7th digit is 4 (cpr.dk's century table); digits 8-10 tell the
        # demo's children apart and end odd for a boy, even for a girl.
        cpr = f"{birth:%d%m%y}4{index // 5:02d}{(index % 5) * 2 + (0 if girl else 1)}"
        postal_code, city = CITY_OF_SCHOOL.get(school_district.name, ("7400", "Herning"))
        last_name = rng.choice(LAST_NAMES)
        child = Child(
            municipality=self.municipality,
            cpr=cpr,
            birth_date=birth,
            legal_sex=Child.LegalSex.FEMALE if girl else Child.LegalSex.MALE,
            first_name=rng.choice(GIRLS if girl else BOYS),
            last_name=last_name,
            address=f"{rng.choice(STREETS)} {rng.randint(1, 80)}",
            postal_code=postal_code,
            city=city,
            school_district=school_district,
            district=district,
            school_or_daycare=(
                ""
                if scenario == "aftercare"
                else f"{school_district.school_name}"
                if age >= 6
                else "Børnehaven Solsikken"
            ),
        )
        relations = self.relations(child, last_name)
        cases = []
        if scenario == "measures" and rng.random() < 0.1:
            cases.append(self.earlier_closed_case(child, team))
        cases.append(
            getattr(self, f"case_{scenario}")(child, team, earliest=cases[0].closed_on if cases else None)
        )
        return ChildPlan(child=child, relations=relations, cases=cases)

    def relations(self, child: Child, last_name: str) -> list[Relation]:
        rng = self.rng
        mother = Relation(
            child=child,
            kind=Relation.Kind.MOTHER,
            name=f"{rng.choice(PARENT_FIRST[:6])} {last_name}",
            has_custody=True,
            phone=f"2{rng.randint(0, 9999999):07d}",
            address=f"{child.address}, {child.postal_code} {child.city}",
        )
        father = Relation(
            child=child,
            kind=Relation.Kind.FATHER,
            name=f"{rng.choice(PARENT_FIRST[6:])} {rng.choice(LAST_NAMES)}",
            has_custody=rng.random() < 0.7,
            phone=f"4{rng.randint(0, 9999999):07d}",
        )
        result = [mother, father]
        if rng.random() < 0.5:
            result.append(
                Relation(
                    child=child, kind=Relation.Kind.SIBLING, name=f"{rng.choice(GIRLS + BOYS)} {last_name}"
                )
            )
        if rng.random() < 0.4:
            result.append(
                Relation(
                    child=child,
                    kind=Relation.Kind.NETWORK,
                    name=f"{rng.choice(PARENT_FIRST)} {rng.choice(LAST_NAMES)}",
                    note="Mormor; vigtig voksen for barnet",
                    phone=f"3{rng.randint(0, 9999999):07d}",
                )
            )
        return result

    def notification(
        self, case: CasePlan, child: Child, received_on: datetime.date, *, assessed=True, known=False
    ):
        rng = self.rng
        kind = rng.choices(
            [
                Notification.NotifierKind.PROFESSIONAL,
                Notification.NotifierKind.PRIVATE,
                Notification.NotifierKind.ANONYMOUS,
            ],
            weights=[80, 15, 5],
        )[0]
        received_at = min(self.at(received_on), timezone.now() - datetime.timedelta(minutes=90))
        late = rng.random() < 0.05
        assessed_at = received_at + datetime.timedelta(
            hours=rng.randint(25, 40) if late else rng.randint(1, 20)
        )
        if not assessed or assessed_at > timezone.now():
            assessed_at = None
        receipt_due = (
            deadlines.receipt_due(received_at, self.calendar)
            if kind == Notification.NotifierKind.PROFESSIONAL
            else None
        )
        receipt_sent = None
        if receipt_due:
            sent = deadlines.add_working_days(
                received_on, rng.choice([1, 2, 3, 4, 5, 6, 6, 8]), self.calendar
            )
            receipt_sent = sent if sent <= self.today and assessed_at else None
        duty = self.duty.get((child.district_id, received_on))
        case.notifications.append(
            {
                "received_at": received_at,
                "notifier_kind": kind,
                "notifier_name": ""
                if kind == Notification.NotifierKind.ANONYMOUS
                else rng.choice(PARENT_FIRST) + " " + rng.choice(LAST_NAMES),
                "notifier_organisation": rng.choice(
                    ["Sunds Skole", "Børnehaven Solsikken", "Sundhedsplejen", "Politiet", "Herning Sygehus"]
                )
                if kind == Notification.NotifierKind.PROFESSIONAL
                else "",
                "concern": rng.choice(CONCERNS),
                "registered_at": received_at + datetime.timedelta(minutes=rng.randint(10, 50)),
                "duty_advisor_id": duty,
                "assessment_due_at": deadlines.assessment_due(received_at),
                "assessed_at": assessed_at,
                "assessed_by_id": duty if assessed_at else None,
                "acute_danger": (rng.random() < 0.1) if assessed_at else None,
                "assessment_action": "Ingen akut fare. Sagen sendes videre til fordeling."
                if assessed_at
                else "",
                "receipt_due_on": receipt_due,
                "receipt_sent_on": receipt_sent,
                "advisor_informed_at": assessed_at if known else None,
            }
        )

    def note(self, case: CasePlan, child: Child, heading: str, day: datetime.date, by=None):
        if case.opened_on <= day <= self.today:
            case.notes.append(
                (heading, day, NOTES[heading].format(name=child.first_name), by or case.advisor)
            )

    def new_case(self, child, team, opened_on, state, *, with_advisor=True) -> CasePlan:
        case = CasePlan(
            opened_on=opened_on,
            state=state,
            team=team,
            advisor=self.pick_advisor(team) if with_advisor else None,
        )
        self.notification(case, child, opened_on)
        if with_advisor:
            self.note(
                case,
                child,
                JournalNote.Heading.PHONE_CALL,
                opened_on + datetime.timedelta(days=self.rng.randint(1, 6)),
            )
        return case

    def investigation(self, case: CasePlan, decided_on: datetime.date, *, done: bool):
        rng = self.rng
        completed = None
        if done:
            completed = decided_on + datetime.timedelta(
                days=rng.randint(125, 140) if rng.random() < 0.1 else rng.randint(40, 115)
            )
        case.investigations.append(
            {
                "decided_on": decided_on,
                "completed_on": completed,
                "conclusion": "Barnet har behov for støtte. Indstilling om foranstaltning."
                if completed
                else "",
            }
        )
        return completed

    def measure(self, case: CasePlan, code: str, start: datetime.date, end=None, ending_reason="", **extra):
        case.measures.append(
            {"code": code, "start": start, "end": end, "ending_reason": ending_reason, **extra}
        )

    def add_followup_notes(self, case, child, start: datetime.date, until: datetime.date):
        day = start + datetime.timedelta(days=30)
        count = 0
        while day <= until and count < 8:
            self.note(case, child, JournalNote.Heading.CHILD_CONVERSATION, day)
            day += datetime.timedelta(days=self.rng.randint(80, 100))
            count += 1

    def add_plans(self, case: CasePlan, child: Child):
        """A plan for placements (BL § 91: within three months); for other measures now and then."""
        rng = self.rng
        placements = [m for m in case.measures if MEASURE_STEP[m["code"]] >= 3]
        if placements:
            decided = min(m["start"] for m in placements)
            due = deadlines.plan_due(decided)
        elif case.measures and rng.random() < 0.5:
            decided = min(m["start"] for m in case.measures)
            due = None
        else:
            return
        made = decided + datetime.timedelta(
            days=rng.randint(95, 110) if rng.random() < 0.05 else rng.randint(10, 80)
        )
        last_day = case.closed_on or self.today
        if made > last_day:
            case.plans.append(
                {
                    "version": 1,
                    "kind": plan_kind_for(child, decided),
                    "due_on": due,
                    "made_on": None,
                    "purpose": "",
                    "goals": [],
                }
            )
            return
        goals = [self.goal(child, made) for _ in range(rng.randint(2, 3))]
        case.plans.append(
            {
                "version": 1,
                "kind": plan_kind_for(child, made),
                "due_on": due,
                "made_on": made,
                "purpose": f"At {child.first_name} trives og udvikler sig alderssvarende.",
                "goals": goals,
            }
        )
        revised = made + datetime.timedelta(days=rng.randint(150, 200))
        if revised <= last_day:
            carried = []
            for index, goal in enumerate(goals):
                goal["status"] = rng.choice(
                    [Goal.Status.IN_PROGRESS, Goal.Status.PARTLY_MET, Goal.Status.MET]
                )
                if goal["status"] != Goal.Status.MET:
                    carried.append(
                        {
                            **goal,
                            "carry": index,
                            "status": rng.choice([Goal.Status.IN_PROGRESS, Goal.Status.PARTLY_MET]),
                            "by_when": revised + relativedelta(months=6),
                        }
                    )
            carried.append(self.goal(child, revised))
            case.plans.append(
                {
                    "version": 2,
                    "kind": plan_kind_for(child, revised),
                    "due_on": None,
                    "made_on": revised,
                    "purpose": case.plans[0]["purpose"],
                    "goals": carried,
                }
            )

    def goal(self, child: Child, made: datetime.date) -> dict:
        what, who, how, months = self.rng.choice(GOALS)
        return {
            "what": what.format(name=child.first_name),
            "who": who.format(name=child.first_name),
            "how_measured": how.format(name=child.first_name),
            "by_when": made + relativedelta(months=months),
            "status": Goal.Status.IN_PROGRESS,
        }

    # --- the scenarios ---------------------------------------------------------------------------

    def earlier_closed_case(self, child, team) -> CasePlan:
        opened = self.days_ago(700, 729)
        case = self.new_case(child, team, opened, CaseState.CLOSED)
        case.closed_on = opened + datetime.timedelta(days=self.rng.randint(40, 90))
        case.closing_reason = Case.ClosingReason.NO_NEED
        self.load[case.advisor.pk] -= 1
        return case

    def case_notification(self, child, team, earliest=None) -> CasePlan:
        opened = self.days_ago(0, 1)
        case = CasePlan(opened_on=opened, state=CaseState.NOTIFICATION, team=team, advisor=None)
        self.notification(case, child, opened, assessed=self.rng.random() < 0.5)
        return case

    def case_clarification(self, child, team, earliest=None) -> CasePlan:
        case = self.new_case(child, team, self.days_ago(5, 90), CaseState.CLARIFICATION)
        if self.rng.random() < 0.4:
            start = self.clamp(case.opened_on + datetime.timedelta(days=self.rng.randint(3, 20)))
            self.measure(case, "early_support", start)
        return case

    def case_investigation(self, child, team, earliest=None) -> CasePlan:
        case = self.new_case(child, team, self.days_ago(15, 150), CaseState.INVESTIGATION)
        decided = self.clamp(case.opened_on + datetime.timedelta(days=self.rng.randint(3, 12)))
        self.investigation(case, decided, done=False)
        self.note(case, child, JournalNote.Heading.HOME_VISIT, decided + datetime.timedelta(days=14))
        return case

    def case_measures(self, child, team, earliest=None) -> CasePlan:
        rng = self.rng
        opened = self.days_ago(60, 720)
        if earliest is not None:
            opened = max(opened, earliest + datetime.timedelta(days=20))
        case = self.new_case(child, team, opened, CaseState.MEASURES)
        target = rng.choices(list(TARGET_STEPS), weights=list(TARGET_STEPS.values()))[0]
        first = opened + datetime.timedelta(days=rng.randint(5, 20))
        if target >= 2 and rng.random() < 0.85:
            done = self.investigation(
                case, self.clamp(opened + datetime.timedelta(days=rng.randint(2, 10))), done=True
            )
            if done is not None and done < self.today - datetime.timedelta(days=10):
                first = done + datetime.timedelta(days=rng.randint(1, 10))
            else:
                case.investigations[-1]["completed_on"] = None
                case.investigations[-1]["conclusion"] = ""
                case.state = CaseState.INVESTIGATION
        first = min(first, self.today - datetime.timedelta(days=3))
        code = rng.choice(MEASURES_ON_STEP[target])
        pattern = rng.random()
        span = (self.today - first).days
        if span > 120 and target in (5, 3) and pattern < 0.3:
            # Down the ladder: from an institution to a foster family or a home-based placement.
            switch = first + datetime.timedelta(days=rng.randint(60, span - 30))
            reason = rng.choice(
                [
                    Measure.EndingReason.CHILDS_WISH,
                    Measure.EndingReason.BREAKDOWN,
                    Measure.EndingReason.GOALS_MET,
                ]
            )
            self.measure(case, "institution", first, switch - datetime.timedelta(days=1), reason)
            self.measure(case, code, switch)
            self.note(case, child, JournalNote.Heading.HEARING_CHILD, switch - datetime.timedelta(days=5))
        elif span > 120 and target >= 4 and pattern < 0.6:
            # Up the ladder: home-based support first, a placement later.
            switch = first + datetime.timedelta(days=rng.randint(60, span - 30))
            self.measure(
                case,
                rng.choice(MEASURES_ON_STEP[2]),
                first,
                switch - datetime.timedelta(days=1),
                Measure.EndingReason.CHANGED_MEASURE,
            )
            self.measure(
                case,
                code,
                switch,
                decision_basis=Measure.DecisionBasis.WITHOUT_CONSENT
                if rng.random() < 0.2
                else Measure.DecisionBasis.WITH_CONSENT,
            )
            self.note(case, child, JournalNote.Heading.HEARING_CHILD, switch - datetime.timedelta(days=5))
        elif span > 120 and target == 2 and pattern < 0.25:
            # A planned short-term placement, then family treatment at home.
            end = first + datetime.timedelta(days=rng.randint(30, min(90, span - 20)))
            # An acute placement: the decision could not wait for the child's hearing.
            self.measure(
                case,
                "short_term_placement",
                first,
                end,
                Measure.EndingReason.PLANNED,
                planned_end=end,
                hearing_omitted=Measure.HearingOmitted.URGENT,
                hearing_omitted_note="Akut anbringelse; barnet blev hørt dagen efter.",
            )
            self.measure(case, "family_treatment", end + datetime.timedelta(days=1))
        else:
            self.measure(case, code, first)
        if target >= 3 and rng.random() < 0.4:
            # A contact person beside the placement (KORA 2017, ch. 4: "suppleret med … kontaktpersoner").
            self.measure(case, "contact_person", first + datetime.timedelta(days=rng.randint(0, 20)))
        self.note(
            case, child, JournalNote.Heading.HEARING_CHILD, first - datetime.timedelta(days=rng.randint(2, 8))
        )
        self.add_followup_notes(case, child, first, self.today)
        if rng.random() < 0.5:
            self.note(
                case, child, JournalNote.Heading.NETWORK_MEETING, self.days_ago(5, (self.today - opened).days)
            )
        if rng.random() < 0.2:
            self.notification(case, child, self.days_ago(3, (self.today - opened).days), known=True)
        if rng.random() < 0.15:
            case.participants.append(("psychologist", "PPR-psykolog", opened + datetime.timedelta(days=10)))
        if child.age_on(self.today) < 6 and rng.random() < 0.5:
            case.participants.append(
                ("health_visitor", "Sundhedsplejerske", opened + datetime.timedelta(days=10))
            )
        self.add_plans(case, child)
        return case

    def case_aftercare(self, child, team, earliest=None) -> CasePlan:
        rng = self.rng
        birthday_18 = child.birth_date + relativedelta(years=18)
        opened = birthday_18 - relativedelta(years=rng.randint(2, 4))
        case = self.new_case(
            child, team, max(opened, self.today - datetime.timedelta(days=729)), CaseState.AFTERCARE
        )
        placed_from = case.opened_on + datetime.timedelta(days=20)
        if placed_from < birthday_18:
            self.measure(
                case,
                rng.choice(["foster_family", "institution"]),
                placed_from,
                birthday_18 - datetime.timedelta(days=1),
                Measure.EndingReason.TURNED_18,
            )
        self.measure(case, rng.choice(["own_room", "contact_person"]), max(birthday_18, placed_from))
        self.note(
            case, child, JournalNote.Heading.CHILD_CONVERSATION, birthday_18 - datetime.timedelta(days=30)
        )
        self.add_plans(case, child)
        return case

    def case_closed(self, child, team, earliest=None) -> CasePlan:
        rng = self.rng
        case = self.new_case(child, team, self.days_ago(200, 720), CaseState.CLOSED)
        self.load[case.advisor.pk] -= 1
        last = case.opened_on + datetime.timedelta(days=rng.randint(20, 40))
        if rng.random() < 0.7:
            start = case.opened_on + datetime.timedelta(days=rng.randint(10, 30))
            end = min(
                start + datetime.timedelta(days=rng.randint(60, 300)),
                self.today - datetime.timedelta(days=40),
            )
            end = max(end, start + datetime.timedelta(days=14))
            code = rng.choice(MEASURES_ON_STEP[rng.choice([1, 2, 2, 2, 5])])
            reason = rng.choice(
                [
                    Measure.EndingReason.GOALS_MET,
                    Measure.EndingReason.PLANNED,
                    Measure.EndingReason.PARENTS_WISH,
                ]
            )
            self.measure(case, code, start, end, reason)
            self.note(case, child, JournalNote.Heading.HEARING_CHILD, start - datetime.timedelta(days=3))
            self.add_followup_notes(case, child, start, end)
            last = end
        case.closed_on = min(last + datetime.timedelta(days=rng.randint(1, 30)), self.today)
        case.closing_reason = rng.choice(
            [
                Case.ClosingReason.GOALS_MET,
                Case.ClosingReason.NO_NEED,
                Case.ClosingReason.MOVED,
                Case.ClosingReason.GENERAL_SUPPORT,
            ]
        )
        self.note(case, child, JournalNote.Heading.DECISION, case.closed_on)
        self.add_plans(case, child)
        return case


MEASURE_STEP: dict[str, int] = {code: step for step, codes in MEASURES_ON_STEP.items() for code in codes}
