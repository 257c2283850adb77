"""The family's own pages (/gezin/), the plan they make themselves, and the circle member's page.

Portal views are wrapped in `family_view`: they get the signed-in person and
*their own* case, and never take a case id from the URL. Every page a family
member opens is written to their case's access log under their own name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kring.audit.log import client_address
from kring.audit.models import AccessLogEntry, Action, Outcome
from kring.audit.purposes import PurposeText, purpose_display
from kring.cases.models import CaseProfessional
from kring.cases.prepared import PreparedValues
from kring.core import links
from kring.followup import services as followup_services
from kring.network.ecomap import MAP_FIELDS, read_circle, render_ecomap
from kring.network.models import CircleMember, MemberRole, MemberStatus, Side
from kring.plans.document import pdf_filename, render_plan_pdf
from kring.plans.models import Agreement, Plan, PlanVersion
from kring.plans.services import reader_language
from kring.regions.models import Municipality

from . import forms as f
from .models import ConsentKind, SelfPlan, SelfPlanStep, SignInCode
from .services import (
    STEPS,
    FamilyRefused,
    consent_overview,
    consent_set,
    may_receive_copy,
    member_from_token,
    self_plan_add_person,
    self_plan_finish,
    self_plan_invite,
    self_plan_save,
    self_plan_start,
)
from .session import (
    Family,
    current_family,
    family_choose,
    family_login,
    family_logout,
    family_view,
    log_family,
    signed_in_persons,
)
from .signin import SignInRefused, sign_in_request, sign_in_verify
from .status import key_dates, where_we_are
from .tasks import SIGN_IN_LINK

PENDING_KEY = "kring_family_pending"


# --- signing in -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Step 1: the e-mail address or mobile number. The answer is the same for every address."""
    form = f.AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["address"]
        sent = sign_in_request(address=address, ip=client_address(request),
                               language=translation.get_language() or "nl")
        if sent is None:
            return render(request, "family/sign_in.html", {"form": form, "too_many": True}, status=429)
        request.session[PENDING_KEY] = {"hash": address.hash, "channel": address.channel}
        return redirect("family_sign_in_code")
    return sign_in_page(request, form=form, status=400 if request.method == "POST" else 200)


def sign_in_page(request, *, form=None, expired: bool = False, status: int = 200):
    """The sign-in form; portal pages show it in place to people who are not signed in."""
    return render(request, "family/sign_in.html",
                  {"form": form or f.AddressForm(), "expired": expired}, status=status)


def _signed_in(request, person_ids: list[int]):
    if not person_ids:
        return None
    family_login(request, person_ids)
    request.session.pop(PENDING_KEY, None)
    family = current_family(request)
    if family is None:
        return redirect("family_choose")
    log_family(request, family, action=Action.READ, purpose="signed in with a one-time code")
    return redirect("family_home")


