"""The regional manager's matching screen: suggest for all open requests, review, assign.

The proposal lives in the user's session (key `SESSION_KEY`) as plain ids: the regions
it covers, the requests in the order they go first, the proposed pairs and the requests
the manager took out. Nothing about a family is stored there; every page load rebuilds
names, wishes and explanations from the database, so a request that was handled in the
meantime drops out. The session ends with the sign-in (at most 12 hours), and so does the
proposal.

Pages answer htmx requests with the proposal fragment and plain form posts with a
redirect, so the screen also works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kring.accounts.models import Role, User
from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.access import get_case_for
from kring.cases.models import Case

from .criteria import Fit, Request, evaluate
from .explain import Unmatched, explain_unmatched, places_left
from .forms import ChangeForm, SuggestForm
from .loader import LoadedPool, load_pool
from .optimize import optimize, priority_order
from .services import ProposalRefused, proposal_assign

SESSION_KEY = "kring.matching.proposal"


@dataclass
class Proposal:
    """What the session holds: ids only."""

    regions: list[int]
    cases: list[int]
    pairs: dict[int, int]
    dropped: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, request: HttpRequest) -> Proposal | None:
        data = request.session.get(SESSION_KEY)
        if not data:
            return None
        return cls(regions=[int(r) for r in data["regions"]], cases=[int(c) for c in data["cases"]],
                   pairs={int(k): int(v) for k, v in data["pairs"].items()},
                   dropped={int(d) for d in data["dropped"]})

    def save(self, request: HttpRequest) -> None:
        request.session[SESSION_KEY] = {
            "regions": self.regions, "cases": self.cases,
            "pairs": {str(k): v for k, v in self.pairs.items()}, "dropped": sorted(self.dropped),
        }


@dataclass
class Option:
    user: User
    label: str
    selected: bool = False


@dataclass
class Row:
    case: Case
    request: Request
    coordinator: User | None = None
    fit: Fit | None = None
    why: Unmatched | None = None
    options: list[Option] = field(default_factory=list)


@dataclass
class Review:
    """A proposal, rebuilt from the database for display and for checking changes."""

    proposal: Proposal
    loaded: LoadedPool
    rows: list[Row]
    handled: int  # requests of the proposal handled in the meantime
    new: int  # open requests that came in after the proposal was made

    @property
    def paired(self) -> list[Row]:
        return [r for r in self.rows if r.coordinator is not None]

    @property
    def unpaired(self) -> list[Row]:
        return [r for r in self.rows if r.coordinator is None]

    def row(self, case_id: int) -> Row | None:
        return next((r for r in self.rows if r.case.pk == case_id), None)


def _require_manager(user) -> None:
    if not user.has_role(Role.REGIONAL_MANAGER):
        raise PermissionDenied


def _my_region_ids(user: User, wanted: list[int] | None = None) -> list[int]:
    mine = list(user.regions.values_list("pk", flat=True))
    return [r for r in mine if wanted is None or r in wanted]


def _review(request: HttpRequest, proposal: Proposal) -> Review:
    """Rebuild the proposal for the signed-in user; only their regions, only open requests."""
    loaded = load_pool(user=request.user, region_ids=_my_region_ids(request.user, proposal.regions))
    in_proposal = [c for c in proposal.cases if c in loaded.cases]
    # Keep only live pairs: open request, coordinator still in the pool.
    proposal.pairs = {c: u for c, u in proposal.pairs.items() if c in loaded.cases and u in loaded.users}
    pool = loaded.pool
    requests = {r.id: r for r in pool.requests}
    coordinators = {c.id: c for c in pool.coordinators}
    left = places_left(pool, proposal.pairs)
    reasons = explain_unmatched(pool, proposal.pairs, proposal.dropped)
    rows = []
    for case_id in in_proposal:
        req = requests[case_id]
        current = proposal.pairs.get(case_id)
        row = Row(case=loaded.cases[case_id], request=req)
        if current is not None:
            row.coordinator = loaded.users[current]
            row.fit = evaluate(req, coordinators[current])
        else:
            row.why = reasons.get(case_id)
        candidates = []
        for c in pool.coordinators:
            if c.id != current and left.get(c.id, 0) <= 0:
                continue
            fit = evaluate(req, c)
            if fit.eligible:
                candidates.append((c, fit))
        candidates.sort(key=lambda cf: (cf[0].id != current, -cf[1].score, -left[cf[0].id]))
        row.options = [Option(user=loaded.users[c.id], label=_option_label(c.name, fit, left[c.id]),
                              selected=c.id == current) for c, fit in candidates]
        rows.append(row)
    return Review(proposal=proposal, loaded=loaded, rows=rows,
                  handled=len(proposal.cases) - len(in_proposal),
                  new=len(set(loaded.cases) - set(proposal.cases)))


def _option_label(name: str, fit: Fit, left: int) -> str:
    """'Samira Bakker (speaks Arabic; 2 places left)'."""
    places = ngettext("%(count)s place left", "%(count)s places left", left) % {"count": left}
    if not fit.met and not fit.unmet:  # the family has no wishes
        return f"{name} ({places})"
    wishes = ", ".join(fit.met) if fit.met else _("no wishes met")
    return f"{name} ({wishes}; {places})"


def _respond(request: HttpRequest, proposal: Proposal | None) -> HttpResponse:
    """Save the proposal; answer htmx with the proposal fragment, a plain post with a redirect."""
    if proposal:
        proposal.save(request)
    if not request.htmx:
        return redirect("matching")
    review = _review(request, proposal) if proposal else None
    if proposal:
        proposal.save(request)  # `_review` drops pairs that are no longer possible
    return render(request, "matching/_proposal.html", {"review": review, "htmx_messages": True})


@login_required
@require_GET
def matching(request: HttpRequest) -> HttpResponse:
    """The screen: a button to suggest, and the current proposal if there is one."""
    _require_manager(request.user)
    proposal = Proposal.load(request)
    review = None
    if proposal:
        review = _review(request, proposal)
        proposal.save(request)
        log_access(request, action=Action.SEARCH, object_type="matching", object_id="-",
                   purpose="matching proposal")
    regions = request.user.regions.order_by("name")
    return render(request, "matching/matching.html", {
        "review": review, "form": SuggestForm(regions=regions),
    })


@login_required
@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    """Solve for all open requests of the manager's regions (or one of them)."""
    _require_manager(request.user)
    form = SuggestForm(request.POST, regions=request.user.regions.all())
    if not form.is_valid():
        messages.error(request, _("Choose one of your regions."))
        return _respond(request, Proposal.load(request))
    region = form.cleaned_data["region"]
    region_ids = _my_region_ids(request.user, None if region is None else [region])
    loaded = load_pool(user=request.user, region_ids=region_ids)
    plan = optimize(loaded.pool)
    order = [loaded.pool.requests[i].id for i in priority_order(loaded.pool.requests)]
    proposal = Proposal(regions=region_ids, cases=order, pairs=dict(plan.assignment))
    proposal.save(request)
    for case_id in order:
        log_access(request, action=Action.READ, obj=loaded.cases[case_id],
                   purpose="matching proposal: suggest")
    if not order:
        messages.info(request, _("There are no open requests without a coordinator."))
    return _respond(request, proposal)


