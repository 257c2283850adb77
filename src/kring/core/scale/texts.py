"""Made-up Dutch text for the national data set (B1 level), in small pools.

Names, situations and reasons come from the small demo (`kring.core.demo`) so that
both data sets read alike; this module adds what only the larger set needs: circle
members, agreements, safety conditions and the plan's other fields.
"""

from __future__ import annotations

from kring.network.models import Closeness, Kind, Side

#: (relation, side, kind, closeness): the people a family names for its circle.
RELATIONS: list[tuple[str, str, str, int]] = [
    ("oma (moeders kant)", Side.MOTHER, Kind.FAMILY, Closeness.CLOSE),
    ("opa (moeders kant)", Side.MOTHER, Kind.FAMILY, Closeness.CLOSE),
    ("oma (vaders kant)", Side.FATHER, Kind.FAMILY, Closeness.CLOSE),
    ("opa (vaders kant)", Side.FATHER, Kind.FAMILY, Closeness.NEAR),
    ("tante (zus van moeder)", Side.MOTHER, Kind.FAMILY, Closeness.CLOSE),
    ("oom (broer van moeder)", Side.MOTHER, Kind.FAMILY, Closeness.NEAR),
    ("tante (zus van vader)", Side.FATHER, Kind.FAMILY, Closeness.NEAR),
    ("oom (broer van vader)", Side.FATHER, Kind.FAMILY, Closeness.NEAR),
    ("nicht", Side.MOTHER, Kind.FAMILY, Closeness.FAR),
    ("neef", Side.FATHER, Kind.FAMILY, Closeness.FAR),
    ("peettante", Side.BOTH, Kind.FAMILY, Closeness.NEAR),
    ("stiefvader", Side.BOTH, Kind.FAMILY, Closeness.NEAR),
    ("halfzus (volwassen)", Side.FATHER, Kind.FAMILY, Closeness.NEAR),
    ("vriendin van moeder", Side.NONE, Kind.FRIEND, Closeness.CLOSE),
    ("vriend van vader", Side.NONE, Kind.FRIEND, Closeness.NEAR),
    ("buurvrouw", Side.NONE, Kind.NEIGHBOUR, Closeness.NEAR),
    ("buurman", Side.NONE, Kind.NEIGHBOUR, Closeness.FAR),
    ("juf van de basisschool", Side.NONE, Kind.SCHOOL, Closeness.FAR),
    ("mentor op school", Side.NONE, Kind.SCHOOL, Closeness.FAR),
    ("voetbaltrainer", Side.NONE, Kind.SPORT, Closeness.FAR),
    ("iemand van de moskee", Side.NONE, Kind.FAITH, Closeness.FAR),
    ("iemand van de kerk", Side.NONE, Kind.FAITH, Closeness.FAR),
    ("collega van moeder", Side.NONE, Kind.WORK, Closeness.FAR),
    ("huisarts", Side.NONE, Kind.PROFESSIONAL, Closeness.FAR),
]

#: What a circle member promises; {kind} is the oldest child's first name.
AGREEMENTS: list[tuple[str, str]] = [
    ("haalt {kind} op van school", "dinsdag en donderdag"),
    ("brengt {kind} 's ochtends naar school", "elke schooldag"),
    ("past op de kinderen zodat moeder kan uitrusten", "zaterdagmiddag"),
    ("belt moeder om te horen hoe het gaat", "elke avond"),
    ("gaat met {kind} sporten", "woensdagmiddag"),
    ("helpt met de post en de rekeningen", "één keer per week"),
    ("kookt een warme maaltijd voor het gezin", "maandag en vrijdag"),
    ("is er bij als vader de kinderen ziet", "elke omgang"),
    ("helpt {kind} met huiswerk", "maandag en woensdag"),
    ("laat {kind} een weekend logeren", "één keer per maand"),
    ("gaat mee naar gesprekken op school", "als er een gesprek is"),
    ("belt de coördinator als het misgaat", "als het nodig is"),
    ("zorgt dat er geen alcohol in huis is", "altijd"),
    ("neemt {kind} mee naar de moskee of kerk", "vrijdag of zondag"),
    ("rijdt moeder naar de afspraken in het ziekenhuis", "bij elke afspraak"),
    ("is het aanspreekpunt voor school", "altijd"),
    ("maakt met {kind} afspraken over gamen en slapen", "elke week"),
    ("spreekt met vader af wat hij met de kinderen doet", "voor elke omgang"),
    ("is bereikbaar voor {kind} als het thuis niet gaat", "dag en nacht"),
    ("gaat met het gezin wandelen of naar het park", "zondag"),
]

