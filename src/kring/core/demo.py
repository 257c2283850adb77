"""Demo data for a browsable site: made-up staff, coordinators and families.

`load_demo()` creates about 75 demo accounts and about 200 cases in every state of
the lifecycle. Cases go through the real services (`request_submit`, `case_assign`,
`case_transition`), so timelines, milestones and norm clocks are real; afterwards the
timestamps are moved into the past (the last 18 months), keeping their order.

Idempotent: accounts are found by username (only demo accounts are touched) and
cases by their channel (`Channel.DEMO`); a second run creates nothing. Every name,
address and situation is made up; e-mail addresses use example.org, and the e-mails
that the services queue for demo cases are removed again.

Every demo account signs in with `DEMO_PASSWORD` and a TOTP second factor with the
fixed secret `DEMO_TOTP_SECRET` (base32, 160 bits). In demo mode (`KRING_DEMO=1`) the
sign-in page shows the current code for it.
"""

from __future__ import annotations

import random
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from kring.accounts.models import (
    Absence,
    ConflictOfInterest,
    CoordinatorProfile,
    ProfessionalKind,
    Role,
    User,
)
from kring.cases.models import (
    ACTIVE_STATES,
    Case,
    CaseEvent,
    CaseProfessional,
    Channel,
    LegalFrame,
    RequesterKind,
    State,
    TriggerMoment,
    Urgency,
)
from kring.cases.services import TransitionRefused, case_assign, case_transition
from kring.intake.services import RequestData, request_submit
from kring.regions.models import Municipality, Region

#: The password of every demo account (at least 12 characters, as the validators ask).
DEMO_PASSWORD = "kring-demo-2026"
#: The TOTP secret of every demo account: base32, 32 characters (160 bits). Add it to
#: an authenticator app by hand or with `DEMO_TOTP_URI`.
DEMO_TOTP_SECRET = "KRINGDEMOKRINGDEMOKRINGDEMO23456"
DEMO_TOTP_URI = f"otpauth://totp/Kring:demo?secret={DEMO_TOTP_SECRET}&issuer=Kring"
DEMO_EMAIL_DOMAIN = "example.org"
SEED = 2026

BIG_REGIONS = ("utrecht", "amsterdam", "rotterdam")
#: How many demo cases each region gets (about 200, most in the three big regions).
CASES_PER_REGION = {
    "utrecht": 50, "amsterdam": 45, "rotterdam": 40, "zuid-holland": 9, "noord-brabant": 8,
    "gelderland": 8, "noord-holland": 6, "overijssel": 6, "limburg": 5, "groningen": 5,
    "flevoland": 5, "zeeland": 5, "friesland": 4, "drenthe": 4,
}
#: How many demo cases end in each state (sums to the total above).
CASES_PER_STATE = {
    State.REQUEST: 30, State.INFORMING: 14, State.PREPARING: 20, State.SCHEDULED: 12,
    State.HELD: 8, State.PLAN_NOT_ACCEPTED: 5, State.PLAN_ACCEPTED: 10, State.FOLLOW_UP: 30,
    State.CLOSED: 46, State.WITHDRAWN: 10, State.DECLINED: 8, State.CANCELLED: 7,
}
#: The big city of a region gets more cases than its other municipalities.
CITY_WEIGHT = {"Utrecht": 12, "Amsterdam": 14, "Rotterdam": 12, "Amersfoort": 4,
               "Zaanstad": 3, "Schiedam": 3, "Nieuwegein": 3, "Den Haag": 6, "Eindhoven": 4,
               "Tilburg": 3, "Arnhem": 3, "Nijmegen": 3, "Zwolle": 3, "Enschede": 3,
               "Groningen": 4, "Leeuwarden": 3, "Almere": 4, "Maastricht": 2, "Heerlen": 2,
               "Emmen": 2, "Assen": 2, "Middelburg": 2, "Vlissingen": 2, "Haarlem": 3,
               "Leiden": 3, "Lelystad": 2}

H = timedelta(hours=1)
D = timedelta(days=1)

# ---------------------------------------------------------------------------
# Names. Hand-written lists; every combination is made up.
# ---------------------------------------------------------------------------

FIRST_F = {
    "Nederlands": ["Anouk", "Sanne", "Marieke", "Femke", "Esther", "Karin", "Linda", "Petra",
                   "Wendy", "Mirjam", "Annemiek", "Marloes", "Ingrid", "Jolanda", "Kim", "Nicole"],
    "Marokkaans": ["Fatima", "Naima", "Khadija", "Samira", "Nadia", "Latifa", "Souad", "Hanane",
                   "Malika", "Loubna", "Imane", "Siham"],
    "Turks": ["Ayşe", "Elif", "Emine", "Zeynep", "Fatma", "Hatice", "Sevda", "Büşra", "Esra",
              "Derya"],
    "Surinaams": ["Sharmila", "Priya", "Shanti", "Marcia", "Jennifer", "Rachna", "Sunita",
                  "Denise", "Gerda"],
    "Antilliaans": ["Shirley", "Giselle", "Yolanda", "Sherida", "Xiomara", "Jeanine", "Marisol"],
    "Eritrees": ["Senait", "Helen", "Lidya", "Feven", "Selam", "Yordanos"],
    "Pools": ["Agnieszka", "Katarzyna", "Magdalena", "Joanna", "Monika"],
    "Somalisch": ["Hodan", "Amina", "Sahra", "Fadumo", "Ifrah"],
    "Afghaans": ["Parwana", "Maryam", "Shirin", "Farida"],
    "Syrisch": ["Rania", "Lina", "Huda", "Rasha"],
    "Oekraïens": ["Olena", "Iryna", "Oksana", "Tetiana"],
}
FIRST_M = {
    "Nederlands": ["Jeroen", "Martijn", "Bas", "Rob", "Erik", "Henk", "Peter", "Kees", "Sander",
                   "Thijs", "Ruud", "Dennis", "Wouter", "Jan", "Mark", "Arjen"],
    "Marokkaans": ["Mohamed", "Youssef", "Karim", "Said", "Rachid", "Mustafa", "Hassan",
                   "Abdelkader", "Bilal", "Nordin", "Ilias"],
    "Turks": ["Mehmet", "Ahmet", "Emre", "Murat", "Hakan", "Kemal", "Yusuf", "Burak", "Serkan"],
    "Surinaams": ["Ravi", "Rakesh", "Glenn", "Romano", "Sunil", "Errol", "Rudi"],
    "Antilliaans": ["Jurgen", "Giovanni", "Rignald", "Edsel", "Shurandy"],
    "Eritrees": ["Tesfay", "Yonas", "Dawit", "Mehari", "Semere"],
    "Pools": ["Piotr", "Tomasz", "Krzysztof", "Marek"],
    "Somalisch": ["Abdi", "Mohamud", "Abdirahman", "Farah"],
    "Afghaans": ["Ahmad", "Reza", "Farhad", "Omid"],
    "Syrisch": ["Khaled", "Omar", "Samer", "Tarek"],
    "Oekraïens": ["Oleksandr", "Andriy", "Dmytro"],
}
FIRST_CHILD = {
    "Nederlands": ["Noah", "Emma", "Liam", "Julia", "Sem", "Mila", "Daan", "Tess", "Finn",
                   "Sophie", "Luuk", "Saar", "Levi", "Nora", "Milan", "Zoë", "Jesse", "Lieke",
                   "Bram", "Fenna"],
    "Marokkaans": ["Adam", "Amira", "Rayan", "Aya", "Ilyas", "Lina", "Zakaria", "Yasmina", "Nour",
                   "Sami", "Hiba", "Anass"],
    "Turks": ["Yusuf", "Elif", "Ömer", "Zeynep", "Eymen", "Defne", "Mert", "Ecrin", "Kerem"],
    "Surinaams": ["Jayden", "Shania", "Damian", "Kiara", "Rohan", "Anjali", "Quincy"],
    "Antilliaans": ["Jeremiah", "Naomi", "Dyllan", "Shaquira", "Jaylen", "Luana"],
    "Eritrees": ["Abel", "Hermon", "Filmon", "Saron", "Ruth", "Mikael"],
    "Pools": ["Jakub", "Zuzanna", "Szymon", "Lena", "Antoni", "Maja"],
    "Somalisch": ["Abdullahi", "Hamza", "Ayaan", "Idil", "Muna"],
    "Afghaans": ["Arian", "Mahsa", "Sina", "Yalda", "Zahra", "Elias"],
    "Syrisch": ["Karam", "Joud", "Tala", "Ward", "Maya", "Yamen"],
    "Oekraïens": ["Maksym", "Sofiia", "Artem", "Mariia", "Daryna", "Bohdan"],
}
LAST = {
    "Nederlands": ["de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "Meijer",
                   "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
                   "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf",
                   "van der Meer", "Kok", "Jacobs", "van den Berg", "Vermeulen", "Schouten",
                   "Willems", "Hoekstra", "Koster", "Prins", "Postma", "Veenstra", "Kuipers"],
    "Marokkaans": ["El Amrani", "Bouzid", "El Idrissi", "Ouali", "Azzouz", "Benali", "El Khatib",
                   "Boukhari", "Tahiri", "Haddouchi", "Ziani", "Chaouch", "El Hamdaoui"],
    "Turks": ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan",
              "Doğan", "Koç", "Kılıç"],
    "Surinaams": ["Ramdin", "Sewdien", "Kisoensingh", "Jagroep", "Ramsaran", "Biharie", "Pinas",
                  "Sabajo", "Doekhie", "Eduards", "Dors", "Slagveer"],
    "Antilliaans": ["Martina", "Isenia", "Cijntje", "Rosario", "Statia", "Winklaar", "Maduro",
                    "Koeyers", "Janga"],
    "Eritrees": ["Tesfamariam", "Gebremedhin", "Haile", "Tekle", "Berhane", "Weldemichael",
                 "Kidane"],
    "Pools": ["Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk"],
    "Somalisch": ["Warsame", "Osman", "Jama", "Abdi", "Farah"],
    "Afghaans": ["Ahmadi", "Rahimi", "Karimi", "Hosseini", "Sultani", "Noori"],
    "Syrisch": ["Khalil", "Haddad", "Mansour", "Darwish", "Al-Hassan"],
    "Oekraïens": ["Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk"],
}
#: Backgrounds in which a married mother often uses her husband's surname.
SHARED_SURNAME = {"Nederlands", "Surinaams", "Antilliaans", "Pools", "Oekraïens"}
LANGUAGE_OF = {"Marokkaans": "ar", "Turks": "tr", "Antilliaans": "pap", "Eritrees": "ti",
               "Pools": "pl", "Somalisch": "so", "Afghaans": "fa", "Syrisch": "ar",
               "Oekraïens": "uk"}
