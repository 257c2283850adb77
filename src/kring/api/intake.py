"""POST /api/requests: a professional sends a request, checked by the web page's forms."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import ValidationError
from pydantic import BaseModel

from kring.accounts.models import Role, User
from kring.audit.log import log_access
from kring.audit.models import Action, Outcome
from kring.cases.models import Channel, RequesterKind
from kring.intake.forms import (
    ChildFormSet,
    ParentFormSet,
    ProfessionalFormSet,
    ProfessionalRequestForm,
    phone_numbers_need_consent,
)
from kring.intake.services import ConsentMissing, RequestData, request_submit

from .errors import ErrorOut, ValidationErrorOut, field_error, form_errors, formset_errors
from .schemas import CaseCreatedOut, RequestIn

router = Router(tags=["requests"])

BODY = ("body", "payload")
# JSON list name -> (formset class, form prefix)
ROWS = {
    "parents": (ParentFormSet, "parent"),
    "children": (ChildFormSet, "child"),
    "professionals": (ProfessionalFormSet, "prof"),
}


def _rows_data(prefix: str, rows: list[BaseModel]) -> dict[str, Any]:
    """Formset data, as the browser would post it, for a list of JSON rows."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
    }
    for index, row in enumerate(rows):
        for name, value in row.model_dump().items():
            if value is not None:
                data[f"{prefix}-{index}-{name}"] = value
    return data


def request_data_from(payload: RequestIn, user: User) -> RequestData:
    """Check a request like the professional's web form does, or raise a 422 error list.

    Nothing is written to the database here.
    """
    fields = payload.model_dump(exclude=set(ROWS))
    if fields["requester_professional_kind"] is None:
        fields["requester_professional_kind"] = user.professional_kind
    form = ProfessionalRequestForm(fields)
    formsets = {
        name: formset_class(_rows_data(prefix, getattr(payload, name)), prefix=prefix)
        for name, (formset_class, prefix) in ROWS.items()
    }
    valid = all([form.is_valid(), *(fs.is_valid() for fs in formsets.values())])
    if valid:
        # Evaluate both: every row with a phone number gets its own error.
        missing = [phone_numbers_need_consent(form, formsets[name]) for name in ("parents", "children")]
        valid = not any(missing)
    if not valid:
        errors = form_errors(form, BODY)
        for name, formset in formsets.items():
            errors.extend(formset_errors(formset, (*BODY, name)))
        raise ValidationError(errors)
    known = RequestData.__dataclass_fields__
    return RequestData(
        **{k: v for k, v in form.cleaned_data.items() if k in known},
        requester_kind=RequesterKind.PROFESSIONAL,
        requester_name=user.display_name,
        requester_email=user.email,
        requester_organisation=user.organisation,
        parents=formsets["parents"].filled_rows(),
        children=formsets["children"].filled_rows(),
        professionals=formsets["professionals"].filled_rows(),
    )


@router.post(
    "/requests",
    response={201: CaseCreatedOut, 403: ErrorOut, 422: ValidationErrorOut},
    operation_id="submit_request",
    summary="Send a request for a family group conference",
)
def submit_request(request: HttpRequest, payload: RequestIn) -> Status:
    """Create a case from a professional's request; the caller becomes its referrer.

    The same rules as the professional's web form apply. On any error the
    answer is 422 with one translated message per field, and nothing is saved.
    Only professionals may send requests (403 for other roles).
    """
    user = request.user
    if user.role != Role.PROFESSIONAL:
        log_access(request, action=Action.CREATE, object_type="case", object_id="-",
                   outcome=Outcome.DENIED, purpose="refused: only professionals send requests")
        raise PermissionDenied(_("Only professionals can send a request."))
    data = request_data_from(payload, user)
    try:
        case = request_submit(data=data, channel=Channel.API, by=user,
                              language=translation.get_language())
    except ConsentMissing:
        raise ValidationError([field_error(
            (*BODY, "phone_consent"),
            _("Tick the box about phone numbers, or leave the phone numbers empty."),
            "phone_consent",
        )]) from None
    except DjangoValidationError as exc:
        # The case itself refused a value that the form let through (e.g. the
        # account has no e-mail address); the transaction was rolled back.
        raise ValidationError([
            field_error(BODY if name == "__all__" else (*BODY, name), message, "invalid")
            for name, messages in exc.message_dict.items() for message in messages
        ]) from None
    log_access(request, action=Action.CREATE, obj=case)
    return Status(201, {"id": case.pk, "reference": case.reference, "state": case.state,
                        "region": case.region.name})
