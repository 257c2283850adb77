"""JSON errors with translated messages, in one shape for the whole API.

Every error body is `{"detail": "..."}`; validation errors are
`{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`, whether pydantic
refused the shape of the input or a Django form refused its content.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

Loc = Sequence[str | int]


class ErrorOut(Schema):
    detail: str
    code: str | None = None


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


def _pydantic_message(error: dict[str, Any]) -> str:
    """The message for a pydantic error, in words Django has already translated.

    Lengths are not limited in the schemas: the Django forms check them and
    say how long the text is.
    """
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("enum", "literal_error"):
        return _("Select a valid choice. That choice is not one of the available choices.")
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind.startswith("date"):
        return _("Enter a valid date.")
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge")
        }
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le")
        }
    if kind == "json_invalid":
        return _("Enter a valid JSON.")
    if kind == "list_type":
        return _("Enter a list of values.")
    return _("Enter a valid value.")


def _translated(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for error in errors:
        msg = error["msg"] if error.get("translated") else _pydantic_message(error)
        out.append({"loc": list(error["loc"]), "msg": str(msg), "type": error.get("type", "invalid")})
    return out


def field_error(loc: Loc, msg: str, kind: str = "invalid") -> dict[str, Any]:
    """One already translated error, for `ninja.errors.ValidationError`."""
    return {"loc": list(loc), "msg": str(msg), "type": kind, "translated": True}


def form_errors(form: forms.BaseForm, loc: Loc) -> list[dict[str, Any]]:
    """The errors of a bound Django form, located under `loc`."""
    out = []
    for name, errors in form.errors.as_data().items():
        where = loc if name == NON_FIELD_ERRORS else (*loc, name)
        for error in errors:
            for message in error.messages:
                out.append(field_error(where, message, error.code or "invalid"))
    return out


def formset_errors(formset: forms.BaseFormSet, loc: Loc) -> list[dict[str, Any]]:
    """The errors of a bound formset: the rows under `loc + [index]`, the whole under `loc`."""
    out = [field_error(loc, message, "invalid") for message in formset.non_form_errors()]
    for index, row in enumerate(formset.forms):
        out.extend(form_errors(row, (*loc, index)))
    return out


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api`; they replace ninja's English defaults."""

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": _translated(exc.errors)}, status=422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(
            request, {"detail": _("Sign in, or send an API token: Authorization: Bearer kr_...")},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="kring"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = str(exc)
        if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = _("The request body is not valid JSON.")
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or _("You may not do this.")
        return api.create_response(request, {"detail": detail}, status=403)
