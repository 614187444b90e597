"""Realistic UK names, addresses and postcodes, and the ways a benefit system's copy drifts."""

import random
from datetime import date, timedelta
from typing import Any

from legacy_mocks.randomness import between, pick

Identity = dict[str, Any]

FEMALE_NAMES = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Sophie",
    "Grace",
    "Mia",
    "Poppy",
    "Ella",
    "Jessica",
    "Lily",
    "Charlotte",
    "Hannah",
    "Chloe",
    "Megan",
    "Lauren",
    "Rebecca",
    "Rachel",
    "Sarah",
    "Emma",
    "Laura",
    "Claire",
    "Nicola",
    "Karen",
    "Susan",
    "Margaret",
    "Patricia",
    "Elizabeth",
    "Catherine",
    "Katherine",
    "Joanne",
    "Deborah",
    "Angela",
    "Siobhan",
    "Niamh",
    "Aoife",
    "Eilidh",
    "Morag",
    "Bethan",
    "Carys",
    "Rhiannon",
    "Sian",
    "Aisha",
    "Fatima",
    "Priya",
    "Zara",
    "Maryam",
    "Anne-Marie",
    "Mary-Jane",
    "Dorothy",
    "Joan",
    "Brenda",
    "Irene",
)
MALE_NAMES = (
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Noah",
    "Charlie",
    "Thomas",
    "James",
    "William",
    "Daniel",
    "Joshua",
    "Samuel",
    "Michael",
    "David",
    "John",
    "Paul",
    "Mark",
    "Andrew",
    "Steven",
    "Stephen",
    "Christopher",
    "Matthew",
    "Richard",
    "Robert",
    "Peter",
    "Gareth",
    "Dafydd",
    "Rhys",
    "Owain",
    "Callum",
    "Hamish",
    "Angus",
    "Ewan",
    "Sean",
    "Shaun",
    "Padraig",
    "Ciaran",
    "Mohammed",
    "Ahmed",
    "Imran",
    "Arjun",
    "Ravi",
    "Kwame",
    "Tomasz",
    "Jean-Paul",
    "Leslie",
    "Kenneth",
    "Brian",
    "Derek",
    "Trevor",
    "Graham",
    "Colin",
)
SURNAMES = (
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Campbell",
    "MacDonald",
    "McLeod",
    "Stewart",
    "Fraser",
    "O'Brien",
    "O'Neill",
    "O'Connor",
    "O'Sullivan",
    "D'Souza",
    "McCarthy",
    "Khan",
    "Ahmed",
    "Hussain",
    "Begum",
    "Singh",
    "Kaur",
    "Nowak",
    "Kowalski",
    "Mensah",
    "Okafor",
    "Llewellyn",
    "ap Rhys",
    "Fitzgerald",
    "Ashworth",
    "Pemberton",
)
# Name pairs a clerk might key the other way; used for spelling drift between systems.
SPELLING_VARIANTS = {
    "Steven": "Stephen",
    "Stephen": "Steven",
    "Catherine": "Katherine",
    "Katherine": "Catherine",
    "Sean": "Shaun",
    "Shaun": "Sean",
    "Leslie": "Lesley",
    "Ciaran": "Kieran",
    "Mohammed": "Muhammad",
    "Siobhan": "Shevaun",
    "Niamh": "Neve",
    "Aoife": "Eva",
    "Zara": "Sara",
    "Rhys": "Reece",
    "Clarke": "Clark",
    "Clark": "Clarke",
    "Davies": "Davis",
    "Davis": "Davies",
    "MacDonald": "McDonald",
    "Thompson": "Thomson",
    "Phillips": "Philips",
    "Griffiths": "Griffith",
}
STREETS = (
    "High",
    "Church",
    "Station",
    "Victoria",
    "Park",
    "Mill",
    "Queen's",
    "King's",
    "Chapel",
    "Albert",
    "Manor",
    "Springfield",
    "Windsor",
    "Grange",
    "Meadow",
    "St John's",
    "Cross",
    "Green",
    "Orchard",
    "Beech",
    "Oak",
    "Elm",
    "Cedar",
    "Highfield",
    "Moor",
    "Castle",
    "Bridge",
    "Market",
)
STREET_TYPES = (
    "Street",
    "Road",
    "Lane",
    "Avenue",
    "Close",
    "Drive",
    "Way",
    "Crescent",
    "Terrace",
    "Gardens",
    "Place",
    "Walk",
)
LOCALITIES = (
    "Headingley",
    "Moss Side",
    "Handsworth",
    "Govan",
    "Splott",
    "Byker",
    "Anfield",
    "Hillsborough",
    "Easton",
    "Sneinton",
    "Leith",
    "Ely",
    "Chapeltown",
    "Toxteth",
)
# Post towns with real outward codes.
TOWNS = (
    ("Leeds", ("LS1", "LS2", "LS6", "LS7", "LS8", "LS11", "LS12")),
    ("Manchester", ("M1", "M4", "M8", "M13", "M14", "M16", "M20")),
    ("Birmingham", ("B1", "B5", "B10", "B11", "B20", "B21", "B33")),
    ("Glasgow", ("G1", "G3", "G20", "G31", "G42", "G51")),
    ("Cardiff", ("CF10", "CF11", "CF14", "CF24", "CF5")),
    ("Newcastle upon Tyne", ("NE1", "NE4", "NE6", "NE15")),
    ("Liverpool", ("L1", "L4", "L6", "L8", "L15")),
    ("Sheffield", ("S1", "S2", "S6", "S10", "S11")),
    ("Bristol", ("BS1", "BS2", "BS3", "BS5", "BS16")),
    ("Nottingham", ("NG1", "NG3", "NG5", "NG7")),
    ("Edinburgh", ("EH1", "EH6", "EH7", "EH11", "EH16")),
    ("Belfast", ("BT1", "BT5", "BT7", "BT12")),
    ("Swansea", ("SA1", "SA2", "SA5")),
    ("Bradford", ("BD1", "BD3", "BD5", "BD8")),
    ("Hull", ("HU1", "HU3", "HU5", "HU9")),
    ("Stoke-on-Trent", ("ST1", "ST4", "ST6")),
    ("Norwich", ("NR1", "NR2", "NR3")),
    ("Plymouth", ("PL1", "PL2", "PL4")),
    ("London", ("E1", "E8", "N1", "N17", "SE1", "SE15", "SW2", "W10", "NW10")),
)
# The inward code's letters never include C, I, K, M, O or V.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
DRIFT_KINDS = ("spelling", "hyphenation", "old_address", "missing_middle_name", "dob_typo")


