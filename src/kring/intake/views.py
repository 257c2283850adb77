from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kring.accounts.models import Role
from kring.audit.log import log_access
from kring.audit.models import Action
from kring.cases.models import Channel, RequesterKind
from kring.regions.models import Municipality

from .forms import (
    ChildFormSet,
    ParentFormSet,
    ProfessionalFormSet,
    ProfessionalRequestForm,
    PublicRequestForm,
    phone_numbers_need_consent,
)
from .services import RequestData, request_submit

THANKS_SESSION_KEY = "kring_request_reference"


def _municipality_names() -> list[str]:
    return list(Municipality.objects.filter(note="").values_list("name", flat=True))


def _data_from(form, parents, children, professionals=None, **extra) -> RequestData:
    fields = {k: v for k, v in form.cleaned_data.items() if k in RequestData.__dataclass_fields__}
    return RequestData(
        **fields, **extra,
        parents=parents.filled_rows(), children=children.filled_rows(),
        professionals=professionals.filled_rows() if professionals is not None else [],
    )


@require_http_methods(["GET", "POST"])
def public_request(request):
    """The request form for a family, or anyone asking for a family; no account needed."""
    data = request.POST if request.method == "POST" else None
    form = PublicRequestForm(data)
    parents = ParentFormSet(data, prefix="parent")
    children = ChildFormSet(data, prefix="child")
    if request.method == "POST":
        valid = all([form.is_valid(), parents.is_valid(), children.is_valid()])
        if valid and not phone_numbers_need_consent(form, parents, children):
            case = request_submit(
                data=_data_from(form, parents, children),
                channel=Channel.PUBLIC, language=translation.get_language(),
            )
            log_access(request, action=Action.CREATE, obj=case)
            request.session[THANKS_SESSION_KEY] = case.reference
            return redirect("public_request_thanks")
    return render(request, "intake/public_request.html", {
        "form": form, "parents": parents, "children": children,
        "municipalities": _municipality_names(),
    }, status=400 if request.method == "POST" else 200)


def public_request_thanks(request):
    reference = request.session.pop(THANKS_SESSION_KEY, None)
    if reference is None:
        return redirect("public_request")
    return render(request, "intake/public_request_thanks.html", {"reference": reference})


@login_required
@require_http_methods(["GET", "POST"])
def professional_request(request):
    """The request form for a signed-in professional, who becomes linked to the case."""
    if request.user.role != Role.PROFESSIONAL:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = ProfessionalRequestForm(data, initial={
        "requester_professional_kind": request.user.professional_kind
    })
    parents = ParentFormSet(data, prefix="parent")
    children = ChildFormSet(data, prefix="child")
    professionals = ProfessionalFormSet(data, prefix="prof")
    if request.method == "POST":
        valid = all([form.is_valid(), parents.is_valid(), children.is_valid(), professionals.is_valid()])
        if valid and not phone_numbers_need_consent(form, parents, children):
            user = request.user
            case = request_submit(
                data=_data_from(
                    form, parents, children, professionals,
                    requester_kind=RequesterKind.PROFESSIONAL, requester_name=user.display_name,
                    requester_email=user.email,
                    requester_organisation=user.organisation,
                ),
                channel=Channel.PROFESSIONAL, by=user, language=translation.get_language(),
            )
            log_access(request, action=Action.CREATE, obj=case)
            messages.success(request, _("Request %(ref)s has been sent to region %(region)s.")
                             % {"ref": case.reference, "region": case.region.name})
            return redirect("case_detail", case_id=case.pk)
    return render(request, "intake/professional_request.html", {
        "form": form, "parents": parents, "children": children, "professionals": professionals,
        "municipalities": _municipality_names(),
    }, status=400 if request.method == "POST" else 200)
