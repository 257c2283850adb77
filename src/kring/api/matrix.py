"""Every API operation with the status each persona gets, for the shared matrix test.

Each entry of `API_OPERATIONS` holds:

- `operation_id`, `method`, `path` (with `{case_id}`, to be filled with `world.case.pk`);
- `body`: None, or a function taking the `world` (`kring.conftest.World`) and
  returning a valid JSON body;
- `expected`: the status per persona name, for a fresh world per call in which
  `world.case` is assigned to `world.coordinator` (like the `assigned_world`
  fixture of `kring/core/tests/test_matrix.py`).

In the plain `world` the case has no coordinator, so `coordinator` is a
stranger to it and gets 404 on every operation on the case:
`expected_status(operation, persona, assigned=False)` gives those statuses.

Policy and admin get 403 on every case operation, whatever the case.

Calls that change the world are not repeatable on the same world:
`submit_request` creates a new case each time (harmless); `transition_case`
withdraws the request, so a second call gets 409; `assign_case` assigns
`world.stranger_coordinator` (a coordinator of the same region who is not
related to the case), so a second call gets 409 ("already assigned").

Every authenticated call that passes the input checks writes exactly one
access-log row (`access_log_rows`); anonymous calls (401) write none.
"""

from __future__ import annotations

from typing import Any

PERSONAS = (
    "anonymous", "manager", "coordinator", "professional", "linked_professional", "policy",
    "admin", "stranger_manager", "stranger_coordinator", "stranger_professional",
)


def request_body(world: Any = None) -> dict[str, Any]:
    """A valid request: one parent, one child, no phone numbers."""
    return {
        "municipality": "Utrecht",
        "situation": "Moeder is alleen met drie kinderen en de oudste gaat niet meer naar school.",
        "legal_frame": "voluntary",
        "trigger_moment": "waiting_list",
        "urgency": "normal",
        "parents": [{"name": "Samira Bakker"}],
        "children": [{"name": "Noor Bakker", "birth_date": "2014-06-02"}],
    }


def transition_body(world: Any = None) -> dict[str, Any]:
    """Withdraw the request: allowed from `request` for manager, coordinator and professional."""
    return {"step": "withdraw", "reason": "De familie regelt het zelf."}


def assign_body(world: Any) -> dict[str, Any]:
    """A coordinator of the case's region who can take it, assigned or not."""
    return {"coordinator_id": world.stranger_coordinator.pk}


def _statuses(default: int, **by_persona: int) -> dict[str, int]:
    statuses = dict.fromkeys(PERSONAS, default)
    statuses.update(anonymous=401, policy=403, admin=403)
    statuses.update(by_persona)
    return statuses


_CASE_STRANGERS = {"stranger_manager": 404, "stranger_coordinator": 404,
                   "stranger_professional": 404}

API_OPERATIONS: list[dict[str, Any]] = [
    {
        "operation_id": "submit_request",
        "method": "POST",
        "path": "/api/requests",
        "body": request_body,
        "expected": _statuses(403, professional=201, linked_professional=201,
                              stranger_professional=201),
    },
    {
        "operation_id": "list_cases",
        "method": "GET",
        "path": "/api/cases",
        "body": None,
        "expected": _statuses(200),
    },
    {
        "operation_id": "get_case",
        "method": "GET",
        "path": "/api/cases/{case_id}",
        "body": None,
        "expected": _statuses(200, **_CASE_STRANGERS),
    },
    {
        "operation_id": "transition_case",
        "method": "POST",
        "path": "/api/cases/{case_id}/transitions",
        "body": transition_body,
        "expected": _statuses(200, **_CASE_STRANGERS),
    },
    {
        "operation_id": "case_suggestions",
        "method": "GET",
        "path": "/api/cases/{case_id}/suggestions",
        "body": None,
        "expected": _statuses(403, manager=200, **_CASE_STRANGERS),
    },
    {
        "operation_id": "assign_case",
        "method": "POST",
        "path": "/api/cases/{case_id}/assign",
        "body": assign_body,
        "expected": _statuses(403, manager=200, **_CASE_STRANGERS),
    },
]


def expected_status(operation: dict[str, Any], persona: str, *, assigned: bool = True) -> int:
    """The status for `persona`; `assigned=False` for a world whose case has no coordinator."""
    if not assigned and persona == "coordinator" and "{case_id}" in operation["path"]:
        return 404
    return operation["expected"][persona]


def access_log_rows(status: int) -> int:
    """Access-log rows one call writes, given its status (for the bodies above)."""
    return 0 if status in (401, 422) else 1

