"""The shipped rule sets and the exceptions, as data.

"Herningmodellen 1.0" has a rule for every code of the catalog exactly as docs/domain.md §3 writes it
(Herningmodellen 1.0 "Opfølgninger ved socialrådgivere med myndighed", p. 32 ff, and KORA Tabel 5.1);
"Hvidovre 2014" is Hvidovre's strategy (2014, "Lige muligheder", "Styrkelse af myndighedsområdet"). A migration loads
both; ``load_rule_sets`` restores what is missing. Loading never changes an existing rule.
"""

from __future__ import annotations

import datetime

from followups import engine
from measures.models import PlacementCategory

W, M = engine.WEEKS, engine.MONTHS

HERNING = "Herningmodellen 1.0"
HVIDOVRE = "Hvidovre 2014"
DEFAULT_RULE_SET = HERNING

# A milestone: (amount, unit, purpose, purpose in English[, written status]). A phase: (every,
# unit, until, unit[, counted from the start]). Where the model's wording lists offsets from the
# start ("ved 4 uger, 3 mdr., 6 mdr. og herefter hver 3 mdr.", "Ved 9 mdr. ... og så fremdeles"),
# the phase is counted from the start (FROM_START); "første opfølgning efter 4 uger herefter hver 3
# måned" and "hver 6. uge" count from the previous follow-up (docs/deadlines.md).
FROM_START = True
WRITTEN_STATUS = True
_PLACEMENT_2W_6W = {
    "milestones": [(2, W, "", "")],
    "phases": [(6, W, None, None)],
}
_FOSTER = {
    # "Første opfølgning efter 2 uger og herefter hver 6 uge det første år. Efter det første år
    # minimum 4 opfølgninger pr. år" (Herningmodellen 1.0); Tabel 5.1: "Minimum hver 3. mdr."
    "milestones": [(2, W, "", "")],
    "phases": [(6, W, 12, M), (3, M, None, None)],
}
_PREVENTIVE = {
    # "Første opfølgning efter 4 uger herefter hver 3 måned. Ved 6 måneder efter opstart opfølgning
    # med status i forhold til fortsættelse af foranstaltning og tidsperspektiv" (Herningmodellen 1.0).
    "milestones": [
        (4, W, "", ""),
        (
            6,
            M,
            "status på fortsættelse af indsatsen og tidsperspektiv for afslutning",
            "status on continuing the measure and the time frame for ending it",
        ),
    ],
    "phases": [(3, M, None, None)],
}

