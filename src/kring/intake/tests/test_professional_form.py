"""The professional's request form: the professional is linked, other professionals recorded."""

from __future__ import annotations

import pytest

from kring.cases.models import Case, CasePerson, CaseProfessional
from kring.intake.tests.test_public_form import _formset, valid_public_post


def valid_professional_post(**overrides) -> dict:
    data = valid_public_post()
    for key in ["requester_kind", "requester_name", "requester_email", "requester_phone", "website"]:
        data.pop(key)
    data.update({
        "requester_professional_kind": "jb",
        "legal_frame": "ots",
        **_formset("prof", [{"name": "Kees Jansen", "organisation": "Wijkteam Noord", "kind": "jhv",
                             "email": "kees@example.org"}], 2),
    })
    data.update(overrides)
    return data


def test_a_professional_request_links_the_professional_and_lists_the_others(world, as_user):
    client = as_user(world.professional)
    response = client.post("/requests/new/", valid_professional_post(municipality="Amersfoort"))
    assert response.status_code == 302
    case = Case.objects.exclude(pk=world.case.pk).get()
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.referred_by == world.professional
    assert case.requester_organisation == world.professional.organisation
    assert case.requester_professional_kind == "jb" and case.legal_frame == "ots"
    assert case.region.code == "utrecht"
    assert list(case.professionals.values_list("name", "organisation")) == [("Kees Jansen", "Wijkteam Noord")]
    # The referrer can open the case they just sent.
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"prof-0-email": "kapot@"}, "prof-0-email"),
    ({"prof-0-name": ""}, "prof-0-name"),
    ({"requester_professional_kind": "astronaut"}, "requester_professional_kind"),
    ({"municipality": ""}, "municipality"),
    ({"child-0-birth_date": "2999-01-01"}, "child-0-birth_date"),
])
def test_bad_input_saves_nothing(world, as_user, change, field):
    before = (Case.objects.count(), CasePerson.objects.count(), CaseProfessional.objects.count())
    response = as_user(world.professional).post("/requests/new/", valid_professional_post(**change))
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert (Case.objects.count(), CasePerson.objects.count(), CaseProfessional.objects.count()) == before


def test_other_roles_cannot_use_the_professional_form(world, as_user):
    for user in [world.manager, world.coordinator, world.policy]:
        assert as_user(user).post("/requests/new/", valid_professional_post()).status_code == 403
    assert Case.objects.count() == 1
