"""`manage.py bench_dashboards --cases 100000` (`kring bench dashboards`): how long each dashboard takes.

Builds synthetic cases with `bulk_create` (references `B-00000001`…, channel "demo"),
or reuses the ones an earlier run made; rebuilds the dashboard summaries (`refresh_all`,
timed), times an incremental refresh after a few cases changed, and then requests each
dashboard page (and the export and API) as a signed-in manager and policy officer through
Django's test client: median and 95th percentile, and SQL queries per request.
`--raw` also times the figures computed straight from the case tables (`figures.RAW`, the
way every page worked before the summaries), for a before/after in one run.
Runs on the configured database (SQLite by default; DATABASE_URL for PostgreSQL).
Run it on a fresh database: it refuses a database with other cases in it.
The figures are printed, never asserted.
"""

from __future__ import annotations

import base64
import math
import random
import secrets
import statistics
import time
from datetime import date, timedelta
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from kring.accounts.models import CoordinatorProfile, Role, User
from kring.cases.models import (
    Case,
    Channel,
    LegalFrame,
    RequesterKind,
    State,
    TriggerMoment,
    Urgency,
)
from kring.followup.models import Evaluation, Outcome
from kring.network.models import CircleMember
from kring.regions.models import Municipality, Region
from kring.reports import figures
from kring.reports.models import CaseMonth, Offer, OfferGap, OfferMonth, WorkloadHeld
from kring.reports.refresh import refresh, refresh_all
from kring.reports.summary import forget_cached
from kring.testing.helpers import login

PREFIX = "B-"
BATCH = 5000
MOMENTS = TriggerMoment.values