HERNING_RULES: dict[str, dict] = {
    # Herningmodellen 1.0, "Anbringelser på institution": first after 2 weeks, then every 6 weeks.
    "institution": _PLACEMENT_2W_6W,
    "secure_institution": _PLACEMENT_2W_6W,
    # "Kortidsanbringelser på Hedebocenteret eller Toften: Opfølgning hver 4 uge".
    "short_term_placement": {"milestones": [], "phases": [(4, W, None, None)]},
    "foster_family": _FOSTER,
    "special_foster_family": _FOSTER,
    "network_foster_family": _FOSTER,
    "own_room": _PLACEMENT_2W_6W,
    # "Efterskole: ... ved 4 uger, 3 mdr., 6 mdr. og herefter hver 3 mdr. ... Der skal hentes status
    # fra efterskolen ved 6 mdr. opfølgning".
    "boarding_school": {
        "milestones": [
            (4, W, "", ""),
            (3, M, "", ""),
            (
                6,
                M,
                "status fra skolen, så der kan tages stilling til evt. støtte det efterfølgende år",
                "a status from the school to decide on support for the following year",
            ),
        ],
        "phases": [(3, M, None, None, FROM_START)],
    },
    # Neither Herningmodellen 1.0 nor KORA 2017 gives a rule; docs/domain.md §3 defaults it to the own-room rule.
    "supported_housing": _PLACEMENT_2W_6W,
    "preventive": _PREVENTIVE,
    # "MST og MST-CM: Opfølgning efter 4 uger og efter 8 uger ... Efter 3 mdr. opfølgning i MST
    # herunder forslag til videre forløb. Ved 5 mdr. afsluttes forløbet."
    "mst": {
        "milestones": [
            (4, W, "med familien og den unge", "with the family and the young person"),
            (8, W, "med familien og den unge", "with the family and the young person"),
            (3, M, "forslag til videre forløb", "proposal for the further course"),
        ],
        "phases": [],
        "programme_end": (5, M),
    },
    # "Kontaktpersoner/ambulant behandling: Efter 4 uger ... Efter 3 mdr. ... Efter 6 mdr. ... her
    # gives forslag til tidsperspektiv. Ved 9 mdr. ... og så fremdeles efter samme frister."
    "contact_person": {
        "milestones": [
            (
                4,
                W,
                "med den unge, kontaktperson og sagsbehandler",
                "with the young person, contact person and advisor",
            ),
            (
                3,
                M,
                "generel status og behandlingsplan; forældrene inviteres",
                "general status and treatment plan; the parents are invited",
            ),
            (6, M, "forslag til tidsperspektiv", "proposal for the time frame"),
        ],
        "phases": [(3, M, None, None, FROM_START)],
    },
    # "Private kontaktpersoner: ... ved 4 uger, 3 mdr., 6 mdr. og herefter hver 3 mdr."
    "private_contact_person": {
        "milestones": [(4, W, "", ""), (3, M, "", ""), (6, M, "", "")],
        "phases": [(3, M, None, None, FROM_START)],
    },
    # "Familiecenteret: 4 uger ... hvor handleplanen konkretiseres. Efter 3 mdr. ... Efter 6 mdr. ...
    # afklaring af eventuel støtte efter ophør af familiebehandling ... Ved 8 måneder modtages der
    # status fra familiecenteret."
    "family_treatment": {
        "milestones": [
            (4, W, "handleplanen konkretiseres", "the plan is made concrete"),
            (
                3,
                M,
                "opfølgning mellem familien og sagsbehandler",
                "follow-up between the family and the advisor",
            ),
            (
                6,
                M,
                "afklaring af eventuel støtte efter ophør af familiebehandlingen",
                "clarifying any support after the family treatment ends",
            ),
            (
                8,
                M,
                "skriftlig status fra Familiecenteret",
                "a written status from the family centre",
                WRITTEN_STATUS,
            ),
        ],
        "phases": [],
    },
    # docs/domain.md §3: aflastning follows the generic § 52 rule.
    "respite_care": _PREVENTIVE,
    # No statutory follow-up for § 11 support; the municipality may set one.
    "early_support": {"milestones": [], "phases": [], "child_conversation_required": False},
    # Aftercare (ungestøtte, BL §§ 114-116): Herningmodellen 1.0 has no rule of its own. The
    # contact person keeps the contact-person rule (the same kind of support after 18); the
    # maintained stay and other support follow the generic § 52 rule, whose status at 6 months
    # asks whether the support goes on (docs/domain.md §3). The statutory BL § 95 follow-up runs
    # alongside: § 95, stk. 1, names §§ 114-116.
    "aftercare_residential": _PREVENTIVE,
    "aftercare_contact_person": {
        "milestones": [
            (4, W, "med den unge og kontaktpersonen", "with the young person and the contact person"),
            (3, M, "", ""),
            (6, M, "forslag til tidsperspektiv", "proposal for the time frame"),
        ],
        "phases": [(3, M, None, None, FROM_START)],
    },
    "aftercare_other": _PREVENTIVE,
}

_HVIDOVRE_PLACEMENT = {
    # Hvidovre Kommune 2014, "Lige muligheder": "Når et barn anbringes udenfor hjemmet skal der følges op allerede efter 4 uger, samt
    # herefter hver 6. uge. Efter 6 måneder skal der ske en vurdering af muligheden for at barnet kan
    # komme hjem ... eller om andre mindre indgribende tiltag skal iværksættes."
    "milestones": [
        (4, W, "", ""),
        (
            6,
            M,
            "vurdering af hjemgivelse eller en mindre indgribende indsats",
            "assessing a return home or a less intrusive measure",
        ),
    ],
    "phases": [(6, W, None, None)],
}
_HVIDOVRE_PREVENTIVE = {
    # Hvidovre Kommune 2014, "Lige muligheder": "Ved de forebyggende foranstaltninger skal der ligeledes følges op første gang efter 4
    # uger, og herefter hver anden måned."
    "milestones": [(4, W, "", "")],
    "phases": [(2, M, None, None)],
}
HVIDOVRE_RULES: dict[str, dict] = {
    **dict.fromkeys(
        [
            "institution",
            "secure_institution",
            "short_term_placement",
            "foster_family",
            "special_foster_family",
            "network_foster_family",
            "own_room",
            "boarding_school",
            "supported_housing",
        ],
        _HVIDOVRE_PLACEMENT,
    ),
    **dict.fromkeys(
        [
            "preventive",
            "mst",
            "contact_person",
            "private_contact_person",
            "family_treatment",
            "respite_care",
            # Hvidovre's strategy names no aftercare rule: the preventive one.
            "aftercare_residential",
            "aftercare_contact_person",
            "aftercare_other",
        ],
        _HVIDOVRE_PREVENTIVE,
    ),
    "early_support": {"milestones": [], "phases": [], "child_conversation_required": False},
}

