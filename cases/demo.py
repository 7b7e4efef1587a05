"""Demo children and cases: about 250 children of the demo municipality, spread over every state
of a case and every step of the ladder, with two years of notifications, investigations,
measures, ladder movements, plans and journal notes.

Called by ``seed_demo`` (``DEMO_STEPS``). Everything is drawn from the step's own seeded random
generator, so the same children come out every time; a child is identified by its CPR number and
one that exists already is left alone, which makes a second run change nothing. The rows are
written in bulk (with their history rows, carrying the acting person and the day of the event)
rather than through the services one by one, so that the whole demo takes seconds; the ladder
movements come from the same rule as the services (``measures.ladder.step_changes``).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases import deadlines
from cases.models import (
    Case,
    CaseParticipant,
    CaseState,
    Child,
    Goal,
    Investigation,
    JournalNote,
    LegalBasis,
    Notification,
    Plan,
    Relation,
)
from cases.services import STATE_LEGAL_BASIS, plan_kind_for
from herning.organisation.models import DutyShift, Role, RoleAssignment, SchoolDistrict
from measures.ladder import Span, step_changes, step_on
from measures.models import LadderMovement, LadderStep, Measure, MeasureType
from measures.services import movement_reason_for_end, movement_reason_for_start

CHILDREN = 250
# How the demo's children are spread over the states of a case.
SCENARIOS = {
    "notification": 10,
    "clarification": 28,
    "investigation": 20,
    "measures": 150,
    "aftercare": 10,
    "closed": 32,
}
# The ladder step of the "measures" cases (about Herning's distribution, KORA 2017, Fig. 2.1).
TARGET_STEPS = {1: 12, 2: 50, 3: 14, 4: 12, 5: 40, 6: 22}
MEASURES_ON_STEP = {
    1: ["early_support"],
    2: ["family_treatment", "contact_person", "preventive", "respite_care", "mst", "private_contact_person"],
    3: ["own_room", "boarding_school", "supported_housing"],
    4: ["network_foster_family"],
    5: ["foster_family", "foster_family", "special_foster_family"],
    6: ["institution", "institution", "short_term_placement", "secure_institution"],
}
PROVIDERS = {
    "early_support": "Familiecentralen",
    "family_treatment": "Familiecenteret",
    "contact_person": "Hedebocentret",
    "preventive": "Familiecenteret",
    "respite_care": "Aflastningsfamilie",
    "mst": "Hedebocentret",
    "private_contact_person": "Privat kontaktperson",
    "own_room": "Eget værelse, Herning",
    "boarding_school": "Sunds Efterskole",
    "supported_housing": "Opgangsfællesskabet Olufsgade",
    "network_foster_family": "Netværksplejefamilie (mormor)",
    "foster_family": "Plejefamilien Nørgaard",
    "special_foster_family": "Forstærket plejefamilie, TFCO",
    "institution": "Døgninstitutionen Skovbrynet",
    "short_term_placement": "Hedebocentret, korttidsafdeling",
    "secure_institution": "Sikret institution Egely",
}
GIRLS = [
    "Emma",
    "Ida",
    "Clara",
    "Freja",
    "Alma",
    "Sofie",
    "Ella",
    "Karla",
    "Laura",
    "Anna",
    "Maja",
    "Josefine",
    "Liva",
    "Nora",
    "Mathilde",
    "Agnes",
    "Olivia",
    "Lærke",
]
BOYS = [
    "William",
    "Noah",
    "Oscar",
    "Lucas",
    "Carl",
    "Victor",
    "Malthe",
    "Alfred",
    "Emil",
    "Aksel",
    "Magnus",
    "Frederik",
    "Elias",
    "Anton",
    "Mikkel",
    "Jonas",
    "Storm",
    "Valdemar",
]
LAST_NAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Lund",
    "Holm",
    "Dahl",
    "Bak",
]
PARENT_FIRST = [
    "Mette",
    "Louise",
    "Camilla",
    "Maria",
    "Sara",
    "Line",
    "Jesper",
    "Thomas",
    "Martin",
    "Kasper",
    "Rasmus",
    "Henrik",
]
STREETS = [
    "Østergade",
    "Vestergade",
    "Søndergade",
    "Nørregade",
    "Skolegade",
    "Kirkevej",
    "Bredgade",
    "Engvej",
    "Birkevej",
    "Vænget",
    "Holtbjergvej",
    "Fredhøjvej",
]
CITY_OF_SCHOOL = {
    "Sunds": ("7451", "Sunds"),
    "Hammerum": ("7400", "Herning"),
    "Gjellerup": ("7400", "Herning"),
    "Herning By": ("7400", "Herning"),
    "Gullestrup": ("7400", "Herning"),
    "Lindbjerg": ("7400", "Herning"),
    "Lind": ("7400", "Herning"),
    "Brændgård": ("7400", "Herning"),
    "Kibæk": ("6933", "Kibæk"),
}
CONCERNS = [
    "Barnet kommer ofte sultent i skole og har flere gange fortalt, at der ikke er mad derhjemme.",
    "Barnet har meget fravær og virker træt og indesluttet. Forældrene er svære at få kontakt med.",
    "Barnet har fortalt en pædagog om voldsomme skænderier derhjemme og er bange for at gå hjem.",
    "Den unge er flere gange set påvirket og har ikke været i skole i tre uger.",
    "Naboer har hørt råb og barnegråd om natten gennem længere tid.",
    "Moderen har henvendt sig, fordi hun ikke længere kan håndtere sønnens udadreagerende adfærd.",
    "Sundhedsplejersken er bekymret for barnets trivsel og vægtudvikling.",
    "Barnet har synlige mærker på armene og ville ikke fortælle, hvordan det var sket.",
]
NOTES = {
    JournalNote.Heading.PHONE_CALL: "Telefonsamtale med forældrene om underretningen. De er indstillet på et møde.",
    JournalNote.Heading.HOME_VISIT: "Hjemmebesøg. Hjemmet fremstod ryddeligt; {name} viste sit værelse frem.",
    JournalNote.Heading.NETWORK_MEETING: "Inddragende netværksmøde med forældre, skole og PPR. Aftaler noteret i referatet.",
    JournalNote.Heading.MEETING: "Møde med skolen om {name}s fremmøde og trivsel.",
    JournalNote.Heading.HEARING_CHILD: "Partshøring af {name} før indsatsen. {name} forstår, hvad der skal ske, og er positiv.",
    JournalNote.Heading.CHILD_CONVERSATION: "Børnesamtale med {name} ved opfølgningen. {name} fortæller, at det går bedre i skolen.",
    JournalNote.Heading.DECISION: "Afgørelse om at afslutte sagen. Forældre og {name} er orienteret.",
}
GOALS = [
    (
        "{name} kommer i skole hver dag",
        "{name}, forældre og kontaktlærer",
        "Fraværet er under 5 % i en måned",
        4,
    ),
    (
        "{name} har en voksen at tale med om det svære",
        "Kontaktperson",
        "{name} fortæller selv om samtalerne ved børnesamtalen",
        3,
    ),
    (
        "Familien har faste rammer for hverdagen",
        "Forældre og familiebehandler",
        "Morgen- og sengetider holdes fem dage om ugen",
        6,
    ),
    (
        "{name} deltager i en fritidsaktivitet",
        "{name} og plejefamilie",
        "{name} er med i en klub eller forening hver uge",
        6,
    ),
    (
        "{name} har samvær med sine forældre",
        "Forældre, plejefamilie og rådgiver",
        "Samvær hver anden weekend gennemføres",
        9,
    ),
]


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
        # The least loaded advisor of the team, so that nobody goes above the cap of 25.
        advisors = self.advisors[team.pk]
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
            deadlines.receipt_due(received_at) if kind == Notification.NotifierKind.PROFESSIONAL else None
        )
        receipt_sent = None
        if receipt_due:
            sent = deadlines.add_working_days(received_on, rng.choice([1, 2, 3, 4, 5, 6, 6, 8]))
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
            self.measure(
                case, "short_term_placement", first, end, Measure.EndingReason.PLANNED, planned_end=end
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


def _scenarios(rng) -> list[str]:
    labels = [name for name, count in SCENARIOS.items() for _ in range(count)]
    rng.shuffle(labels)
    return labels


@transaction.atomic
def seed(*, org, today, rng, stdout) -> None:
    demo = _Demo(org=org, today=today, rng=rng)
    plans = [demo.child(index, scenario) for index, scenario in enumerate(_scenarios(rng))]
    existing = set(Child.objects.filter(municipality=org.municipality).values_list("cpr", flat=True))
    new = [p for p in plans if p.child.cpr not in existing]
    if new:
        _write(new, org=org, today=today)
    stdout.write(f"Børn og sager: {len(new)} nye børn, {len(plans) - len(new)} fandtes allerede.")


def _stamp(obj, user, when):
    """The history row of a bulk-created object shows who did it and when it happened."""
    obj._history_user = user
    obj._history_date = when
    return obj


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def _write(plans: list[ChildPlan], *, org, today) -> None:
    secretary = org.users["sekretaer"]
    team_leader = org.users["tl.nord"]
    types = {t.code: t for t in MeasureType.objects.select_related("ladder_step", "legal_basis")}
    steps = {s.number: s for s in LadderStep.objects.all()}
    bases = {b.code: b for b in LegalBasis.objects.all()}
    staff = {"psychologist": org.users["psykolog"], "health_visitor": org.users["sundhed"]}

    children = bulk_create_with_history(
        [_stamp(p.child, secretary, _noon(p.cases[0].opened_on)) for p in plans],
        Child,
        default_user=secretary,
    )
    relations = []
    for plan, child in zip(plans, children, strict=True):
        for r in plan.relations:
            r.child = child
            relations.append(_stamp(r, plan.cases[0].advisor or secretary, _noon(plan.cases[0].opened_on)))
    bulk_create_with_history(relations, Relation, default_user=secretary)

    # The cases with their state, step and legal basis as of today.
    case_rows, case_plans = [], []
    for plan, child in zip(plans, children, strict=True):
        for cp in plan.cases:
            spans = [
                Span(i, types[m["code"]].ladder_step.number, m["start"], m["end"])
                for i, m in enumerate(cp.measures)
            ]
            step = step_on(spans, today) if cp.state != CaseState.CLOSED else None
            if cp.state == CaseState.MEASURES and step is None:
                cp.state = CaseState.CLARIFICATION
            highest = max(
                (m for m in cp.measures if Span(0, 0, m["start"], m["end"]).active_on(today)),
                key=lambda m: types[m["code"]].ladder_step.number,
                default=None,
            )
            if cp.state == CaseState.MEASURES and highest:
                basis = types[highest["code"]].legal_basis
            elif cp.state == CaseState.CLOSED and cp.measures:
                basis = types[cp.measures[-1]["code"]].legal_basis
            else:
                basis = bases.get(STATE_LEGAL_BASIS.get(cp.state, "clarification"))
            case = Case(
                child=child,
                municipality=org.municipality,
                district=cp.team.district,
                team=cp.team,
                advisor=cp.advisor,
                state=cp.state,
                legal_basis=basis,
                current_step=steps[step] if step else None,
                opened_on=cp.opened_on,
                closed_on=cp.closed_on,
                closing_reason=cp.closing_reason,
            )
            case_rows.append(_stamp(case, cp.advisor or secretary, _noon(cp.opened_on)))
            case_plans.append(cp)
    cases = bulk_create_with_history(case_rows, Case, default_user=secretary)

    notifications, investigations, measures, notes, participants = [], [], [], [], []
    for case, cp in zip(cases, case_plans, strict=True):
        for n in cp.notifications:
            notifications.append(
                _stamp(
                    Notification(
                        municipality=org.municipality,
                        child=case.child,
                        case=case,
                        district=case.child.district,
                        registered_by=secretary,
                        **n,
                    ),
                    secretary,
                    n["registered_at"],
                )
            )
        for i in cp.investigations:
            investigations.append(
                _stamp(
                    Investigation(
                        case=case,
                        deadline=deadlines.investigation_deadline(i["decided_on"]),
                        decided_by=cp.advisor or team_leader,
                        **i,
                    ),
                    cp.advisor or team_leader,
                    _noon(i["decided_on"]),
                )
            )
        for m in cp.measures:
            t = types[m["code"]]
            measures.append(
                _stamp(
                    Measure(
                        case=case,
                        measure_type=t,
                        provider=PROVIDERS[m["code"]],
                        start_date=m["start"],
                        planned_end=m.get("planned_end"),
                        actual_end=m["end"],
                        decision_basis=m.get("decision_basis", Measure.DecisionBasis.WITH_CONSENT),
                        legal_basis=bases["placement_without_consent"]
                        if m.get("decision_basis") == Measure.DecisionBasis.WITHOUT_CONSENT
                        else t.legal_basis,
                        ending_reason=m["ending_reason"],
                        decided_by=cp.advisor or team_leader,
                    ),
                    cp.advisor or team_leader,
                    _noon(m["start"]),
                )
            )
        for heading, day, text, by in cp.notes:
            notes.append(
                _stamp(
                    JournalNote(
                        case=case,
                        heading=heading,
                        occurred_on=day,
                        text=text,
                        written_by=by or team_leader,
                        written_at=_noon(day),
                    ),
                    by or team_leader,
                    _noon(day),
                )
            )
        for role, note, added_on in cp.participants:
            participants.append(
                _stamp(
                    CaseParticipant(case=case, user=staff[role], note=note, added_on=added_on),
                    cp.advisor,
                    _noon(added_on),
                )
            )
    bulk_create_with_history(notifications, Notification, default_user=secretary)
    bulk_create_with_history(investigations, Investigation, default_user=secretary)
    measures = bulk_create_with_history(measures, Measure, default_user=secretary)
    bulk_create_with_history(notes, JournalNote, default_user=secretary)
    bulk_create_with_history(participants, CaseParticipant, default_user=secretary)
    _write_movements(cases, case_plans, measures, steps)
    _write_plans(cases, case_plans, secretary)


def _write_movements(cases, case_plans, measures, steps) -> None:
    """Every change of a case's step, as ``measures.services`` would have recorded it."""
    by_case = defaultdict(list)
    for m in measures:
        by_case[m.case_id].append(m)
    movements = []
    for case, cp in zip(cases, case_plans, strict=True):
        ms = by_case.get(case.pk, [])
        spans = [Span(m.pk, m.measure_type.ladder_step.number, m.start_date, m.actual_end) for m in ms]
        index = {m.pk: m for m in ms}
        for change in step_changes(spans):
            if change.is_up:
                cause = index[change.started[0]] if change.started else None
                reason = movement_reason_for_start(before=steps.get(change.from_step))
            else:
                cause = index[change.ended[0]] if change.ended else None
                reason = movement_reason_for_end(
                    ending_reason=cause.ending_reason if cause else "",
                    measure_type=cause.measure_type if cause else None,
                    after=steps.get(change.to_step),
                )
            who = cp.advisor or cause.decided_by
            movements.append(
                _stamp(
                    LadderMovement(
                        case=case,
                        date=change.date,
                        from_step=steps.get(change.from_step),
                        to_step=steps.get(change.to_step),
                        reason=reason,
                        measure=cause,
                        recorded_by=who,
                        recorded_at=_noon(change.date),
                    ),
                    who,
                    _noon(change.date),
                )
            )
    bulk_create_with_history(movements, LadderMovement, default_user=cases[0].advisor if cases else None)