@login_required
@require_POST
def change(request: HttpRequest) -> HttpResponse:
    """Choose another coordinator for one request, or take it out of the proposal."""
    _require_manager(request.user)
    proposal = Proposal.load(request)
    form = ChangeForm(request.POST)
    if proposal is None or not form.is_valid() or form.cleaned_data["case"] not in proposal.cases:
        messages.error(request, _("This request is not in the proposal. Suggest again."))
        return _respond(request, proposal)
    case = get_case_for(request.user, form.cleaned_data["case"], "assign", request=request)
    review = _review(request, proposal)
    row = review.row(case.pk)
    if row is None:
        messages.error(request, _("%(reference)s is no longer open.") % {"reference": case.reference})
        return _respond(request, proposal)
    if form.cleaned_data["drop"]:
        proposal.pairs.pop(case.pk, None)
        proposal.dropped.add(case.pk)
        log_access(request, action=Action.READ, obj=case, purpose="matching proposal: taken out")
        messages.success(request, _("%(reference)s is out of the proposal.") % {"reference": case.reference})
        return _respond(request, proposal)
    chosen = form.cleaned_data["coordinator"]
    if chosen is None:
        messages.error(request, _("Choose a coordinator from the list."))
        return _respond(request, proposal)
    option = next((o for o in row.options if o.user.pk == chosen), None)
    if option is None:
        log_access(request, action=Action.READ, obj=case, outcome=Outcome.DENIED,
                   purpose="matching proposal: change refused")
        messages.error(request, _refusal(review, row, chosen))
        return _respond(request, proposal)
    proposal.pairs[case.pk] = chosen
    proposal.dropped.discard(case.pk)
    log_access(request, action=Action.READ, obj=case, purpose="matching proposal: pair changed")
    messages.success(request, _("%(reference)s: %(name)s is now proposed.")
                     % {"reference": case.reference, "name": option.user.display_name})
    return _respond(request, proposal)


def _refusal(review: Review, row: Row, chosen: int) -> str:
    """Why the chosen coordinator cannot take the request, in one sentence."""
    coordinator = next((c for c in review.loaded.pool.coordinators if c.id == chosen), None)
    if coordinator is None:
        why = _("does not work in this region")
        name = _("This coordinator")
    else:
        name = coordinator.name
        blockers = evaluate(row.request, coordinator).blockers
        why = "; ".join(blockers) if blockers else _("no places left in this proposal")
    return _("%(name)s cannot take %(reference)s: %(why)s. Nothing was changed.") % {
        "name": name, "reference": row.case.reference, "why": why}


@login_required
@require_POST
def assign(request: HttpRequest) -> HttpResponse:
    """Assign every proposed pair in one transaction; refuse all if one fails."""
    _require_manager(request.user)
    proposal = Proposal.load(request)
    pairs = [(c, proposal.pairs[c]) for c in proposal.cases if c in proposal.pairs] if proposal else []
    if not pairs:
        messages.error(request, _("There is nothing to assign."))
        return _respond(request, proposal)
    try:
        cases = proposal_assign(pairs=pairs, by=request.user)
    except ProposalRefused as exc:
        log_access(request, action=Action.CHANGE, object_type="case", object_id=exc.case_id,
                   case_id=exc.case_id if exc.visible else None, outcome=Outcome.DENIED,
                   purpose="assign coordinator refused (matching proposal)")
        what = exc.reference or _("A request")
        messages.error(request, _("Nothing was assigned. %(reference)s: %(why)s") % {
            "reference": what, "why": " ".join(exc.messages)})
        return _respond(request, proposal)
    for case in cases:
        log_access(request, action=Action.CHANGE, obj=case, purpose="assign coordinator (matching proposal)")
    request.session.pop(SESSION_KEY, None)
    messages.success(request, ngettext(
        "%(count)s coordinator assigned. We sent them an e-mail.",
        "%(count)s coordinators assigned. We sent each of them an e-mail.", len(cases)) % {"count": len(cases)})
    return _respond(request, None)