RULE_SETS = [
    {
        "name": HERNING,
        # The Sverigesprogram started in January 2013 (Forebyggelsesudvalget 21.1.2013); Herningmodellen 1.0 is dated 26/11 2015.
        "valid_from": datetime.date(2013, 1, 1),
        "source": "Herning Kommune, Herningmodellen 1.0, s. 32 ff. (KORA 2017, bilag 2); KORA Tabel 5.1",
        "description": "Herning Kommunes opfølgningsfrister for socialrådgivere med myndighed.",
        "rules": HERNING_RULES,
    },
    {
        "name": HVIDOVRE,
        "valid_from": datetime.date(2014, 1, 1),
        "source": "Hvidovre Kommune, Lige muligheder (2014), Styrkelse af myndighedsområdet",
        "description": "Hvidovre Kommunes strategi med inspiration fra Sverigesmodellen.",
        "rules": HVIDOVRE_RULES,
    },
]

# Exceptions (Herningmodellen 1.0 "Undtagelser fra ovenstående retningslinjer"): which measure types
# they concern, which forms the extra follow-ups may then take, and whether those still need a
# child conversation. The statutory half-yearly follow-ups stay in every case.
# Which types an exception concerns is read from the type itself: its placement category
# (``categories``), any placement (``placements``) or one of its flags (``type_flag``), so a type
# added in the admin is offered the exceptions of its kind.
FOSTER_CATEGORIES = PlacementCategory.family_care()
EXCEPTIONS: dict[str, dict] = {
    # "de ekstra tre måneders opfølgninger kan foregå via mail og telefon og efter vurdering uden
    # børnesamtale": the 3-monthly ones, after the first year; the first year's 6-weekly follow-ups
    # stay as the rule has them, whenever the exception is approved (docs/deadlines.md).
    "childhood_foster": {
        "categories": FOSTER_CATEGORIES,
        "placements": False,
        "type_flag": None,
        "extra_forms": (engine.PHONE, engine.MAIL),
        "child_conversation_required": False,
        "not_before_months": 12,
        "label_en": "Childhood placement in foster care",
    },
    # "De ekstra tre måneders opfølgninger kan foregå pr. telefon. Børne/Ungesamtalen kan ligeledes
    # foregå over telefon."
    "far_away": {
        "categories": frozenset(),
        "placements": True,
        "type_flag": None,
        "extra_forms": (engine.PHONE,),
        "child_conversation_required": True,
        "label_en": "Young person placed far away (more than 50 km)",
    },
    # "de ekstra tre måneders opfølgninger kan foretages pr. telefon. Der tales her i telefon med den
    # unge også."
    "boarding_school": {
        "categories": frozenset(),
        "placements": False,
        "type_flag": "is_boarding_school",
        "extra_forms": (engine.PHONE,),
        "child_conversation_required": True,
        "label_en": "Boarding school under § 52",
    },
}

# Legal bases outside BL § 95, stk. 1 (§§ 32, 46, 47, 114-116, 120) and SEL § 70, stk. 1: no
# statutory follow-up. Financial support for a boarding-school stay (BL § 35, stk. 4 / SEL § 52 a)
# is neither a supportive measure under BL § 32 nor a placement (docs/deadlines.md).
NO_LEGAL_FLOOR = frozenset({"early_support", "clarification", "investigation", "boarding_school_support"})

# The legal bases that make a stay away from home a placement (BL §§ 46-47 / SEL §§ 52, stk. 3,
# nr. 7, and 58).
PLACEMENT_BASES = frozenset({"placement_with_consent", "placement_without_consent"})


def legal_context(
    *,
    legal_basis: str,
    placement_category: str,
    boarding_school: bool = False,
    investigation_end: datetime.date | None = None,
) -> engine.LegalContext:
    """What the law needs to know about a measure, from its legal basis and its type.

    A boarding-school stay (efterskole) on a support basis (BL § 32 or § 35, stk. 4 / SEL § 52, stk.
    3, or § 52 a) is not a placement: no supervisory visits (BL § 156, stk. 5 / SEL § 148, stk. 3
    concern placed children), and the BL § 95 / SEL § 70 follow-up only where its basis is covered.
    """
    placement = bool(placement_category) and not (boarding_school and legal_basis not in PLACEMENT_BASES)
    return engine.LegalContext(
        applies=legal_basis not in NO_LEGAL_FLOOR, placement=placement, investigation_end=investigation_end
    )


def legal_context_of(measure, *, investigation_end: datetime.date | None = None) -> engine.LegalContext:
    """``legal_context`` of a measure (with its type and legal basis loaded)."""
    return legal_context(
        legal_basis=measure.legal_basis.code,
        placement_category=measure.measure_type.placement_category,
        boarding_school=measure.measure_type.is_boarding_school,
        investigation_end=investigation_end,
    )


