"""Access-matrix expectations for the conference pages and API operations.

`MATRIX` is merged into `kring/core/tests/test_matrix.py` (the world's case is
a request with the coordinator assigned and no conference yet). Pages that
need a conference redirect back to the overview (302) for the people who may
change the case.

`API_OPERATIONS` has the format of `kring.api.matrix.API_OPERATIONS`; it is
walked by `kring/api/tests/test_conferences.py` and can be appended to the
shared list.
"""

from __future__ import annotations

from typing import Any

from kring.testing.matrix import LOGIN, row

PREP_CODES = [
    "visit_parents", "visit_network", "contact_professionals", "prepare_children", "venue", "date_time",
    "interpreter", "childcare", "food_customs", "remote_link", "safety",
]
CHECKLIST_DATA = {f"{code}-status": "open" for code in PREP_CODES}

_READ = {"manager": 200, "coordinator": 200, "professional": 200, "linked_professional": 200}
_CHANGE_FORBIDDEN = {"professional": 403, "linked_professional": 403}


def _change(status: int) -> dict[str, int]:
    return row(404, anonymous=LOGIN, manager=status, coordinator=status, **_CHANGE_FORBIDDEN)


MATRIX = {
    "conference_prepare": ("get", "/cases/{case_id}/conference/", None, row(404, anonymous=LOGIN, **_READ)),
    "conference_checklist": ("post", "/cases/{case_id}/conference/checklist/", CHECKLIST_DATA, _change(302)),
    "conference_edit": ("get", "/cases/{case_id}/conference/edit/", None, _change(200)),
    "conference_record": ("get", "/cases/{case_id}/conference/record/", None, _change(302)),
    "conference_hold": ("post", "/cases/{case_id}/conference/held/", {}, _change(302)),
    "conference_invite": ("post", "/cases/{case_id}/conference/invitations/", {}, _change(302)),
    "conference_invitation_resend": (
        "post", "/cases/{case_id}/conference/invitations/999999999/resend/", {}, _change(404)),
    # A link that is not a token: the same kind page for everybody, signed in or not.
    "invitation_answer": ("get", "/i/not-a-personal-link/", None, row(404)),
}


# --- API -----------------------------------------------------------------------------------

PERSONAS = (
    "anonymous", "manager", "coordinator", "professional", "linked_professional", "policy",
    "admin", "stranger_manager", "stranger_coordinator", "stranger_professional",
)
_CASE_STRANGERS = {"stranger_manager": 404, "stranger_coordinator": 404, "stranger_professional": 404}


def _statuses(default: int, **by_persona: int) -> dict[str, int]:
    statuses = dict.fromkeys(PERSONAS, default)
    statuses.update(anonymous=401, policy=403, admin=403, **_CASE_STRANGERS)
    statuses.update(by_persona)
    return statuses


def _changes(status: int) -> dict[str, int]:
    """Coordinator and manager get `status`; the professionals 403."""
    return _statuses(status, professional=403, linked_professional=403)


def preparation_body(world: Any = None) -> dict[str, Any]:
    return {"items": [{"code": "visit_parents", "status": "done", "note": "Moeder thuis bezocht."}]}


def conference_body(world: Any = None) -> dict[str, Any]:
    """Valid, but the world's case is still a request: 409 for the people who may change it."""
    return {"starts_at": "2099-06-05T10:00:00+02:00", "venue": "Buurthuis De Linde"}


def record_body(world: Any = None) -> dict[str, Any]:
    return {"parts": [], "presences": []}


def invite_body(world: Any = None) -> dict[str, Any]:
    return {"member_ids": [], "channels": ["email"]}


API_OPERATIONS: list[dict[str, Any]] = [
    {"operation_id": "get_preparation", "method": "GET", "path": "/api/cases/{case_id}/preparation",
     "body": None, "expected": _statuses(200)},
    {"operation_id": "update_preparation", "method": "PUT", "path": "/api/cases/{case_id}/preparation",
     "body": preparation_body, "expected": _changes(200)},
    {"operation_id": "get_conference", "method": "GET", "path": "/api/cases/{case_id}/conference",
     "body": None, "expected": _statuses(200)},
    {"operation_id": "save_conference", "method": "PUT", "path": "/api/cases/{case_id}/conference",
     "body": conference_body, "expected": _changes(409)},
    {"operation_id": "record_conference", "method": "PUT", "path": "/api/cases/{case_id}/conference/record",
     "body": record_body, "expected": _changes(409)},
    {"operation_id": "hold_conference", "method": "POST", "path": "/api/cases/{case_id}/conference/held",
     "body": None, "expected": _changes(409)},
    {"operation_id": "send_invitations", "method": "POST", "path": "/api/cases/{case_id}/conference/invitations",
     "body": invite_body, "expected": _changes(409)},
]
