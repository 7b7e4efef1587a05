"""The facts the demo children are drawn from: how many in each state and on each step, names,
streets, concerns, notes and goals."""

from __future__ import annotations

from cases.models import (
    JournalNote,
)

CHILDREN = 250
# The advisor who holds exactly the team's cap of open cases (Bo Nielsen, Team Nord), so that the
# cap's refusal and the team leader's override can be tried at once: tl.nord gives him one more
# case from the distribution list (docs/brugervejledning.md, "Demodata").
AT_CAP_ADVISOR = "bo"
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