def _write_plans(cases, case_plans, secretary) -> None:
    plan_rows, plan_specs = [], []
    for case, cp in zip(cases, case_plans, strict=True):
        for spec in cp.plans:
            by = cp.advisor or secretary
            plan_rows.append(
                _stamp(
                    Plan(
                        case=case,
                        kind=spec["kind"],
                        version=spec["version"],
                        purpose=spec["purpose"],
                        due_on=spec["due_on"],
                        made_on=spec["made_on"],
                        created_by=by,
                    ),
                    by,
                    _noon(spec["made_on"] or case.opened_on),
                )
            )
            plan_specs.append(spec)
    plans = bulk_create_with_history(plan_rows, Plan, default_user=secretary)
    # First versions before second ones: a carried goal points back at its earlier self.
    created: dict[tuple[int, int], list[Goal]] = {}
    for version in (1, 2):
        goals, keys = [], []
        for plan, spec in zip(plans, plan_specs, strict=True):
            if spec["version"] != version:
                continue
            for order, g in enumerate(spec["goals"]):
                carried = created[(plan.case_id, 1)][g["carry"]] if "carry" in g else None
                goals.append(
                    _stamp(
                        Goal(
                            plan=plan,
                            what=g["what"],
                            who=g["who"],
                            how_measured=g["how_measured"],
                            by_when=g["by_when"],
                            status=g["status"],
                            order=order,
                            carried_from=carried,
                        ),
                        plan.created_by,
                        _noon(plan.made_on),
                    )
                )
                keys.append((plan.case_id, version))
        for goal, key in zip(
            bulk_create_with_history(goals, Goal, default_user=secretary), keys, strict=True
        ):
            created.setdefault(key, []).append(goal)