def person(rng: random.Random, date_of_birth: date) -> Identity:
    female = rng.random() < 0.52
    pool = FEMALE_NAMES if female else MALE_NAMES
    roll = rng.random()
    middle_count = 0 if roll < 0.45 else 1 if roll < 0.85 else 2 if roll < 0.97 else 3
    last_name = pick(rng, SURNAMES)
    if rng.random() < 0.06:
        last_name = f"{last_name}-{pick(rng, SURNAMES)}"
    return {
        "first_name": pick(rng, pool),
        "middle_names": [pick(rng, pool) for _ in range(middle_count)],
        "last_name": last_name,
        "date_of_birth": date_of_birth.isoformat(),
        "date_of_death": None,
        "restricted": rng.random() < 0.005,
        "address": address(rng),
    }


def address(rng: random.Random) -> dict[str, str | None]:
    town, outward_codes = pick(rng, TOWNS)
    street = f"{pick(rng, STREETS)} {pick(rng, STREET_TYPES)}"
    roll = rng.random()
    if roll < 0.2:
        line_1, line_2 = f"Flat {between(rng, 1, 24)}", f"{between(rng, 1, 180)} {street}"
    elif roll < 0.35:
        line_1, line_2 = f"{between(rng, 1, 180)} {street}", pick(rng, LOCALITIES)
    else:
        line_1, line_2 = f"{between(rng, 1, 250)} {street}", None
    inward = f"{between(rng, 0, 9)}{pick(rng, INWARD_LETTERS)}{pick(rng, INWARD_LETTERS)}"
    return {
        "line_1": line_1,
        "line_2": line_2,
        "town": town,
        "postcode": f"{pick(rng, outward_codes)} {inward}",
    }


def drift(identity: Identity, rng: random.Random) -> Identity:
    """A system's slightly wrong copy of the CIS identity (one of DRIFT_KINDS)."""
    copy = {
        **identity,
        "middle_names": list(identity["middle_names"]),
        "address": dict(identity["address"]),
    }
    kind = pick(rng, DRIFT_KINDS)
    if kind == "hyphenation" and ("-" in copy["last_name"] or "'" in copy["last_name"]):
        copy["last_name"] = copy["last_name"].replace("-", " ").replace("'", "")
    elif kind == "old_address":
        copy["address"] = address(rng)
    elif kind == "missing_middle_name" and copy["middle_names"]:
        copy["middle_names"] = copy["middle_names"][:-1]
    elif kind == "dob_typo":
        born = date.fromisoformat(copy["date_of_birth"])
        swapped = born.day <= 12 and born.day != born.month
        typo = born.replace(month=born.day, day=born.month) if swapped else born + timedelta(days=1)
        copy["date_of_birth"] = typo.isoformat()
    else:
        _misspell(copy, rng)
    return copy


def as_held_by(system: str, identity: Identity) -> Identity:
    """JSAPS stores names and addresses in upper case; the other systems keep the case given."""
    if system != "esa":
        return identity
    address_upper = {
        key: value.upper() if value else value for key, value in identity["address"].items()
    }
    return {
        **identity,
        "first_name": identity["first_name"].upper(),
        "middle_names": [name.upper() for name in identity["middle_names"]],
        "last_name": identity["last_name"].upper(),
        "address": address_upper,
    }


def _misspell(copy: Identity, rng: random.Random) -> None:
    for field in ("first_name", "last_name"):
        if copy[field] in SPELLING_VARIANTS:
            copy[field] = SPELLING_VARIANTS[copy[field]]
            return
    name = copy["last_name"]
    position = rng.randrange(1, len(name))
    # A doubled or dropped letter is the commonest keying slip.
    if name[position].isalpha() and name[position] == name[position - 1]:
        copy["last_name"] = name[:position] + name[position + 1 :]
    else:
        copy["last_name"] = name[:position] + name[position - 1] + name[position:]