def load_rule_sets(*, RuleSet, Rule, RuleMilestone, RulePhase, MeasureType) -> dict[str, int]:
    """Create the shipped rule sets and every missing rule; never change an existing one.

    Takes the model classes so that a data migration can pass its historical models.
    """
    created = {"rule_sets": 0, "rules": 0}
    types = {t.code: t for t in MeasureType.objects.all()}
    for spec in RULE_SETS:
        rule_set, was_created = RuleSet.objects.get_or_create(
            name=spec["name"],
            municipality=None,
            defaults={
                "valid_from": spec["valid_from"],
                "source": spec["source"],
                "description": spec["description"],
                "is_preset": True,
            },
        )
        created["rule_sets"] += was_created
        existing = set(Rule.objects.filter(rule_set=rule_set).values_list("measure_type__code", flat=True))
        for code, rule_spec in spec["rules"].items():
            if code in existing or code not in types:
                continue
            rule = Rule.objects.create(
                rule_set=rule_set,
                measure_type=types[code],
                programme_end_amount=(rule_spec.get("programme_end") or (None, ""))[0],
                programme_end_unit=(rule_spec.get("programme_end") or (None, ""))[1],
                child_conversation_required=rule_spec.get("child_conversation_required", True),
                allowed_forms=[engine.MEETING],
                note=spec["source"],
            )
            milestone_fields = {f.name for f in RuleMilestone._meta.get_fields()}
            for amount, unit, purpose, purpose_en, *written in rule_spec["milestones"]:
                extra = {"written_status": bool(written and written[0])}
                RuleMilestone.objects.create(
                    rule=rule,
                    amount=amount,
                    unit=unit,
                    purpose=purpose,
                    purpose_en=purpose_en,
                    **{k: v for k, v in extra.items() if k in milestone_fields},
                )
            phase_fields = {f.name for f in RulePhase._meta.get_fields()}
            for order, (every, every_unit, until, until_unit, *from_start) in enumerate(rule_spec["phases"]):
                extra = {"from_start": bool(from_start and from_start[0])}
                RulePhase.objects.create(
                    rule=rule,
                    order=order,
                    every_amount=every,
                    every_unit=every_unit,
                    until_amount=until,
                    until_unit=until_unit or "",
                    **{k: v for k, v in extra.items() if k in phase_fields},
                )
            created["rules"] += 1
    return created


def mark_shipped_rules(*, RuleSet, RuleMilestone, RulePhase) -> int:
    """Give the stored shipped rules the written-status milestones and the intervals counted from
    the start that their specs have (the migration that added the two fields). Only a milestone or
    interval that still has the shipped amount and unit is marked; returns how many were."""
    changed = 0
    for spec in RULE_SETS:
        rule_sets = RuleSet.objects.filter(name=spec["name"], municipality=None, is_preset=True)
        for code, rule_spec in spec["rules"].items():
            for amount, unit, _purpose, _purpose_en, *written in rule_spec["milestones"]:
                if written and written[0]:
                    changed += RuleMilestone.objects.filter(
                        rule__rule_set__in=rule_sets,
                        rule__measure_type__code=code,
                        amount=amount,
                        unit=unit,
                        written_status=False,
                    ).update(written_status=True)
            for every, every_unit, until, _until_unit, *from_start in rule_spec["phases"]:
                if from_start and from_start[0]:
                    changed += RulePhase.objects.filter(
                        rule__rule_set__in=rule_sets,
                        rule__measure_type__code=code,
                        every_amount=every,
                        every_unit=every_unit,
                        until_amount=until,
                        from_start=False,
                    ).update(from_start=True)
    return changed


def engine_rule(rule_set: str, code: str, *, measure_da: str = "", measure_en: str = "") -> engine.Rule:
    """A shipped rule as the engine's plain data, without the database (tests, previews)."""
    spec = next(s for s in RULE_SETS if s["name"] == rule_set)["rules"][code]
    end = spec.get("programme_end")
    return engine.Rule(
        rule_set=rule_set,
        measure_da=measure_da or code,
        measure_en=measure_en or code,
        code=code,
        milestones=tuple(
            engine.Milestone(engine.Period(a, u), purpose, purpose_en, bool(written and written[0]))
            for a, u, purpose, purpose_en, *written in spec["milestones"]
        ),
        phases=tuple(
            engine.Phase(
                engine.Period(e, eu), engine.Period(t, tu) if t else None, bool(from_start and from_start[0])
            )
            for e, eu, t, tu, *from_start in spec["phases"]
        ),
        programme_end=engine.Period(*end) if end else None,
        child_conversation_required=spec.get("child_conversation_required", True),
        allowed_forms=(engine.MEETING,),
    )
