"""The shipped default profile and code table (docs/dubu-exchange.md).

UNCERTAIN: DUBU's own classification of ydelse × tilbud × lovhjemmel (Blanket 20) is not public
(docs/dubu-exchange.md), so the names below are the usual words of DUBU's help pages and the
municipalities' own stairs (Herning in KORA 2017, Hvidovre Kommune 2014), not a copy of DUBU's list. A municipality corrects them in
the admin to what its extract says; a loader never overwrites a line that exists.
"""

from __future__ import annotations

DEFAULT_PROFILE = "DUBU standard"

# (service/ydelse, offer/tilbud, legal basis/lovhjemmel, measure type code)
CODE_TABLE = [
    ("Anbringelse", "Døgninstitution", "", "institution"),
    ("Anbringelse", "Opholdssted", "", "institution"),
    ("Anbringelse", "Sikret døgninstitution", "", "secure_institution"),
    ("Anbringelse", "Korttidsanbringelse", "", "short_term_placement"),
    ("Anbringelse", "Plejefamilie", "", "foster_family"),
    ("Anbringelse", "Kommunal plejefamilie", "", "foster_family"),
    ("Anbringelse", "Forstærket plejefamilie", "", "special_foster_family"),
    ("Anbringelse", "Specialiseret plejefamilie", "", "special_foster_family"),
    ("Anbringelse", "Netværksplejefamilie", "", "network_foster_family"),
    ("Anbringelse", "Eget værelse", "", "own_room"),
    ("Anbringelse", "Kostskole", "", "boarding_school"),
    ("Anbringelse", "Efterskole", "", "boarding_school"),
    ("Anbringelse", "Opgangsfællesskab", "", "supported_housing"),
    ("Forebyggende foranstaltning", "", "", "preventive"),
    ("Forebyggende foranstaltning", "Familiebehandling", "", "family_treatment"),
    ("Forebyggende foranstaltning", "Aflastning", "", "respite_care"),
    ("Forebyggende foranstaltning", "Kontaktperson", "", "contact_person"),
    ("Forebyggende foranstaltning", "Privat kontaktperson", "", "private_contact_person"),
    ("Forebyggende foranstaltning", "MST", "", "mst"),
    ("Forebyggende foranstaltning", "Efterskoleophold", "", "boarding_school"),
    ("Tidlig forebyggende indsats", "", "", "early_support"),
    # Aftercare for young adults of 18-22 (Barnets Lov §§ 114-116; before 2024 "efterværn", SEL
    # § 76): extracts name it by either word, so both are mapped.
    ("Ungestøtte", "", "", "aftercare_other"),
    ("Ungestøtte", "Opretholdt døgnophold", "", "aftercare_residential"),
    ("Ungestøtte", "Opretholdt anbringelse", "", "aftercare_residential"),
    ("Ungestøtte", "Fast kontaktperson", "", "aftercare_contact_person"),
    ("Ungestøtte", "Kontaktperson", "", "aftercare_contact_person"),
    ("Efterværn", "", "", "aftercare_other"),
    ("Efterværn", "Opretholdt døgnophold", "", "aftercare_residential"),
    ("Efterværn", "Opretholdt anbringelse", "", "aftercare_residential"),
    ("Efterværn", "Fast kontaktperson", "", "aftercare_contact_person"),
    ("Efterværn", "Kontaktperson", "", "aftercare_contact_person"),
]


def load_defaults(
    *, MappingProfile, CodeMapping, MeasureType, create_profile: bool = True
) -> tuple[int, int]:
    """Create the default profile and every missing line of its code table; returns how many
    profiles and lines were created. Lines whose measure type is missing are left out.

    With ``create_profile=False`` (a later migration adding lines) a municipality that deleted or
    renamed the shipped profile keeps its choice: nothing is created."""
    if not create_profile and not MappingProfile.objects.filter(name=DEFAULT_PROFILE).exists():
        return 0, 0
    profile, created = MappingProfile.objects.get_or_create(
        name=DEFAULT_PROFILE,
        defaults={
            "is_default": not MappingProfile.objects.filter(is_default=True).exists(),
            "description": "Standardprofilen: kolonnerne og kodetabellen i docs/dubu-exchange.md.",
        },
    )
    types = {t.code: t for t in MeasureType.objects.all()}
    lines = 0
    for service, offer, legal_basis, code in CODE_TABLE:
        if code not in types:
            continue
        _line, made = CodeMapping.objects.get_or_create(
            profile=profile,
            service=service,
            offer=offer,
            legal_basis=legal_basis,
            defaults={"measure_type": types[code]},
        )
        lines += made
    return int(created), lines
