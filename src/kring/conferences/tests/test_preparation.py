"""The preparation checklist: every item once, progress, who may change it, one log row per action."""

from __future__ import annotations

import re

import pytest

from kring.audit.models import Action, Outcome
from kring.conferences.models import PreparationItem, PrepItem, PrepStatus
from kring.conferences.services import (
    ItemChange,
    preparation_items,
    preparation_progress,
    preparation_update,
)


def _post_data(**statuses):
    data = {f"{code}-status": PrepStatus.OPEN for code in PrepItem.values}
    data.update({f"{code}-status": status for code, status in statuses.items()})
    return data


def test_every_item_is_made_once_when_first_needed(preparing):
    assert not PreparationItem.objects.filter(case=preparing).exists()
    items = preparation_items(preparing)
    assert [i.code for i in items] == PrepItem.values
    assert all(i.status == PrepStatus.OPEN for i in items)
    preparation_items(preparing)
    assert PreparationItem.objects.filter(case=preparing).count() == len(PrepItem.values) == 11


def test_progress_counts_done_and_not_needed(preparing, world, django_assert_num_queries):
    assert preparation_progress(preparing) == (0, 11)
    preparation_update(case=preparing, by=world.coordinator, changes={
        "visit_parents": ItemChange(PrepStatus.DONE, "Thuis bij Fatima, dinsdag."),
        "interpreter": ItemChange(PrepStatus.NOT_NEEDED),
        "venue": ItemChange(PrepStatus.OPEN, "Buurthuis gevraagd"),
    })
    with django_assert_num_queries(1):
        assert preparation_progress(preparing) == (2, 11)
    assert preparation_progress(preparing.pk) == (2, 11)


def test_only_changed_items_are_saved_with_who_and_when(preparing, world):
    changed = preparation_update(case=preparing, by=world.manager, changes={
        "visit_parents": ItemChange(PrepStatus.DONE, "  bezocht  "),
        "venue": ItemChange(PrepStatus.OPEN, ""),
    })
    assert [i.code for i in changed] == ["visit_parents"]
    item = PreparationItem.objects.get(case=preparing, code="visit_parents")
    assert (item.status, item.note, item.updated_by) == (PrepStatus.DONE, "bezocht", world.manager)


def test_a_professional_cannot_change_the_checklist_in_the_service(preparing, world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        preparation_update(case=preparing, by=world.professional,
                           changes={"venue": ItemChange(PrepStatus.DONE)})


def test_the_page_shows_progress_with_a_progress_bar(preparing, world, as_user):
    preparation_update(case=preparing, by=world.coordinator, changes={
        "visit_parents": ItemChange(PrepStatus.DONE), "childcare": ItemChange(PrepStatus.NOT_NEEDED)})
    html = as_user(world.coordinator).get(f"/cases/{preparing.pk}/conference/",
                                          HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 of 11 items done or not needed" in html
    bar = re.search(r"<progress [^>]*>", html).group(0)
    for attribute in ('max="11"', 'value="2"', 'aria-valuemin="0"', 'aria-valuemax="11"', 'aria-valuenow="2"',
                      'aria-labelledby="prep-progress-label"'):
        assert attribute in bar


@pytest.mark.parametrize("persona", ["coordinator", "manager"])
def test_coordinator_and_manager_save_the_checklist(preparing, world, as_user, access_log, persona):
    client = as_user(world.by_name(persona))
    log = access_log()
    response = client.post(f"/cases/{preparing.pk}/conference/checklist/",
                           {**_post_data(visit_parents="done", safety="not_needed"),
                            "visit_parents-note": "Moeder en oma thuis gesproken."})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{preparing.pk}/conference/"
    item = PreparationItem.objects.get(case=preparing, code="visit_parents")
    assert (item.status, item.note, item.updated_by) == ("done", "Moeder en oma thuis gesproken.",
                                                         world.by_name(persona))
    assert preparation_progress(preparing) == (2, 11)
    log.one(action=Action.CHANGE, outcome=Outcome.SUCCESS, object_type="preparation", case_id=preparing.pk)


def test_the_professional_sees_the_checklist_but_cannot_change_it(preparing, world, as_user, access_log):
    client = as_user(world.professional)
    log = access_log()
    response = client.get(f"/cases/{preparing.pk}/conference/")
    assert response.status_code == 200
    assert b'name="visit_parents-status"' not in response.content
    assert b"<progress" in response.content
    log.one(action=Action.READ, outcome=Outcome.SUCCESS, case_id=preparing.pk)

    log = access_log()
    response = client.post(f"/cases/{preparing.pk}/conference/checklist/", _post_data(visit_parents="done"))
    assert response.status_code == 403
    assert not PreparationItem.objects.filter(case=preparing, status="done").exists()
    log.one(outcome=Outcome.DENIED, case_id=preparing.pk)


@pytest.mark.parametrize("persona", ["stranger_coordinator", "stranger_manager", "stranger_professional",
                                     "policy"])
def test_strangers_get_404_and_are_logged(preparing, world, as_user, access_log, persona):
    client = as_user(world.by_name(persona))
    for method, path, data in [("get", "", None), ("post", "checklist/", _post_data(visit_parents="done"))]:
        log = access_log()
        url = f"/cases/{preparing.pk}/conference/{path}"
        response = client.get(url) if method == "get" else client.post(url, data)
        assert response.status_code == 404
        log.one(outcome=Outcome.DENIED)
    assert not PreparationItem.objects.filter(case=preparing, status="done").exists()


def test_a_wrong_status_is_refused_and_nothing_changes(preparing, world, as_user, access_log):
    client = as_user(world.coordinator)
    log = access_log()
    response = client.post(f"/cases/{preparing.pk}/conference/checklist/",
                           {**_post_data(visit_parents="done"), "venue-status": "maybe"})
    assert response.status_code == 400
    assert not PreparationItem.objects.filter(case=preparing, status="done").exists()
    log.one(outcome=Outcome.DENIED)


def test_the_progress_include_renders_for_the_case_page(preparing):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("nl"):
        html = render_to_string("conferences/_progress.html", {"done": 3, "total": 11, "id": "case-prep"})
    assert "3 van de 11 onderdelen gedaan of niet nodig" in html
    assert 'id="case-prep-progress"' in html and 'aria-labelledby="case-prep-progress-label"' in html
    assert 'aria-valuenow="3"' in html and 'aria-valuemax="11"' in html
