"""One case at a time, as the services would have left it: rows as tuples, ids allocated here.

`Generator.case()` walks a case through its lifecycle (the delays of the small
demo), stops at the moment `now`, and writes what the services write on the way:
the case with its milestones and `next_deadline_at`, persons, professionals, the
timeline, the circle with statuses, the checklist, the conference with presences
and invitations, the information form, the plan in versions, the follow-up
schedule as `followup_schedule_create` makes it and as the dispatcher leaves it
(sent, scheduled, cancelled, done), check-ins, evaluations, outcomes, offers and
the access log.
"""

from __future__ import annotations

import bisect
import calendar
import ipaddress
import itertools
import math
import random
import unicodedata
import uuid
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from django.utils import timezone

from kring.accounts.models import ProfessionalKind, Role
from kring.audit.models import AccessLogEntry
from kring.cases.models import (
    NORM_CONTACT,
    NORM_START,
    NORM_URGENT_MEETING,
    Case,
    CaseEvent,
    CasePerson,
    CaseProfessional,
    Channel,
    LegalFrame,
    RequesterKind,
    State,
    TriggerMoment,
)
from kring.conferences.models import Conference, Invitation, PreparationItem, PrepItem, Presence
from kring.core import demo
from kring.family.models import ConsentKind, FamilyConsent
from kring.followup import services as followup
from kring.followup.models import (
    CheckIn,
    CheckInAnswer,
    Evaluation,
    EvaluationItem,
    Outcome,
    Reminder,
)
from kring.network.models import CircleMember, SafetyArrangement
from kring.plans.models import (
    Agreement,
    ConcernAnswer,
    ConditionTest,
    Distribution,
    InformationForm,
    InformationFormVersion,
    Plan,
    PlanVersion,
    SafetyCondition,
)
from kring.reports.models import Offer

from . import texts
from .staff import Account, StaffSet
from .writer import Table

H = timedelta(hours=1)
D = timedelta(days=1)
MINUTE = timedelta(minutes=1)
#: The access log keeps 5 years (audit migration 0003): older rows would have been purged.
LOG_YEARS = 5
ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"
REFERENCE_SPACE = len(ALPHABET) ** 8
REFERENCE_FACTOR = 48_271_003_001  # not divisible by 5: a bijection on the reference space

#: How a case ends (or where it is heading), with its share of all requests.
PATHS = [
    (0.03, ["withdraw"]),
    (0.02, ["assign", "withdraw"]),
    (0.04, ["assign", "first_contact", "withdraw"]),
    (0.10, ["assign", "first_contact", "decline"]),
    (0.03, ["assign", "first_contact", "start_preparing", "withdraw"]),
    (0.03, ["assign", "first_contact", "start_preparing", "cancel"]),
    (0.03, ["assign", "first_contact", "start_preparing", "schedule", "cancel"]),
    (0.72, None),  # a conference
]
Weighted = tuple[tuple, list[float]]


def weights(pairs) -> Weighted:
    """(options, cumulative weights) for `Generator.weighted`, from {option: weight} or [(option, weight)]."""
    pairs = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    total, cumulative = 0.0, []
    for _option, weight in pairs:
        total += weight
        cumulative.append(total)
    return tuple(option for option, _w in pairs), cumulative


PREP_CODES = tuple(PrepItem.values)
EMAIL, SMS = ["email"], ["sms"]
#: Where staff and families read from (private and documentation ranges; values for binary COPY).
STAFF_ADDRESSES = [ipaddress.ip_address(f"10.{20 + i // 256}.{i % 256}.{1 + i % 250}") for i in range(4096)]
FAMILY_ADDRESSES = [ipaddress.ip_address(f"203.0.113.{i}") for i in range(1, 255)]
RATINGS = weights({"good": 65, "partly": 25, "not": 10})
PATH_CHOICE = weights((path, share) for share, path in PATHS)
PARENTS = weights({"m": 45, "mf": 40, "f": 15})
MIXES = {kind: weights(mix) for kind, mix in demo.BACKGROUND_MIX.items()}
PREPARING_STATUS = weights({"identified": 30, "approached": 40, "invited": 12, "confirmed": 12, "declined": 6})
PLAN_RUNNING = weights({"yes": 60, "partly": 28, "no": 12})
CHILD_LIVES = weights({"home": 78, "network": 10, "foster": 6, "institution": 4, "independent": 2})


def reference(case_id: int) -> str:
    """A reference in the style of `new_reference`, unique per id (a bijection, so never repeated)."""
    n = (case_id * REFERENCE_FACTOR) % REFERENCE_SPACE
    chars = []
    for _ in range(8):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    return "K-" + "".join(chars)


_ASCII = str.maketrans({"ı": "i", "ş": "s", "ğ": "g", "ç": "c", "ł": "l", "ø": "o", "'": "", " ": ""})


@lru_cache(maxsize=4096)
def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().translate(_ASCII))
    return "".join(c for c in text if c.isascii() and (c.isalnum() or c in "-.")) or "x"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


#: The most rows one case can have in each table (the generator's own limits); each chunk gets
#: this many ids per case in every table, so ids never collide (gaps are harmless).
PER_CASE = {
    "cases_case": 1, "cases_caseperson": 7, "cases_caseprofessional": 3, "cases_caseevent": 16,
    "network_circlemember": 30, "network_safetyarrangement": 2, "conferences_preparationitem": 11,
    "conferences_conference": 1, "conferences_invitation": 30, "conferences_presence": 94,
    "plans_informationform": 1, "plans_informationformversion": 2, "plans_safetycondition": 7, "plans_plan": 1,
    "plans_planversion": 3, "plans_planversion_copy_recipients": 12, "plans_planversion_copy_professionals": 3,
    "plans_agreement": 18, "plans_agreement_conditions": 18, "plans_concernanswer": 6, "plans_conditiontest": 8,
    "plans_distribution": 10, "followup_evaluation": 1, "followup_evaluationitem": 6,
    "followup_evaluation_attendees": 30, "followup_reminder": 100, "followup_checkin": 26,
    "followup_checkinanswer": 160, "followup_outcome": 3, "reports_offer": 2, "family_familyconsent": 1,
    "audit_accesslogentry": 60,
}