RELIGION_OF = {"Marokkaans": "islamitisch", "Turks": "islamitisch", "Somalisch": "islamitisch",
               "Afghaans": "islamitisch", "Syrisch": "islamitisch", "Eritrees": "christelijk",
               "Pools": "katholiek", "Antilliaans": "katholiek", "Surinaams": "hindoeïstisch",
               "Oekraïens": "orthodox", "Nederlands": "christelijk"}
BACKGROUND_MIX = {
    # Big cities: a mixed population.
    "city": {"Nederlands": 34, "Marokkaans": 18, "Turks": 12, "Surinaams": 10, "Antilliaans": 6,
             "Eritrees": 4, "Pools": 3, "Somalisch": 3, "Afghaans": 3, "Syrisch": 4,
             "Oekraïens": 3},
    "other": {"Nederlands": 62, "Marokkaans": 8, "Turks": 8, "Surinaams": 3, "Antilliaans": 2,
              "Eritrees": 4, "Pools": 5, "Syrisch": 5, "Oekraïens": 3},
}

# ---------------------------------------------------------------------------
# Staff.
# ---------------------------------------------------------------------------

#: (username, first, last, role, organisation, region codes)
STAFF = [
    ("beheer", "Ellen", "Prins", Role.ADMIN, "Eigen Kracht Centrale", []),
    ("beleid", "Carla", "Meijer", Role.POLICY, "Gemeente Utrecht", []),
    ("rm-utrecht", "Anouk", "Visser", Role.REGIONAL_MANAGER, "", ["utrecht"]),
    ("rm-utrecht-2", "Hassan", "El Hamdaoui", Role.REGIONAL_MANAGER, "", ["utrecht"]),
    ("rm-amsterdam", "Judith", "Mulder", Role.REGIONAL_MANAGER, "", ["amsterdam"]),
    ("rm-amsterdam-2", "Jurgen", "Rosario", Role.REGIONAL_MANAGER, "", ["amsterdam"]),
    ("rm-rotterdam", "Priya", "Jagroep", Role.REGIONAL_MANAGER, "", ["rotterdam"]),
    ("rm-rotterdam-2", "Dennis", "van Leeuwen", Role.REGIONAL_MANAGER, "", ["rotterdam"]),
    ("rm-zuid-holland", "Wendy", "de Wit", Role.REGIONAL_MANAGER, "", ["zuid-holland"]),
    ("rm-zeeland", "Kees", "Kuipers", Role.REGIONAL_MANAGER, "", ["zeeland"]),
    ("rm-noord-brabant", "Hatice", "Arslan", Role.REGIONAL_MANAGER, "", ["noord-brabant"]),
    ("rm-limburg", "Roel", "Smeets", Role.REGIONAL_MANAGER, "", ["limburg"]),
    ("rm-groningen", "Gerda", "Wieringa", Role.REGIONAL_MANAGER, "", ["groningen"]),
    ("rm-friesland", "Sjoukje", "Zijlstra", Role.REGIONAL_MANAGER, "", ["friesland"]),
    ("rm-drenthe", "Harm", "Lubbers", Role.REGIONAL_MANAGER, "", ["drenthe"]),
    ("rm-overijssel", "Marloes", "Nijhuis", Role.REGIONAL_MANAGER, "", ["overijssel"]),
    ("rm-gelderland", "Thijs", "van Dam", Role.REGIONAL_MANAGER, "", ["gelderland"]),
    ("rm-noord-holland", "Saskia", "Schipper", Role.REGIONAL_MANAGER, "", ["noord-holland"]),
    ("rm-flevoland", "Nordin", "Chaouch", Role.REGIONAL_MANAGER, "", ["flevoland"]),
]

#: (username, first, last, kind, organisation, region code); local teams also have a
#: municipality in LOCAL_TEAMS and refer families from there only.
PROFESSIONALS = [
    ("jb-sophie", "Sophie", "van den Berg", ProfessionalKind.JB,
     "Samen Veilig Midden-Nederland", "utrecht"),
    ("gv-ahmed", "Ahmed", "Ziani", ProfessionalKind.GEZINSVOOGD,
     "William Schrikker Stichting", "utrecht"),
    ("jhv-mirthe", "Mirthe", "Peters", ProfessionalKind.JHV,
     "Buurtteam Jeugd en Gezin Utrecht", "utrecht"),
    ("cm-rutger", "Rutger", "Bos", ProfessionalKind.CASEMANAGER, "Timon", "utrecht"),
    ("jb-ilse", "Ilse", "de Jong", ProfessionalKind.JB,
     "Jeugdbescherming Regio Amsterdam", "amsterdam"),
    ("jr-milan", "Milan", "Vos", ProfessionalKind.JR,
     "Jeugdbescherming Regio Amsterdam", "amsterdam"),
    ("okt-loubna", "Loubna", "Haddouchi", ProfessionalKind.OKT,
     "Ouder- en Kindteam Amsterdam", "amsterdam"),
    ("cm-denise", "Denise", "Sabajo", ProfessionalKind.CASEMANAGER, "Levvel", "amsterdam"),
    ("jb-tom", "Tom", "Dekker", ProfessionalKind.JB,
     "Jeugdbescherming Rotterdam Rijnmond", "rotterdam"),
    ("jr-xiomara", "Xiomara", "Cijntje", ProfessionalKind.JR,
     "Leger des Heils Jeugdbescherming & Reclassering", "rotterdam"),
    ("jhv-esra", "Esra", "Çelik", ProfessionalKind.JHV, "Wijkteam Rotterdam-Feijenoord",
     "rotterdam"),
    ("vt-ruben", "Ruben", "Kramer", ProfessionalKind.OTHER, "Veilig Thuis Rotterdam Rijnmond",
     "rotterdam"),
    ("gv-marloes", "Marloes", "Jansen", ProfessionalKind.GEZINSVOOGD,
     "William Schrikker Stichting", "gelderland"),
    ("jb-niels", "Niels", "Brink", ProfessionalKind.JB, "Jeugdbescherming Gelderland",
     "gelderland"),
    ("jhv-hanneke", "Hanneke", "Mol", ProfessionalKind.JHV, "Sociaal Wijkteam Zwolle",
     "overijssel"),
    ("jb-joost", "Joost", "van Beek", ProfessionalKind.JB, "Jeugdbescherming Brabant",
     "noord-brabant"),
]


@dataclass(frozen=True)
class CoordinatorRow:
    first: str
    last: str
    gender: str
    background: str
    languages: tuple[str, ...]
    religion: str
    regions: tuple[str, ...]
    max_cases: int


def _co(first: str, last: str, gender: str, background: str, languages: str, religion: str,
        regions: str, max_cases: int) -> CoordinatorRow:
    return CoordinatorRow(first, last, gender, background, tuple(languages.split()), religion,
                          tuple(regions.split()), max_cases)


COORDINATORS = [
    _co("Marieke", "van der Meer", "f", "Nederlands", "nl en", "", "utrecht", 4),
    _co("Fatima", "Bouzid", "f", "Marokkaans", "nl ar ber", "islamitisch", "utrecht amsterdam", 3),
    _co("Henk", "Dijkstra", "m", "Nederlands", "nl", "protestants", "utrecht gelderland", 3),
    _co("Ayşe", "Yılmaz", "f", "Turks", "nl tr", "islamitisch", "utrecht", 4),
    _co("Sharmila", "Ramdin", "f", "Surinaams", "nl en", "hindoeïstisch", "utrecht zuid-holland",
        3),
    _co("Youssef", "El Idrissi", "m", "Marokkaans", "nl ar", "islamitisch", "utrecht", 3),
    _co("Esther", "Bakker", "f", "Nederlands", "nl en", "christelijk", "utrecht flevoland", 5),
    _co("Senait", "Tesfamariam", "f", "Eritrees", "nl ti en", "christelijk", "utrecht amsterdam",
        2),
    _co("Jeroen", "Vermeulen", "m", "Nederlands", "nl en", "", "utrecht", 3),
    _co("Kim", "de Graaf", "x", "Nederlands", "nl en", "", "utrecht gelderland", 3),
    _co("Naima", "Ouali", "f", "Marokkaans", "nl ber ar", "islamitisch", "amsterdam", 4),
    _co("Glenn", "Pinas", "m", "Surinaams", "nl en", "christelijk", "amsterdam", 3),
    _co("Lotte", "Hendriks", "f", "Nederlands", "nl en", "", "amsterdam noord-holland", 4),
    _co("Hodan", "Warsame", "f", "Somalisch", "nl so en", "islamitisch", "amsterdam utrecht", 2),
    _co("Emre", "Kaya", "m", "Turks", "nl tr en", "islamitisch", "amsterdam", 3),
    _co("Shirley", "Martina", "f", "Antilliaans", "nl pap en", "katholiek", "amsterdam rotterdam",
        3),
    _co("Parwana", "Ahmadi", "f", "Afghaans", "nl fa", "islamitisch", "amsterdam flevoland", 3),
    _co("Wouter", "Smit", "m", "Nederlands", "nl", "", "amsterdam", 5),
    _co("Sanne", "Kok", "f", "Nederlands", "nl en", "katholiek", "amsterdam noord-holland", 3),
    _co("Olena", "Kovalenko", "f", "Oekraïens", "nl uk en", "orthodox", "amsterdam noord-holland",
        2),
    _co("Khadija", "Azzouz", "f", "Marokkaans", "nl ber", "islamitisch", "rotterdam", 4),
    _co("Ravi", "Sewdien", "m", "Surinaams", "nl en", "hindoeïstisch", "rotterdam zuid-holland", 3),
    _co("Giselle", "Isenia", "f", "Antilliaans", "nl pap", "christelijk", "rotterdam", 4),
    _co("Mehmet", "Öztürk", "m", "Turks", "nl tr", "islamitisch", "rotterdam zuid-holland", 3),
    _co("Annemiek", "Brouwer", "f", "Nederlands", "nl en", "protestants", "rotterdam zeeland", 3),
    _co("Yonas", "Haile", "m", "Eritrees", "nl ti en", "christelijk", "rotterdam zuid-holland", 2),
    _co("Agnieszka", "Nowak", "f", "Pools", "nl pl en", "katholiek",
        "rotterdam zuid-holland zeeland", 3),
    _co("Marcia", "Eduards", "f", "Surinaams", "nl", "christelijk", "rotterdam", 4),
    _co("Ingrid", "Postma", "f", "Nederlands", "nl en", "protestants", "friesland groningen", 3),
    _co("Bas", "Veenstra", "m", "Nederlands", "nl", "", "groningen drenthe", 3),
    _co("Joke", "Koster", "f", "Nederlands", "nl", "christelijk", "drenthe overijssel", 3),
    _co("Said", "Tahiri", "m", "Marokkaans", "nl ar ber", "islamitisch", "overijssel gelderland", 3),
    _co("Petra", "Willems", "f", "Nederlands", "nl", "katholiek", "limburg", 4),
    _co("Murat", "Doğan", "m", "Turks", "nl tr", "islamitisch", "limburg noord-brabant", 3),
    _co("Linda", "Jacobs", "f", "Nederlands", "nl en", "katholiek", "noord-brabant", 4),
    _co("Nadia", "El Khatib", "f", "Marokkaans", "nl ar", "islamitisch", "noord-brabant zeeland", 3),
    _co("Erik", "de Boer", "m", "Nederlands", "nl", "", "gelderland overijssel", 3),
    _co("Femke", "Hoekstra", "f", "Nederlands", "nl en", "", "flevoland friesland", 3),
    _co("Rachid", "Benali", "m", "Marokkaans", "nl ar ber", "islamitisch", "zuid-holland", 3),
    _co("Mirjam", "Schouten", "f", "Nederlands", "nl", "protestants", "noord-holland zuid-holland",
        4),
]

