"""The conference page warns when who comes goes against the circle's safety arrangements."""

from __future__ import annotations

from kring.conferences.models import Invitation, Presence
from kring.network.models import ArrangementKind, SafetyArrangement
from kring.network.services import safety_warnings


def _arrange(case, kind, person, other=None, present=None, parts=()):
    return SafetyArrangement.objects.create(case=case, kind=kind, person=person, other=other, present=present,
                                            parts=list(parts))


def _present(conference, part, member, remote=False):
    Presence.objects.create(conference=conference, part=part, member=member, remote=remote)


def test_no_arrangements_no_warnings(conference, circle):
    _present(conference, 1, circle.ans)
    assert safety_warnings(conference.case, [(1, circle.ans.pk, False)]) == []


def test_a_pair_that_must_not_meet_is_flagged_per_part_they_share(conference, circle):
    case = conference.case
    _arrange(case, ArrangementKind.MUST_NOT_MEET, circle.fatima, circle.cees)
    presences = [(1, circle.fatima.pk, False), (1, circle.cees.pk, True), (2, circle.fatima.pk, False),
                 (3, circle.cees.pk, False)]
    assert safety_warnings(case, presences) == [
        "Fatima el Amrani en Cees el Amrani mogen elkaar niet ontmoeten, maar staan allebei genoteerd bij deel 1."]


def test_both_invited_is_flagged_before_the_meeting_unless_one_declined(conference, circle):
    case = conference.case
    _arrange(case, ArrangementKind.MUST_NOT_MEET, circle.fatima, circle.cees)
    [warning] = safety_warnings(case, invited=[(circle.fatima.pk, ""), (circle.cees.pk, "confirmed")])
    assert "allebei uitgenodigd" in warning
    assert safety_warnings(case, invited=[(circle.fatima.pk, ""), (circle.cees.pk, "declined")]) == []


def test_only_with_a_named_person_remote_only_and_some_parts_only(conference, circle):
    case = conference.case
    _arrange(case, ArrangementKind.ONLY_WITH_PERSON, circle.cees, circle.bram, present=circle.ans)
    _arrange(case, ArrangementKind.REMOTE_ONLY, circle.dina)
    _arrange(case, ArrangementKind.SOME_PARTS_ONLY, circle.bram, parts=[1, 3])
    presences = [(1, circle.cees.pk, False), (1, circle.bram.pk, False), (1, circle.ans.pk, False),
                 (2, circle.cees.pk, False), (2, circle.bram.pk, False), (2, circle.dina.pk, False),
                 (3, circle.dina.pk, True)]
    warnings = safety_warnings(case, presences)
    assert len(warnings) == 3
    assert any("Cees el Amrani" in w and "deel 2" in w and "Ans de Boer" in w for w in warnings)
    assert any("Dina Smit" in w and "afstand" in w and "deel 2" in w for w in warnings)
    assert any("Bram Visser" in w and "deel 1, 3" in w and "deel 2" in w for w in warnings)


def test_the_coordinator_sees_the_warning_on_the_conference_page_and_others_do_not(
        conference, circle, world, as_user):
    case = conference.case
    _arrange(case, ArrangementKind.MUST_NOT_MEET, circle.fatima, circle.cees)
    _present(conference, 1, circle.fatima)
    _present(conference, 1, circle.cees)
    page = as_user(world.coordinator).get(f"/cases/{case.pk}/conference/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Controleer de veiligheidsafspraken" in text and "mogen elkaar niet ontmoeten" in text
    professional = as_user(world.professional).get(f"/cases/{case.pk}/conference/")
    assert "mogen elkaar niet ontmoeten" not in professional.content.decode()


def test_invitations_feed_the_warning_on_the_page(conference, circle, world, as_user):
    case = conference.case
    _arrange(case, ArrangementKind.MUST_NOT_MEET, circle.ans, circle.bram)
    for member in (circle.ans, circle.bram):
        Invitation.objects.create(conference=conference, member=member, channels=["email"],
                                  expires_at=conference.starts_at)
    text = as_user(world.coordinator).get(f"/cases/{case.pk}/conference/").content.decode()
    assert "allebei uitgenodigd" in text