def tables() -> dict[str, Table]:
    """Every table the generator fills, in an order that respects the foreign keys."""
    t = {
        "case": Table(Case, [
            "id", "reference", "state", "region_id", "municipality_id", "urgency", "legal_frame",
            "trigger_moment", "situation", "channel", "requester_kind", "requester_name", "requester_email",
            "requester_phone", "requester_organisation", "requester_professional_kind", "referred_by_id",
            "pref_gender", "pref_language", "language_required", "pref_culture", "pref_religion", "pref_other",
            "phone_consent", "phone_consent_at", "coordinator_id", "submitted_at", "assigned_at",
            "first_contact_at", "held_at", "plan_accepted_at", "closed_at", "state_changed_at",
            "next_deadline_at"]),
        "person": Table(CasePerson, ["id", "case_id", "role", "name", "birth_date", "phone", "email",
                                     "is_main_person"]),
        "professional": Table(CaseProfessional, ["id", "case_id", "user_id", "name", "organisation", "kind",
                                                 "email", "phone"]),
        "event": Table(CaseEvent, ["id", "case_id", "name", "from_state", "to_state", "actor_id", "actor_role",
                                   "at", "reason"]),
        "member": Table(CircleMember, [
            "id", "case_id", "case_person_id", "role", "name", "relation", "side", "kind", "closeness", "phone",
            "email", "language", "interpreter_needed", "notes", "status", "attendance", "status_changed_at",
            "added_by_id", "created_at", "version"]),
        "arrangement": Table(SafetyArrangement, ["id", "case_id", "kind", "person_id", "other_id", "present_id",
                                                 "parts", "note", "created_by_id", "created_at"]),
        "prep": Table(PreparationItem, ["id", "case_id", "code", "status", "note", "updated_by_id", "updated_at"]),
        "conference": Table(Conference, [
            "id", "case_id", "starts_at", "ends_at", "venue", "address", "remote_link", "notes", "part1_start",
            "part1_end", "part2_start", "part2_end", "part3_start", "part3_end", "chair_id", "writer_id",
            "created_at", "version", "held_at"]),
        "invitation": Table(Invitation, [
            "id", "conference_id", "member_id", "channels", "nonce", "sent_at", "expires_at", "response",
            "responded_at", "reminder_sent_at", "sent_by_id", "conference_version"]),
        "presence": Table(Presence, ["id", "conference_id", "part", "member_id", "professional_id", "remote"]),
        "form": Table(InformationForm, ["id", "case_id", "author_id", "locked_at", "version"]),
        "form_version": Table(InformationFormVersion, ["id", "form_id", "number", "concerns", "tested_against",
                                                       "help_available", "created_by_id", "created_at"]),
        "condition": Table(SafetyCondition, ["id", "version_id", "order", "text", "non_negotiable"]),
        "plan": Table(Plan, ["id", "case_id", "source", "created_at"]),
        "version": Table(PlanVersion, [
            "id", "plan_id", "number", "status", "language", "concerns_answered", "professional_help",
            "monitor_id", "convenor_id", "evaluation_date", "keep_informed", "when_not_kept", "created_by_id",
            "created_at", "presented_at", "decided_at", "change_note", "decision_reason"]),
        "version_copy": Table(PlanVersion.copy_recipients.through, ["id", "planversion_id", "circlemember_id"]),
        "version_copy_professional": Table(PlanVersion.copy_professionals.through,
                                           ["id", "planversion_id", "caseprofessional_id"]),
        "agreement": Table(Agreement, ["id", "version_id", "order", "who_id", "what", "when", "starts_on",
                                       "ends_on"]),
        "agreement_condition": Table(Agreement.conditions.through, ["id", "agreement_id", "safetycondition_id"]),
        "answer": Table(ConcernAnswer, ["id", "version_id", "condition_id", "text"]),
        "test": Table(ConditionTest, ["id", "version_id", "condition_id", "met", "reason", "tested_by_id",
                                      "tested_at"]),
        "distribution": Table(Distribution, ["id", "version_id", "member_id", "professional_id", "email",
                                             "language", "queued_at", "claimed_at", "sent_at"]),
        "evaluation": Table(Evaluation, ["id", "case_id", "held_on", "changes", "plan_version_id",
                                         "recorded_by_id", "recorded_at"]),
        "evaluation_item": Table(EvaluationItem, ["id", "evaluation_id", "agreement_id", "rating", "note"]),
        "evaluation_attendee": Table(Evaluation.attendees.through, ["id", "evaluation_id", "circlemember_id"]),
        "reminder": Table(Reminder, [
            "id", "case_id", "kind", "member_id", "user_id", "due_at", "status", "claimed_at", "claim_token",
            "sent_at", "attempts", "next_attempt_at", "last_error", "note", "created_at", "invitation_id",
            "delivered_via", "done_at", "done_by_id"]),
        "check_in": Table(CheckIn, ["id", "case_id", "member_id", "plan_version_id", "nonce", "created_at",
                                    "answered_at", "reminder_id", "expires_at"]),
        "check_in_answer": Table(CheckInAnswer, ["id", "check_in_id", "agreement_id", "rating", "comment"]),
        "outcome": Table(Outcome, [
            "id", "case_id", "months", "due_on", "recorded_at", "recorded_by_id", "plan_running", "child_lives",
            "professional_help", "family_satisfaction", "professional_satisfaction"]),
        "offer": Table(Offer, [
            "id", "case_id", "moment", "offered_on", "answer", "reason", "exemption", "offer_again_on",
            "reminder_done_at", "offered_by_id", "organisation", "municipality_id", "region_id", "created_at"]),
        "family_consent": Table(FamilyConsent, ["id", "case_id", "kind", "member_id", "professional_id", "granted",
                                                "at", "by_person_id", "by_label"]),
        "log": Table(AccessLogEntry, [
            "id", "event_id", "action", "at", "outcome", "user_id", "user_label", "role", "on_behalf_of",
            "client_address", "object_type", "object_id", "case_id", "purpose"]),
    }
    return t


class Member:
    """A circle member while its case is generated (written as a row at the end)."""

    __slots__ = ("age", "attendance", "changed", "closeness", "created", "email", "id", "interpreter", "kind",
                 "language", "name", "person_id", "phone", "relation", "role", "side", "status")

    def __init__(self, id: int, person_id: int | None, role: str, name: str, relation: str, side: str,
                 kind: str, closeness: int, phone: str, email: str, created: datetime, age: int | None = None) -> None:
        self.id, self.person_id, self.role, self.name, self.relation = id, person_id, role, name, relation
        self.side, self.kind, self.closeness, self.phone, self.email = side, kind, closeness, phone, email
        self.created = self.changed = created
        self.age = age
        self.status = "identified"
        self.attendance = ""
        self.interpreter = False
        self.language = ""

    @property
    def reachable(self) -> bool:
        return bool(self.email or self.phone)

    @property
    def came(self) -> bool:
        return self.status in ("attended", "agreement")


class _Case:
    """What the steps of one case share while it is generated."""

    def __init__(self, case_id: int, code: str, submitted: datetime) -> None:
        self.id, self.code, self.submitted = case_id, code, submitted
        self.referrer: Account | None = None
        self.linked: Account | None = None
        self.steps: list[tuple[str, datetime]] = []
        self.events: list[tuple] = []
        self.first: dict[str, datetime] = {}
        self.state_changed = submitted
        self.members: list[Member] = []
        self.network: list[Member] = []
        self.conditions: list[tuple[int, str, bool]] = []
        self.versions: list[dict] = []
        self.conference_id: int | None = None
        self.starts: datetime | None = None


