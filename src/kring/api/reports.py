"""Read-only aggregate figures for regional managers and policy (DOMAIN §7: aggregates only).

Regional managers get the figures of their own regions, policy officers those of
the whole country (or one region or municipality). Every other role gets 403.
A region or municipality outside your scope is 404. Every figure that rests on
fewer than 5 families comes back with `value: null` and `suppressed: true`.
Each call that passes the checks writes one access-log row.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from kring.accounts.models import Role
from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.regions.models import Municipality, Region
from kring.reports import figures
from kring.reports.capacity import TARGETS, forecast
from kring.reports.forms import MAX_DATE, MAX_PERIOD, MIN_DATE
from kring.reports.summary import freshness

from .errors import ErrorOut, ValidationErrorOut, field_error

router = Router(tags=["reports"])

REPORT_ROLES = frozenset({Role.REGIONAL_MANAGER, Role.POLICY})
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class FiguresQuery(Schema):
    region: str | None = Field(None, max_length=40, description="A region code; empty: all your regions.")
    municipality: str | None = Field(None, max_length=6, description="A CBS code (policy only).")
    date_from: date | None = Field(None, description="First request date (default: 11 months ago, 1st).")
    date_to: date | None = Field(None, description="Last request date, included (default: today).")


class CapacityQuery(Schema):
    region: str = Field(..., max_length=40, description="A region code.")
    weeks: int = Field(8, ge=1, le=52, description="Weeks of requests to measure the arrival rate on.")
    service_hours: float | None = Field(None, gt=0, le=24 * 14,
                                        description="Hours from assignment to first contact; default: measured.")


# The figures' answer is made of plain pydantic models: a country's figures are thousands of cells,
# and ninja's `Schema` reads each field of each one through Django's template variable lookup.
class CellOut(BaseModel):
    value: float | None = Field(description="The number (shares as 0..1); null when hidden or none.")
    display: str
    suppressed: bool


class TableOut(BaseModel):
    slug: str
    title: str
    columns: list[str]
    rows: list[list[CellOut | str]]
    note: str


class ScopeOut(BaseModel):
    regions: list[str]
    municipality: str | None
    date_from: date
    date_to: date


class FiguresOut(BaseModel):
    scope: ScopeOut
    min_families: int
    refreshed_at: datetime | None = Field(
        description="When the summaries behind the figures were last brought up to date (null: not yet).")
    tables: list[TableOut]


class NeededOut(Schema):
    norm: str
    target: float
    coordinators: int | None


class CapacityOut(Schema):
    region: str
    weeks: int
    requests_per_week: float
    service_hours: float
    service_measured: bool
    coordinators: int
    expected_wait_hours: float | None
    p_start_within_24h: float
    p_contact_within_2_days: float
    needed: list[NeededOut]


def refuse_other_roles(request: HttpRequest, what: str) -> None:
    if request.user.role in REPORT_ROLES:
        return
    log_access(request, action=Action.READ, object_type="report", object_id=what, outcome=Outcome.DENIED,
               purpose="refused: figures are for regional managers and policy")
    raise PermissionDenied(_("Your role does not give access to the figures."))


def _regions_of(request: HttpRequest):
    if request.user.role == Role.POLICY:
        return Region.objects.all()
    return request.user.regions.all()


def _region(request: HttpRequest, code: str, what: str) -> Region:
    region = _regions_of(request).filter(code=code).first()
    if region is None:
        log_access(request, action=Action.READ, object_type="report", object_id=what, outcome=Outcome.DENIED,
                   purpose="refused: region outside your scope")
        raise Http404
    return region


def _cell(cell: Any) -> Any:
    if isinstance(cell, figures.Figure):
        shown = cell.shown
        return {"value": None if shown is None else float(shown), "display": cell.display,
                "suppressed": cell.suppressed}
    return str(cell)


def table_out(table: figures.Table) -> TableOut:
    """Made (and checked) once per table: a computed dashboard is kept until its figures change,
    and the answer passes the model itself, which pydantic does not check again."""
    if "api" not in table.rendered:
        table.rendered["api"] = TableOut.model_validate({
            "slug": table.slug, "title": table.title, "columns": [str(c) for c in table.columns],
            "rows": [[_cell(c) for c in row] for row in table.rows], "note": str(table.note)})
    return table.rendered["api"]


def table_json(table: figures.Table) -> str:
    """The table as the API sends it (JSON), made once per table like `table_out`."""
    if "api_json" not in table.rendered:
        table.rendered["api_json"] = json.dumps(table_out(table).model_dump(), cls=NinjaJSONEncoder)
    return table.rendered["api_json"]


def figures_response(answer: FiguresOut, tables: list[figures.Table]) -> HttpResponse:
    """What ninja would send for `answer` (the same JSON, byte for byte), with each table's JSON made once:
    dumping and encoding thousands of cells again on every call cost more CPU than the rest of the call."""
    head = json.dumps(answer.model_dump(exclude={"tables"}), cls=NinjaJSONEncoder)
    body = f'{head[:-1]}, "tables": [{", ".join(table_json(t) for t in tables)}]}}'
    return HttpResponse(body, content_type=f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}")


@router.get("/reports/figures", response={200: FiguresOut, **ERRORS}, operation_id="report_figures",
            summary="Dashboard figures (aggregates only)")
def report_figures(request: HttpRequest, filters: Query[FiguresQuery]) -> HttpResponse:
    """Every dashboard table: requests per month, request to plan, lead times against the norms,
    the circle, evaluations, outcomes, workload and the offer-moment register."""
    refuse_other_roles(request, "figures")
    default_from, default_to = figures.default_period()
    date_from, date_to = filters.date_from or default_from, filters.date_to or default_to
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if not MIN_DATE <= value <= MAX_DATE:
            raise ValidationError([field_error(("query", name), _("Choose a date between 2000 and 2100."))])
    if date_from > date_to:
        raise ValidationError([field_error(("query", "date_to"), _("Choose an end date after the start date."))])
    if date_to - date_from > MAX_PERIOD:
        raise ValidationError([field_error(("query", "date_from"), _("Choose a period of at most 5 years."))])
    regions = _regions_of(request)
    if filters.region:
        regions = regions.filter(pk=_region(request, filters.region, "figures").pk)
    municipality = None
    if filters.municipality:
        municipality = Municipality.objects.filter(cbs_code=filters.municipality, region__in=regions).first()
        if municipality is None or request.user.role != Role.POLICY:
            log_access(request, action=Action.READ, object_type="report", object_id="figures",
                       outcome=Outcome.DENIED, purpose="refused: municipality outside your scope")
            raise Http404
    scope = figures.Scope(regions=regions, date_from=date_from, date_to=date_to, municipality=municipality)
    build = figures.policy_tables if request.user.role == Role.POLICY else figures.manager_tables
    tables = build(scope)
    log_access(request, action=Action.READ, object_type="report", object_id="figures",
               purpose="aggregate figures")
    answer = FiguresOut(
        scope=ScopeOut(regions=[r.code for r in regions], municipality=municipality.cbs_code if municipality else None,
                       date_from=date_from, date_to=date_to),
        min_families=figures.MIN_FAMILIES, refreshed_at=freshness(scope), tables=[])
    return figures_response(answer, tables)


@router.get("/reports/capacity", response={200: CapacityOut, **ERRORS}, operation_id="report_capacity",
            summary="Capacity forecast of one region (Erlang C)")
def report_capacity(request: HttpRequest, query: Query[CapacityQuery]) -> dict[str, Any]:
    """The expected wait for a coordinator and the coordinators needed to keep the 24-hour start and the
    2-day contact for 80% and 95% of the families."""
    refuse_other_roles(request, "capacity")
    region = _region(request, query.region, "capacity")
    f = forecast(region, weeks=query.weeks, service_hours=query.service_hours)
    log_access(request, action=Action.READ, object_type="report", object_id="capacity",
               purpose="capacity forecast")
    return {
        "region": region.code, "weeks": f.weeks, "requests_per_week": round(f.arrival_per_week, 3),
        "service_hours": round(f.service_hours, 3), "service_measured": f.service_measured,
        "coordinators": f.coordinators,
        "expected_wait_hours": None if f.expected_wait_hours is None else round(f.expected_wait_hours, 3),
        "p_start_within_24h": round(f.p_start, 4), "p_contact_within_2_days": round(f.p_contact, 4),
        "needed": [{"norm": norm, "target": target, "coordinators": f.needed[(norm, target)]}
                   for norm in ("start", "contact") for target in TARGETS],
    }
