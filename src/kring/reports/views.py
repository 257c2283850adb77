"""Pages of the reports app.

- `/dashboard/` for regional managers (their regions) and `/figures/` for policy
  (the country, by region and municipality): aggregates only, small cells hidden.
  Every export writes one access-log row (EXPORT).
- `/offers/` and `/cases/<id>/offers/new/`: the professional's offer-moment register.
- `/fees/`: monthly fee statements for the regional manager and the coordinator.

Policy never gets a page with a person on it: the offer and fee pages refuse them.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kring.accounts.models import Role, User
from kring.audit.log import log_access
from kring.audit.models import Action
from kring.cases.access import get_case_for
from kring.cases.models import TriggerMoment
from kring.regions.models import Region

from . import exports, fees, figures, offers
from .capacity import TARGETS, kept
from .forms import FilterForm, OfferForm
from .models import Answer, Offer
from .summary import freshness
from .svg import capacity_chart, table_chart

MAX_FORECAST_REGIONS = 4


def _require_role(request, *roles: str) -> None:
    if request.user.role not in roles:
        raise PermissionDenied(_("Your role does not give access to this page."))


# --- dashboards ---------------------------------------------------------------------------


def _manager_form(request) -> FilterForm:
    return FilterForm(request.GET or None, regions=request.user.regions.all())


def _policy_form(request) -> FilterForm:
    return FilterForm(request.GET or None, regions=Region.objects.all(), with_municipality=True,
                      all_label=_("All regions"))


def _scope(form: FilterForm) -> figures.Scope:
    return figures.Scope(**form.scope_values())


def _scope_line(scope: figures.Scope) -> str:
    where = scope.municipality.name if scope.municipality else ", ".join(r.name for r in scope.regions)
    return _("%(where)s · requests from %(start)s until %(end)s") % {
        "where": where, "start": scope.date_from.isoformat(), "end": scope.date_to.isoformat()}


def _freshness_line(scope: figures.Scope | None = None) -> str:
    at = freshness(scope)
    if at is None:
        return _("The figures are being computed for the first time.")
    return _("Figures updated on %(day)s at %(time)s.") % {
        "day": formats.date_format(at, "j F Y"), "time": formats.time_format(at, "H:i")}


def _render_dashboard(request, *, form, scope, tables, title, export_url, forecasts=()):
    query = {k: v for k, v in request.GET.items() if k in ("region", "municipality", "date_from", "date_to")}
    return render(request, "reports/dashboard.html", {
        "freshness": _freshness_line(scope),
        "title": title, "form": form, "scope": form.scope_values(),
        "tables": [(t, table_chart(t)) for t in tables],
        "any_suppressed": any(t.has_suppressed for t in tables), "suppressed_note": figures.SUPPRESSED_NOTE,
        "export_url": export_url, "query": urlencode(query), "forecasts": forecasts, "targets": TARGETS,
    })


@login_required
@require_GET
def dashboard(request):
    """The regional manager's figures for their regions, with the capacity forecast."""
    _require_role(request, Role.REGIONAL_MANAGER)
    form = _manager_form(request)
    scope = _scope(form)
    forecasts = [kept(region, capacity_chart) for region in list(scope.regions)[:MAX_FORECAST_REGIONS]]
    return _render_dashboard(request, form=form, scope=scope, tables=figures.manager_tables(scope),
                             title=_("Dashboard of my regions"), export_url="dashboard_export",
                             forecasts=forecasts)


@login_required
@require_GET
def policy_figures(request):
    """Figures for municipalities and policy: the country, by region and municipality, aggregated only."""
    _require_role(request, Role.POLICY)
    form = _policy_form(request)
    scope = _scope(form)
    return _render_dashboard(request, form=form, scope=scope, tables=figures.policy_tables(scope),
                             title=_("Figures for policy"), export_url="figures_export")