class Generator:
    """Fills `tables` with the rows of cases; one instance per run."""

    def __init__(self, *, seed: int, now: datetime, start: datetime, staff: StaffSet, tables: dict[str, Table],
                 base_ids: dict[str, int], municipalities: dict[str, list[tuple[int, str, int]]],
                 regions: dict[str, int]) -> None:
        self.seed = seed
        self.now = now
        self.start = start
        self.log_cutoff = now - timedelta(days=365 * LOG_YEARS + 1)
        self.today = timezone.localdate(now)
        self.tz = timezone.get_default_timezone()
        self.staff = staff
        self.t = tables
        self.base_ids = base_ids
        self.counters = {name: itertools.count(base) for name, base in base_ids.items()}
        self.regions = regions
        # Municipalities per region with cumulative weights (the big city gets more requests).
        self.municipalities = {}
        for code, rows in municipalities.items():
            weights = [demo.CITY_WEIGHT.get(name, 1) for _pk, name, _r in rows]
            cumulative, total = [], 0
            for w in weights:
                total += w
                cumulative.append(total)
            self.municipalities[code] = (rows, cumulative)
        self.situations = demo.SITUATIONS
        # Coordinators who take cases, per region and month.
        self.months = int((now - start).days / 30.44) + 2
        self.coordinators_by_month: dict[str, list[list[Account]]] = {}
        for code, accounts in staff.coordinators.items():
            per_month = []
            for m in range(self.months):
                moment = start + timedelta(days=30.44 * m + 15)
                here = [a for a in accounts if a.start <= moment and (a.end is None or moment < a.end)]
                per_month.append(here or accounts[:1])
            self.coordinators_by_month[code] = per_month
        # Professionals with an account whose kind fits each legal frame, per region.
        self.fitting: dict[tuple[str, str], list[Account]] = {}
        for code, accounts in staff.professionals.items():
            for frame in LegalFrame.values:
                kinds = _fitting_kinds(frame)
                self.fitting[(code, frame)] = [a for a in accounts if a.kind in kinds] or accounts
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, not security

    # -- small helpers --------------------------------------------------------------------------

    def new_id(self, table: str) -> int:
        return next(self.counters[table])

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    @lru_cache(maxsize=65536)  # noqa: B019 - one generator per run; days and hours repeat a lot
    def at(self, day: date, hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=self.tz).astimezone(UTC)

    def end_of_day(self, day: date, days_after: int = 0) -> datetime:
        return datetime.combine(day + timedelta(days=days_after + 1), time.min, tzinfo=self.tz).astimezone(UTC)

    def between(self, lo: timedelta, hi: timedelta) -> timedelta:
        return lo + (hi - lo) * self.rng.random()

    def ri(self, lo: int, hi: int) -> int:
        """`randint`, without its argument checks (a third of the generator's time went there)."""
        return lo + int(self.rng.random() * (hi - lo + 1))

    def pick(self, seq):
        """`choice`, likewise."""
        return seq[int(self.rng.random() * len(seq))]

    def weighted(self, table: Weighted):
        """`choices(...)[0]` with the cumulative weights worked out once."""
        options, cumulative = table
        return options[bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])]

    def office(self, moment: datetime) -> datetime:
        """Staff work by day (07:00-19:00 UTC): a step at night happens the next morning."""
        if 7 <= moment.hour < 19:
            return moment
        morning = moment.replace(hour=7, minute=0, second=0)
        if moment.hour >= 19:
            morning += D
        return morning + timedelta(seconds=self.ri(0, 3 * 3600))

    def token(self) -> str:
        return "%022x" % self.rng.getrandbits(88)  # noqa: UP031 - like token_urlsafe(16): 22 characters

    def email(self, first: str, last: str, number: int) -> str:
        return f"{slug(first)}.{slug(last)}.{number}@{demo.DEMO_EMAIL_DOMAIN}"

    def phone(self) -> str:
        return f"06-{self.ri(10_000_000, 99_999_999)}"

    # -- one chunk ------------------------------------------------------------------------------

    def chunk(self, index: int, cases: list[tuple[datetime, str]], size: int) -> None:
        """Generate the cases of chunk `index` (of `size` cases at most).

        Each chunk has its own random stream and its own range of ids in every
        table (`PER_CASE` ids per case), so chunks depend on nothing but the seed
        and their index, and can be made in any order by any process.
        """
        self.rng = random.Random(f"{self.seed}:{index}")  # noqa: S311 - made-up data
        self.counters = {name: itertools.count(base + index * size * PER_CASE[name])
                         for name, base in self.base_ids.items()}
        for submitted, region in cases:
            self.case(submitted, region)
        for name, base in self.base_ids.items():
            end = base + (index + 1) * size * PER_CASE[name]
            if next(self.counters[name]) > end:  # a bug in PER_CASE: ids would collide with the next chunk
                raise RuntimeError(f"{name}: more than {PER_CASE[name]} rows per case in chunk {index}")

    def case(self, submitted: datetime, code: str) -> None:
        """One case, step by step; each step draws its random numbers in the same order every run."""
        c = _Case(self.new_id("cases_case"), code, submitted)
        self._request_basics(c)
        self._family(c)
        self._path(c)
        self._timeline(c)
        self._case_row(c)
        self._offers(c)
        c.log = log = _Log(self, c.id, submitted)
        log.request(c.referrer)
        if c.assigned_at is not None:
            log.manager(self.pick(c.managers), submitted, c.assigned_at)
        if c.coordinator is not None:
            log.coordinator(c.coordinator, c.steps)
        if c.professional is not None:
            log.professional(c.professional, submitted, c.ended)
        if c.contact_at is None:
            return  # nobody has met the family yet: no circle
        self._circle(c)
        if c.schedule_at is not None:
            self._invitations(c)
        if c.prepare_at is not None:
            self._checklist(c)
        self._arrangements(c)
        self._information_form(c)
        c.came = [m for m in c.members if m.came]
        c.came_network = [m for m in c.network if m.came]
        if c.conference_id is not None:
            self._conference(c)
        if c.held_at is not None:
            self._plan(c)
        if c.accepted_at is not None:
            self._followup(c)
            main = c.main
            if main[6] and main[5] and self.rng.random() < 0.3:
                log.family(main[2], c.accepted_at, c.ended)
                if self.rng.random() < 0.3:
                    self.t["family_consent"].rows.append((
                        self.new_id("family_familyconsent"), c.id, ConsentKind.CHECK_IN_SUMMARIES, None, None,
                        self.rng.random() < 0.8, c.accepted_at + self.between(D, 20 * D), main[0], main[2]))
        # The circle's rows, now that every status is known.
        member_rows = self.t["member"].rows
        coordinator_id = c.coordinator.id
        for m in c.members:
            member_rows.append((m.id, c.id, m.person_id, m.role, m.name, m.relation, m.side, m.kind, m.closeness,
                                m.phone, m.email, m.language, m.interpreter, "", m.status, m.attendance,
                                max(m.changed, m.created), coordinator_id if m.role == "network" else None,
                                m.created, 1))
        if c.network:
            log.circle(c.coordinator, c.prepare_at, c.ended)

    def _request_basics(self, c: _Case) -> None:
        """Where, what and who asked: a professional with an account, another professional, or the family."""
        r = self.rng
        rows, cumulative = self.municipalities[c.code]
        c.municipality = rows[bisect.bisect_right(cumulative, r.random() * cumulative[-1])]
        situation = c.situation = self.pick(self.situations)
        c.background = situation.background or self.weighted(
            MIXES["city" if c.code in demo.BIG_REGIONS else "other"])
        c.urgent = r.random() < situation.urgent
        c.frame = self.pick(situation.frames)
        c.trigger = self.pick(situation.triggers)
        c.on = self.local_date(c.submitted)
        fitting = self.fitting.get((c.code, c.frame), [])
        if c.trigger != TriggerMoment.OWN_INITIATIVE and fitting and r.random() < 0.5:
            c.referrer = self.pick(fitting)
        if fitting and r.random() < 0.25:
            c.linked = self.pick(fitting)
            if c.referrer is not None and c.linked.id == c.referrer.id:
                c.linked = None
        c.professional = c.referrer or c.linked

    def _family(self, c: _Case) -> None:
        """Parents and children (`CasePerson`), the situation in words, other professionals involved."""
        r = self.rng
        situation, background, on = c.situation, c.background, c.on
        parents_kind = situation.parents
        if parents_kind == "any":
            parents_kind = self.weighted(PARENTS)
        n_children = min(situation.children + self.pick((0, 0, 1, 1, 2)), 5)
        oldest = self.ri(*situation.ages)
        ages = [oldest]
        for _ in range(n_children - 1):
            if ages[-1] < 1:
                break
            ages.append(max(ages[-1] - self.ri(1, 5), 0))
        family_name = c.family_name = self.pick(demo.LAST[background])
        mother_age = self.ri(*situation.mother_ages) if situation.mother_ages else oldest + self.ri(20, 36)
        consent = c.consent = r.random() < 0.7
        persons = []  # [role, first name, last name, birth date]
        if parents_kind in ("m", "mf"):
            last = family_name if parents_kind == "m" or r.random() < 0.5 else self.pick(demo.LAST[background])
            persons.append(["parent", self.pick(demo.FIRST_F[background]), last,
                            on - timedelta(days=mother_age * 365 + self.ri(5, 355))])
        if parents_kind in ("f", "mf"):
            persons.append(["parent", self.pick(demo.FIRST_M[background]), family_name,
                            on - timedelta(days=(mother_age + self.ri(0, 6)) * 365 + self.ri(5, 355))])
        child_last = family_name if parents_kind == "m" else persons[-1][2]
        names = r.sample(demo.FIRST_CHILD[background], k=min(len(ages), len(demo.FIRST_CHILD[background])))
        for first, age in zip(names, ages, strict=False):
            persons.append(["child", first, child_last, on - timedelta(days=age * 365 + self.ri(5, 355))])
        person_rows = c.person_rows = []  # (id, role, name, birth, phone, email, is parent)
        for i, (role, first, last, birth) in enumerate(persons):
            pid = self.new_id("cases_caseperson")
            is_parent = role == "parent"
            phone = self.phone() if consent and i == 0 else ""
            adult_child = not is_parent and (on - birth).days >= 12 * 365
            email = self.email(first, last, pid) if (is_parent and r.random() < 0.75) or (
                adult_child and r.random() < 0.4) else ""
            person_rows.append((pid, role, f"{first} {last}", birth, phone, email, is_parent))
            self.t["person"].rows.append((pid, c.id, role, f"{first} {last}", birth, phone, email, is_parent))
        c.main = person_rows[0]
        c.kind_name = persons[-len(names)][1] if names else c.main[2].split()[0]  # the oldest child
        c.text = situation.text.format(ouder=persons[0][1], kind=c.kind_name, leeftijd=oldest)

        c.professionals = []  # (id, account or None, name, email)
        linked = c.linked
        if linked is not None:
            pid = self.new_id("cases_caseprofessional")
            c.professionals.append((pid, linked, linked.name, linked.email))
            self.t["professional"].rows.append((pid, c.id, linked.id, linked.name, linked.organisation, linked.kind,
                                                linked.email, ""))
        for _ in range(self.pick((0, 1, 1, 2))):
            organisation, kind = self.pick(demo.INVOLVED)
            first, last = self.pick(demo.FIRST_F["Nederlands"]), self.pick(demo.LAST["Nederlands"])
            pid = self.new_id("cases_caseprofessional")
            email = self.email(first, last, pid) if r.random() < 0.6 else ""
            c.professionals.append((pid, None, f"{first} {last}", email))
            self.t["professional"].rows.append((pid, c.id, None, f"{first} {last}",
                                                organisation.format(m=c.municipality[1]), kind, email, ""))

    def _path(self, c: _Case) -> None:
        """Where the case is heading, and the moment of each step up to now (`c.steps`)."""
        r = self.rng
        path = self.weighted(PATH_CHOICE)
        path = list(path) if path is not None else None
        if path is None:
            path = ["assign", "first_contact", "start_preparing", "schedule"]
            if r.random() < 0.12:
                path += ["reschedule", "schedule"]
            path.append("hold")
            roll = r.random()
            if roll < 0.05:
                path += ["reject_plan", "close"]
            elif roll < 0.18:
                path += ["reject_plan", "revise_plan", "accept_plan"]
            else:
                path.append("accept_plan")
            if path[-1] == "accept_plan":
                path += ["start_follow_up", "close"] if r.random() < 0.85 else ["close"]
        if path[0] == "assign" and r.random() < 0.04:
            path.insert(1, "assign")  # reassigned before the first contact
        moment = c.submitted
        previous = ""
        for name in path:
            if name == "close" and previous == "start_follow_up":
                delay = self.between(90 * D, 330 * D)
            elif name == "assign" and previous == "assign":
                delay = self.between(6 * H, 40 * H)
            else:
                delay = demo._delay(r, name, previous, c.urgent)
            moment = self.office(moment + delay)
            if moment > self.now:
                break
            c.steps.append((name, moment))
            previous = name

    def _timeline(self, c: _Case) -> None:
        """The events, as `case_assign` and `case_transition` write them; the state and milestones."""
        c.managers = managers = self.staff.managers.get(c.code) or [self.staff.admin]
        referrer = c.referrer
        state = State.REQUEST
        coordinator: Account | None = None
        first = c.first
        events = c.events
        events.append((self.new_id("cases_caseevent"), c.id, "submitted", "request", "request",
                       referrer.id if referrer else None, Role.PROFESSIONAL if referrer else "public", c.submitted,
                       ""))
        for name, moment in c.steps:
            first.setdefault(name, moment)
            if name == "assign":
                month = min(int((moment - self.start).days / 30.44), self.months - 1)
                pool = self.coordinators_by_month[c.code][max(month, 0)]
                previous_coordinator = coordinator
                choice = self.pick(pool)
                if previous_coordinator is not None and len(pool) > 1:
                    while choice.id == previous_coordinator.id:
                        choice = self.pick(pool)
                coordinator = choice
                manager = self.pick(managers)
                reason = f"Reassigned from {previous_coordinator.name}" if previous_coordinator else ""
                events.append((self.new_id("cases_caseevent"), c.id, "assign", state, state, manager.id,
                               manager.role, moment, reason))
                continue
            role = demo._actor(self.rng, name, referrer is not None, coordinator is not None)
            actor = {"manager": self.pick(managers), "coordinator": coordinator,
                     "professional": referrer}.get(role) or coordinator or self.pick(managers)
            key = f"close:{state}" if name == "close" else name
            reason = self.pick(demo.REASONS[key]) if key in demo.REASONS else ""
            target = _TARGET[name]
            events.append((self.new_id("cases_caseevent"), c.id, name, state, target, actor.id, actor.role,
                           moment, reason))
            state = target
            c.state_changed = moment
        self.t["event"].rows.extend(events)
        c.state = state
        c.coordinator = coordinator
        c.done = {name for name, _m in c.steps}
        c.assigned_at = first.get("assign")
        c.contact_at = first.get("first_contact")
        c.prepare_at = first.get("start_preparing")
        c.schedule_at = first.get("schedule")
        c.held_at = first.get("hold")
        c.accepted_at = first.get("accept_plan")
        c.closed_at = first.get("close")
        c.final = state in (State.CLOSED, State.WITHDRAWN, State.DECLINED, State.CANCELLED)
        c.ended = c.state_changed if c.final else self.now  # the end of the case's active life, so far

    def _case_row(self, c: _Case) -> None:
        """The case itself, with the requester, the family's wishes and `next_deadline_at`."""
        r = self.rng
        deadline = None
        if not c.final:  # as Case.compute_next_deadline
            running = []
            if c.assigned_at is None:
                running.append(c.submitted + NORM_START)
            if c.contact_at is None:
                running.append(c.submitted + NORM_CONTACT)
            if c.urgent and c.held_at is None:
                running.append(c.submitted + NORM_URGENT_MEETING)
            deadline = min(running) if running else None
        referrer, background, main = c.referrer, c.background, c.main
        if referrer is not None:
            requester = (RequesterKind.PROFESSIONAL, referrer.name, referrer.email, "", referrer.organisation,
                         referrer.kind)
            channel = Channel.API if r.random() < 0.05 else Channel.PROFESSIONAL
        elif c.frame in (LegalFrame.OTS, LegalFrame.RAAD_REPORT, LegalFrame.JR) or r.random() < 0.25:
            organisation, kind = self.pick(demo.REFERRING_ORGANISATIONS.get(c.frame, demo.REFERRING_ORGANISATIONS[
                LegalFrame.VOLUNTARY]))
            first_name, last_name = self.pick(demo.FIRST_M["Nederlands"]), self.pick(demo.LAST["Nederlands"])
            requester = (RequesterKind.PROFESSIONAL, f"{first_name} {last_name}",
                         self.email(first_name, last_name, c.id), "", organisation.format(m=c.municipality[1]),
                         kind)
            channel = Channel.PUBLIC
        else:
            roll = r.random()
            if roll < 0.6:
                requester = (RequesterKind.PARENT, main[2], main[5] or self.email(*main[2].split(" ", 1), c.id),
                             main[4], "", "")
            elif roll < 0.85:
                first_name, last_name = self.pick(demo.FIRST_F[background]), self.pick(demo.LAST[background])
                requester = (RequesterKind.FAMILY, f"{first_name} {last_name}",
                             self.email(first_name, last_name, c.id), self.phone() if c.consent else "", "", "")
            else:
                first_name, last_name = self.pick(demo.FIRST_F["Nederlands"]), self.pick(demo.LAST["Nederlands"])
                requester = (RequesterKind.OTHER, f"{first_name} {last_name}",
                             self.email(first_name, last_name, c.id), "", "", "")
            channel = Channel.PUBLIC
        situation = c.situation
        pref_language = situation.language or (demo.LANGUAGE_OF.get(background, "") if r.random() < 0.3 else "")
        pref_gender = situation.gender_wish or (self.pick("ffm") if r.random() < 0.2 else "")
        pref_culture = background if background != "Nederlands" and (situation.background or r.random() < 0.2) else ""
        self.t["case"].rows.append((
            c.id, reference(c.id), c.state, self.regions[c.code], c.municipality[0],
            "urgent" if c.urgent else "normal", c.frame, c.trigger, c.text, channel, *requester,
            referrer.id if referrer else None, pref_gender, pref_language,
            situation.language_required and bool(pref_language), pref_culture,
            demo.RELIGION_OF.get(background, "") if r.random() < 0.1 else "",
            self.pick(demo.OTHER_WISHES) if r.random() < 0.1 else "",
            c.consent, c.submitted if c.consent else None, c.coordinator.id if c.coordinator else None, c.submitted,
            c.assigned_at, c.contact_at, c.held_at, c.accepted_at, c.closed_at, c.state_changed, deadline,
        ))

    def _offers(self, c: _Case) -> None:
        """Offers of a family group plan, recorded by the referring professional (sometimes a "not now" first)."""
        referrer = c.referrer
        if referrer is None:
            return
        offered = c.on - timedelta(days=self.ri(0, 14))
        exemption = "jr" if c.frame == LegalFrame.JR else ""
        if self.rng.random() < 0.15:
            earlier = offered - timedelta(days=self.ri(30, 120))
            again = earlier + timedelta(days=self.ri(20, 60))
            self.t["offer"].rows.append((
                self.new_id("reports_offer"), c.id, c.trigger, earlier, "not_now",
                self.pick(("shame", "bad_timing", "too_busy", "nobody", "conflict")), exemption,
                min(again, offered), self.at(offered, 11), referrer.id, referrer.organisation, c.municipality[0],
                self.regions[c.code], self.at(earlier, 11)))
        self.t["offer"].rows.append((
            self.new_id("reports_offer"), c.id, c.trigger, offered, "yes", "", exemption, None, None, referrer.id,
            referrer.organisation, c.municipality[0], self.regions[c.code], min(self.at(offered, 11), c.submitted)))

    def _circle(self, c: _Case) -> None:
        """Main persons and children once the coordinator has met the family; the network from the preparation on."""
        r = self.rng
        seed_at = c.contact_at + self.between(10 * MINUTE, 3 * D)
        members = c.members
        on = c.on
        for pid, _role, name, birth, phone, email, is_parent in c.person_rows:
            members.append(Member(id=self.new_id("network_circlemember"), person_id=pid,
                                  role="main" if is_parent else "child", name=name, relation="", side="both",
                                  kind="family", closeness=1, phone=phone, email=email, created=seed_at,
                                  age=(on - birth).days // 365))
        prepare_at = c.prepare_at
        if prepare_at is None:
            return
        background = c.background
        size = len(members)
        wanted = max(3 - size, 1, round(r.lognormvariate(math.log(7), 0.55)))
        wanted = min(wanted, 30 - size)
        language = demo.LANGUAGE_OF.get(background, "")
        until = c.schedule_at or c.ended
        network = c.network
        for _ in range(wanted):
            relation, side, kind, closeness = self.pick(texts.RELATIONS)
            female = r.random() < 0.6
            first_name = self.pick((demo.FIRST_F if female else demo.FIRST_M)[background])
            last_name = (c.family_name if kind == "family" and r.random() < 0.5
                         else self.pick(demo.LAST[background]))
            mid = self.new_id("network_circlemember")
            has_email = r.random() < 0.6
            member = Member(
                id=mid, person_id=None, role="network", name=f"{first_name} {last_name}", relation=relation,
                side=side, kind=kind, closeness=closeness,
                phone=self.phone() if r.random() < 0.55 else "",
                email=self.email(first_name, last_name, mid) if has_email else "",
                created=prepare_at + self.between(H, max(until - prepare_at, 2 * H)))
            if language and r.random() < 0.25:
                member.language = language
                member.interpreter = r.random() < 0.3
            network.append(member)
        members += network
        if c.schedule_at is None:  # where the preparation got to
            for m in network:
                m.status = self.weighted(PREPARING_STATUS)

    def _invitations(self, c: _Case) -> None:
        """The conference is planned: invitations, the answers, and who came."""
        r = self.rng
        now = self.now
        c.conference_id = self.new_id("conferences_conference")
        last_schedule = max(m for n, m in c.steps if n == "schedule")
        if c.held_at is not None:
            starts = c.held_at - self.between(3.5 * H, 5 * H)
        else:
            starts = self.office(last_schedule + demo._delay(r, "hold", "schedule", c.urgent)) - 4 * H
        starts = c.starts = starts.replace(minute=0 if starts.minute < 30 else 30, second=0)
        invited_at = last_schedule + self.between(10 * MINUTE, 4 * H)
        expires = self.end_of_day(self.local_date(starts), 1)
        remind = self.at(self.local_date(starts) - D, 10)
        reminded = remind if invited_at < remind < now else None
        version = 2 if "reschedule" in c.done else 1
        responses = {}
        invitations = self.t["invitation"].rows
        for m in c.members:
            if not m.reachable or (m.role == "child" and (m.age or 0) < 12) or r.random() < 0.1:
                continue
            roll = r.random()
            response = ("confirmed" if roll < 0.65 else "remote" if roll < 0.73 else
                        "declined" if roll < 0.9 else "")
            responded = invited_at + self.between(H, max(starts - invited_at, 2 * H) * 0.8)
            if responded > now:
                response = ""
            responses[m.id] = response
            m.status = {"confirmed": "confirmed", "remote": "confirmed", "declined": "declined"}.get(
                response, "invited")
            m.changed = responded if response else invited_at
            invitations.append((self.new_id("conferences_invitation"), c.conference_id, m.id,
                                EMAIL if m.email else SMS, self.token(), invited_at, expires,
                                response, responded if response else None, reminded, c.coordinator.id, version))
        for m in c.network:
            if m.id not in responses and m.status == "identified":
                m.status = self.pick(("identified", "approached"))
        if c.held_at is None:
            return
        for m in c.members:
            response = responses.get(m.id)
            if m.role == "main":
                came = r.random() < 0.95
            elif m.role == "child":
                came = (m.age or 0) >= 10 and r.random() < 0.6
            elif response in ("confirmed", "remote"):
                came = r.random() < 0.92
            else:
                came = response is None and r.random() < 0.3  # came along without an invitation
            if came:
                m.status = "attended"
                m.attendance = "remote" if response == "remote" else "in_person"
                m.changed = c.held_at

    def _checklist(self, c: _Case) -> None:
        """The preparation checklist: the rows the conference page makes, then ticked off."""
        r = self.rng
        prepare_at = c.prepare_at
        until = c.schedule_at or c.ended
        span = max(until - prepare_at, 2 * H)
        rows = self.t["prep"].rows
        for code in PREP_CODES:
            if c.schedule_at is not None or r.random() < 0.4:
                status = "done" if r.random() < 0.7 else "not_needed"
                rows.append((self.new_id("conferences_preparationitem"), c.id, code, status,
                             self.pick(texts.PREP_NOTES), c.coordinator.id, prepare_at + self.between(H, span)))
            else:
                rows.append((self.new_id("conferences_preparationitem"), c.id, code, "open", "", None, prepare_at))

    def _arrangements(self, c: _Case) -> None:
        """Safety arrangements where the legal frame asks for them."""
        network = c.network
        if not (network and c.frame in (LegalFrame.OTS, LegalFrame.RAAD_REPORT, LegalFrame.CRISIS)
                and self.rng.random() < 0.4):
            return
        a = self.pick([m for m in c.members if m.role == "main"])
        b = self.pick(network)
        rows = self.t["arrangement"].rows
        rows.append((self.new_id("network_safetyarrangement"), c.id, "must_not_meet", a.id, b.id, None, [],
                     self.pick(texts.ARRANGEMENT_NOTES), c.coordinator.id, c.prepare_at + H))
        if len(network) > 1 and self.rng.random() < 0.4:
            other = self.pick([m for m in network if m.id != b.id])
            rows.append((self.new_id("network_safetyarrangement"), c.id, "some_parts_only", other.id, None, None,
                         [1, 3], "", c.coordinator.id, c.prepare_at + 2 * H))

    def _information_form(self, c: _Case) -> None:
        """The information form with its safety conditions, by the professional with an account."""
        r = self.rng
        professional, prepare_at = c.professional, c.prepare_at
        if professional is None or prepare_at is None or r.random() >= 0.85:
            return
        form_id = self.new_id("plans_informationform")
        versions = 2 if r.random() < 0.3 else 1
        until = c.schedule_at or c.ended
        chosen = r.sample(texts.CONDITIONS, k=self.ri(1, 4))
        for number in range(1, versions + 1):
            vid = self.new_id("plans_informationformversion")
            created = prepare_at + self.between(H, max((until - prepare_at) * (number / (versions + 1)), 2 * H))
            self.t["form_version"].rows.append((
                vid, form_id, number, self.pick(texts.CONCERNS).format(kind=c.kind_name),
                "De veiligheidsvoorwaarden hieronder.", self.pick(texts.HELP_AVAILABLE), professional.id, created))
            c.conditions = []  # those of the current version count
            for order, condition in enumerate(chosen[:number + 2], start=1):
                sid = self.new_id("plans_safetycondition")
                non_negotiable = order == 1 or r.random() < 0.6
                condition_text = condition.format(kind=c.kind_name)
                c.conditions.append((sid, condition_text, non_negotiable))
                self.t["condition"].rows.append((sid, vid, order, condition_text, non_negotiable))
        self.t["form"].rows.append((form_id, c.id, professional.id, c.held_at, versions))

    def _conference(self, c: _Case) -> None:
        """The conference row, with its three parts and who was present in each."""
        r = self.rng
        starts, held_at = c.starts, c.held_at
        venue, address = self.pick(texts.VENUES)
        parts = [None] * 6
        chair = writer = None
        if held_at is not None:
            parts = [starts, starts + 45 * MINUTE, starts + 50 * MINUTE, starts + 160 * MINUTE,
                     starts + 170 * MINUTE, starts + 205 * MINUTE]
            if c.came:
                chair = self.pick(c.came).id
                writer = self.pick(c.came).id
            presences = self.t["presence"].rows
            for m in c.came:
                remote = m.attendance == "remote"
                for part in (1, 2, 3):
                    presences.append((self.new_id("conferences_presence"), c.conference_id, part, m.id, None,
                                      remote))
            for pid, _account, _name, _email in c.professionals[:2]:
                for part in (1, 3):  # never in part 2, the family's private time
                    presences.append((self.new_id("conferences_presence"), c.conference_id, part, None, pid,
                                      False))
        first_schedule = c.first["schedule"]
        self.t["conference"].rows.append((
            c.conference_id, c.id, starts, starts + 4 * H if r.random() < 0.5 else None, venue, address,
            "https://meet.example.org/" + self.token()[:10] if r.random() < 0.2 else "", "", *parts, chair,
            writer, first_schedule, 2 if "reschedule" in c.done else 1, held_at))
        c.log.conference(c.coordinator, first_schedule, held_at or min(self.now, starts))

    def _plan(self, c: _Case) -> None:
        """The plan: drafted at the conference, presented, decided; revised when not accepted."""
        r = self.rng
        done, first, kind_name, conditions = c.done, c.first, c.kind_name, c.conditions
        plan_id = self.new_id("plans_plan")
        self.t["plan"].rows.append((plan_id, c.id, "conference", c.starts + 2 * H))
        pool = c.came_network or c.network or c.members
        monitor = self.pick(pool)
        convenor = monitor if r.random() < 0.2 or len(pool) == 1 else self.pick(
            [m for m in pool if m.id != monitor.id])
        evaluation_date = self.local_date(c.starts) + timedelta(weeks=self.ri(6, 12))
        holders_pool = c.came or c.members
        agreement_specs = []
        for _ in range(self.ri(3, 6)):
            who = self.pick(holders_pool)
            what, when = self.pick(texts.AGREEMENTS)
            starts_on = self.local_date(c.starts) if r.random() < 0.4 else None
            ends_on = add_months(starts_on, self.ri(3, 6)) if starts_on and r.random() < 0.5 else None
            condition = self.pick(conditions)[0] if conditions and r.random() < 0.4 else None
            agreement_specs.append((who, what.format(kind=kind_name), when, starts_on, ends_on, condition))
        for m in c.came:
            if m.role == "network" and any(a[0] is m for a in agreement_specs) and r.random() < 0.7:
                m.status = "agreement"
        copy = r.sample(pool, k=min(len(pool), self.ri(2, 4)))
        copy_professionals = [p for p in c.professionals if r.random() < 0.5][:1]
        content = {
            "language": "" if r.random() < 0.9 else (demo.LANGUAGE_OF.get(c.background, "") or ""),
            "concerns": self.pick(texts.CONCERNS).format(kind=kind_name),
            "help": self.pick(texts.PROFESSIONAL_HELP).format(kind=kind_name),
            "monitor": monitor, "convenor": convenor, "evaluation_date": evaluation_date,
            "keep": self.pick(texts.KEEP_INFORMED), "not_kept": self.pick(texts.WHEN_NOT_KEPT),
            "copy": copy, "copy_professionals": copy_professionals, "agreements": agreement_specs,
            "answers": [(self.pick(conditions)[0] if conditions and r.random() < 0.6 else None,
                         self.pick(texts.ANSWER_TEXTS).format(kind=kind_name)) for _ in range(self.ri(1, 2))],
        }
        presented = c.held_at + self.between(2 * MINUTE, 30 * MINUTE)
        # Version 1, and a second after a revision.
        v1_status = "draft"
        v1_presented = v1_decided = None
        reason = ""
        if "reject_plan" in done or "accept_plan" in done or (presented <= self.now and r.random() < 0.7):
            v1_status, v1_presented = "presented", min(presented, self.now)
        if "reject_plan" in done:
            v1_status, v1_decided = "not_accepted", first["reject_plan"]
            reason = next(e[8] for e in c.events if e[2] == "reject_plan")
        elif "accept_plan" in done:
            v1_status, v1_decided = "accepted", first["accept_plan"]
        versions = c.versions
        versions.append(self._version(plan_id, 1, v1_status, content, c.coordinator, c.starts + 2.5 * H,
                                      v1_presented, v1_decided, "", reason))
        if "revise_plan" in done:
            revised = first["revise_plan"]
            status, presented2, decided2 = "draft", None, None
            if "accept_plan" in done:
                status, presented2, decided2 = "accepted", first["accept_plan"] - 30 * MINUTE, first["accept_plan"]
            elif r.random() < 0.5:
                status, presented2 = "presented", revised + H
            versions.append(self._version(plan_id, 2, status, content, c.coordinator, revised, presented2,
                                          decided2, self.pick(texts.CHANGE_NOTES), ""))
        # Condition tests by the professional, for every decided version.
        if conditions and c.professional is not None:
            for v in versions:
                if v["decided"] is None:
                    continue
                failing = v["status"] == "not_accepted"
                for k, (sid, _text, non_negotiable) in enumerate(conditions):
                    met = not (failing and non_negotiable and k == 0)
                    self.t["test"].rows.append((
                        self.new_id("plans_conditiontest"), v["id"], sid, met,
                        "Staat duidelijk in de afspraken." if met else "Dit is niet geregeld in het plan.",
                        c.professional.id, v["decided"] - 10 * MINUTE))
        c.log.plan(c.coordinator, c.held_at, c.ended)

    def _version(self, plan_id: int, number: int, status: str, content: dict, coordinator: Account,
                 created: datetime, presented: datetime | None, decided: datetime | None, change_note: str,
                 reason: str, agreements: list | None = None, evaluation_date: date | None = ...) -> dict:
        """Write one plan version with its agreements, copies and answers; returns what follow-up needs."""
        vid = self.new_id("plans_planversion")
        evaluation = content["evaluation_date"] if evaluation_date is ... else evaluation_date
        self.t["version"].rows.append((
            vid, plan_id, number, status, content["language"], content["concerns"], content["help"],
            content["monitor"].id, content["convenor"].id, evaluation, content["keep"], content["not_kept"],
            coordinator.id, created, presented, decided, change_note, reason))
        for m in content["copy"]:
            self.t["version_copy"].rows.append((self.new_id("plans_planversion_copy_recipients"), vid, m.id))
        for p in content["copy_professionals"]:
            self.t["version_copy_professional"].rows.append(
                (self.new_id("plans_planversion_copy_professionals"), vid, p[0]))
        written = []
        for order, (who, what, when, starts_on, ends_on, condition) in enumerate(
                content["agreements"] if agreements is None else agreements, start=1):
            aid = self.new_id("plans_agreement")
            self.t["agreement"].rows.append((aid, vid, order, who.id, what, when, starts_on, ends_on))
            if condition is not None:
                self.t["agreement_condition"].rows.append((self.new_id("plans_agreement_conditions"), aid, condition))
            written.append((aid, who, (who, what, when, starts_on, ends_on, condition)))
        for condition, text in content["answers"]:
            self.t["answer"].rows.append((self.new_id("plans_concernanswer"), vid, condition, text))
        return {"id": vid, "plan_id": plan_id, "number": number, "status": status, "decided": decided, "created": created,
                "agreements": written, "evaluation_date": evaluation, "content": content}

    def _reminder(self, cid: int, kind: str, due: datetime, created: datetime, closed: datetime | None, *,
                  member: Member | None = None, user: Account | None = None, note: str = "") -> dict:
        """One reminder, left as the dispatcher leaves it by now (sent, scheduled or cancelled)."""
        r = self.rng
        rid = self.new_id("followup_reminder")
        row = {"id": rid, "kind": kind, "member": member, "user": user, "due": due, "status": "scheduled",
               "claimed": None, "token": "", "sent": None, "attempts": 0, "error": "", "note": note,
               "created": created, "via": "", "done": None, "done_by": None}
        if due < created - followup.PAST_GRACE:
            row.update(status="cancelled", error="already past when the schedule was made")
        elif due <= self.now:
            if closed is not None and closed <= due:
                row.update(status="cancelled", error="case closed before it was due")
            elif member is not None and r.random() < 0.003:
                row.update(status="failed", attempts=5, error="no e-mail address or phone number")
            else:
                claimed = due + timedelta(seconds=self.ri(1, 240))
                via = "email" if user is not None or (member is not None and member.email) else "sms"
                row.update(status="sent", claimed=claimed, token=self.token()[:16], sent=claimed + timedelta(
                    seconds=self.ri(1, 8)), attempts=1, via=via)
        return row

    def _followup(self, c: _Case) -> None:
        """The follow-up schedule as `followup_schedule_create` makes it, and what became of it by now:
        reminders sent, cancelled or due, check-ins and their answers, an evaluation, outcomes, copies sent."""
        r = self.rng
        now = self.now
        cid, versions, members, coordinator, professional = c.id, c.versions, c.members, c.coordinator, c.professional
        starts, accepted_at, kind_name, log = c.starts, c.accepted_at, c.kind_name, c.log
        closed = c.state_changed if c.final else None
        follow_up_at = c.first.get("start_follow_up")
        version = next(v for v in versions if v["status"] == "accepted")
        content = version["content"]
        monitor, convenor = content["monitor"], content["convenor"]
        start = self.local_date(accepted_at)
        held_day = self.local_date(starts)
        reminders: list[dict] = []
        at = self.at
        for weeks in followup.MEMBER_WEEKS:
            due = at(start + timedelta(weeks=weeks), followup.SEND_HOUR)
            if monitor.reachable:
                reminders.append(self._reminder(cid, "monitor", due, accepted_at, closed, member=monitor))
            if convenor.reachable and convenor is not monitor:
                reminders.append(self._reminder(cid, "convenor", due, accepted_at, closed, member=convenor))
        holders = {a[1].id: a[1] for a in version["agreements"]}
        holders.pop(monitor.id, None)
        holders.pop(convenor.id, None)
        for member in sorted(holders.values(), key=lambda m: (m.name, m.id)):
            if member.reachable:
                for weeks in followup.CHECK_IN_WEEKS:
                    reminders.append(self._reminder(cid, "check_in", at(start + timedelta(weeks=weeks),
                                                                           followup.SEND_HOUR),
                                                    accepted_at, closed, member=member))
        everyone = self._everyone(members, version)
        reminders += self._evaluation_reminders(cid, version, everyone, accepted_at, closed)
        reminders.append(self._reminder(cid, "coordinator_call", at(held_day + timedelta(weeks=followup.CALL_WEEKS),
                                                                    followup.STAFF_HOUR),
                                        accepted_at, closed, user=coordinator))
        if professional is not None:
            reminders.append(self._reminder(cid, "feedback", at(held_day + timedelta(weeks=followup.FEEDBACK_WEEKS),
                                                                followup.STAFF_HOUR),
                                            accepted_at, closed, user=professional))
        outcome_reminders = {}
        for months in followup.OUTCOME_MONTHS:
            due_on = add_months(held_day, months)
            outcome_reminders[months] = (due_on, self._reminder(cid, "outcome", at(due_on, followup.STAFF_HOUR),
                                                                accepted_at, closed, user=coordinator,
                                                                note=str(months)))
            reminders.append(outcome_reminders[months][1])
        for row in reminders:  # the coordinator ticks off the follow-up call
            if row["kind"] == "coordinator_call" and row["status"] == "sent" and r.random() < 0.85:
                done = row["sent"] + self.between(H, 10 * D)
                if done <= now:
                    row.update(status="done", done=done, done_by=coordinator.id)

        # The copies of the accepted plan.
        if r.random() < 0.85:
            self._distribute(version, accepted_at + self.between(H, 3 * D))

        # The evaluation, in follow-up: a new accepted version.
        current = [version]
        evaluation_at = None
        if follow_up_at is not None and version["evaluation_date"] is not None and r.random() < 0.7:
            day = version["evaluation_date"] + timedelta(days=self.ri(-2, 10))
            recorded = at(day, 20)
            limit = closed or now
            if recorded <= limit and day <= self.today:
                evaluation_at = recorded
                kept = [a for a in version["agreements"] if r.random() < 0.85] or version["agreements"][:1]
                next_date = add_months(day, 3) if r.random() < 0.4 and add_months(day, 3) > self.local_date(
                    recorded) else None
                new = self._version(version["plan_id"], version["number"] + 1, "accepted", content,
                                    coordinator, recorded, None, recorded,
                                    self.pick(texts.EVALUATION_CHANGES) or f"Evaluation of {day.isoformat()}", "",
                                    agreements=[a[2] for a in kept], evaluation_date=next_date)
                eid = self.new_id("followup_evaluation")
                self.t["evaluation"].rows.append((eid, cid, day, self.pick(texts.EVALUATION_CHANGES), new["id"],
                                                  coordinator.id, recorded))
                for aid, _who, _spec in version["agreements"]:
                    self.t["evaluation_item"].rows.append((
                        self.new_id("followup_evaluationitem"), eid, aid,
                        self.weighted(RATINGS), ""))
                for m in everyone:
                    if r.random() < 0.8:
                        self.t["evaluation_attendee"].rows.append((self.new_id("followup_evaluation_attendees"),
                                                                   eid, m.id))
                for row in reminders:
                    if row["kind"] == "evaluation" and row["status"] == "scheduled" and row["due"] > recorded:
                        row.update(status="cancelled", error="evaluation held")
                reminders += self._evaluation_reminders(cid, new, self._everyone(members, new), recorded, closed)
                self._distribute(new, recorded + self.between(MINUTE, H))
                current.append(new)

        # Outcomes at 3, 6 and 12 months; recorded ones close their task.
        for months, (due_on, reminder) in outcome_reminders.items():
            recorded_at = None
            if due_on <= self.today and (closed is None or self.at(due_on, 9) < closed or r.random() < 0.4):
                recorded_at = self.at(due_on + timedelta(days=self.ri(0, 21)), 14)
                if recorded_at > now:
                    recorded_at = None
            if recorded_at is not None:
                self.t["outcome"].rows.append((
                    self.new_id("followup_outcome"), cid, months, due_on, recorded_at, coordinator.id,
                    self.weighted(PLAN_RUNNING), self.weighted(CHILD_LIVES),
                    self.pick(("more", "same", "less", "less")), self.ri(5, 10), self.ri(4, 10)))
                reminder.update(status="done", done=recorded_at, done_by=coordinator.id)
            else:
                self.t["outcome"].rows.append((self.new_id("followup_outcome"), cid, months, due_on, None, None,
                                               "", "", "", None, None))

        # Check-ins: one per sent reminder with a link; the member's older open link stops working.
        last_open: dict[int, list] = {}
        check_ins: list[list] = []
        answers = self.t["check_in_answer"].rows
        for row in sorted(reminders, key=lambda x: (x["sent"] or x["due"], x["id"])):
            if row["kind"] not in followup.LINK_KINDS or row["status"] != "sent" or row["member"] is None:
                continue
            sent = row["sent"]
            member = row["member"]
            version_now = current[-1] if evaluation_at is not None and sent >= evaluation_at else current[0]
            previous = last_open.pop(member.id, None)
            if previous is not None:
                previous[4] = ""  # nonce cleared: the old link no longer works
            answered = None
            if r.random() < 0.55:
                answered = sent + self.between(H, 6 * D)
                if answered > (closed or now):
                    answered = None
            check_in = [self.new_id("followup_checkin"), cid, member.id, version_now["id"], self.token(), sent,
                        answered, row["id"], self.end_of_day(self.local_date(sent), followup.CHECK_IN_VALID_DAYS)]
            check_ins.append(check_in)
            if answered is None:
                last_open[member.id] = check_in
            else:
                mine = [a for a in version_now["agreements"] if member is monitor or a[1] is member]
                for aid, _who, _spec in mine:
                    comment = self.pick(texts.CHECK_IN_COMMENTS).format(kind=kind_name) if r.random() < 0.2 else ""
                    answers.append((self.new_id("followup_checkinanswer"), check_in[0], aid,
                                    self.weighted(RATINGS), comment))
        self.t["check_in"].rows.extend(tuple(row) for row in check_ins)

        self.t["reminder"].rows.extend(
            (x["id"], cid, x["kind"], x["member"].id if x["member"] else None, x["user"].id if x["user"] else None,
             x["due"], x["status"], x["claimed"], x["token"], x["sent"], x["attempts"], None, x["error"], x["note"],
             x["created"], None, x["via"], x["done"], x["done_by"])
            for x in reminders)
        log.followup(coordinator, accepted_at, closed or now, professional)

    def _everyone(self, members: list[Member], version: dict) -> list[Member]:
        """As `followup.services.everyone`: who carries the plan or came, and can be reached."""
        content = version["content"]
        ids = {content["monitor"].id, content["convenor"].id} | {a[1].id for a in version["agreements"]}
        return sorted((m for m in members if m.reachable and (m.id in ids or m.came)), key=lambda m: (m.name, m.id))

    def _evaluation_reminders(self, cid: int, version: dict, everyone: list[Member], created: datetime,
                              closed: datetime | None) -> list[dict]:
        day = version["evaluation_date"]
        if day is None:
            return []
        due = self.at(day - timedelta(days=followup.EVALUATION_DAYS_BEFORE), followup.SEND_HOUR)
        due = max(due, created)
        if self.local_date(due) > day:
            return []
        return [self._reminder(cid, "evaluation", due, created, closed, member=m) for m in everyone]

    def _distribute(self, version: dict, queued: datetime) -> None:
        """`plan_distribute`: one copy per address of the copy recipients, sent by the worker."""
        if queued > self.now:
            return
        seen = set()
        content = version["content"]
        rows = self.t["distribution"].rows
        for m in sorted(content["copy"], key=lambda m: (m.name, m.id)):
            if m.email and m.email not in seen:
                seen.add(m.email)
                sent = queued + timedelta(seconds=self.ri(2, 120))
                rows.append((self.new_id("plans_distribution"), version["id"], m.id, None, m.email,
                             m.language if m.language in ("nl", "en") else "nl", queued, sent, sent))
        for p in content["copy_professionals"]:
            if p[3] and p[3].lower() not in seen:
                seen.add(p[3].lower())
                sent = queued + timedelta(seconds=self.ri(2, 120))
                rows.append((self.new_id("plans_distribution"), version["id"], None, p[0], p[3].lower(), "nl",
                             queued, sent, sent))


_TARGET = {
    "first_contact": State.INFORMING, "start_preparing": State.PREPARING, "decline": State.DECLINED,
    "withdraw": State.WITHDRAWN, "schedule": State.SCHEDULED, "reschedule": State.PREPARING,
    "cancel": State.CANCELLED, "hold": State.HELD, "accept_plan": State.PLAN_ACCEPTED,
    "reject_plan": State.PLAN_NOT_ACCEPTED, "revise_plan": State.HELD, "start_follow_up": State.FOLLOW_UP,
    "close": State.CLOSED, "reopen": State.FOLLOW_UP,
}


def _fitting_kinds(frame: str) -> set[str]:
    """As the small demo's `_fitting`: youth protection for an OTS, probation for JR, others for the rest."""
    protection = {ProfessionalKind.JB, ProfessionalKind.GEZINSVOOGD}
    if frame in (LegalFrame.OTS, LegalFrame.RAAD_REPORT):
        return protection
    if frame == LegalFrame.JR:
        return {ProfessionalKind.JR}
    return set(ProfessionalKind.values) - protection - {ProfessionalKind.JR}


class _Log:
    """The access-log rows of one case: who read and changed it, when (the last five years only)."""

    __slots__ = ("case_id", "g", "out", "submitted")

    def __init__(self, generator: Generator, case_id: int, submitted: datetime) -> None:
        self.g = generator
        self.case_id = case_id
        self.submitted = submitted
        self.out = generator.t["log"].rows

    def _add(self, moment: datetime, account: Account | None, action: str, purpose: str, *,
             label: str = "", role: str = "", about_case: bool = True) -> None:
        g = self.g
        if moment < g.log_cutoff or moment > g.now:
            return
        r = g.rng
        if account is not None:
            user_id, label, role, behalf = account.id, account.name, account.role, account.organisation_label
            address = STAFF_ADDRESSES[r.getrandbits(12)]
        else:
            user_id, behalf = None, "self"
            address = FAMILY_ADDRESSES[r.getrandbits(8) % len(FAMILY_ADDRESSES)]
        if about_case:
            object_type, object_id, case_id = "case", str(self.case_id), self.case_id
        else:  # the inbox: a search, not about one case
            object_type, object_id, case_id = "inbox", "-", None
        log_id = g.new_id("audit_accesslogentry")
        # Unique because the id is in it (a rerun with the same seed repeats the random part).
        self.out.append((log_id, uuid.UUID(int=(log_id << 64) | r.getrandbits(64)), action, moment, "success",
                         user_id, label, role, behalf, address, object_type, object_id, case_id, purpose))

    def _spread(self, lo: datetime, hi: datetime) -> datetime:
        if hi <= lo:
            return lo
        return lo + timedelta(seconds=self.g.rng.uniform(0, (hi - lo).total_seconds()))

    def request(self, referrer: Account | None) -> None:
        if referrer is not None:
            self._add(self.submitted, referrer, "create", "request for a family group plan")
        else:
            self._add(self.submitted, None, "create", "request by the public", label="anonymous", role="anonymous")

    def manager(self, manager: Account, submitted: datetime, assigned: datetime) -> None:
        self._add(submitted + self.g.between(MINUTE, H), manager, "search", "inbox of open requests",
                  about_case=False)
        for _ in range(self.g.ri(1, 2)):
            self._add(self._spread(submitted, assigned), manager, "read", "request handling")
        self._add(assigned - MINUTE, manager, "read", "coordinator suggestions")
        self._add(assigned, manager, "change", "assign coordinator")

    def coordinator(self, coordinator: Account | None, steps: list[tuple[str, datetime]]) -> None:
        if coordinator is None:
            return
        for name, moment in steps:
            if name == "assign":
                self._add(moment + self.g.between(10 * MINUTE, 6 * H), coordinator, "read", "case coordination")
                continue
            self._add(moment - self.g.between(MINUTE, 20 * MINUTE), coordinator, "read", "case coordination")
            self._add(moment, coordinator, "change", f"step: {name}")

    def professional(self, professional: Account, lo: datetime, hi: datetime) -> None:
        for _ in range(self.g.ri(1, 4)):
            self._add(self._spread(lo, hi), professional, "read", "care for the family")

    def circle(self, coordinator: Account, lo: datetime, hi: datetime) -> None:
        for _ in range(self.g.ri(1, 4)):
            self._add(self._spread(lo, hi), coordinator, "read", "circle of the case")

    def conference(self, coordinator: Account, lo: datetime, hi: datetime) -> None:
        self._add(self._spread(lo, hi), coordinator, "read", "conference preparation")
        self._add(self._spread(lo, hi), coordinator, "read", "conference form")

    def plan(self, coordinator: Account, lo: datetime, hi: datetime) -> None:
        for _ in range(self.g.ri(1, 3)):
            self._add(self._spread(lo, min(hi, lo + 60 * D)), coordinator, "read", "plan of the case")

    def followup(self, coordinator: Account, lo: datetime, hi: datetime, professional: Account | None) -> None:
        for _ in range(self.g.ri(1, 3)):
            self._add(self._spread(lo, hi), coordinator, "read", "case coordination")
        if professional is not None:
            self._add(self._spread(lo, hi), professional, "read", "care for the family")

    def family(self, name: str, lo: datetime, hi: datetime) -> None:
        purposes = ("signed in with a one-time code", "family portal: where the case stands",
                    "family portal: plan version 1", "family portal: who looked at my file")
        moment = self._spread(lo, hi)
        for purpose in purposes[:self.g.ri(2, 4)]:
            self._add(moment, None, "read", purpose, label=name, role="parent")
            moment += self.g.between(timedelta(seconds=20), 5 * MINUTE)
