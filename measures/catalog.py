"""The shipped defaults of the ladder, the legal bases and the measure catalog (docs/domain.md §§2-3).

They are data: a migration loads them into every new installation and ``load_catalog`` restores
missing entries; an administrator edits them in the admin afterwards. Loading never overwrites
an entry the municipality has changed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

# code, title, title_en, SEL section, Barnets Lov section (docs/domain.md §3)
LEGAL_BASES = [
    (
        "notification_assessment",
        "Vurdering af underretning inden 24 timer",
        "Assessment of a notification within 24 hours",
        "§ 155",
        "§ 136",
    ),
    (
        "notification_receipt",
        "Kvittering til fagperson, der underretter",
        "Receipt to a professional notifier",
        "§ 155 b",
        "§ 136",
    ),
    ("clarification", "Afklaring / afdækning", "Clarification", "§ 11", "§ 19"),
    ("early_support", "Tidlig forebyggende indsats", "Early preventive support", "§ 11, stk. 3", "§ 30"),
    ("investigation", "Børnefaglig undersøgelse", "Child-welfare investigation", "§ 50", "§ 20"),
    ("support_measure", "Støttende indsats", "Supportive measure", "§ 52, stk. 3", "§ 32"),
    (
        "practical_support",
        "Praktisk, pædagogisk eller anden støtte i hjemmet",
        "Practical or educational support at home",
        "§ 52, stk. 3, nr. 2",
        "§ 32, stk. 1, nr. 2",
    ),
    (
        "family_treatment",
        "Familiebehandling / behandling af barnet",
        "Family treatment",
        "§ 52, stk. 3, nr. 3",
        "§ 32, stk. 1, nr. 5",
    ),
    (
        "respite_care",
        "Aflastningsophold / støtteophold",
        "Respite care",
        "§ 52, stk. 3, nr. 5",
        "§ 32, stk. 1, nr. 7",
    ),
    (
        "contact_person",
        "Fast kontaktperson",
        "Permanent contact person",
        "§ 52, stk. 3, nr. 6",
        "§ 32, stk. 1, nr. 3",
    ),
    (
        "placement_with_consent",
        "Anbringelse med samtykke",
        "Placement with consent",
        "§ 52, stk. 3, nr. 7",
        "§ 46",
    ),
    ("placement_without_consent", "Anbringelse uden samtykke", "Placement without consent", "§ 58", "§ 47"),
    (
        "boarding_school_support",
        "Økonomisk støtte til efterskoleophold",
        "Financial support for boarding school",
        "§ 52 a",
        "§ 35, stk. 4",
    ),
    ("plan", "Handleplan / barnets plan", "Action plan / the child's plan", "§ 140", "§ 91"),
    ("follow_up", "Opfølgning", "Follow-up", "§ 70", "§§ 95-96"),
    ("supervision", "Personrettet tilsyn", "Supervision of the placed child", "§ 148", "§ 156"),
    ("aftercare", "Efterværn / ungestøtte (18-22 år)", "Aftercare (18-22)", "§ 76", "§§ 114-116"),
]

# Aftercare (ungestøtte, Barnets Lov §§ 113-116; SEL § 76 until 31 December 2023) is support to a
# young adult of 18-22, never a placement: the placement ends at 18 (BL § 111), so a maintained
# residential stay is counted on step 2 with no placement category (no child-years, no supervisory
# visits). Barnets Lov § 95, stk. 1, names §§ 114-116, so the statutory follow-up applies
# (docs/domain.md §3, docs/deadlines.md).
AFTERCARE_TYPES = [
    (
        "aftercare_residential",
        "Ungestøtte: opretholdt døgnophold (18-22 år)",
        "Aftercare: residential stay maintained (18-22)",
        2,
        "aftercare",
        "",
        600_000,
    ),
    (
        "aftercare_contact_person",
        "Ungestøtte: fast kontaktperson (18-22 år)",
        "Aftercare: permanent contact person (18-22)",
        2,
        "aftercare",
        "",
        90_000,
    ),
    (
        "aftercare_other",
        "Ungestøtte: udslusning og anden støtte (18-22 år)",
        "Aftercare: phasing out and other support (18-22)",
        2,
        "aftercare",
        "",
        60_000,
    ),
]

# number, name, name_en, is_placement, description (docs/domain.md §2; KORA 2017, Fig. 2.1)
LADDER_STEPS = [
    (
        1,
        "Forebyggelse",
        "Prevention",
        False,
        "Tidlig forebyggende indsats i almenområdet: netværksmøder, psykologsamtaler, behovsbesøg hos sundhedsplejen, familiecentral.",
    ),
    (
        2,
        "Hjemmebaserede indsatser",
        "Home-based measures",
        False,
        "Støttende indsatser i hjemmet: familiebehandling, aflastning, kontaktperson, MST, FFT.",
    ),
    (
        3,
        "Hjemmebaserede anbringelser",
        "Home-based placements",
        True,
        "Eget værelse, kost- og efterskole, opgangsfællesskab.",
    ),
    (
        4,
        "Anbringelse i slægt/netværk",
        "Kinship / network foster care",
        True,
        "Anbringelse hos familie eller netværk.",
    ),
    (
        5,
        "Anbringelse i plejefamilie",
        "Foster family",
        True,
        "Almindelige, kommunale og forstærkede/specialiserede plejefamilier (TFCO, MTFC).",
    ),
    (
        6,
        "Anbringelse på institution",
        "Residential institution",
        True,
        "Døgninstitution, opholdssted, sikret institution, korttidsanbringelse.",
    ),
]

# code, name, name_en, step, legal basis, placement category, unit cost per child-year (DKK)
# Unit costs: KORA Tab. 2.6 (2015, 2013 prices) for the placement groups; the others are
# estimates for the demo, marked as such, which a municipality replaces with its own prices.
MEASURE_TYPES = [
    (
        "institution",
        "Anbringelse på døgninstitution / opholdssted",
        "Residential institution",
        6,
        "placement_with_consent",
        "institution",
        1_100_000,
    ),
    (
        "secure_institution",
        "Sikret institution",
        "Secure institution",
        6,
        "placement_without_consent",
        "institution",
        2_000_000,
    ),
    (
        "short_term_placement",
        "Korttidsanbringelse",
        "Short-term intensive placement",
        6,
        "placement_with_consent",
        "institution",
        1_200_000,
    ),
    ("foster_family", "Plejefamilie", "Foster family", 5, "placement_with_consent", "foster_family", 400_000),
    (
        "special_foster_family",
        "Forstærket / specialiseret plejefamilie (TFCO, MTFC)",
        "Reinforced or specialised foster family (TFCO, MTFC)",
        5,
        "placement_with_consent",
        "special_foster",
        550_000,
    ),
    (
        "network_foster_family",
        "Netværks- / slægtspleje",
        "Kinship / network foster care",
        4,
        "placement_with_consent",
        "network_foster",
        250_000,
    ),
    (
        "own_room",
        "Anbringelse på eget værelse",
        "Own room",
        3,
        "placement_with_consent",
        "home_based",
        290_000,
    ),
    (
        "boarding_school",
        "Kost- / efterskole",
        "Boarding school",
        3,
        "placement_with_consent",
        "home_based",
        200_000,
    ),
    (
        "supported_housing",
        "Opgangsfællesskab",
        "Supported stairwell community",
        3,
        "placement_with_consent",
        "home_based",
        290_000,
    ),
    (
        "preventive",
        "Forebyggende foranstaltning (§ 52)",
        "Preventive measure (§ 52)",
        2,
        "support_measure",
        "",
        120_000,
    ),
    ("mst", "MST / MST-CM", "MST / MST-CM", 2, "family_treatment", "", 250_000),
    (
        "contact_person",
        "Kontaktperson / ambulant behandling",
        "Contact person / outpatient treatment",
        2,
        "contact_person",
        "",
        90_000,
    ),
    (
        "private_contact_person",
        "Privat kontaktperson",
        "Private contact person",
        2,
        "contact_person",
        "",
        60_000,
    ),
    ("family_treatment", "Familiebehandling", "Family treatment", 2, "family_treatment", "", 150_000),
    ("respite_care", "Aflastning", "Respite care", 2, "respite_care", "", 180_000),
    (
        "early_support",
        "Tidlig forebyggende indsats (§ 11)",
        "Early preventive support (§ 11)",
        1,
        "early_support",
        "",
        20_000,
    ),
    *AFTERCARE_TYPES,
]

UNIT_COSTS_VALID_FROM = datetime.date(2013, 1, 1)

# The consumer price index (forbrugerprisindeks, 2015 = 100) of Danmarks Statistik, table PRIS113
# (the headline figures; PRIS111 has the same total by product group): each year's value is the
# average of its twelve monthly values as published on dst.dk, "Forbrugerprisindeks, hovedtal"
# (https://www.dst.dk/da/Statistik/emner/oekonomi/prisindeks/forbrugerprisindeks), rounded to two
# decimals. Only the complete years that page listed are shipped; the system administrator adds
# later years (and the government's PL-indeks instead, if the municipality budgets with it) in the
# admin, where a year without a value leaves that year's spend in its own prices.
PRICE_INDEX_SOURCE = "Danmarks Statistik, PRIS113 (2015=100), gennemsnit af månedstal"
PRICE_INDEX: dict[int, Decimal] = {
    2015: Decimal("100.00"),
    2016: Decimal("100.25"),
    2017: Decimal("101.40"),
    2018: Decimal("102.23"),
    2019: Decimal("103.00"),
    2020: Decimal("103.43"),
    2021: Decimal("105.35"),
    2022: Decimal("113.46"),
    2023: Decimal("117.21"),
}


def load_default_price_index(*, PriceIndex) -> int:
    """Create the shipped years that are missing; leave existing ones (an administrator's
    correction) as they are. Returns how many were created."""
    return sum(
        PriceIndex.objects.get_or_create(year=year, defaults={"value": value, "source": PRICE_INDEX_SOURCE})[
            1
        ]
        for year, value in PRICE_INDEX.items()
    )


# What the shipped types do beyond step and category (``MeasureType.is_short_term`` …): the movement
# an ended measure implies (Herningmodellen: a planned short-term placement ending, home after
# treatment) and Herningmodellen's boarding-school exception from the follow-up rule.
TYPE_BEHAVIOUR: dict[str, dict[str, bool]] = {
    "short_term_placement": {"is_short_term": True},
    "family_treatment": {"is_home_treatment": True},
    "mst": {"is_home_treatment": True},
    "boarding_school": {"is_boarding_school": True},
}


def _behaviour(MeasureType, code: str) -> dict[str, bool]:
    """The shipped behaviour of ``code`` for the fields ``MeasureType`` has (a data migration's
    historical model may predate them)."""
    names = {f.name for f in MeasureType._meta.get_fields()}
    return {k: v for k, v in TYPE_BEHAVIOUR.get(code, {}).items() if k in names}


def set_default_behaviour(*, MeasureType) -> int:
    """Give the shipped types their behaviour (the migration that added the fields); returns how
    many types were changed."""
    return sum(
        MeasureType.objects.filter(code=code).update(**_behaviour(MeasureType, code))
        for code in TYPE_BEHAVIOUR
    )


def load_default_catalog(*, LegalBasis, LadderStep, MeasureType, UnitCost) -> dict[str, int]:
    """Create every default entry that is missing; leave existing ones as they are.

    Takes the model classes so that a data migration can pass its historical models.
    Returns how many of each were created.
    """
    created = {"legal_bases": 0, "ladder_steps": 0, "measure_types": 0, "unit_costs": 0}
    bases = {}
    for code, title, title_en, sel, bl in LEGAL_BASES:
        obj, was_created = LegalBasis.objects.get_or_create(
            code=code, defaults={"title": title, "title_en": title_en, "sel_section": sel, "bl_section": bl}
        )
        bases[code] = obj
        created["legal_bases"] += was_created
    steps = {}
    for number, name, name_en, is_placement, description in LADDER_STEPS:
        obj, was_created = LadderStep.objects.get_or_create(
            number=number,
            defaults={
                "name": name,
                "name_en": name_en,
                "is_placement": is_placement,
                "description": description,
            },
        )
        steps[number] = obj
        created["ladder_steps"] += was_created
    for code, name, name_en, step, basis, category, cost in MEASURE_TYPES:
        obj, was_created = MeasureType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "ladder_step": steps[step],
                "legal_basis": bases[basis],
                "placement_category": category,
                **_behaviour(MeasureType, code),
            },
        )
        created["measure_types"] += was_created
        if was_created:
            UnitCost.objects.create(
                measure_type=obj, valid_from=UNIT_COSTS_VALID_FROM, amount_per_year=Decimal(cost)
            )
            created["unit_costs"] += 1
    return created