@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    """Step 2: the code. Wrong, used and expired codes get the same answer."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return sign_in_page(request)
    form = f.CodeForm(request.POST or None)
    context = {"form": form, "channel": pending["channel"]}
    if request.method == "POST" and form.is_valid():
        try:
            person_ids = sign_in_verify(address_hash_value=pending["hash"], code=form.cleaned_data["code"],
                                        ip=client_address(request))
        except SignInRefused as exc:
            context["refused"] = exc
            context["wait_minutes"] = max(1, (exc.wait + 59) // 60)
            return render(request, "family/sign_in_code.html", context,
                          status=429 if exc.code == "slowed" else 400)
        response = _signed_in(request, person_ids)
        if response is None:  # a code for a person who may no longer sign in
            context["refused"] = SignInRefused("wrong")
            return render(request, "family/sign_in_code.html", context, status=400)
        return response
    return render(request, "family/sign_in_code.html", context, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def sign_in_link(request, token: str):
    """The link in the e-mail: a button first (mail scanners open links but do not press buttons)."""
    try:
        ids = links.read_token(SIGN_IN_LINK, token)
        sign_in_row = SignInCode.objects.filter(pk=ids.get("sign_in")).first()
        if sign_in_row is None or not isinstance(ids.get("code"), str):
            raise links.LinkInvalid("no such sign-in")
    except links.LinkError as exc:
        return render(request, "family/link_problem.html", {"problem": exc}, status=exc.status)
    if request.method == "POST":
        try:
            person_ids = sign_in_verify(address_hash_value=sign_in_row.address_hash, code=ids["code"],
                                        ip=client_address(request), sign_in_id=sign_in_row.pk)
        except SignInRefused:
            person_ids = []
        response = _signed_in(request, person_ids)
        if response is None:
            return render(request, "family/link_problem.html", {"problem": links.LinkExpired()}, status=410)
        return response
    return render(request, "family/sign_in_link.html")


@require_http_methods(["GET", "POST"])
def choose(request):
    """One address can belong to a person in more than one case: choose which."""
    from kring.cases.models import CasePerson

    ids = signed_in_persons(request)
    if not ids:
        return sign_in_page(request)
    if request.method == "POST":
        try:
            chosen = int(request.POST.get("person", ""))
        except ValueError:
            chosen = 0
        if family_choose(request, chosen):
            return redirect("family_home")
    persons = CasePerson.objects.filter(pk__in=ids).select_related("case")
    return render(request, "family/choose.html", {"persons": persons})


@require_POST
def sign_out(request):
    family_logout(request)
    return render(request, "family/signed_out.html")


# --- the portal -----------------------------------------------------------------------------


def _context(family: Family, **extra):
    return {"family": family, "case": family.case, "self_plan": family.self_plan, **extra}


@family_view
def home(request, family: Family):
    now_text, next_text = where_we_are(family.case, self_made=family.self_plan is not None)
    log_family(request, family, purpose="family portal: where the case stands")
    return render(request, "family/home.html", _context(
        family, now_text=now_text, next_text=next_text, dates=key_dates(family.case)))


@family_view
def circle(request, family: Family):
    # Safety arrangements (who must not meet whom) stay with the coordinator: they can
    # concern a person the family must be protected from. So they are not read at all.
    members = read_circle(family.case, fields=MAP_FIELDS, arrangements=False).members
    ecomap = render_ecomap(case=family.case, members=members, arrangements=[])
    log_family(request, family, purpose="family portal: the circle")
    sides, statuses = dict(Side.choices), dict(MemberStatus.choices)
    rows = [{"name": m.name, "relation": m.relation, "side": sides.get(m.side, m.side),
             "status": statuses.get(m.status, m.status)} for m in members]
    return render(request, "family/circle.html", _context(
        family, members=rows, ecomap=mark_safe(ecomap)))  # noqa: S308 (built with escape())


#: What the plan page shows of a version: the chosen one in full, the others in the list of versions.
PLAN_PAGE_FIELDS = ("plan_id", "number", "status", "created_at", "change_note", "concerns_answered",
                    "evaluation_date", "keep_informed", "when_not_kept", "professional_help", "monitor__name")


def _wanted_number(number: str | None) -> int | None:
    return int(number) if number and number.isdigit() else None


def _no_such_version(family: Family) -> None:
    """A version number the plan does not have is 404 when the case has a plan (even one without versions)."""
    if Plan.objects.filter(case=family.case).exists():
        raise Http404


# The chosen version's agreements, answers and copy recipients, compiled once (see `kring.cases.prepared`):
# the ORM's queries, by version id.
_AGREEMENTS = PreparedValues(lambda version_id: Agreement.objects.filter(version_id=version_id)
                             .values_list("who__name", "what", "when"))
_ANSWER_TEXTS = PreparedValues(lambda version_id: PlanVersion(pk=version_id).answers.values_list("text"))
_COPY_NAMES = PreparedValues(lambda version_id: PlanVersion(pk=version_id).copy_recipients
                             .order_by("name").values_list("name"))


@family_view
def plan(request, family: Family):
    """The current version (or the one asked for), and every version, from one query of the versions."""
    versions = list(PlanVersion.objects.filter(plan__case=family.case).select_related("monitor")
                    .only(*PLAN_PAGE_FIELDS).order_by("-number"))
    number = _wanted_number(request.GET.get("versie"))
    if number is None:
        version = versions[0] if versions else None
    else:
        version = next((v for v in versions if v.number == number), None)
        if version is None:
            _no_such_version(family)
    agreements = [{"who": {"name": who}, "what": what, "when": when}
                  for who, what, when in _AGREEMENTS(version.pk)] if version else []
    log_family(request, family, purpose=f"family portal: plan version {version.number}" if version
               else "family portal: plan (none yet)")
    return render(request, "family/plan.html", _context(
        family, version=version, versions=versions, agreements=agreements,
        answer_texts=[text for (text,) in _ANSWER_TEXTS(version.pk)] if version else [],
        copy_names=[name for (name,) in _COPY_NAMES(version.pk)] if version else []))


@family_view
def plan_pdf(request, family: Family):
    versions = PlanVersion.objects.filter(plan__case=family.case).select_related("plan")
    number = _wanted_number(request.GET.get("versie"))
    version = (versions.filter(number=number) if number is not None else versions.order_by("-number")).first()
    if version is None:
        raise Http404
    language = reader_language(translation.get_language())
    content = render_plan_pdf(version, language=language)
    log_family(request, family, action=Action.EXPORT,
               purpose=f"family portal: plan document, version {version.number} ({language})")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(version)}"'
    return response


@family_view
@require_http_methods(["GET", "POST"])
def consent(request, family: Family):
    if request.method == "POST":
        form = f.ConsentForm(request.POST)
        if not form.is_valid():
            raise Http404
        data = form.cleaned_data
        member = CircleMember.objects.filter(pk=data["member"], case=family.case).first() if data["member"] else None
        professional = (CaseProfessional.objects.filter(pk=data["professional"], case=family.case).first()
                        if data["professional"] else None)
        if (data["member"] and member is None) or (data["professional"] and professional is None):
            raise Http404
        granted = data["granted"] == "yes"
        try:
            consent_set(family=family, kind=data["kind"], granted=granted, member=member,
                        professional=professional)
        except FamilyRefused as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("family_consent")
        log_family(request, family, action=Action.CHANGE,
                   purpose=f"family portal: consent {data['kind']} {'given' if granted else 'withdrawn'}")
        messages.success(request, _("Saved. This holds from now on.") if granted
                         else _("Withdrawn. This holds from now on."))
        return redirect("family_consent")
    log_family(request, family, purpose="family portal: consents")
    history = family.case.family_consents.select_related("member", "professional")[:50]
    return render(request, "family/consent.html", _context(
        family, rows=consent_overview(family.case), history=history, kinds=ConsentKind))


LOG_PAGE_SIZE = 50


@dataclass(frozen=True)
class LogPage:
    """A page of the access log without counting the whole log (it grows with every page view).

    It answers what the pager asks (newer/older pages); only a page number past the end or
    below 1 needs the count, to show the last page as `Paginator.get_page` does.
    """

    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _log_rows(entries, number: int) -> list[tuple]:
    start = (number - 1) * LOG_PAGE_SIZE
    return list(entries[start:start + LOG_PAGE_SIZE + 1])


def log_page(entries, requested: str | None, first_page: Callable[[], list] | None = None,
             ) -> tuple[LogPage, list[tuple]]:
    """The rows of page `requested` (as `Paginator(entries, 50).get_page(requested)` would pick it).

    `first_page`, if given, reads the first page's rows (`entries[:LOG_PAGE_SIZE + 1]`) another way.
    """
    try:
        number = int(requested) if requested is not None else 1
    except ValueError:
        number = 1
    if number == 1 and first_page is not None:
        rows = first_page()
    else:
        rows = _log_rows(entries, number) if number >= 1 else []
    if not rows and number != 1:  # out of range: the last page, as the paginator shows it
        number = max(1, -(-entries.count() // LOG_PAGE_SIZE))
        rows = _log_rows(entries, number)
    return LogPage(number=number, has_next=len(rows) > LOG_PAGE_SIZE), rows[:LOG_PAGE_SIZE]


def _log_entries(case_id: int):
    """The case's access log, newest first, in the columns the page shows."""
    return (AccessLogEntry.objects.filter(case_id=case_id).order_by("-at", "-id")
            .values_list("at", "user_label", "role", "on_behalf_of", "action", "outcome", "purpose"))


