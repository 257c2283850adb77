"""The regional manager's matching screen: propose, change a pair, assign all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kring.accounts.models import Absence
from kring.audit.models import AccessLogEntry
from kring.cases.models import Case
from kring.matching.services import ProposalRefused, proposal_assign
from kring.matching.views import SESSION_KEY
from kring.testing import factories as f
from kring.testing.helpers import run_worker

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def requests_(world):
    """Three open requests in Utrecht (the world's own plus two), oldest first."""
    now = timezone.now()
    Case.objects.filter(pk=world.case.pk).update(submitted_at=now - timedelta(hours=5))
    arabic = f.CaseFactory(submitted_at=now - timedelta(hours=4), pref_language="ar",
                           language_required=True, family=False)
    urgent = f.CaseFactory(submitted_at=now - timedelta(hours=1), urgency="urgent", family=False)
    return [Case.objects.get(pk=world.case.pk), arabic, urgent]


@pytest.fixture
def samira(world):
    return f.CoordinatorFactory(first_name="Samira", last_name="Amrani",
                                profile__languages=["nl", "ar"], profile__max_cases=2)


def suggest(client, **data):
    return client.post("/matching/suggest/", {"region": "", **data}, **HTMX)


def test_the_manager_gets_a_proposal_for_all_open_requests(world, as_user, requests_, samira):
    client = as_user(world.manager)
    response = suggest(client)
    assert response.status_code == 200
    html = response.content.decode()
    for case in requests_:
        assert case.reference in html
        assert f'href="/cases/{case.pk}/"' in html
    pairs = {int(k): v for k, v in client.session[SESSION_KEY]["pairs"].items()}
    assert pairs[requests_[1].pk] == samira.pk  # only Samira speaks Arabic
    assert set(pairs) == {c.pk for c in requests_}
    assert 'class="urgent"' in html
    # One read per request considered, written by the suggestion.
    assert AccessLogEntry.objects.filter(purpose="matching proposal: suggest").count() == 3


def test_the_proposal_explains_wishes_met_and_not_met(world, as_user, requests_, samira):
    Case.objects.filter(pk=world.case.pk).update(pref_gender="m", pref_religion="islam")
    client = as_user(world.manager)
    response = suggest(client)
    rows = {row.case.pk: row for row in response.context["review"].rows}
    assert rows[requests_[1].pk].fit.met == ["speaks Arabic"]
    assert rows[world.case.pk].fit.unmet == ["gender", "religion"]
    html = response.content.decode()
    assert "Met: speaks Arabic" in html and "Not met: gender, religion" in html


def test_without_htmx_the_post_redirects_and_the_page_shows_the_proposal(world, as_user, requests_, samira):
    client = as_user(world.manager)
    response = client.post("/matching/suggest/", {"region": ""})
    assert response.status_code == 302 and response["Location"] == "/matching/"
    page = client.get("/matching/")
    assert page.status_code == 200
    assert [row.case.pk for row in page.context["review"].rows] == [
        requests_[2].pk, requests_[0].pk, requests_[1].pk]  # urgent first, then oldest


def test_manager_changes_a_pair_then_assigns_all(world, as_user, requests_, samira):
    client = as_user(world.manager)
    suggest(client)
    pairs = {int(k): v for k, v in client.session[SESSION_KEY]["pairs"].items()}
    first = requests_[0]
    # Samira has two places (one goes to the Arabic request); the world's coordinator three.
    other = samira.pk if pairs[first.pk] != samira.pk else world.coordinator.pk
    response = client.post("/matching/change/", {"case": first.pk, "coordinator": other}, **HTMX)
    assert response.status_code == 200
    assert client.session[SESSION_KEY]["pairs"][str(first.pk)] == other

    mail.outbox.clear()
    response = client.post("/matching/assign/", **HTMX)
    assert response.status_code == 200
    assert "3 coordinators assigned." in response.content.decode()
    for case in requests_:
        case.refresh_from_db()
        assert case.coordinator_id is not None
    assert Case.objects.get(pk=first.pk).coordinator_id == other
    assert SESSION_KEY not in client.session
    for case in requests_:
        assert AccessLogEntry.objects.filter(case_id=case.pk, action="change", outcome="success",
                                             purpose="assign coordinator (matching proposal)").exists()
    run_worker()
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Case.objects.get(pk=c.pk).coordinator.email for c in requests_)


def test_a_pair_can_be_taken_out_and_is_not_assigned(world, as_user, requests_, samira):
    client = as_user(world.manager)
    suggest(client)
    dropped = requests_[2]
    response = client.post("/matching/change/", {"case": dropped.pk, "drop": "1"}, **HTMX)
    assert "You took it out of this proposal." in response.content.decode()
    client.post("/matching/assign/", **HTMX)
    dropped.refresh_from_db()
    assert dropped.coordinator_id is None
    assert Case.objects.filter(pk__in=[requests_[0].pk, requests_[1].pk], coordinator__isnull=False).count() == 2