#: (coordinator first name, days from today, days until, reason)
ABSENCES = [
    ("Jeroen", -3, 10, "Vakantie"),
    ("Emre", -1, 2, "Cursus"),
    ("Wouter", 6, 20, "Vakantie"),
    ("Marcia", -40, -26, "Ziek"),
    ("Ayşe", 30, 44, "Verlof"),
]
#: (coordinator first name, organisation, note): "works for an organisation involved".
ORGANISATION_CONFLICTS = [
    ("Henk", "Timon", "Werkt daar twee dagen per week als ambulant hulpverlener."),
    ("Glenn", "Levvel", "Was tot vorig jaar in dienst."),
    ("Giselle", "Enver", "Partner werkt daar als teamleider."),
]
PERSON_CONFLICT_NOTES = ["Kent de familie via de moskee.", "Woont in dezelfde straat.",
                         "Haar dochter zit bij een van de kinderen in de klas."]

# ---------------------------------------------------------------------------
# Situations: written fresh for the demo, Dutch at B1 level.
# {ouder} is the main parent's first name, {kind} the oldest child, {leeftijd} its age.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    text: str
    parents: str  # "m" mother, "f" father, "mf" both, "any"
    frames: tuple[str, ...]
    triggers: tuple[str, ...]
    ages: tuple[int, int] = (0, 17)  # age range of the oldest child
    children: int = 1  # at least
    urgent: float = 0.07
    background: str = ""
    language: str = ""
    language_required: bool = False
    gender_wish: str = ""
    mother_ages: tuple[int, int] | None = None  # default: 20 to 36 years older than the oldest


V, OTS, RAAD, JR, CRISIS = (LegalFrame.VOLUNTARY, LegalFrame.OTS, LegalFrame.RAAD_REPORT,
                            LegalFrame.JR, LegalFrame.CRISIS)
T = TriggerMoment

