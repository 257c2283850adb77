"""Expected statuses of the plan pages for every persona (merged by core/tests/test_matrix.py).

The matrix case is a fresh request with the coordinator assigned: there is no
plan yet, so steps that need one redirect back to the plan page with a message.
Strangers (and policy and admin, who never see a person) get 404; people related
to the case in another role than the page needs get 403.
"""

from kring.testing.matrix import LOGIN, row

RELATED = {"manager": 200, "coordinator": 200, "professional": 200, "linked_professional": 200}


def _only(status: int, *personas: str) -> dict[str, int]:
    """`status` for `personas`, 403 for the other related people, 404 for strangers."""
    related = dict.fromkeys(RELATED, 403)
    related.update(dict.fromkeys(personas, status))
    return row(404, anonymous=LOGIN, **related)


MATRIX = {
    "information_form": ("get", "/cases/{case_id}/information-form/", None, row(404, anonymous=LOGIN, **RELATED)),
    "plan_detail": ("get", "/cases/{case_id}/plan/", None, row(404, anonymous=LOGIN, **RELATED)),
    "plan_edit": ("get", "/cases/{case_id}/plan/edit/", None, _only(200, "coordinator")),
    "plan_present": ("post", "/cases/{case_id}/plan/present/", {}, _only(302, "coordinator")),
    "plan_test": ("get", "/cases/{case_id}/plan/test/", None,
                  _only(200, "professional", "linked_professional")),
    "plan_decide": ("post", "/cases/{case_id}/plan/decide/", {"decision": "accept"},
                    _only(302, "coordinator", "professional", "linked_professional")),
    "plan_revise": ("post", "/cases/{case_id}/plan/revise/", {}, _only(302, "coordinator")),
    "plan_pdf": ("get", "/cases/{case_id}/plan/pdf/", None,
                 _only(302, "manager", "coordinator", "professional", "linked_professional")),
    "plan_distribute": ("post", "/cases/{case_id}/plan/send/", {}, _only(302, "coordinator")),
}

#: The API operations of `kring.api.plans`, in the format of `kring.api.matrix.API_OPERATIONS`
#: (the same fresh request: steps that need a plan get 409, the PDF 404).
_API_STRANGERS = {"stranger_manager": 404, "stranger_coordinator": 404, "stranger_professional": 404}


def _api(default: int, **by_persona: int) -> dict[str, int]:
    statuses = {p: default for p in ("manager", "coordinator", "professional", "linked_professional")}
    statuses.update(anonymous=401, policy=403, admin=403, **_API_STRANGERS)
    statuses.update(by_persona)
    return statuses


def information_form_body(world=None) -> dict:
    return {"version": 0, "concerns": "Yasmina komt vaak te laat op school en heeft geen ontbijt gehad.",
            "conditions": [{"text": "Yasmina krijgt elke dag een ontbijt.", "non_negotiable": True}]}


def plan_body(world=None) -> dict:
    return {"based_on": None, "concerns_answered": "Wij zorgen samen voor Yasmina."}


def test_body(world=None) -> dict:
    return {"condition_id": 1, "met": True, "reason": "Staat in afspraak 1."}


API_OPERATIONS = [
    {"operation_id": "get_information_form", "method": "GET", "path": "/api/cases/{case_id}/information-form",
     "body": None, "expected": _api(200)},
    {"operation_id": "save_information_form", "method": "POST", "path": "/api/cases/{case_id}/information-form",
     "body": information_form_body, "expected": _api(403, professional=201, linked_professional=201)},
    {"operation_id": "get_plan", "method": "GET", "path": "/api/cases/{case_id}/plan", "body": None,
     "expected": _api(200)},
    {"operation_id": "save_plan", "method": "POST", "path": "/api/cases/{case_id}/plan", "body": plan_body,
     "expected": _api(403, coordinator=409)},
    {"operation_id": "present_plan", "method": "POST", "path": "/api/cases/{case_id}/plan/present",
     "body": None, "expected": _api(403, coordinator=409)},
    {"operation_id": "test_plan_condition", "method": "POST", "path": "/api/cases/{case_id}/plan/tests",
     "body": test_body, "expected": _api(403, professional=409, linked_professional=409)},
    {"operation_id": "decide_plan", "method": "POST", "path": "/api/cases/{case_id}/plan/decision",
     "body": lambda world=None: {"accept": True},
     "expected": _api(409, manager=403)},
    {"operation_id": "revise_plan", "method": "POST", "path": "/api/cases/{case_id}/plan/revise",
     "body": lambda world=None: {}, "expected": _api(403, coordinator=409)},
    {"operation_id": "get_plan_pdf", "method": "GET", "path": "/api/cases/{case_id}/plan/pdf", "body": None,
     "expected": _api(404)},
    {"operation_id": "distribute_plan", "method": "POST", "path": "/api/cases/{case_id}/plan/distribute",
     "body": None, "expected": _api(403, coordinator=409)},
]
