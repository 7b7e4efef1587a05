"""Demo step: a second DUBU profile beside the shipped default, laid out as another
municipality's extract might be (other column names, comma-separated, Windows-1252), with the
default's code table, to show that the layout and the codes are data. Safe to run again."""

from __future__ import annotations

from dubu.defaults import load_defaults
from dubu.models import CodeMapping, MappingProfile
from measures.models import MeasureType

DEMO_PROFILE = "Demo: udtræk med andre kolonnenavne"
DEMO_COLUMNS = {
    "case_id_column": "Sagsnr",
    "cpr_column": "CPR",
    "first_name_column": "Fornavn",
    "last_name_column": "Efternavn",
    "advisor_column": "Rådgiver",
    "district_column": "Distrikt",
    "service_column": "Ydelsestype",
    "offer_column": "Tilbudstype",
    "legal_basis_column": "Paragraf",
    "start_column": "Fra",
    "end_column": "Til",
    "provider_column": "Leverandør",
    "last_followup_column": "Sidste opfølgning",
}


def seed(*, org, today, rng, stdout) -> None:
    load_defaults(MappingProfile=MappingProfile, CodeMapping=CodeMapping, MeasureType=MeasureType)
    profile, created = MappingProfile.objects.get_or_create(
        name=DEMO_PROFILE,
        defaults={
            **DEMO_COLUMNS,
            "delimiter": MappingProfile.Delimiter.COMMA,
            "encoding": MappingProfile.Encoding.CP1252,
            "date_format": MappingProfile.DateFormat.DOTTED,
            "description": "Demoprofil: samme koder som standardprofilen, andre kolonnenavne.",
        },
    )
    if created:
        default = MappingProfile.objects.get(is_default=True)
        CodeMapping.objects.bulk_create(
            CodeMapping(
                profile=profile,
                service=line.service,
                offer=line.offer,
                legal_basis=line.legal_basis,
                measure_type_id=line.measure_type_id,
            )
            for line in default.code_mappings.all()
        )
    stdout.write(f"DUBU: profilerne {', '.join(MappingProfile.objects.values_list('name', flat=True))}.")