SITUATIONS = [
    Situation("Moeder {ouder} staat er sinds de scheiding alleen voor. Ze is vaak moe en het "
              "huishouden lukt niet meer. {kind} ({leeftijd}) zorgt veel voor de jongere kinderen "
              "en komt zelf niet meer toe aan school.", "m", (V,),
              (T.WAITING_LIST, T.START_HELP, T.FIRST_CONVERSATION), (10, 15), 2),
    Situation("{kind} ({leeftijd}) heeft veel driftbuien, thuis en op school. De ouders zijn het "
              "niet eens over de aanpak en hebben daar vaak ruzie over. Ze staan op de wachtlijst "
              "voor hulp en willen in de tussentijd zelf iets doen.", "mf", (V,),
              (T.WAITING_LIST, T.OWN_INITIATIVE), (6, 12)),
    Situation("{kind} ({leeftijd}) gaat al zes weken niet naar school. Moeder krijgt {kind} 's "
              "ochtends niet uit bed. De leerplichtambtenaar is al langs geweest.", "m", (V, RAAD),
              (T.INTAKE, T.START_HELP), (13, 16)),
    Situation("Vader is zijn werk kwijt en er zijn grote schulden. De spanning in huis is hoog. "
              "De ouders willen met de familie bespreken wie kan helpen met geld, post en de "
              "kinderen.", "mf", (V,), (T.FIRST_CONVERSATION, T.MPG, T.OWN_INITIATIVE), children=2),
    Situation("{ouder} is somber sinds de geboorte van {kind}. Het consultatiebureau maakt zich "
              "zorgen of de baby genoeg eten en aandacht krijgt. Er is familie in de buurt, maar "
              "die weet nog niet hoe zwaar het is.", "m", (V,), (T.INTAKE, T.FIRST_CONVERSATION),
              (0, 1)),
    Situation("{kind} ({leeftijd}) is een paar keer opgepakt voor winkeldiefstal en blowt veel. De "
              "ouders zien dat {kind} met oudere jongens optrekt. Ze willen grenzen stellen, maar "
              "weten niet hoe.", "mf", (V, JR), (T.INTAKE, T.START_HELP), (14, 17)),
    Situation("Moeder heeft een licht verstandelijke beperking. Met hulp van haar eigen moeder ging "
              "het lang goed, maar oma is nu ziek. Wie kan een deel van de zorg overnemen?", "m",
              (V, OTS), (T.START_HELP, T.START_OTS, T.OFF_COURSE), children=2),
    Situation("Vader {ouder} zorgt alleen voor {kind} sinds moeder is overleden. Hij werkt in "
              "ploegen en de opvang na school is niet geregeld. Hij wil zijn netwerk vragen om mee "
              "te denken.", "f", (V,), (T.FIRST_CONVERSATION, T.OWN_INITIATIVE), (4, 12)),
    Situation("Er is huiselijk geweld geweest tussen de ouders. Vader woont nu tijdelijk bij zijn "
              "broer. De kinderen willen hem wel zien. Er moet een plan komen voor veilig contact.",
              "mf", (OTS, RAAD), (T.START_OTS, T.RAAD_INVESTIGATION), children=2, urgent=0.3),
    Situation("Moeder drinkt te veel, vooral in het weekend. School ziet dat {kind} vaak zonder "
              "ontbijt en in vuile kleren komt. Jeugdbescherming wil afspraken over wie er in het "
              "weekend bij is.", "m", (OTS,), (T.START_OTS, T.PLACEMENT_THREAT), (3, 10),
              urgent=0.2),
    Situation("{kind} wordt over een paar maanden 18. De jeugdhulp stopt dan. {kind} wil op "
              "zichzelf wonen, maar heeft hulp nodig met geld en werk. Wie uit de familie kan "
              "daarbij helpen?", "any", (V,), (T.NEARLY_18, T.END_OF_HELP), (17, 17)),
    Situation("{kind} ({leeftijd}) is na een ruzie van huis weggelopen en slaapt nu bij een tante. "
              "De ouders en {kind} praten niet meer met elkaar. Iedereen wil dat {kind} weer thuis "
              "kan wonen.", "mf", (CRISIS, V), (T.CRISIS, T.FRICTION), (12, 16), urgent=0.6),
    Situation("Het gezin woont sinds kort in deze stad, na een tijd in de vrouwenopvang. Moeder "
              "kent hier nog weinig mensen. Ze wil een plan maken met familie uit haar vorige "
              "woonplaats en een paar nieuwe kennissen.", "m", (V, OTS),
              (T.START_HELP, T.OWN_INITIATIVE), children=2),
    Situation("De ouders komen uit Eritrea en zijn twee jaar in Nederland. School en hulpverlening "
              "zijn nog nieuw voor hen. Er zijn zorgen over de ontwikkeling van {kind}. Een "
              "coördinator die Tigrinya spreekt is nodig.", "mf", (V,),
              (T.INTAKE, T.FIRST_CONVERSATION), (2, 12), background="Eritrees", language="ti",
              language_required=True),
    Situation("Het gezin woont met veel mensen in een kleine flat. Er is veel lawaai en ruzie. De "
              "buren hebben al een paar keer Veilig Thuis gebeld. De ouders willen laten zien dat "
              "ze het met hun familie kunnen oplossen.", "mf", (RAAD,), (T.RAAD_INVESTIGATION,),
              children=3),
    Situation("Er dreigt een uithuisplaatsing van {kind}. Jeugdbescherming wil eerst kijken of "
              "iemand uit het netwerk kan helpen, zodat {kind} thuis of in de familie kan "
              "blijven.", "any", (OTS, RAAD), (T.PLACEMENT_THREAT,), (0, 6), urgent=0.6),
    Situation("{kind} ({leeftijd}) heeft autisme. Sinds de overstap naar een nieuwe school gaat "
              "het mis: {kind} is boos en slaapt slecht. De ouders zijn uitgeput en hebben weinig "
              "tijd voor de andere kinderen.", "mf", (V,), (T.WAITING_LIST, T.START_HELP), (8, 14),
              2),
    Situation("Vader en {kind} ({leeftijd}) hebben veel ruzie. {kind} wil bij moeder wonen, maar "
              "moeder woont in het buitenland. Vader wil hulp van zijn zussen, maar het contact is "
              "al jaren slecht.", "f", (V, OTS), (T.FRICTION, T.START_HELP), (10, 16)),
    Situation("{kind} ({leeftijd}) praat op school met de schoolmaatschappelijk werker over thuis. "
              "Moeder heeft psychische klachten en ligt veel op bed. {kind} wil niet dat iedereen "
              "het weet, maar heeft wel hulp nodig.", "m", (V,), (T.FIRST_CONVERSATION,), (12, 17)),
    Situation("{kind} ({leeftijd}) heeft jeugdreclassering na een vechtpartij en moet een "
              "leerstraf doen. De jeugdreclasseerder wil dat de familie helpt om {kind} op school "
              "en uit de buurt van oude vrienden te houden.", "mf", (JR,), (T.START_HELP, T.INTAKE),
              (14, 17)),
    Situation("De ouders zijn gescheiden en strijden al twee jaar over de kinderen. De kinderen "
              "zitten ertussen. De rechter heeft een OTS uitgesproken. Jeugdbescherming wil dat "
              "beide families meedenken over de omgang.", "mf", (OTS,), (T.START_OTS,), children=2),
    Situation("Het gezin staat al acht maanden op de wachtlijst voor gezinstherapie. In de "
              "tussentijd wordt het thuis steeds onrustiger. {ouder} wil niet langer wachten en "
              "zelf met familie en vrienden een plan maken.", "any", (V,),
              (T.WAITING_LIST, T.OWN_INITIATIVE), (5, 12)),
    Situation("{kind} ({leeftijd}) heeft met vrienden een scooter gestolen en kreeg "
              "jeugdreclassering. Thuis is veel ruzie over uitgaan en geld. De jeugdreclasseerder "
              "wil dat ooms en tantes helpen om {kind} een goede dagbesteding te geven.", "any",
              (JR,), (T.START_HELP, T.INTAKE), (14, 17)),
    Situation("{kind} ({leeftijd}) moet een taakstraf doen en mag een tijd niet in het centrum "
              "komen. {kind} houdt zich niet goed aan de afspraken. De familie wil helpen met "
              "toezicht, maar weet niet goed hoe.", "mf", (JR,), (T.OFF_COURSE, T.FRICTION),
              (15, 17)),
    Situation("Moeder is nog jong en heeft een baby. Ze woont nog bij haar eigen moeder, maar daar "
              "is veel spanning. Er zijn zorgen over een veilige plek voor {kind} en over de "
              "toekomst van moeder zelf.", "m", (V, RAAD), (T.INTAKE, T.RAAD_INVESTIGATION),
              (0, 1), mother_ages=(18, 20)),
    Situation("Vader heeft een werkstraf en er zijn zorgen over criminele contacten. De ouders "
              "willen de kinderen erbuiten houden. Jeugdbescherming vraagt wat de familie kan doen "
              "voor rust en veiligheid thuis.", "mf", (OTS,), (T.START_OTS, T.OFF_COURSE),
              children=2),
    Situation("Moeder is opgenomen in een kliniek voor verslavingszorg. {kind} logeert nu bij de "
              "buren. Er moet snel een plan komen voor de komende drie maanden.", "m", (CRISIS,),
              (T.CRISIS,), (6, 12), urgent=0.8),
    Situation("{kind} ({leeftijd}) heeft contact met een veel oudere man en blijft soms nachten "
              "weg. De ouders zijn bang en boos. Politie en school maken zich ook zorgen.", "mf",
              (RAAD, CRISIS), (T.CRISIS, T.RAAD_INVESTIGATION), (13, 16), urgent=0.6),
    Situation("De hulp van het wijkteam stopt binnenkort. Het gaat beter, maar {ouder} is bang dat "
              "het zonder hulp weer misgaat. Een plan met het netwerk moet zorgen dat het goed "
              "blijft gaan.", "any", (V,), (T.END_OF_HELP,), children=2),
    Situation("Het gezin is gevlucht uit Syrië. Vader heeft nachtmerries en is snel boos. Moeder "
              "laat de kinderen soms liever niet alleen met hem. Ze wil hulp van haar broer en van "
              "mensen uit de moskee.", "mf", (V, OTS), (T.START_HELP, T.FIRST_CONVERSATION), (3, 10),
              background="Syrisch", language="ar"),
    Situation("Vader zorgt voor de kinderen sinds moeder in de gevangenis zit. Hij wil dat de "
              "kinderen contact houden met hun moeder. Moeder wil via een videoverbinding meedoen "
              "aan de conferentie.", "f", (V, OTS), (T.START_HELP, T.OFF_COURSE), children=2),
    Situation("{kind} ({leeftijd}) wordt gepest en wil niet meer naar school. Thuis sluit {kind} "
              "zich op en gamet de hele nacht. De ouders willen dat opa, de voetbaltrainer en de "
              "mentor meedenken.", "mf", (V,), (T.FIRST_CONVERSATION, T.OWN_INITIATIVE), (10, 15)),
    Situation("Het MPG-team start met het gezin. Er spelen veel dingen tegelijk: schulden, een "
              "slechte woning, ruzie en zorgen over de kinderen. Iedereen wil eerst weten wat het "
              "gezin en de familie zelf willen.", "any", (V, OTS), (T.MPG,), children=2),
    Situation("Moeder heeft een nieuwe vriend. De oudste kinderen kunnen niet met hem opschieten "
              "en er is vaak ruzie. {kind} kwam met een blauwe plek op school.", "m", (RAAD, OTS),
              (T.RAAD_INVESTIGATION, T.PLACEMENT_THREAT), (8, 15), 2, urgent=0.35),
    Situation("Het plan van vorig jaar liep goed, maar oma is overleden en zij deed veel. De "
              "afspraken werken niet meer. Het gezin wil de kring opnieuw bij elkaar roepen.",
              "any", (V, OTS), (T.OFF_COURSE,), (6, 16)),
    Situation("{ouder} en de gezinsvoogd zijn het niet eens over de aanpak. De gesprekken lopen "
              "vast. Allebei willen ze dat de familie meedenkt, zodat er weer vertrouwen komt.",
              "any", (OTS,), (T.FRICTION,), (4, 15)),
    Situation("Moeder werkt lange dagen in de kassen. Na school is {kind} vaak alleen thuis. "
              "Moeder spreekt weinig Nederlands; de conferentie kan het beste in het Pools.", "m",
              (V,), (T.FIRST_CONVERSATION, T.START_HELP), (6, 12), background="Pools",
              language="pl", language_required=True),
    Situation("Vader is ernstig ziek en wordt vaak opgenomen. Moeder moet alles alleen doen en "
              "houdt het niet vol. De familie wil helpen, maar weet niet waar ze moet beginnen.",
              "mf", (V,), (T.START_HELP, T.OWN_INITIATIVE), children=2),
    Situation("Moeder komt uit Somalië en heeft een groot gezin; {kind} ({leeftijd}) is de oudste. "
              "{kind} helpt veel thuis en haalt de school niet. Moeder wil graag een vrouw als "
              "coördinator die Somalisch spreekt.", "m", (V,), (T.FIRST_CONVERSATION, T.INTAKE),
              (12, 16), 3, background="Somalisch", language="so", language_required=True,
              gender_wish="f"),
    Situation("De ouders hebben veel ruzie over de opvoeding. De grootouders wonen in hetzelfde "
              "huis en bemoeien zich ermee. Het gezin wil een coördinator die de Turkse cultuur "
              "kent.", "mf", (V,), (T.FRICTION, T.WAITING_LIST), children=2, background="Turks"),
    Situation("Moeder is met {kind} van Curaçao naar Nederland gekomen. Ze heeft geen werk en "
              "geen vast adres. Haar zus wil helpen. De familie op Curaçao wil via video "
              "meedenken.", "m", (V,), (T.INTAKE, T.FIRST_CONVERSATION), (3, 12),
              background="Antilliaans", language="pap"),
    Situation("Na een melding bij Veilig Thuis woont {kind} tijdelijk bij oma. Binnen een week "
              "moet er een plan zijn: waar woont {kind} de komende tijd en hoe zien de ouders "
              "{kind}?", "any", (CRISIS,), (T.CRISIS,), (0, 5), urgent=0.9),
    Situation("{kind} ({leeftijd}) blowt veel en heeft thuis dingen kapotgemaakt. Vader weet het "
              "niet meer en wil dat {kind} ergens anders gaat wonen. De familie wil eerst samen "
              "kijken wat er nog kan.", "f", (V, RAAD), (T.PLACEMENT_THREAT, T.FRICTION), (13, 17),
              urgent=0.3),
    Situation("Het gezin is gevlucht uit Oekraïne en woont in een opvanglocatie. De kinderen "
              "slapen slecht en moeder is somber. Vader is nog in Oekraïne en wil via video "
              "meedoen.", "mf", (V,), (T.INTAKE, T.START_HELP), children=2,
              background="Oekraïens", language="uk"),
    Situation("{kind} ({leeftijd}) is vaak ziek en heeft veel zorg nodig. Het gezin komt nooit "
              "meer tot rust. Ze willen afspraken over logeren en oppassen, zodat de ouders en de "
              "andere kinderen lucht krijgen.", "any", (V,), (T.WAITING_LIST, T.START_HELP),
              (4, 14), 2),
    Situation("Moeder wil graag een coördinator die Berbers spreekt. Haar eigen moeder komt uit "
              "de Rif en spreekt geen Nederlands. Er zijn zorgen over eten en hygiëne thuis.", "m",
              (V, OTS), (T.START_HELP, T.START_OTS), (1, 9), background="Marokkaans",
              language="ber"),
    Situation("{kind} gaat binnenkort naar een woongroep voor 16-plussers. Voor die tijd wil "
              "{kind} met de familie afspreken wie er in de weekenden een thuis biedt.", "any",
              (V, OTS), (T.REFERRAL_16PLUS,), (16, 17)),
    Situation("De ouders maken zich zorgen omdat {kind} ({leeftijd}) niet meer eet en veel "
              "afvalt. Er is een verwijzing naar de GGZ, maar de wachttijd is lang. Ze willen "
              "weten wie in de tussentijd kan helpen.", "mf", (V,), (T.WAITING_LIST,), (12, 17)),
]