#: The first page of the log (and whether more follow), compiled once (see `kring.cases.prepared`).
_LOG_FIRST_PAGE = PreparedValues(lambda case_id: _log_entries(case_id)[:LOG_PAGE_SIZE + 1])


@family_view
def access_log(request, family: Family):
    """Who looked at the family's file: only rows of their own case."""
    log_family(request, family, purpose="family portal: who looked at my file")
    case_id = family.case.pk
    page, found = log_page(_log_entries(case_id), request.GET.get("pagina"), lambda: _LOG_FIRST_PAGE(case_id))
    actions = dict(Action.choices)
    roles: dict[str, str] = {}
    purposes: dict[str, PurposeText] = {}
    rows = []
    for at, user_label, role, on_behalf_of, action, outcome, purpose in found:
        if role not in roles:
            roles[role] = AccessLogEntry(role=role).role_label
        if purpose not in purposes:
            purposes[purpose] = purpose_display(purpose)
        rows.append({"at": date_format(template_localtime(at), "DATETIME_FORMAT"), "user_label": user_label, "role": roles[role], "on_behalf_of": on_behalf_of,
                     "action": actions.get(action, action), "denied": outcome == Outcome.DENIED,
                     "purpose": purposes[purpose]})
    return render(request, "family/access_log.html", _context(family, page=page, rows=rows))