def _export(request, form: FilterForm, build_tables) -> HttpResponse:
    fmt = request.GET.get("format", "xlsx")
    slug = request.GET.get("table", "all")
    if fmt not in ("csv", "xlsx") or (slug != "all" and slug not in figures.TABLE_SLUGS) or (
            fmt == "csv" and slug == "all"):
        raise Http404
    scope = _scope(form)
    tables = build_tables(scope)
    if slug != "all":
        tables = [t for t in tables if t.slug == slug]
        if not tables:
            raise Http404
    log_access(request, action=Action.EXPORT, object_type="report", object_id=f"{slug}.{fmt}",
               purpose=f"export of aggregate figures ({_scope_line(scope)})"[:200])
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(exports.table_csv(tables[0]), content_type=exports.CSV_TYPE)
    else:
        response = HttpResponse(exports.tables_xlsx(tables, scope_line=f"{_scope_line(scope)} · {_freshness_line(scope)}"),
                                content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="kring-{slug}-{stamp}.{fmt}"'
    return response


@login_required
@require_GET
def dashboard_export(request):
    _require_role(request, Role.REGIONAL_MANAGER)
    return _export(request, _manager_form(request), figures.manager_tables)


@login_required
@require_GET
def figures_export(request):
    _require_role(request, Role.POLICY)
    return _export(request, _policy_form(request), figures.policy_tables)


# --- the offer-moment register ------------------------------------------------------------


@login_required
@require_GET
def offer_list(request):
    """The professional's offers: reminders that are due, coming reminders, and the recent offers."""
    _require_role(request, Role.PROFESSIONAL)
    today = timezone.localdate()
    org = request.user.organisation
    org_table = None
    if org:
        qs = Offer.objects.filter(organisation=org, offered_on__gte=figures.default_period(today)[0])
        org_table = figures.Table("offers_of_organisation", _("Offers of my organisation in the last 12 months"),
                                  [_("Moment"), *map(str, figures.OFFER_COLUMNS)],
                                  figures.offer_rows(qs, "moment", dict(TriggerMoment.choices)))
    return render(request, "reports/offers.html", {
        "due": list(offers.offers_due(request.user, today=today)),
        "upcoming": list(offers.offers_upcoming(request.user, today=today)[:50]),
        "recent": list(offers.offers_of(request.user)[:20]),
        "org_table": org_table, "suppressed_note": figures.SUPPRESSED_NOTE,
    })


@login_required
@require_http_methods(["GET", "POST"])
def offer_new(request, case_id: int):
    """Record that a family group plan was offered to the family of this case."""
    case = get_case_for(request.user, case_id, "view", request=request)
    if not offers.may_record_offer(request.user, case):
        raise PermissionDenied(_("Only a professional of this case can record an offer."))
    initial = {"exemption": offers.default_exemption(case), "moment": case.trigger_moment,
               "offered_on": timezone.localdate()}
    form = OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            offer = offers.offer_record(case=case, by=request.user, moment=data["moment"], answer=data["answer"],
                                        reason=data.get("reason") or "", exemption=data.get("exemption") or "",
                                        offer_again_on=data.get("offer_again_on"), offered_on=data["offered_on"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            log_access(request, action=Action.CREATE, obj=case, purpose="offer of a family group plan recorded")
            messages.success(request, _("The offer is saved.") + (
                " " + _("You get a reminder on %(date)s.") % {"date": offer.offer_again_on.isoformat()}
                if offer.offer_again_on else ""))
            return redirect("offer_list")
    else:
        log_access(request, action=Action.READ, obj=case, purpose="offer form")
    return render(request, "reports/offer_form.html", {"case": case, "form": form, "Answer": Answer},
                  status=422 if request.method == "POST" else 200)


@login_required
@require_POST
def offer_done(request):
    """Dismiss the reminder of one of my offers."""
    _require_role(request, Role.PROFESSIONAL)
    try:
        offer = offers.offers_of(request.user).get(pk=int(request.POST.get("offer", "")))
    except (ValueError, Offer.DoesNotExist):
        raise Http404 from None
    offers.offer_reminder_done(offer=offer, by=request.user)
    messages.success(request, _("The reminder is done."))
    return redirect("offer_list")


# --- coordinator fees --------------------------------------------------------------------


def _month(value: str | None) -> tuple[int, int]:
    """'2026-01' → (2026, 1); default: last month."""
    if value:
        try:
            year, month = (int(p) for p in value.split("-"))
            date(year, month, 1)
            return year, month
        except ValueError:
            raise Http404 from None
    first = timezone.localdate().replace(day=1)
    return (first.year - 1, 12) if first.month == 1 else (first.year, first.month - 1)


def _coordinators_of(manager: User):
    return User.objects.filter(role=Role.COORDINATOR, coordinator_profile__regions__in=manager.regions.all()
                               ).distinct().order_by("first_name", "last_name", "id")


def _fee_subject(request) -> tuple[User, object]:
    """The coordinator whose statement is asked for, and the regions it is limited to (None: all)."""
    user = request.user
    if user.role == Role.COORDINATOR:
        if request.GET.get("coordinator") not in (None, "", str(user.pk)):
            raise Http404
        return user, None
    if user.role == Role.REGIONAL_MANAGER:
        try:
            coordinator = _coordinators_of(user).get(pk=int(request.GET.get("coordinator", "")))
        except (ValueError, User.DoesNotExist):
            raise Http404 from None
        return coordinator, user.regions.all()
    raise PermissionDenied(_("Your role does not give access to this page."))


def _last_months(count: int = 12) -> list[str]:
    year, month = _month(None)
    out = []
    for _i in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


@login_required
@require_GET
def fee_list(request):
    _require_role(request, Role.REGIONAL_MANAGER, Role.COORDINATOR)
    months = _last_months()
    month = request.GET.get("month") if request.GET.get("month") in months else months[0]
    year, mon = _month(month)
    if request.user.role == Role.COORDINATOR:
        rows = [(request.user, fees.statement(request.user, year, mon))]
    else:
        rows = [(c, fees.statement(c, year, mon, regions=request.user.regions.all()))
                for c in _coordinators_of(request.user)]
    return render(request, "reports/fees.html", {"rows": rows, "months": months, "month": month})


@login_required
@require_GET
def fee_statement(request):
    """One coordinator's statement of one month, as PDF or CSV."""
    _require_role(request, Role.REGIONAL_MANAGER, Role.COORDINATOR)
    coordinator, regions = _fee_subject(request)
    fmt = request.GET.get("format", "pdf")
    if fmt not in ("pdf", "csv"):
        raise Http404
    year, month = _month(request.GET.get("month"))
    st = fees.statement(coordinator, year, month, regions=regions)
    log_access(request, action=Action.EXPORT, object_type="fee_statement",
               object_id=f"{coordinator.pk}:{st.slug}.{fmt}", purpose="coordinator fee statement")
    if fmt == "csv":
        response = HttpResponse(fees.statement_csv(st), content_type=exports.CSV_TYPE)
    else:
        response = HttpResponse(fees.statement_pdf(st), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kring-fees-{coordinator.pk}-{st.slug}.{fmt}"'
    return response