class Command(BaseCommand):
    help = "Build (or reuse) synthetic cases, rebuild the summaries and time each dashboard page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=20, help="requests per page; median and p95 of them")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--coordinators", type=int, default=400)
        parser.add_argument("--raw", action="store_true",
                            help="also time the figures straight from the case tables (3 runs each)")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", "--noinput", verbosity=0)
        call_command("createcachetable", verbosity=0)  # the pages' rate limits keep their counts there
        if Case.objects.exclude(reference__startswith=PREFIX).exists():
            raise CommandError("This database holds real or demo cases: run the benchmark on a fresh database.")
        started = time.perf_counter()
        made = self.build(options["cases"], options["coordinators"], random.Random(options["seed"]))  # noqa: S311 - synthetic data
        total = Case.objects.count()
        self.stdout.write(f"database: {connection.vendor}; cases: {total} ({made} made in "
                          f"{time.perf_counter() - started:.1f} s); circle members: {CircleMember.objects.count()}; "
                          f"offers: {Offer.objects.count()}; outcomes: {Outcome.objects.count()}")
        self.summaries()
        self.pages(options["repeat"])
        if options["raw"]:
            self.run_raw(min(3, options["repeat"]))

    # --- the data -------------------------------------------------------------------------

    def build(self, wanted: int, n_coordinators: int, rng: random.Random) -> int:
        have = Case.objects.filter(reference__startswith=PREFIX).count()
        if have >= wanted:
            return 0
        municipalities = list(Municipality.objects.values_list("pk", "region_id"))
        if not municipalities:
            raise CommandError("No municipalities: run the migrations first.")
        coordinators = self.coordinators(n_coordinators)
        professional, _ = User.objects.get_or_create(
            username="bench-professional", defaults={"role": Role.PROFESSIONAL, "organisation": "Bench Jeugdzorg"})
        organisations = [f"Organisatie {i}" for i in range(40)]
        now = timezone.now()
        span = timedelta(days=730)
        for start in range(have, wanted, BATCH):
            cases = []
            for i in range(start, min(start + BATCH, wanted)):
                municipality_id, region_id = rng.choice(municipalities)
                submitted = now - span * rng.random()
                case = Case(
                    reference=f"{PREFIX}{i + 1:08d}", region_id=region_id, municipality_id=municipality_id,
                    urgency=Urgency.URGENT if rng.random() < 0.15 else Urgency.NORMAL,
                    legal_frame=rng.choice(LegalFrame.values), trigger_moment=rng.choice(MOMENTS),
                    situation="-", channel=Channel.DEMO, requester_kind=RequesterKind.PROFESSIONAL,
                    requester_name="-", requester_email="bench@example.org", submitted_at=submitted,
                    state_changed_at=submitted, state=State.REQUEST,
                )
                age = now - submitted
                if rng.random() < 0.95:
                    case.assigned_at = submitted + timedelta(hours=rng.expovariate(1 / 14))
                    case.coordinator_id = rng.choice(coordinators)
                    case.state = State.INFORMING
                    if rng.random() < 0.9:
                        case.first_contact_at = case.assigned_at + timedelta(hours=rng.expovariate(1 / 20))
                        case.state = State.PREPARING
                        held = submitted + timedelta(days=rng.uniform(5, 60))
                        if held < now and rng.random() < 0.85:
                            case.held_at, case.state = held, State.HELD
                            if rng.random() < 0.9:
                                case.plan_accepted_at = held + timedelta(days=rng.choice([0, 0, 0, 1, 7, 14]))
                                case.state = State.FOLLOW_UP if age < timedelta(days=365) else State.CLOSED
                cases.append(case)
            with transaction.atomic():
                Case.objects.bulk_create(cases, batch_size=1000)
                saved = list(Case.objects.filter(reference__in=[c.reference for c in cases])
                             .values_list("pk", "held_at", "plan_accepted_at", "municipality_id", "region_id",
                                          "submitted_at"))
                self.children(saved, rng, professional, organisations, now)
            self.stdout.write(f"  {min(start + BATCH, wanted)} cases", ending="\r")
            self.stdout.flush()
        self.stdout.write("")
        return wanted - have

    def coordinators(self, count: int) -> list[int]:
        existing = list(User.objects.filter(username__startswith="bench-coord").values_list("pk", flat=True))
        if len(existing) >= count:
            return existing
        users = User.objects.bulk_create([User(username=f"bench-coord{i}", role=Role.COORDINATOR)
                                          for i in range(len(existing), count)])
        profiles = CoordinatorProfile.objects.bulk_create([CoordinatorProfile(user=u, max_cases=3) for u in users])
        regions = list(Region.objects.values_list("pk", flat=True))
        through = CoordinatorProfile.regions.through
        through.objects.bulk_create([through(coordinatorprofile_id=p.pk, region_id=regions[i % len(regions)])
                                     for i, p in enumerate(profiles)])
        return existing + [u.pk for u in users]

    def children(self, saved, rng, professional, organisations, now) -> None:
        members, evaluations, outcomes, offers = [], [], [], []
        sides = ["mother", "mother", "father", "father", "both", "none"]
        statuses = ["attended", "attended", "attended", "agreement", "invited", "declined"]
        for pk, held, plan, municipality_id, region_id, submitted in saved:
            if held is not None:
                for _ in range(rng.randint(2, 9)):
                    status = rng.choice(statuses)
                    members.append(CircleMember(
                        case_id=pk, name="-", role="network", side=rng.choice(sides),
                        kind="family" if rng.random() < 0.7 else "friend", status=status,
                        attendance="in_person" if status in ("attended", "agreement") else ""))
            if plan is not None:
                if rng.random() < 0.6:
                    evaluations.append(Evaluation(case_id=pk, recorded_by=professional,
                                                  held_on=(plan + timedelta(days=rng.randint(30, 150))).date()))
                for months in (3, 6, 12):
                    due = (plan + timedelta(days=30 * months)).date()
                    if due < now.date() and rng.random() < 0.7:
                        outcomes.append(Outcome(
                            case_id=pk, months=months, due_on=due, recorded_at=now,
                            plan_running=rng.choice(["yes", "yes", "partly", "no"]),
                            child_lives=rng.choice(["home", "home", "network", "foster"]),
                            professional_help=rng.choice(["less", "same", "more"]),
                            family_satisfaction=rng.randint(5, 10), professional_satisfaction=rng.randint(5, 10)))
            if rng.random() < 0.5:
                answer = rng.choice(["yes", "yes", "not_now", "no"])
                offers.append(Offer(
                    case_id=pk, moment=rng.choice(MOMENTS), answer=answer,
                    reason="" if answer == "yes" else "other", offered_on=submitted.date() - timedelta(days=2),
                    offered_by=professional, organisation=rng.choice(organisations),
                    municipality_id=municipality_id, region_id=region_id,
                    offer_again_on=submitted.date() + timedelta(days=30) if answer == "not_now" else None))
        CircleMember.objects.bulk_create(members, batch_size=2000)
        Evaluation.objects.bulk_create(evaluations, batch_size=2000)
        Outcome.objects.bulk_create(outcomes, batch_size=2000)
        Offer.objects.bulk_create(offers, batch_size=2000)

    # --- the summaries ------------------------------------------------------------------------

    def summaries(self) -> None:
        started = time.perf_counter()
        refresh_all()
        self.stdout.write(f"summaries rebuilt (refresh_all) in {time.perf_counter() - started:.1f} s: "
                          f"{CaseMonth.objects.count()} case months, {OfferMonth.objects.count()} offer months, "
                          f"{OfferGap.objects.count()} repeated offers, {WorkloadHeld.objects.count()} workload days")
        changed = list(Case.objects.filter(reference__startswith=PREFIX).order_by("-submitted_at")[:50])
        for case in changed:  # as a transition would: a save marks the case
            case.save(update_fields=["state_changed_at"])
        started = time.perf_counter()
        units = refresh()
        self.stdout.write(f"incremental refresh after {len(changed)} changed cases: "
                          f"{(time.perf_counter() - started) * 1000:.0f} ms "
                          f"({len(units.case_months)} case months, {len(units.offer_months)} offer months)")

    # --- the pages ---------------------------------------------------------------------------

    def pages(self, repeat: int) -> None:
        today = timezone.localdate()
        year = figures.default_period(today)
        two_years = (_months_back(today, 23), today)
        region = Region.objects.order_by("code").first()
        municipality = Municipality.objects.filter(region=region).order_by("name").first()
        manager = self.user("bench-manager", Role.REGIONAL_MANAGER, regions=[region])
        policy = self.user("bench-policy", Role.POLICY)
        period = {"date_from": two_years[0].isoformat(), "date_to": today.isoformat()}
        cut = {"date_from": (today - timedelta(days=730)).isoformat(), "date_to": today.isoformat()}
        pages = [
            (f"manager dashboard ({region.code}, 12 months)", manager, "/dashboard/", {}),
            ("policy figures (country, 12 months)", policy, "/figures/", {}),
            ("policy figures (country, 2 years)", policy, "/figures/", period),
            ("policy figures (one municipality, 2 years)", policy, "/figures/",
             {**period, "municipality": municipality.cbs_code}),
            ("policy figures (country, 730 days: cut months)", policy, "/figures/", cut),
            ("policy export, all tables XLSX (country, 12 months)", policy, "/figures/export/",
             {"table": "all", "format": "xlsx"}),
            ("API figures (country, 12 months)", policy, "/api/reports/figures", {}),
        ]
        self.stdout.write(f"pages (period of 12 months: {year[0]} to {year[1]}); {repeat} requests each; "
                          "'computed': the first request after the summaries changed (nothing cached), "
                          "'cached': the figures of this version already computed in this process")
        self.stdout.write("(median and p95 of the wall time, median CPU time of this process, SQL queries)")
        self.stdout.write(f"{'page':<54} {'computed median':>15} {'p95':>6} {'cpu':>6} {'queries':>7}   "
                          f"{'cached median':>13} {'p95':>6} {'cpu':>6} {'queries':>7}")
        secure = {"secure": True, "headers": {"X-Forwarded-Proto": "https"}} if settings.SECURE else {}
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        clients = {}
        # The benchmark asks for the export far more often than the hourly limit allows a person.
        with override_settings(ALLOWED_HOSTS=hosts, RATE_LIMITS={"export": (1_000_000, 3600)}):
            for user in (manager, policy):
                clients[user.pk] = login(Client(), user)
            counter = _QueryCounter()
            with connection.execute_wrapper(counter):
                for name, user, path, query in pages:
                    client = clients[user.pk]
                    response = client.get(path, query, **secure)  # warm up, and check the page answers
                    if response.status_code != 200:
                        raise CommandError(f"{name}: status {response.status_code}")
                    line = f"{name:<54}"
                    for cached in (False, True):
                        times, cpu, queries = [], [], []
                        for _ in range(repeat):
                            if not cached:
                                forget_cached()
                            counter.count = 0
                            started, cpu_started = time.perf_counter(), time.process_time()
                            response = client.get(path, query, **secure)
                            times.append(time.perf_counter() - started)
                            cpu.append(time.process_time() - cpu_started)
                            if response.status_code != 200:
                                raise CommandError(f"{name}: status {response.status_code}")
                            queries.append(counter.count)
                        line += (f" {_ms(statistics.median(times)):>15} {_ms(percentile(times, 95)):>6} "
                                 f"{_ms(statistics.median(cpu)):>6} {statistics.median(queries):>7.0f}  ")
                    self.stdout.write(line)
            for client in clients.values():
                client.logout()

    def user(self, username: str, role: str, regions=()) -> User:
        user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
        if regions:
            user.regions.set(regions)
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, base64.b32encode(secrets.token_bytes(20)).decode())
        return user

    # --- the raw figures (before the summaries) ------------------------------------------------

    def run_raw(self, repeat: int) -> None:
        today = timezone.localdate()
        year = figures.default_period(today)
        region = Region.objects.order_by("code").first()
        one = Region.objects.filter(pk=region.pk)
        dashboards = {
            f"manager dashboard ({region.code}, 12 months)":
                lambda: figures.manager_tables(figures.Scope(one, *year), figures.RAW),
            "policy figures (country, 12 months)":
                lambda: figures.policy_tables(figures.Scope(Region.objects.all(), *year), figures.RAW),
            "policy figures (country, 2 years)":
                lambda: figures.policy_tables(figures.Scope(Region.objects.all(), _months_back(today, 23), today),
                                              figures.RAW),
            "policy figures (one municipality, 2 years)":
                lambda: figures.policy_tables(figures.Scope(
                    Region.objects.all(), _months_back(today, 23), today,
                    municipality=Municipality.objects.filter(region=region).order_by("name").first()), figures.RAW),
        }
        self.stdout.write(f"the same figures straight from the case tables (figures.RAW, no page), {repeat} runs")
        self.stdout.write(f"{'dashboard':<54} {'median':>9} {'min':>9} {'max':>9}")
        for name, build in dashboards.items():
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                for table in build():
                    table.text_rows()
                times.append(time.perf_counter() - started)
            self.stdout.write(f"{name:<54} {_ms(statistics.median(times)):>9} {_ms(min(times)):>9} "
                              f"{_ms(max(times)):>9}")


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def percentile(values: list[float], pct: float) -> float:
    """Nearest rank: the smallest value with at least `pct` % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}ms"


def _months_back(today: date, months: int) -> date:
    """The first day of the month `months` months before this one."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)