# --- the plan the family makes itself --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def self_start(request):
    """The public start: name, e-mail address and municipality; then the steps."""
    family = current_family(request)
    if family is not None and SelfPlan.objects.filter(case=family.case).exists():
        return redirect("family_self_step", step=SelfPlan.objects.get(case=family.case).step)
    form = f.StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _self_plan, person = self_plan_start(
            name=form.cleaned_data["name"], email=form.cleaned_data["email"],
            municipality=form.cleaned_data["municipality"], language=translation.get_language() or "nl")
        family_login(request, [person.pk])
        family = current_family(request)
        log_family(request, family, action=Action.CREATE, purpose="family starts its own plan")
        return redirect("family_self_step", step=STEPS[0])
    names = Municipality.objects.order_by("name").values_list("name", flat=True)
    return render(request, "family/self_start.html", {"form": form, "municipalities": names},
                  status=400 if request.method == "POST" else 200)


def _next(step: str) -> str:
    index = STEPS.index(step)
    return STEPS[min(index + 1, len(STEPS) - 1)]


@family_view
@require_http_methods(["GET", "POST"])
def self_step(request, family: Family, step: str):
    self_plan = SelfPlan.objects.filter(case=family.case).first()
    if self_plan is None or step not in STEPS:
        raise Http404
    members = list(CircleMember.objects.filter(case=family.case, role=MemberRole.NETWORK).order_by("name", "pk"))
    everyone = list(CircleMember.objects.filter(case=family.case).order_by("role", "name", "pk"))
    answers = self_plan.answers
    form = person_form = agreement_form = None
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "next") if post else ""

    if step == SelfPlanStep.PROBLEM:
        form = f.ProblemForm(post, initial=answers)
    elif step == SelfPlanStep.PEOPLE:
        person_form = f.PersonForm(post if action == "add_person" else None, prefix="person")
    elif step == SelfPlanStep.MEETING:
        form = f.MeetingForm(post if action != "invite" else None, initial=answers)
    elif step == SelfPlanStep.AGREEMENTS:
        form = f.MeetingNotesForm(post if action != "add_agreement" else None, initial=answers)
        agreement_form = f.AgreementForm(post if action == "add_agreement" else None, members=everyone,
                                         prefix="agreement")
    elif step == SelfPlanStep.SHARING:
        initial = {**answers, "copy": answers.get("copy", [])}
        form = f.SharingForm(post, initial=initial, members=everyone)

    if post:
        if action == "add_person" and person_form is not None and person_form.is_valid():
            member = self_plan_add_person(family=family, data=person_form.cleaned_data)
            log_family(request, family, action=Action.CHANGE, purpose="own plan: person added to the circle")
            messages.success(request, _("%(name)s is added.") % {"name": member.name})
            return redirect("family_self_step", step=step)
        if action == "invite" and step == SelfPlanStep.MEETING:
            chosen = {int(i) for i in request.POST.getlist("invite") if i.isdigit()}
            invited = self_plan_invite(family=family, members=[m for m in members if m.pk in chosen],
                                       language=translation.get_language() or "nl")
            log_family(request, family, action=Action.CHANGE, purpose=f"own plan: {len(invited)} invitation(s) sent")
            messages.success(request, _("Invitations sent: %(count)s.") % {"count": len(invited)})
            return redirect("family_self_step", step=step)
        if action == "add_agreement" and agreement_form is not None and agreement_form.is_valid():
            data = agreement_form.cleaned_data
            self_plan_save(family=family, step=step, answers={"agreements": [
                *answers.get("agreements", []), {"who": data["who"], "what": data["what"], "when": data["when"]}]})
            log_family(request, family, action=Action.CHANGE, purpose="own plan: agreement added")
            messages.success(request, _("The agreement is added."))
            return redirect("family_self_step", step=step)
        if action.startswith("remove_agreement_"):
            index = action.removeprefix("remove_agreement_")
            kept = [a for i, a in enumerate(answers.get("agreements", [])) if str(i) != index]
            self_plan_save(family=family, step=step, answers={"agreements": kept})
            return redirect("family_self_step", step=step)
        if action == "finish" and step == SelfPlanStep.FINISH:
            try:
                version = self_plan_finish(family=family)
            except FamilyRefused as exc:
                for message in exc.messages:
                    messages.error(request, message)
                return redirect("family_self_step", step=step)
            log_family(request, family, action=Action.CREATE,
                       purpose=f"own plan: written down as version {version.number}")
            messages.success(request, _("Your plan is ready. You can print it or download it."))
            return redirect("family_plan")
        if action in ("next", "save") and (form is None or form.is_valid()):
            cleaned = {}
            if form is not None:
                for name, value in form.cleaned_data.items():
                    cleaned[name] = value.isoformat() if hasattr(value, "isoformat") else value
            target = _next(step) if action == "next" else step
            self_plan_save(family=family, step=target, answers=cleaned)
            log_family(request, family, action=Action.CHANGE, purpose=f"own plan: step {step} saved")
            if action == "save":
                messages.success(request, _("Saved. You can sign in later and go on where you stopped."))
                return redirect("family_self_step", step=step)
            return redirect("family_self_step", step=target)
    log_family(request, family, purpose=f"own plan: step {step}")
    member_names = {m.pk: m.name for m in everyone}
    agreements = [{**a, "who_name": member_names.get(a["who"], "?"), "index": i}
                  for i, a in enumerate(answers.get("agreements", []))]
    return render(request, "family/self_step.html", _context(
        family, step=step, steps=SelfPlanStep.choices, step_number=STEPS.index(step) + 1,
        total=len(STEPS), form=form, person_form=person_form, agreement_form=agreement_form,
        members=members, agreements=agreements, answers=answers,
        previous=STEPS[STEPS.index(step) - 1] if step != STEPS[0] else None),
        status=400 if post else 200)


