"""The circle's API operations with the status each persona gets (format of `matrix.py`).

Each entry of `API_OPERATIONS` holds `operation_id`, `method`, `path` (the
OpenAPI path), `body` (None, or a function of the `world`) and `expected`
(the status per persona, for a world whose case is assigned to
`world.coordinator`). Beyond `matrix.py`'s format, an entry may have `setup`:
a function of the world that creates what the call needs (circle members, an
arrangement) and returns the values for the path's other placeholders
(`{member_id}`, `{arrangement_id}`); `body` functions may read what `setup` made.

The professionals related to the case read the circle and the eco-map and get
403 on every change. Policy and admin get 403 on everything, strangers 404,
anonymous callers 401. Every call that passes the shape check writes exactly
one access-log row (`access_log_rows`); anonymous calls write none.
"""

from __future__ import annotations

from typing import Any

from .matrix import PERSONAS


def _statuses(default: int, **by_persona: int) -> dict[str, int]:
    statuses = dict.fromkeys(PERSONAS, default)
    statuses.update(anonymous=401, policy=403, admin=403)
    statuses.update(by_persona)
    return statuses

_CASE_STRANGERS = {"stranger_manager": 404, "stranger_coordinator": 404, "stranger_professional": 404}
_READ = _statuses(200, **_CASE_STRANGERS)


def _change(status: int) -> dict[str, int]:
    return _statuses(status, professional=403, linked_professional=403, **_CASE_STRANGERS)


def _members(world: Any) -> dict[str, Any]:
    """Two network members in the world's case: an aunt and an uncle."""
    from kring.network.models import CircleMember

    aunt = CircleMember.objects.create(case=world.case, name="Samira Bakker", side="mother")
    uncle = CircleMember.objects.create(case=world.case, name="Karim el Amrani", side="father")
    return {"member_id": aunt.pk, "other_id": uncle.pk}


def _with_arrangement(world: Any) -> dict[str, Any]:
    from kring.network.models import SafetyArrangement

    ids = _members(world)
    arrangement = SafetyArrangement.objects.create(case=world.case, kind="must_not_meet",
                                                   person_id=ids["member_id"], other_id=ids["other_id"])
    return {**ids, "arrangement_id": arrangement.pk}


def member_body(world: Any = None) -> dict[str, Any]:
    return {"name": "Oma Aicha", "relation": "oma", "side": "mother", "kind": "family", "closeness": 1,
            "phone": "06 1234 5678", "language": "ar"}


def change_body(world: Any = None) -> dict[str, Any]:
    return {"version": 1, "phone": "+31687654321", "relation": "tante (zus van moeder)"}


def status_body(world: Any = None) -> dict[str, Any]:
    return {"status": "invited"}


def arrangement_body(world: Any) -> dict[str, Any]:
    from kring.network.models import CircleMember

    aunt, uncle = CircleMember.objects.filter(case=world.case).order_by("id")[:2]
    return {"kind": "must_not_meet", "person_id": aunt.pk, "other_id": uncle.pk, "note": "Contactverbod"}


API_OPERATIONS: list[dict[str, Any]] = [
    {"operation_id": "list_circle", "method": "GET", "path": "/api/cases/{case_id}/circle",
     "body": None, "expected": _READ},
    {"operation_id": "get_ecomap", "method": "GET", "path": "/api/cases/{case_id}/circle/ecomap.svg",
     "body": None, "expected": _READ},
    {"operation_id": "add_circle_member", "method": "POST", "path": "/api/cases/{case_id}/circle/members",
     "body": member_body, "expected": _change(201)},
    {"operation_id": "change_circle_member", "method": "PATCH",
     "path": "/api/cases/{case_id}/circle/members/{member_id}", "setup": _members,
     "body": change_body, "expected": _change(200)},
    {"operation_id": "set_member_status", "method": "POST",
     "path": "/api/cases/{case_id}/circle/members/{member_id}/status", "setup": _members,
     "body": status_body, "expected": _change(200)},
    {"operation_id": "add_safety_arrangement", "method": "POST",
     "path": "/api/cases/{case_id}/circle/arrangements", "setup": _members,
     "body": arrangement_body, "expected": _change(201)},
    {"operation_id": "remove_safety_arrangement", "method": "DELETE",
     "path": "/api/cases/{case_id}/circle/arrangements/{arrangement_id}", "setup": _with_arrangement,
     "body": None, "expected": _change(204)},
]


def expected_status(operation: dict[str, Any], persona: str, *, assigned: bool = True) -> int:
    """The status for `persona`; `assigned=False` for a world whose case has no coordinator."""
    if not assigned and persona == "coordinator":
        return 404
    return operation["expected"][persona]


def path_of(operation: dict[str, Any], world: Any) -> str:
    """The operation's path for this world, after running its `setup`."""
    values = operation["setup"](world) if operation.get("setup") else {}
    return operation["path"].format(case_id=world.case.pk, **values)


def access_log_rows(status: int) -> int:
    """Access-log rows one call writes, given its status (for the bodies above)."""
    return 0 if status == 401 else 1


__all__ = ["API_OPERATIONS", "PERSONAS", "access_log_rows", "expected_status", "path_of"]
