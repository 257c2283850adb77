"""Every API operation with the status each persona gets, for the shared matrix test.

Each entry holds:

- `operation_id`, `method`, `path` (with `{case_id}`, to be filled with `world.case.pk`);
- `body`: None, or a function taking the `world` (see `kring.conftest.World`) and
  returning a valid JSON body;
- `expected`: the status per persona name, for a *fresh* world per call.

Notes on the world as `kring.conftest.world` builds it:

- `world.case` has no coordinator, so `coordinator` is not related to it and
  gets 404 like `stranger_coordinator`.
- Policy and admin get 403 on every case operation, whatever the case.
- Calls are not repeatable on the same world where they change it:
  `submit_request` creates a new case each time (harmless);
  `transition_case` withdraws the request, so a second call gets 409;
  `assign_case` assigns `world.coordinator`, so a second call gets 409
  ("already assigned").

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
    return {"coordinator_id": world.coordinator.pk}


def _statuses(default: int, **by_persona: int) -> dict[str, int]:
    statuses = dict.fromkeys(PERSONAS, default)
    statuses.update(anonymous=401, policy=403, admin=403)
    statuses.update(by_persona)
    return statuses


_CASE_STRANGERS = {"coordinator": 404, "stranger_manager": 404, "stranger_coordinator": 404,
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


def access_log_rows(status: int) -> int:
    """Access-log rows one call writes, given its status (for the bodies above)."""
    return 0 if status in (401, 422) else 1