#: (sentence, minimum age of the oldest child)
EXTRA_SENTENCES = [
    ("De familie van beide kanten wil graag meedenken.", 0),
    ("Oma heeft al gezegd dat ze wil helpen.", 0),
    ("Er is een buurvrouw die veel voor het gezin betekent.", 0),
    ("De kerk en de voetbalclub zijn belangrijk voor het gezin.", 6),
    ("Het gezin schaamt zich en heeft nog niemand iets verteld.", 0),
    ("Met een deel van de familie is al jaren ruzie.", 0),
    ("De ouders willen dat de kinderen bij het gesprek mogen zijn.", 7),
    ("Een oom in Duitsland wil via video meedoen.", 0),
    ("De oudste kinderen hebben zelf ook ideeën over wie er moet komen.", 11),
    ("Er is een tolk nodig voor oma.", 0),
]
OTHER_WISHES = [
    "Liefst iemand die ook 's avonds kan.",
    "Geen coördinator uit onze eigen wijk.",
    "Iemand met ervaring met autisme.",
    "Graag iemand die rustig is en goed luistert.",
    "De conferentie het liefst in het buurthuis.",
]

REASONS = {
    "withdraw": [
        "Moeder wil eerst zelf met haar familie praten.",
        "Het gezin is verhuisd naar een andere regio.",
        "Er is al een familiegroepsplan; de aanvraag was dubbel.",
        "De ouders trekken hun toestemming in.",
        "De jongere is inmiddels 18 en wil dit niet meer.",
        "De hulpverlening is op een andere manier geregeld.",
    ],
    "decline": [
        "De ouders willen hun familie hier niet bij betrekken.",
        "Moeder schaamt zich te veel om mensen te vragen.",
        "Het gezin vindt dat het nu goed genoeg gaat.",
        "Vader wil geen bemoeienis van buiten het gezin.",
        "De jongere wil niet dat de familie het weet.",
    ],
    "cancel": [
        "Er ontstond een crisis; de kinderen zijn uit huis geplaatst.",
        "De familie kon het niet eens worden over wie er mocht komen.",
        "Moeder is opgenomen in het ziekenhuis.",
        "De ouders zagen er op het laatste moment van af.",
        "Niet iedereen kon veilig meedoen; eerst andere hulp.",
    ],
    "reschedule": [
        "Oma is ziek; de datum schuift twee weken op.",
        "De zaal is niet beschikbaar.",
        "De tolk kan niet op deze datum.",
        "Een belangrijk familielid komt pas later uit het buitenland.",
        "De jeugdbeschermer kan niet; een nieuwe datum is nodig.",
    ],
    "reject_plan": [
        "Het plan regelt niet wie 's avonds bij de kinderen is.",
        "Er staat niet in wie toezicht houdt bij het contact met vader.",
        "De voorwaarde over schoolbezoek is niet uitgewerkt.",
        "Het plan is te vaag over wie wat doet; de kring vult het aan.",
        "De afspraak over geen alcohol in huis ontbreekt.",
    ],
    "close:follow_up": [
        "Evaluatie na drie maanden: het plan loopt goed.",
        "Het plan loopt; de kring houdt zelf contact.",
        "Evaluatie gedaan, de professionele hulp is afgeschaald.",
        "Na zes maanden loopt het plan nog steeds.",
        "De kring heeft het plan bijgesteld en gaat zelf verder.",
    ],
    "close:plan_accepted": [
        "Plan geaccepteerd; de jeugdbeschermer volgt het plan verder.",
        "Plan geaccepteerd; het gezin wil geen verdere begeleiding.",
    ],
    "close:plan_not_accepted": [
        "De kring heeft het plan niet aangevuld; de jeugdbeschermer maakt een eigen plan.",
        "De kring kon niet aan de voorwaarden voldoen.",
    ],
}

#: Other professionals that families name (free text, no account).
INVOLVED = [
    ("Huisartsenpraktijk {m}", ProfessionalKind.OTHER),
    ("Jeugdteam {m}", ProfessionalKind.JHV),
    ("Leerplicht gemeente {m}", ProfessionalKind.OTHER),
    ("Schuldhulpverlening {m}", ProfessionalKind.OTHER),
    ("Kinderopvang De Regenboog", ProfessionalKind.OTHER),
    ("GGZ-praktijk De Brug", ProfessionalKind.OTHER),
    ("Basisschool De Wereldwijzer", ProfessionalKind.OTHER),
    ("Maatschappelijk werk {m}", ProfessionalKind.JHV),
]
#: Professionals without a demo account, by legal frame.
REFERRING_ORGANISATIONS = {
    LegalFrame.VOLUNTARY: [("Jeugdteam {m}", ProfessionalKind.JHV),
                           ("Sociaal Wijkteam {m}", ProfessionalKind.JHV),
                           ("Schoolmaatschappelijk werk {m}", ProfessionalKind.OTHER)],
    LegalFrame.OTS: [("William Schrikker Stichting", ProfessionalKind.GEZINSVOOGD),
                     ("Leger des Heils Jeugdbescherming & Reclassering", ProfessionalKind.JB)],
    LegalFrame.RAAD_REPORT: [("Veilig Thuis", ProfessionalKind.OTHER),
                             ("Jeugdteam {m}", ProfessionalKind.JHV)],
    LegalFrame.JR: [("Leger des Heils Jeugdbescherming & Reclassering", ProfessionalKind.JR)],
    LegalFrame.CRISIS: [("Veilig Thuis", ProfessionalKind.OTHER),
                        ("Jeugdteam {m}", ProfessionalKind.JHV)],
}
LOCAL_TEAMS = {"jhv-mirthe": "Utrecht", "okt-loubna": "Amsterdam", "jhv-esra": "Rotterdam",
               "jhv-hanneke": "Zwolle"}
JB_KINDS = {ProfessionalKind.JB, ProfessionalKind.GEZINSVOOGD}
STAFF_NAMES = {f"{first} {last}" for _, first, last, *_ in STAFF + PROFESSIONALS} | {
    f"{row.first} {row.last}" for row in COORDINATORS}

# ---------------------------------------------------------------------------
# Small helpers.
# ---------------------------------------------------------------------------

_ASCII = str.maketrans({"ı": "i", "ş": "s", "ğ": "g", "ç": "c", "ł": "l", "ø": "o"})


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().translate(_ASCII))
    return slugify(text)


def _email(name: str) -> str:
    return f"{_slug(name).replace('-', '.')}@{DEMO_EMAIL_DOMAIN}"


def _phone(rng: random.Random) -> str:
    return f"06-{rng.randint(10_000_000, 99_999_999)}"


def _made_up_name(rng: random.Random, first_names: list[str], last_names: list[str]) -> str:
    """A Dutch name that is not the name of a demo account."""
    while True:
        name = f"{rng.choice(first_names)} {rng.choice(last_names)}"
        if name not in STAFF_NAMES:
            return name


def _fitting(professionals: list[User], frame: str) -> list[User]:
    """The professionals whose kind fits the legal frame (JB for an OTS, and so on)."""
    if frame in (LegalFrame.OTS, LegalFrame.RAAD_REPORT):
        return [p for p in professionals if p.professional_kind in JB_KINDS]
    if frame == LegalFrame.JR:
        return [p for p in professionals if p.professional_kind == ProfessionalKind.JR]
    return [p for p in professionals if p.professional_kind not in JB_KINDS | {ProfessionalKind.JR}]


def _office_hours(rng: random.Random, moment: datetime) -> datetime:
    """Staff work by day: a step that would fall at night happens the next morning."""
    local = timezone.localtime(moment)
    if 8 <= local.hour < 21:
        return moment
    morning = local.replace(hour=8, minute=0, second=0, microsecond=0)
    if local.hour >= 21:
        morning += timedelta(days=1)
    return morning + _between(rng, timedelta(0), 4 * H)


def _between(rng: random.Random, lo: timedelta, hi: timedelta) -> timedelta:
    seconds = rng.uniform(lo.total_seconds(), hi.total_seconds())
    return timedelta(seconds=round(seconds))


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _birth_date(rng: random.Random, age: int, on: date) -> date:
    """A birth date on which someone is exactly `age` on the day `on`."""
    born = on - timedelta(days=age * 365 + rng.randint(5, 355))
    while _age_on(born, on) > age:
        born += timedelta(days=20)
    while _age_on(born, on) < age:
        born -= timedelta(days=20)
    return born


@contextmanager
def _collect_enqueued_tasks() -> Iterator[list[Any]]:
    """Collect the ids of the background tasks this thread enqueues."""
    from django_tasks.signals import task_enqueued

    ids: list[Any] = []
    thread = threading.get_ident()

    def receiver(sender: Any, task_result: Any, **kwargs: Any) -> None:
        if threading.get_ident() == thread:
            ids.append(task_result.id)

    uid = f"kring-demo-{thread}"
    task_enqueued.connect(receiver, weak=False, dispatch_uid=uid)
    try:
        yield ids
    finally:
        task_enqueued.disconnect(dispatch_uid=uid)


def _delete_tasks(ids: list[Any]) -> int:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend: nothing was stored
        return 0
    deleted = 0
    for start in range(0, len(ids), 500):
        deleted += DBTaskResult.objects.filter(id__in=ids[start:start + 500]).delete()[0]
    return deleted


# ---------------------------------------------------------------------------
# Accounts.
# ---------------------------------------------------------------------------


@dataclass
class Staff:
    """The demo accounts that the cases need, by region."""

    managers: dict[str, list[User]] = field(default_factory=dict)  # by region code
    professionals: dict[str, list[User]] = field(default_factory=dict)  # by region code
    new_profiles: dict[str, CoordinatorProfile] = field(default_factory=dict)  # by first name
    created: int = 0
    skipped: list[str] = field(default_factory=list)


