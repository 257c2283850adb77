"""Expected statuses of the follow-up pages for every persona (merged by core/tests/test_matrix.py).

The matrix case is a fresh request with the coordinator assigned: there is no
accepted plan, so steps that need one redirect back to the follow-up page with
a message (302) for the people who may take them. Strangers (and policy and
admin, who never see a person) get 404; people related to the case in another
role get 403. The personal-link pages answer 404 to a link that is not one.
"""

from kring.testing.matrix import LOGIN, row

RELATED = ("manager", "coordinator", "professional", "linked_professional")


def _only(status: int, *personas: str) -> dict[str, int]:
    """`status` for `personas`, 403 for the other related people, 404 for strangers."""
    related = dict.fromkeys(RELATED, 403)
    related.update(dict.fromkeys(personas, status))
    return row(404, anonymous=LOGIN, **related)


MATRIX = {
    "followup_case": ("get", "/cases/{case_id}/followup/", None, _only(200, *RELATED)),
    "followup_schedule": ("post", "/cases/{case_id}/followup/schedule/", {}, _only(302, "manager", "coordinator")),
    "followup_reconvene": ("post", "/cases/{case_id}/followup/reconvene/", {}, _only(302, "coordinator")),
    "followup_evaluation": ("get", "/cases/{case_id}/followup/evaluation/", None, _only(302, "coordinator")),
    "followup_outcome": ("get", "/cases/{case_id}/followup/outcomes/3/", None, _only(302, "coordinator")),
    "plan_versions": ("get", "/cases/{case_id}/plan/versions/", None, _only(200, *RELATED)),
    "followup_tasks": ("get", "/followup/tasks/", None,
                       row(403, anonymous=LOGIN, coordinator=200, stranger_coordinator=200)),
    "followup_task_done": ("post", "/followup/tasks/done/", {},
                           row(403, anonymous=LOGIN, coordinator=302, stranger_coordinator=302)),
    "followup_failures": ("get", "/followup/failures/", None,
                          row(403, anonymous=LOGIN, manager=200, stranger_manager=200)),
    "followup_failure_retry": ("post", "/followup/failures/retry/", {},
                               row(403, anonymous=LOGIN, manager=302, stranger_manager=302)),
    "check_in": ("get", "/followup/c/not-a-link/", None, row(404)),
    "reconvene_answer": ("get", "/followup/r/not-a-link/", None, row(404)),
}
