"""Who reaches which follow-up page of an accepted plan, and one access-log row for every request."""

from __future__ import annotations

import pytest

from kring.audit.models import AccessLogEntry, Outcome

PAGES = [  # (method, path, data, personas with access)
    ("get", "/cases/{id}/followup/", None, {"manager", "coordinator", "professional", "linked_professional"}),
    ("get", "/cases/{id}/plan/versions/", None, {"manager", "coordinator", "professional", "linked_professional"}),
    ("get", "/cases/{id}/followup/evaluation/", None, {"coordinator"}),
    ("get", "/cases/{id}/followup/outcomes/3/", None, {"coordinator"}),
    ("post", "/cases/{id}/followup/schedule/", {"reminder": "0", "action": "cancel"}, {"manager", "coordinator"}),
    ("post", "/cases/{id}/followup/reconvene/", {"starts_at": "2027-03-01T10:00", "venue": "Buurthuis"},
     {"coordinator"}),
]
PERSONAS = ["manager", "coordinator", "professional", "linked_professional", "policy", "admin",
            "stranger_manager", "stranger_coordinator", "stranger_professional"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p[0]} {p[1]}")
def test_strangers_404_other_roles_403_and_one_log_row(accepted, as_user, page, persona):
    method, path, data, allowed = page
    client = as_user(accepted.world.by_name(persona))
    before = AccessLogEntry.objects.count()
    url = path.format(id=accepted.case.pk)
    response = client.post(url, data) if method == "post" else client.get(url)
    related = persona in {"manager", "coordinator", "professional", "linked_professional"}
    if persona in allowed:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == (403 if related else 404)
    rows = list(AccessLogEntry.objects.order_by("id")[before:])
    assert len(rows) == 1, [(r.purpose, r.outcome) for r in rows]
    if response.status_code in (403, 404):
        assert rows[0].outcome == Outcome.DENIED


def test_the_manager_sees_the_schedule_and_the_professional_cannot_change_it(accepted, as_user):
    page = as_user(accepted.world.manager).get(f"/cases/{accepted.case.pk}/followup/")
    assert b'id="schedule"' in page.content and b'name="action" value="cancel"' in page.content
    page = as_user(accepted.world.professional).get(f"/cases/{accepted.case.pk}/followup/")
    assert b'id="schedule"' in page.content and b'name="action" value="cancel"' not in page.content


def test_the_case_page_lists_the_schedule_with_few_queries(accepted, as_user, django_assert_max_num_queries):
    client = as_user(accepted.world.coordinator)
    with django_assert_max_num_queries(60):
        assert client.get(f"/cases/{accepted.case.pk}/followup/").status_code == 200