# --- the circle member's own page ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def member(request, token: str):
    """A circle member's own agreements; the whole plan only when they may receive a copy.

    The member checks in from here (issue 5): the button opens a check-in of the
    follow-up and sends them to its page, where they rate their agreements.
    """
    try:
        person = member_from_token(token)
    except links.LinkError as exc:
        return render(request, "family/link_problem.html", {"problem": exc}, status=exc.status)
    case = person.case
    if request.method == "POST":
        return _member_check_in(request, person)
    plan_obj = Plan.objects.filter(case=case).first()
    version = plan_obj.current if plan_obj else None
    agreements = list(version.agreements.filter(who=person)) if version else []
    sees_plan = bool(version and may_receive_copy(version, member=person))
    AccessLogEntry.objects.create(
        action=Action.READ, outcome="success", user=None, user_label=person.name, role="network_member",
        on_behalf_of="self", client_address=client_address(request), object_type="circlemember",
        object_id=str(person.pk), case_id=case.pk,
        purpose="circle member: own agreements" + (" and the plan" if sees_plan else ""))
    return render(request, "family/member.html", {
        "person": person, "version": version, "agreements": agreements, "sees_plan": sees_plan,
        "all_agreements": list(version.agreements.select_related("who")) if sees_plan else [],
        "answer_texts": list(version.answers.values_list("text", flat=True)) if sees_plan else [],
        "may_check_in": followup_services.may_check_in(person)})


def _member_check_in(request, person: CircleMember):
    check_in = followup_services.check_in_for_member(person)
    AccessLogEntry.objects.create(
        action=Action.CREATE, outcome="success" if check_in else "denied", user=None, user_label=person.name,
        role="network_member", on_behalf_of="self", client_address=client_address(request),
        object_type="checkin", object_id=str(check_in.pk if check_in else "-"), case_id=person.case_id,
        purpose="circle member: check-in started from their own page" if check_in
        else "circle member: check-in refused, nothing to rate")
    if check_in is None:
        messages.error(request, _("There is nothing to check in on now: the plan is not being followed up."))
        return redirect(request.path)
    return redirect("check_in", token=followup_services.check_in_token(check_in))