#: Safety conditions from the professional's information form.
CONDITIONS: list[str] = [
    "{kind} is nooit alleen met iemand die gedronken heeft.",
    "Er is elke avond een volwassene in huis die nuchter is.",
    "{kind} gaat elke dag naar school.",
    "Het contact tussen vader en de kinderen is altijd onder toezicht.",
    "Er is geen geweld tussen de volwassenen waar de kinderen bij zijn.",
    "{kind} heeft een vaste plek om te slapen.",
    "Moeder houdt zich aan de afspraken met de verslavingszorg.",
    "Er is iemand die {kind} kan opvangen als het thuis misgaat.",
    "De baby krijgt op tijd eten en gaat naar het consultatiebureau.",
    "{kind} is 's nachts thuis.",
    "De schulden worden aangepakt met hulp van de schuldhulpverlening.",
    "Het plan regelt wie de kinderen opvangt als moeder wordt opgenomen.",
]

CONCERNS: list[str] = [
    "Wij maken ons zorgen over de veiligheid van de kinderen als de ouders ruzie hebben.",
    "{kind} gaat niet naar school en zit veel alleen op de kamer.",
    "Moeder kan de zorg voor de kinderen nu niet alleen aan.",
    "Er is geen vaste volwassene die {kind} 's avonds opvangt.",
    "Het contact met vader verloopt onrustig en soms onveilig.",
    "De geldzorgen zijn zo groot dat het gezin misschien uit huis moet.",
]

HELP_AVAILABLE: list[str] = [
    "Jeugdteam (ambulante begeleiding), schuldhulpverlening via de gemeente.",
    "Opvoedondersteuning, maatschappelijk werk, huisarts.",
    "Gezinscoach van het wijkteam; wachtlijst GGZ van ongeveer drie maanden.",
    "",
]

KEEP_INFORMED = [
    "We hebben een groepsapp. Oma stuurt elke zondag hoe het gaat.",
    "Wie iets ziet, belt de tante die het plan in de gaten houdt.",
    "Eén keer per maand drinken we koffie bij oma en bespreken we het plan.",
]
WHEN_NOT_KEPT = [
    "Dan belt degene die het ziet de tante die de kring bij elkaar roept.",
    "Dan komen we binnen een week bij elkaar om het plan te bespreken.",
    "Dan bellen we eerst elkaar en daarna de coördinator.",
]
PROFESSIONAL_HELP = [
    "Wij willen graag dat het jeugdteam moeder helpt met de opvoeding.",
    "Hulp van de schuldhulpverlening voor de ouders.",
    "Een gesprek met de GGZ voor {kind}.",
    "",
]
ANSWER_TEXTS = [
    "Er is altijd iemand van de familie bij als het moeilijk wordt.",
    "Oma vangt {kind} op als het thuis niet gaat.",
    "De afspraken over school staan hierboven; de mentor houdt contact met moeder.",
    "Vader ziet de kinderen alleen met de oom erbij.",
]
CHANGE_NOTES = [
    "De kring heeft het plan aangevuld met wie 's avonds bij de kinderen is.",
    "Afspraak over toezicht bij het contact met vader toegevoegd.",
]
EVALUATION_CHANGES = [
    "Het loopt goed. Oma stopt met ophalen; de buurvrouw neemt het over.",
    "Niet alle afspraken lukten; we houden de afspraken die werken.",
    "Alles loopt zoals afgesproken. We evalueren nog één keer.",
    "",
]
CHECK_IN_COMMENTS = [
    "Het gaat goed, {kind} is vrolijker.",
    "Deze week lukte het niet door ziekte.",
    "Moeilijk, we moeten hierover praten.",
    "Prima!",
]
VENUES = [
    ("Buurthuis De Schakel", "Dorpsstraat 12"),
    ("Wijkcentrum De Ontmoeting", "Kerkplein 3"),
    ("Thuis bij oma", ""),
    ("Zaal van de moskee", "Molenweg 40"),
    ("Zaaltje van de kerk", "Kerkstraat 1"),
    ("Bibliotheek, vergaderzaal", "Stationsplein 8"),
]
ARRANGEMENT_NOTES = ["", "Afgesproken met de jeugdbeschermer.", "Tot het contactverbod voorbij is."]
PREP_NOTES = ["", "", "Geregeld.", "Tolk gebeld.", "Oma zorgt voor eten."]
