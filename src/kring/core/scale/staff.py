"""Staff accounts for the national data set, in the ratios of a national organisation.

Per region, for n cases over ten years: a coordinator per `CASES_PER_COORDINATOR`
cases (at least two; a fifth of them left before today and are inactive), a
regional manager per `COORDINATORS_PER_MANAGER` coordinators (one to six), a
professional with an account per `CASES_PER_PROFESSIONAL` cases (at least three),
and a policy officer; plus one national policy officer and one administrator.

Every account is a demo account (`is_demo`): the demo password and the demo TOTP
secret of `kring.core.demo`. Usernames are `co.<region>.<n>`, `rm.<region>.<n>`,
`pro.<region>.<n>`, `policy.<region>`, `policy.national`, `admin.scale`; numbering
continues after the accounts already there, so `--append` adds accounts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth.hashers import make_password

from kring.accounts.models import CoordinatorProfile, ProfessionalKind, Role, User
from kring.core.demo import (
    BACKGROUND_MIX,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    FIRST_F,
    FIRST_M,
    LANGUAGE_OF,
    LAST,
    RELIGION_OF,
)
from kring.regions.models import Region

CASES_PER_COORDINATOR = 250
COORDINATORS_PER_MANAGER = 25
CASES_PER_PROFESSIONAL = 40
FORMER_COORDINATORS = 0.2

#: Kinds of professionals with an account, and how common they are.
PROFESSIONAL_KINDS = {
    ProfessionalKind.JB: 25, ProfessionalKind.JHV: 33, ProfessionalKind.JR: 8,
    ProfessionalKind.GEZINSVOOGD: 12, ProfessionalKind.CASEMANAGER: 8, ProfessionalKind.OKT: 8,
    ProfessionalKind.OTHER: 6,
}
ORGANISATIONS = {
    ProfessionalKind.JB: ["Jeugdbescherming {r}", "Samen Veilig {r}"],
    ProfessionalKind.JHV: ["Jeugdteam {r}", "Sociaal Wijkteam {r}", "Buurtteam Jeugd en Gezin {r}"],
    ProfessionalKind.JR: ["Leger des Heils Jeugdbescherming & Reclassering", "Jeugdreclassering {r}"],
    ProfessionalKind.GEZINSVOOGD: ["William Schrikker Stichting", "Jeugdbescherming {r}"],
    ProfessionalKind.CASEMANAGER: ["Timon", "Levvel", "Enver", "Pluryn"],
    ProfessionalKind.OKT: ["Ouder- en Kindteam {r}"],
    ProfessionalKind.OTHER: ["Veilig Thuis {r}", "GGD {r}"],
}


@dataclass(slots=True)
class Account:
    """What the case generator needs of an account, without a model instance."""

    id: int
    username: str
    name: str
    role: str
    organisation: str
    kind: str
    email: str
    region: str
    #: Coordinators only: when they took cases (from, until).
    start: datetime | None = None
    end: datetime | None = None

    @property
    def organisation_label(self) -> str:
        if self.organisation:
            return self.organisation
        if self.role in (Role.COORDINATOR, Role.REGIONAL_MANAGER):
            return "Eigen Kracht Centrale"
        return "-"


@dataclass
class StaffSet:
    coordinators: dict[str, list[Account]]
    managers: dict[str, list[Account]]
    professionals: dict[str, list[Account]]
    policy: list[Account]
    admin: Account | None
    created: int


def _next_number(prefix: str) -> int:
    names = User.objects.filter(username__startswith=prefix).values_list("username", flat=True)
    numbers = [int(n.rsplit(".", 1)[1]) for n in names if n.rsplit(".", 1)[1].isdigit()]
    return max(numbers, default=0) + 1


def create_staff(rng: random.Random, region_cases: dict[str, int], *, start: datetime,
                 now: datetime) -> StaffSet:
    """Create the accounts for this many cases per region; returns them without model instances."""
    regions = {r.code: r for r in Region.objects.all()}
    password = make_password(DEMO_PASSWORD)  # hashed once: Argon2 is slow on purpose
    users: list[User] = []
    meta: list[dict] = []  # per user: region, coordinator window, profile data

    def add(username: str, first: str, last: str, role: str, region: str, **extra) -> None:
        users.append(User(username=username, first_name=first, last_name=last, email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                          role=role, password=password, is_demo=True, date_joined=start,
                          is_active=extra.pop("is_active", True), **extra))
        meta.append({"region": region})

    def name(background: str, female: bool) -> tuple[str, str]:
        first = rng.choice((FIRST_F if female else FIRST_M)[background])
        return first, rng.choice(LAST[background])

    span = (now - start).total_seconds()
    for code, n in region_cases.items():
        mix = BACKGROUND_MIX["city" if code in ("amsterdam", "rotterdam", "utrecht") else "other"]
        coordinators = max(2, round(n / CASES_PER_COORDINATOR))
        number = _next_number(f"co.{code}.")
        for i in range(coordinators):
            background = rng.choices(list(mix), weights=list(mix.values()))[0]
            female = rng.random() < 0.78
            first, last = name(background, female)
            former = i > 0 and rng.random() < FORMER_COORDINATORS
            if former:  # worked some years in the past
                begin = start + timedelta(seconds=rng.uniform(-0.2, 0.6) * span)
                end = min(begin + timedelta(days=rng.randint(500, 2500)), now - timedelta(days=120))
            else:
                begin = start + timedelta(seconds=rng.uniform(-0.2, 0.75) * span) if i else start
                end = None
            add(f"co.{code}.{number + i:04d}", first, last, Role.COORDINATOR, code, is_active=not former)
            languages = ["nl"] + ([LANGUAGE_OF[background]] if background in LANGUAGE_OF else [])
            if rng.random() < 0.5:
                languages.append("en")
            second = None
            if rng.random() < 0.1:
                second = rng.choice([c for c in region_cases if c != code])
            meta[-1].update(start=begin if i else start - timedelta(days=30), end=end, profile={
                "languages": languages, "gender": "f" if female else rng.choice("mmmx"),
                "cultural_background": "" if background == "Nederlands" else background,
                "religion": RELIGION_OF.get(background, "") if rng.random() < 0.4 else "",
                "max_cases": rng.choice([3, 3, 4, 4, 5, 6]), "active": not former,
            }, second=second)
        managers = max(1, min(6, round(coordinators / COORDINATORS_PER_MANAGER)))
        number = _next_number(f"rm.{code}.")
        for i in range(managers):
            first, last = name(rng.choices(list(mix), weights=list(mix.values()))[0], rng.random() < 0.7)
            add(f"rm.{code}.{number + i:02d}", first, last, Role.REGIONAL_MANAGER, code)
        professionals = max(3, round(n / CASES_PER_PROFESSIONAL))
        number = _next_number(f"pro.{code}.")
        kinds = list(PROFESSIONAL_KINDS)
        weights = list(PROFESSIONAL_KINDS.values())
        for i in range(professionals):
            # The first few cover every kind, so every legal frame finds a fitting professional.
            kind = kinds[i] if i < len(kinds) and professionals >= len(kinds) else rng.choices(kinds, weights)[0]
            first, last = name(rng.choices(list(mix), weights=list(mix.values()))[0], rng.random() < 0.75)
            organisation = rng.choice(ORGANISATIONS[kind]).format(r=regions[code].name)
            add(f"pro.{code}.{number + i:05d}", first, last, Role.PROFESSIONAL, code,
                professional_kind=kind, organisation=organisation)
        first, last = name("Nederlands", rng.random() < 0.6)  # drawn always: the same seed, the same accounts
        if not User.objects.filter(username=f"policy.{code}").exists():
            add(f"policy.{code}", first, last, Role.POLICY, code, organisation=f"Gemeenten {regions[code].name}")
    if not User.objects.filter(username="policy.national").exists():
        add("policy.national", "Carla", "Bosman", Role.POLICY, "", organisation="Ministerie van VWS")
    if not User.objects.filter(username="admin.scale").exists():
        add("admin.scale", "Ellen", "de Haan", Role.ADMIN, "", organisation="Eigen Kracht Centrale",
            is_staff=True, is_superuser=True)

    User.objects.bulk_create(users, batch_size=2000)
    if any(u.pk is None for u in users):  # a database without RETURNING: read the ids back
        ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "id"))
        for user in users:
            user.pk = user.id = ids[user.username]
    secret = {"secret": encrypt(DEMO_TOTP_SECRET)}
    Authenticator.objects.bulk_create(
        [Authenticator(user_id=u.pk, type=Authenticator.Type.TOTP, data=secret, created_at=start) for u in users],
        batch_size=2000)
    region_through = User.regions.through
    region_through.objects.bulk_create(
        [region_through(user_id=u.pk, region_id=regions[m["region"]].pk)
         for u, m in zip(users, meta, strict=True) if u.role == Role.REGIONAL_MANAGER], batch_size=2000)
    profiles = [CoordinatorProfile(user_id=u.pk, **m["profile"])
                for u, m in zip(users, meta, strict=True) if u.role == Role.COORDINATOR]
    CoordinatorProfile.objects.bulk_create(profiles, batch_size=2000)
    if any(p.pk is None for p in profiles):
        ids = dict(CoordinatorProfile.objects.filter(user_id__in=[p.user_id for p in profiles])
                   .values_list("user_id", "id"))
        for profile in profiles:
            profile.pk = profile.id = ids[profile.user_id]
    profile_of = {p.user_id: p.pk for p in profiles}
    served = CoordinatorProfile.regions.through
    rows = []
    for user, m in zip(users, meta, strict=True):
        if user.role == Role.COORDINATOR:
            rows.append(served(coordinatorprofile_id=profile_of[user.pk], region_id=regions[m["region"]].pk))
            if m["second"]:
                rows.append(served(coordinatorprofile_id=profile_of[user.pk], region_id=regions[m["second"]].pk))
    served.objects.bulk_create(rows, batch_size=2000)

    staff = StaffSet(coordinators={}, managers={}, professionals={}, policy=[], admin=None, created=len(users))
    for user, m in zip(users, meta, strict=True):
        account = Account(id=user.pk, username=user.username, name=f"{user.first_name} {user.last_name}",
                          role=user.role, organisation=user.organisation, kind=user.professional_kind,
                          email=user.email, region=m["region"], start=m.get("start"), end=m.get("end"))
        if user.role == Role.COORDINATOR:
            staff.coordinators.setdefault(m["region"], []).append(account)
        elif user.role == Role.REGIONAL_MANAGER:
            staff.managers.setdefault(m["region"], []).append(account)
        elif user.role == Role.PROFESSIONAL:
            staff.professionals.setdefault(m["region"], []).append(account)
        elif user.role == Role.POLICY:
            staff.policy.append(account)
        else:
            staff.admin = account
    return staff