class _Accounts:
    def __init__(self, staff: Staff) -> None:
        self.staff = staff
        self.password = make_password(DEMO_PASSWORD)  # hashed once: Argon2 is slow on purpose

    def get_or_create(self, username: str, **fields: Any) -> User | None:
        user = User.objects.filter(username=username).first()
        if user is not None and not user.is_demo:
            self.staff.skipped.append(username)  # a real account: never touch it
            return None
        if user is None:
            user = User(username=username, email=f"{username}@{DEMO_EMAIL_DOMAIN}", is_demo=True,
                        password=self.password, **fields)
            user.full_clean(exclude=["password"])
            user.save()
            self.staff.created += 1
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        return user


def _load_accounts(regions: dict[str, Region]) -> Staff:
    """Create the missing demo accounts; real accounts with the same username are left alone."""
    staff = Staff()
    accounts = _Accounts(staff)
    for username, first, last, role, organisation, codes in STAFF:
        extra = {"is_staff": True, "is_superuser": True} if role == Role.ADMIN else {}
        user = accounts.get_or_create(username, first_name=first, last_name=last, role=role,
                                      organisation=organisation, **extra)
        if user is None:
            continue
        if codes and not user.regions.exists():
            user.regions.set([regions[c] for c in codes])
        for code in codes:
            staff.managers.setdefault(code, []).append(user)
    for username, first, last, kind, organisation, code in PROFESSIONALS:
        user = accounts.get_or_create(username, first_name=first, last_name=last,
                                      role=Role.PROFESSIONAL, professional_kind=kind,
                                      organisation=organisation)
        if user is not None:
            staff.professionals.setdefault(code, []).append(user)
    for row in COORDINATORS:
        user = accounts.get_or_create(f"co-{_slug(row.first)}", first_name=row.first,
                                      last_name=row.last, role=Role.COORDINATOR)
        if user is None:
            continue
        if CoordinatorProfile.objects.filter(user=user).exists():
            continue
        profile = CoordinatorProfile.objects.create(
            user=user, languages=list(row.languages), gender=row.gender,
            cultural_background=row.background, religion=row.religion, max_cases=row.max_cases,
        )
        profile.regions.set([regions[c] for c in row.regions])
        staff.new_profiles[row.first] = profile
        for first, organisation, note in ORGANISATION_CONFLICTS:
            if first == row.first:
                ConflictOfInterest.objects.create(coordinator=profile, organisation=organisation,
                                                  note=note)
    return staff


# ---------------------------------------------------------------------------
# Cases: a plan per case, then the services, then the clock moved back.
# ---------------------------------------------------------------------------


@dataclass
class Step:
    name: str  # "assign" or a transition name
    after: timedelta  # time since the previous step
    actor: str = "coordinator"  # "manager", "coordinator" or "professional"
    reason: str = ""


@dataclass
class Person:
    first: str
    last: str
    birth_date: date

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class CaseSpec:
    region: str
    target: str
    municipality: Municipality
    situation: Situation
    background: str
    urgent: bool
    legal_frame: str
    trigger: str
    steps: list[Step]
    submitted_at: datetime
    referrer: User | None = None
    parents: list[Person] = field(default_factory=list)
    children: list[Person] = field(default_factory=list)
    text: str = ""


#: Categories of open requests, so that the inbox shows clocks running, overdue and met.
REQUEST_KINDS = ["fresh", "assigned_running", "late_unassigned", "fresh", "assigned_overdue",
                 "assigned_running", "fresh", "late_unassigned", "assigned_running",
                 "assigned_overdue", "old_unassigned", "fresh"]


def _steps_for(rng: random.Random, target: str, urgent: bool) -> list[str]:
    base = ["assign", "first_contact", "start_preparing", "schedule", "hold"]
    if target in (State.SCHEDULED, State.HELD, State.CANCELLED) and rng.random() < 0.2:
        base = [*base[:4], "reschedule", "schedule", "hold"]
    accepted = [*base, "accept_plan"]
    if rng.random() < 0.15:
        accepted = [*base, "reject_plan", "revise_plan", "accept_plan"]
    if target == State.INFORMING:
        return base[:2]
    if target == State.PREPARING:
        return base[:3]
    if target == State.SCHEDULED:
        return base[:-1]
    if target == State.HELD:
        return base
    if target == State.PLAN_NOT_ACCEPTED:
        return [*base, "reject_plan"]
    if target == State.PLAN_ACCEPTED:
        return accepted
    if target == State.FOLLOW_UP:
        return [*accepted, "start_follow_up"]
    if target == State.CLOSED:
        roll = rng.random()
        if roll < 0.78:
            return [*accepted, "start_follow_up", "close"]
        if roll < 0.88:
            return [*accepted, "close"]
        return [*base, "reject_plan", "close"]
    if target == State.WITHDRAWN:
        return [*rng.choice([[], ["assign"], base[:2], base[:3]]), "withdraw"]
    if target == State.DECLINED:
        return [*base[:2], "decline"]
    if target == State.CANCELLED:
        return [*rng.choice([base[:3], base[:-1]]), "cancel"]
    raise ValueError(target)


def _delay(rng: random.Random, name: str, previous: str, urgent: bool) -> timedelta:
    """How long after the previous step this step happens."""

    def b(lo: timedelta, hi: timedelta) -> timedelta:
        return _between(rng, lo, hi)

    if name == "assign":
        if urgent:
            return b(0.3 * H, 6 * H)
        return b(0.5 * H, 20 * H) if rng.random() < 0.8 else b(26 * H, 60 * H)
    if name == "first_contact":
        if urgent:
            return b(1 * H, 8 * H)
        return b(2 * H, 22 * H) if rng.random() < 0.75 else b(30 * H, 72 * H)
    if name == "start_preparing":
        return b(12 * H, 30 * H) if urgent else b(2 * D, 9 * D)
    if name == "schedule":
        if previous == "reschedule":
            return b(2 * D, 6 * D)
        return b(1 * D, 2 * D) if urgent else b(5 * D, 16 * D)
    if name == "reschedule":
        return b(3 * D, 9 * D)
    if name == "hold":
        return b(1 * D, 3 * D) if urgent else b(7 * D, 18 * D)
    if name in ("accept_plan", "reject_plan"):
        if previous == "revise_plan":
            return b(1 * H, 3 * H)
        return b(1 * H, 3 * H) if rng.random() < 0.6 else b(1 * D, 6 * D)
    if name == "revise_plan":
        return b(7 * D, 14 * D)
    if name == "start_follow_up":
        return b(1 * D, 10 * D)
    if name == "close":
        if previous == "start_follow_up":
            return b(60 * D, 200 * D)
        return b(14 * D, 40 * D)
    if name == "withdraw":
        return b(1 * D, 3 * D) if previous in ("", "assign") else b(2 * D, 12 * D)
    if name == "decline":
        return b(1 * D, 7 * D)
    if name == "cancel":
        return b(3 * D, 15 * D)
    raise ValueError(name)


#: How long ago the last step of an open case happened, at most.
SLACK = {
    State.INFORMING: 5 * D, State.PREPARING: 12 * D, State.SCHEDULED: 10 * D, State.HELD: 4 * D,
    State.PLAN_NOT_ACCEPTED: 10 * D, State.PLAN_ACCEPTED: 8 * D, State.FOLLOW_UP: 150 * D,
}
ACTORS = {
    "assign": "manager", "first_contact": "coordinator", "start_preparing": "coordinator",
    "schedule": "coordinator", "reschedule": "coordinator", "hold": "coordinator",
    "revise_plan": "coordinator", "start_follow_up": "coordinator", "decline": "coordinator",
}


def _actor(rng: random.Random, name: str, has_referrer: bool, has_coordinator: bool) -> str:
    if name in ACTORS:
        if name == "schedule" and rng.random() < 0.15:
            return "manager"
        return ACTORS[name]
    if name in ("accept_plan", "reject_plan"):
        return "professional" if has_referrer and rng.random() < 0.7 else "coordinator"
    if name == "withdraw":
        if has_referrer and rng.random() < 0.5:
            return "professional"
        return "coordinator" if has_coordinator and rng.random() < 0.5 else "manager"
    return "coordinator" if rng.random() < 0.6 else "manager"  # close, cancel


def _plan(rng: random.Random, target: str, urgent: bool, now: datetime,
          request_kind: str) -> tuple[list[Step], datetime]:
    """The steps of one case and the moment its request came in."""
    if target == State.REQUEST:
        if request_kind == "fresh":
            return [], now - _between(rng, 1 * H, 20 * H)
        if request_kind == "late_unassigned":
            return [], now - _between(rng, 26 * H, 46 * H)
        if request_kind == "old_unassigned":
            return [], now - _between(rng, 3 * D, 6 * D)
        if request_kind == "assigned_running":
            age = _between(rng, 14 * H, 44 * H)
            return [Step("assign", _between(rng, 0.5 * H, 12 * H), "manager")], now - age
        steps = [Step("assign", _between(rng, 2 * H, 20 * H), "manager")]
        if rng.random() < 0.4:
            steps.append(Step("assign", _between(rng, 20 * H, 40 * H), "manager"))
        return steps, now - _between(rng, 3 * D, 7 * D)

    names = _steps_for(rng, target, urgent)
    steps: list[Step] = []
    previous = ""
    for name in names:
        steps.append(Step(name, _delay(rng, name, previous, urgent)))
        previous = name
    total = sum((s.after for s in steps), timedelta())
    if target in SLACK:
        submitted = now - total - _between(rng, 2 * H, SLACK[target])
    else:  # finished cases: spread over the past 18 months
        oldest = 540 * D
        submitted = now - _between(rng, total + 2 * D, max(oldest, total + 3 * D))
    return steps, submitted