def test_an_invalid_change_is_refused_with_a_message_and_nothing_is_assigned(world, as_user, requests_, samira):
    client = as_user(world.manager)
    suggest(client)
    before = dict(client.session[SESSION_KEY]["pairs"])
    absent = f.CoordinatorFactory(first_name="Anna", last_name="Afwezig")
    Absence.objects.create(coordinator=absent.coordinator_profile, starts_on=timezone.localdate(),
                           ends_on=timezone.localdate() + timedelta(days=3))
    elsewhere = f.CoordinatorFactory(profile__regions=[f.region("limburg")])
    for coordinator in (absent, elsewhere):
        response = client.post("/matching/change/", {"case": requests_[0].pk, "coordinator": coordinator.pk},
                               **HTMX)
        html = response.content.decode()
        assert f"cannot take {requests_[0].reference}" in html and "Nothing was changed." in html
    # The world's coordinator does not speak Arabic, which that family needs.
    response = client.post("/matching/change/", {"case": requests_[1].pk, "coordinator": world.coordinator.pk},
                           **HTMX)
    assert "does not speak Arabic" in response.content.decode()
    assert client.session[SESSION_KEY]["pairs"] == before
    assert not Case.objects.filter(pk__in=[c.pk for c in requests_], coordinator__isnull=False).exists()


def test_if_one_pair_fails_at_assignment_nothing_is_assigned_and_the_failure_is_named(
        world, as_user, requests_, samira):
    client = as_user(world.manager)
    suggest(client)
    # Between proposal and assignment Samira falls ill: her pair must fail, and with it all.
    Absence.objects.create(coordinator=samira.coordinator_profile, starts_on=timezone.localdate(),
                           ends_on=timezone.localdate())
    mail.outbox.clear()
    response = client.post("/matching/assign/", **HTMX)
    html = response.content.decode()
    assert f"Nothing was assigned. {requests_[1].reference}: " in html and "absent" in html
    assert not Case.objects.filter(pk__in=[c.pk for c in requests_], coordinator__isnull=False).exists()
    assert AccessLogEntry.objects.filter(case_id=requests_[1].pk, outcome="denied",
                                         purpose="assign coordinator refused (matching proposal)").exists()
    run_worker()
    assert mail.outbox == []
    assert SESSION_KEY in client.session  # the proposal stays, to be changed


def test_a_request_assigned_by_hand_meanwhile_drops_out_of_the_proposal(world, as_user, requests_, samira):
    client = as_user(world.manager)
    suggest(client)
    client.post(f"/cases/{requests_[0].pk}/assign/", {"coordinator": world.coordinator.pk})
    page = client.get("/matching/")
    assert requests_[0].pk not in [row.case.pk for row in page.context["review"].rows]
    assert page.context["review"].handled == 1


def test_a_stranger_manager_sees_none_of_the_other_regions_requests(world, as_user, requests_, samira):
    limburg_case = f.CaseFactory(municipality=f.municipality("Maastricht"), family=False)
    f.CoordinatorFactory(profile__regions=[f.region("limburg")])
    client = as_user(world.stranger_manager)
    html = suggest(client).content.decode()
    assert limburg_case.reference in html
    for case in requests_:
        assert case.reference not in html
    assert set(client.session[SESSION_KEY]["cases"]) == {limburg_case.pk}
    # Posting a change for an Utrecht request changes nothing and reveals nothing.
    response = client.post("/matching/change/", {"case": requests_[0].pk, "coordinator": samira.pk}, **HTMX)
    assert requests_[0].reference not in response.content.decode()
    # And the manager of Utrecht does not get the Limburg request either.
    client = as_user(world.manager)
    assert limburg_case.reference not in suggest(client).content.decode()


def test_a_stranger_cannot_assign_another_regions_request_through_the_service(world, requests_, samira):
    with pytest.raises(ProposalRefused) as refused:
        proposal_assign(pairs=[(requests_[0].pk, samira.pk)], by=world.stranger_manager)
    assert refused.value.visible is False
    assert Case.objects.get(pk=requests_[0].pk).coordinator_id is None


def test_a_request_without_any_coordinator_gets_a_reason(world, as_user, requests_):
    # Nobody in Utrecht speaks Arabic: the Arabic request is left, with the reason.
    client = as_user(world.manager)
    html = suggest(client).content.decode()
    review = client.get("/matching/").context["review"]
    left = [row for row in review.unpaired]
    assert [row.case.pk for row in left] == [requests_[1].pk]
    assert left[0].why.why == "no_language"
    assert "No coordinator in this region speaks Arabic, which the family needs." in html


def test_the_page_needs_the_same_number_of_queries_for_more_requests(world, as_user, requests_, samira):
    client = as_user(world.manager)
    suggest(client)
    with CaptureQueriesContext(connection) as few:
        client.get("/matching/")
    for _ in range(5):
        f.CaseFactory(pref_gender="f")
    suggest(client)
    with CaptureQueriesContext(connection) as more:
        assert len(client.get("/matching/").context["review"].rows) == 8
    assert len(more) == len(few)


def test_a_manager_cannot_ask_for_a_region_that_is_not_theirs(world, as_user, requests_, samira):
    client = as_user(world.stranger_manager)
    response = suggest(client, region=str(world.utrecht.pk))
    assert "Choose one of your regions." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_without_htmx_a_change_is_kept_too(world, as_user, requests_, samira):
    client = as_user(world.manager)
    suggest(client)
    response = client.post("/matching/change/", {"case": requests_[2].pk, "drop": "1"})
    assert response.status_code == 302
    assert requests_[2].pk in client.session[SESSION_KEY]["dropped"]
    assert str(requests_[2].pk) not in client.session[SESSION_KEY]["pairs"]
