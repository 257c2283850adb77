"""The coordinator's and regional manager's page for a family's AVG rights on one case."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kring.audit.log import log_access
from kring.audit.models import Action
from kring.cases.access import get_case_for

from .export import case_export
from .models import CorrectionRequest, DestructionException, DestructionRequest
from .services import (
    correction_request_handle,
    correction_request_record,
    destruction_request_decide,
    destruction_request_record,
)


def _item(model, case, pk):
    try:
        return model.objects.get(pk=int(pk), case=case)
    except (ValueError, TypeError, model.DoesNotExist):
        raise Http404 from None


@login_required
def case_privacy(request, case_id: int):
    case = get_case_for(request.user, case_id, "change", request=request)
    if request.method == "POST":
        post, action = request.POST, request.POST.get("action", "")
        try:
            if action == "record_destruction":
                destruction_request_record(case=case, requested_by=post.get("requested_by", ""),
                                           by=request.user, request=request)
                messages.success(request, _("The request to destroy the file is recorded."))
            elif action == "decide_destruction":
                destruction_request_decide(
                    item=_item(DestructionRequest, case, post.get("item")),
                    approve=post.get("approve") == "yes", exception=post.get("exception", ""),
                    reason=post.get("reason", ""), by=request.user, request=request)
                messages.success(request, _("The decision is recorded."))
            elif action == "record_correction":
                correction_request_record(case=case, requested_by=post.get("requested_by", ""),
                                          what=post.get("what", ""),
                                          requested_change=post.get("requested_change", ""),
                                          by=request.user, request=request)
                messages.success(request, _("The request for a correction is recorded."))
            elif action == "handle_correction":
                correction_request_handle(
                    item=_item(CorrectionRequest, case, post.get("item")),
                    corrected=post.get("corrected") == "yes", response=post.get("response", ""),
                    by=request.user, request=request)
                messages.success(request, _("The answer is recorded."))
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("case_privacy", case_id=case.pk)
    log_access(request, action=Action.READ, obj=case, purpose="the family's privacy requests")
    return render(request, "privacy/case_privacy.html", {
        "case": case,
        "main_persons": case.persons.filter(is_main_person=True),
        "destructions": case.destruction_requests.select_related("decided_by", "recorded_by"),
        "corrections": case.correction_requests.select_related("handled_by"),
        "exceptions": [c for c in DestructionException.choices if c[0]],
        "can_decide": request.user.role == "regional_manager",
    })


@login_required
def case_export_download(request, case_id: int):
    """The family's export: `?person=<main person id>&format=pdf|json` downloads (ids only, no names);
    without a format it shows the choice."""
    case = get_case_for(request.user, case_id, "change", request=request)
    persons = case.persons.filter(is_main_person=True)
    fmt = request.GET.get("format")
    if fmt not in ("pdf", "json"):
        # Without a format: a page to choose the person and the format (no download yet).
        log_access(request, action=Action.READ, obj=case, purpose="the family's export: choose")
        return render(request, "privacy/case_export.html", {"case": case, "main_persons": persons})
    person_id = request.GET.get("person")
    person = persons.filter(pk=person_id).first() if person_id and person_id.isdigit() else persons.first()
    if person is None:
        raise Http404
    pdf, data = case_export(case, person, request=request)
    if fmt == "json":
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                                content_type="application/json; charset=utf-8")
        name = f"kring-{case.reference}-{person.pk}.json"
    else:
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"kring-{case.reference}-{person.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