class _CaseBuilder:
    def __init__(self, rng: random.Random, staff: Staff, now: datetime) -> None:
        self.rng = rng
        self.staff = staff
        self.now = now
        self.municipalities: dict[str, list[Municipality]] = {}
        self.by_name: dict[str, Municipality] = {}
        for m in Municipality.objects.select_related("region").filter(note="").order_by("name"):
            self.municipalities.setdefault(m.region.code, []).append(m)
            self.by_name[m.name] = m
        self.languages: dict[str, set[str]] = {}
        for row in COORDINATORS:
            for code in row.regions:
                self.languages.setdefault(code, set()).update(row.languages)
        self.stuck = 0  # cases that could not reach their target state

    # -- planning ------------------------------------------------------------------------------

    def specs(self) -> list[CaseSpec]:
        rng = self.rng
        pool = [state for state, n in CASES_PER_STATE.items() for _ in range(n)]
        # Every state at least once in each big region; the rest shuffled over all regions.
        for _ in BIG_REGIONS:
            for state in CASES_PER_STATE:
                pool.remove(state)
        rng.shuffle(pool)
        slots: list[tuple[str, str]] = []
        for code, count in CASES_PER_REGION.items():
            states = list(CASES_PER_STATE) if code in BIG_REGIONS else []
            while len(states) < count:
                states.append(pool.pop())
            slots += [(code, s) for s in states]
        rng.shuffle(slots)
        specs = []
        request_index = 0
        for code, target in slots:
            request_kind = ""
            if target == State.REQUEST:
                request_kind = REQUEST_KINDS[request_index % len(REQUEST_KINDS)]
                request_index += 1
            specs.append(self._spec(code, target, request_kind))
        self._spread_referrals(specs)
        specs.sort(key=lambda s: s.submitted_at)  # oldest first, as they came in
        return specs

    def _spread_referrals(self, specs: list[CaseSpec], minimum: int = 3) -> None:
        """Every demo professional refers a few families, so every login shows something."""
        referred = Counter(s.referrer.username for s in specs if s.referrer is not None)
        for code, professionals in self.staff.professionals.items():
            for professional in professionals:
                home = LOCAL_TEAMS.get(professional.username)
                for spec in specs:
                    if referred[professional.username] >= minimum:
                        break
                    frames = [f for f in spec.situation.frames if _fitting([professional], f)]
                    if (spec.region != code or spec.referrer is not None or not frames
                            or spec.trigger == TriggerMoment.OWN_INITIATIVE):
                        continue
                    spec.referrer = professional
                    spec.legal_frame = frames[0]
                    if home is not None:
                        spec.municipality = self.by_name[home]
                    referred[professional.username] += 1

    def _spec(self, code: str, target: str, request_kind: str) -> CaseSpec:
        rng = self.rng
        spoken = self.languages.get(code, set())
        situations = [s for s in SITUATIONS if not s.language or s.language in spoken]
        situation = rng.choice(situations)
        urgent = rng.random() < situation.urgent
        steps, submitted_at = _plan(rng, target, urgent, self.now, request_kind)
        municipalities = self.municipalities[code]
        municipality = rng.choices(
            municipalities, weights=[CITY_WEIGHT.get(m.name, 1) for m in municipalities])[0]
        mix = BACKGROUND_MIX["city" if code in BIG_REGIONS else "other"]
        background = situation.background or _weighted(rng, mix)
        spec = CaseSpec(
            region=code, target=target, municipality=municipality, situation=situation,
            background=background, urgent=urgent, legal_frame=rng.choice(situation.frames),
            trigger=rng.choice(situation.triggers), steps=steps, submitted_at=submitted_at,
        )
        spec.referrer = self._referrer(spec)
        if spec.referrer is not None and spec.referrer.username in LOCAL_TEAMS:
            spec.municipality = self.by_name[LOCAL_TEAMS[spec.referrer.username]]
        self._family(spec)
        return spec

    def _family(self, spec: CaseSpec) -> None:
        rng, s, bg = self.rng, spec.situation, spec.background
        on = timezone.localdate(spec.submitted_at)
        parents = s.parents
        if parents == "any":
            parents = rng.choices(["m", "mf", "f"], weights=[45, 40, 15])[0]
        n_children = min(s.children + rng.choice([0, 0, 1, 1, 2]), 5)
        oldest = rng.randint(*s.ages)
        ages = [oldest]
        for _ in range(n_children - 1):
            if ages[-1] < 1:
                break
            ages.append(max(ages[-1] - rng.randint(1, 5), 0))
        family_name = rng.choice(LAST[bg])
        if s.mother_ages is not None:
            mother_age = rng.randint(*s.mother_ages)
        else:
            mother_age = oldest + rng.randint(20, 36)
        if parents in ("m", "mf"):
            shared = parents == "mf" and bg in SHARED_SURNAME and rng.random() < 0.5
            mother_last = family_name if parents == "m" or shared else rng.choice(LAST[bg])
            spec.parents.append(Person(rng.choice(FIRST_F[bg]), mother_last,
                                       _birth_date(rng, mother_age, on)))
        if parents in ("f", "mf"):
            spec.parents.append(Person(rng.choice(FIRST_M[bg]), family_name,
                                       _birth_date(rng, mother_age + rng.randint(0, 6), on)))
        children_last = spec.parents[-1].last if parents != "m" else family_name
        ages = ages[:len(FIRST_CHILD[bg])]
        names = rng.sample(FIRST_CHILD[bg], k=len(ages))
        spec.children = [Person(first, children_last, _birth_date(rng, age, on))
                         for first, age in zip(names, ages, strict=True)]
        text = s.text.format(ouder=spec.parents[0].first, kind=spec.children[0].first,
                             leeftijd=_age_on(spec.children[0].birth_date, on))
        oldest_age = _age_on(spec.children[0].birth_date, on)
        extra = [text for text, age in EXTRA_SENTENCES if oldest_age >= age]
        if rng.random() < 0.45:
            text += " " + rng.choice(extra)
        spec.text = text

    # -- the request ---------------------------------------------------------------------------

    def _referrer(self, spec: CaseSpec) -> User | None:
        """A demo professional whose kind fits the case, or None (family or other referrer)."""
        candidates = _fitting(self.staff.professionals.get(spec.region, []), spec.legal_frame)
        if not candidates or spec.trigger == TriggerMoment.OWN_INITIATIVE:
            return None
        if self.rng.random() < 0.35:
            return None
        return self.rng.choice(candidates)

    def _request_data(self, spec: CaseSpec, referrer: User | None) -> RequestData:
        rng, s, bg = self.rng, spec.situation, spec.background
        consent = rng.random() < 0.7
        main = spec.parents[0]
        oldest = spec.children[0]
        fields: dict[str, Any] = {}
        if referrer is not None:
            fields = {
                "requester_kind": RequesterKind.PROFESSIONAL,
                "requester_name": referrer.display_name, "requester_email": referrer.email,
                "requester_organisation": referrer.organisation,
                "requester_professional_kind": referrer.professional_kind,
            }
        elif spec.trigger != TriggerMoment.OWN_INITIATIVE and (
            spec.legal_frame in (LegalFrame.OTS, LegalFrame.RAAD_REPORT, LegalFrame.JR)
            or rng.random() < 0.3
        ):
            organisation, kind = rng.choice(REFERRING_ORGANISATIONS[spec.legal_frame])
            name = _made_up_name(rng, FIRST_F["Nederlands"] + FIRST_M["Nederlands"],
                                 LAST["Nederlands"])
            fields = {
                "requester_kind": RequesterKind.PROFESSIONAL, "requester_name": name,
                "requester_email": _email(name),
                "requester_organisation": organisation.format(m=spec.municipality.name),
                "requester_professional_kind": kind,
            }
        else:
            roll = rng.random()
            if roll < 0.15 and _age_on(oldest.birth_date, timezone.localdate()) >= 14:
                kind, name = RequesterKind.YOUNG_PERSON, oldest.name
            elif roll < 0.35:
                kind = RequesterKind.FAMILY
                name = _made_up_name(rng, FIRST_F[bg], LAST[bg])
            elif roll < 0.42:
                kind = RequesterKind.OTHER
                name = _made_up_name(rng, FIRST_F["Nederlands"], LAST["Nederlands"])
            else:
                kind, name = RequesterKind.PARENT, main.name
            fields = {"requester_kind": kind, "requester_name": name,
                      "requester_email": _email(name)}
            if consent:
                fields["requester_phone"] = _phone(rng)

        wishes: dict[str, Any] = {}
        if s.language:
            wishes["pref_language"] = s.language
            wishes["language_required"] = s.language_required
        elif bg in LANGUAGE_OF and rng.random() < 0.3:
            wishes["pref_language"] = LANGUAGE_OF[bg]
        if s.gender_wish or rng.random() < 0.2:
            wishes["pref_gender"] = s.gender_wish or rng.choice(["f", "f", "m"])
        if bg != "Nederlands" and (s.background or rng.random() < 0.2):
            wishes["pref_culture"] = bg
        if rng.random() < 0.1:
            wishes["pref_religion"] = RELIGION_OF[bg]
        if rng.random() < 0.1:
            wishes["pref_other"] = rng.choice(OTHER_WISHES)

        parents = [{"name": p.name, "birth_date": p.birth_date,
                    "phone": _phone(rng) if consent and i == 0 else "",
                    "email": _email(p.name) if rng.random() < 0.5 else ""}
                   for i, p in enumerate(spec.parents)]
        children = [{"name": c.name, "birth_date": c.birth_date} for c in spec.children]
        professionals = []
        for _ in range(rng.choice([0, 1, 1, 2])):
            organisation, kind = rng.choice(INVOLVED)
            name = _made_up_name(rng, FIRST_F["Nederlands"] + FIRST_M["Nederlands"],
                                 LAST["Nederlands"])
            professionals.append({"name": name, "kind": kind,
                                  "organisation": organisation.format(m=spec.municipality.name)})
        return RequestData(
            municipality=spec.municipality, situation=spec.text, legal_frame=spec.legal_frame,
            trigger_moment=spec.trigger,
            urgency=Urgency.URGENT if spec.urgent else Urgency.NORMAL,
            phone_consent=consent, parents=parents, children=children,
            professionals=professionals, **fields, **wishes,
        )

    # -- driving the case ----------------------------------------------------------------------

    def build(self, spec: CaseSpec) -> Case:
        rng = self.rng
        referrer = spec.referrer
        case = request_submit(data=self._request_data(spec, referrer), channel=Channel.DEMO,
                              by=referrer)
        others = [
            p for p in _fitting(self.staff.professionals.get(spec.region, []), spec.legal_frame)
            if p != referrer and LOCAL_TEAMS.get(p.username, spec.municipality.name)
            == spec.municipality.name
        ]
        if others and rng.random() < 0.3:
            linked = rng.choice(others)
            CaseProfessional.objects.create(
                case=case, user=linked, name=linked.display_name, organisation=linked.organisation,
                kind=linked.professional_kind, email=linked.email,
            )
        managers = self.staff.managers.get(spec.region, [])
        done: list[Step] = []
        for step in spec.steps:
            if step.name == "assign":
                step.actor = "manager"
            else:
                step.actor = _actor(rng, step.name, referrer is not None,
                                    case.coordinator_id is not None)
            by = {"manager": rng.choice(managers) if managers else None,
                  "coordinator": case.coordinator, "professional": referrer}[step.actor]
            if by is None:
                break
            try:
                if step.name == "assign":
                    coordinator = self._pick_coordinator(case)
                    if coordinator is None:
                        break
                    case = case_assign(case=case, coordinator=coordinator, by=by)
                else:
                    key = step.name
                    if step.name == "close":
                        key = f"close:{case.state}"
                    step.reason = rng.choice(REASONS[key]) if key in REASONS else ""
                    case = case_transition(case=case, name=step.name, by=by, reason=step.reason)
            except TransitionRefused:
                break
            done.append(step)
        if len(done) < len(spec.steps):
            self.stuck += 1
        self._backdate(case, spec, done)
        return case

    def _pick_coordinator(self, case: Case) -> User | None:
        from kring.matching.ranking import rank_coordinators

        suggestions = [s for s in rank_coordinators(case) if s.eligible
                       and s.coordinator.pk != case.coordinator_id]
        if not suggestions and case.language_required:
            # Nobody free speaks the language: the manager drops the requirement.
            Case.objects.filter(pk=case.pk).update(language_required=False)
            case.language_required = False
            suggestions = [s for s in rank_coordinators(case) if s.eligible
                           and s.coordinator.pk != case.coordinator_id]
        if not suggestions:
            return None
        return self.rng.choice(suggestions[:3]).coordinator

    def _backdate(self, case: Case, spec: CaseSpec, done: list[Step]) -> None:
        """Move the timeline into the past: same order, realistic gaps."""
        at = spec.submitted_at
        first = at
        if case.requester_kind == RequesterKind.PROFESSIONAL:
            first = _office_hours(self.rng, at)  # families write in the evening too; professionals by day
        times = [first if first < self.now else at]
        for step in done:
            at += step.after
            moment = _office_hours(self.rng, at)
            if moment >= self.now:
                moment = at
            times.append(min(max(moment, times[-1] + timedelta(minutes=1)), self.now))
        events = list(CaseEvent.objects.filter(case=case).order_by("id"))
        for event, moment in zip(events, times, strict=True):
            event.at = moment
        CaseEvent.objects.bulk_update(events, ["at"])

        first: dict[str, datetime] = {}
        for step, moment in zip(done, times[1:], strict=True):
            first.setdefault(step.name, moment)
        transitions = [m for s, m in zip(done, times[1:], strict=True) if s.name != "assign"]
        case.submitted_at = times[0]
        case.assigned_at = first.get("assign")
        case.first_contact_at = first.get("first_contact")
        case.held_at = first.get("hold")
        case.plan_accepted_at = first.get("accept_plan")
        case.closed_at = first.get("close")
        case.state_changed_at = transitions[-1] if transitions else times[0]
        if case.phone_consent:
            case.phone_consent_at = times[0]
        case.refresh_deadline()
        case.save(update_fields=[
            "submitted_at", "assigned_at", "first_contact_at", "held_at", "plan_accepted_at",
            "closed_at", "state_changed_at", "phone_consent_at", "next_deadline_at",
        ])


def _add_absences(staff: Staff, today: date) -> None:
    """Absences around today, added after the cases so the pool could take them until now."""
    for first, start, end, reason in ABSENCES:
        profile = staff.new_profiles.get(first)
        if profile is not None:
            Absence.objects.create(coordinator=profile, starts_on=today + timedelta(days=start),
                                   ends_on=today + timedelta(days=end), reason=reason)


def _add_person_conflicts() -> None:
    """A coordinator knows a family with an open request: the manager sees the blocker."""
    for code, note in zip(BIG_REGIONS[:2], PERSON_CONFLICT_NOTES, strict=False):
        case = (Case.objects.filter(channel=Channel.DEMO, region__code=code, state=State.REQUEST,
                                    coordinator__isnull=True)
                .order_by("submitted_at").first())
        profile = (CoordinatorProfile.objects.filter(user__is_demo=True, regions__code=code)
                   .order_by("user__username").first())
        if case is None or profile is None:
            continue
        parent = case.persons.filter(is_main_person=True).first()
        if parent is not None:
            ConflictOfInterest.objects.get_or_create(coordinator=profile, person_name=parent.name,
                                                     defaults={"note": note})


# ---------------------------------------------------------------------------
# The entry point.
# ---------------------------------------------------------------------------


def demo_counts() -> dict[str, Any]:
    """What the demo data holds now."""
    users = User.objects.filter(is_demo=True)
    cases = Case.objects.filter(channel=Channel.DEMO)
    states = Counter(cases.values_list("state", flat=True))
    return {
        "users": users.count(),
        "admins": users.filter(role=Role.ADMIN).count(),
        "policy": users.filter(role=Role.POLICY).count(),
        "regional_managers": users.filter(role=Role.REGIONAL_MANAGER).count(),
        "coordinators": users.filter(role=Role.COORDINATOR).count(),
        "professionals": users.filter(role=Role.PROFESSIONAL).count(),
        "cases": cases.count(),
        "urgent_cases": cases.filter(urgency=Urgency.URGENT).count(),
        "events": CaseEvent.objects.filter(case__channel=Channel.DEMO).count(),
        "states": {state.value: states.get(state.value, 0) for state in State},
    }


def load_demo(*, stdout: IO[str] | None = None) -> dict[str, Any]:
    """Create the demo accounts and cases if they are missing; return the counts."""
    rng = random.Random(SEED)  # noqa: S311 - made-up data, not security
    now = timezone.now()
    today = timezone.localdate(now)
    with _collect_enqueued_tasks() as task_ids, transaction.atomic():
        regions = {r.code: r for r in Region.objects.all()}
        staff = _load_accounts(regions)
        builder = _CaseBuilder(rng, staff, now)
        specs = builder.specs()
        existing = Case.objects.filter(channel=Channel.DEMO).count()
        for spec in specs[existing:]:
            builder.build(spec)
        created_cases = max(len(specs) - existing, 0)
        _add_absences(staff, today)
        if created_cases:
            _add_person_conflicts()
        _delete_tasks(task_ids)
    counts = demo_counts()
    if stdout is not None:
        _report(stdout, counts, staff, created_users=staff.created, created_cases=created_cases,
                stuck=builder.stuck)
    return counts


# ---------------------------------------------------------------------------
# What the operator reads.
# ---------------------------------------------------------------------------

ROLE_LABELS = {Role.ADMIN: "admin", Role.POLICY: "policy", Role.REGIONAL_MANAGER: "regional manager",
               Role.COORDINATOR: "coordinator", Role.PROFESSIONAL: "professional"}


def _login_rows() -> list[tuple[str, str, str]]:
    users = User.objects.filter(is_demo=True).prefetch_related("regions",
                                                               "coordinator_profile__regions")
    by_name = {u.username: u for u in users}
    rows = []
    for username in ("beheer", "beleid", "rm-utrecht", "rm-amsterdam", "rm-rotterdam"):
        user = by_name.get(username)
        if user is not None:
            where = ", ".join(r.name for r in user.regions.all()) or user.organisation
            rows.append((username, ROLE_LABELS[user.role], where))
    if any(name.startswith("rm-") for name in by_name):
        rows.append(("rm-<region code>", "regional manager", "one or two for every region"))
    for code in BIG_REGIONS:
        busiest = (User.objects.filter(is_demo=True, role=Role.COORDINATOR,
                                       coordinated_cases__region__code=code,
                                       coordinated_cases__state__in=ACTIVE_STATES)
                   .values_list("username", flat=True))
        counted = Counter(busiest).most_common(1)
        if counted:
            user = by_name[counted[0][0]]
            where = ", ".join(r.name for r in user.coordinator_profile.regions.all())
            rows.append((user.username, "coordinator", where))
    for username in ("jb-sophie", "jhv-mirthe", "okt-loubna", "jr-xiomara"):
        user = by_name.get(username)
        if user is not None:
            rows.append((username, f"professional ({user.professional_kind.upper()})",
                         user.organisation))
    return rows


def _report(stdout: IO[str], counts: dict[str, Any], staff: Staff, *, created_users: int,
            created_cases: int, stuck: int) -> None:
    write = stdout.write
    write(f"Demo data: {counts['users']} accounts ({created_users} new), "
          f"{counts['cases']} cases ({created_cases} new), "
          f"{counts['coordinators']} coordinators, {counts['professionals']} professionals.\n")
    if stuck:
        write(f"Note: {stuck} cases stopped before their planned state (no coordinator free).\n")
    if staff.skipped:
        write("Skipped (a real account has this username): " + ", ".join(staff.skipped) + "\n")
    rows = _login_rows()
    width = max(len(r[0]) for r in rows) + 2
    role_width = max(len(r[1]) for r in rows) + 2
    write(f"\nDemo logins (every account has the password {DEMO_PASSWORD}):\n\n")
    write(f"  {'username':<{width}}{'role':<{role_width}}region / organisation\n")
    for username, role, where in rows:
        write(f"  {username:<{width}}{role:<{role_width}}{where}\n")
    write(f"\n  All {counts['coordinators']} coordinators are co-<first name>; "
          "professionals are jb-, gv-, jhv-, jr-, cm-, okt- and vt-<first name>.\n")
    write("\nSecond factor: every demo account uses the same TOTP secret\n\n"
          f"  {DEMO_TOTP_SECRET}\n\n"
          "Add it to an authenticator app (type the key, or use "
          f"{DEMO_TOTP_URI}).\n"
          "In demo mode (KRING_DEMO=1, as `kring serve --demo` sets) the sign-in page shows the "
          "current code for demo accounts.\n")
