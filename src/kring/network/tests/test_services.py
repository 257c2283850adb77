"""The circle's services: seeding, adding, the status path, stale edits, safety arrangements."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kring.cases.models import Case, CasePerson, PersonRole, State
from kring.network.models import (
    STATUS_NEXT,
    ArrangementKind,
    Attendance,
    CircleMember,
    MemberChange,
    MemberRole,
    MemberStatus,
    SafetyArrangement,
    Side,
)
from kring.network.services import (
    CircleRefused,
    StaleEdit,
    arrangement_add,
    arrangement_remove,
    circle_seed,
    member_add,
    member_set_status,
    member_update,
)

from .conftest import add_member

# --- seeding ------------------------------------------------------------------------------


def test_seeding_puts_parents_and_children_in_the_centre_once(world):
    first = circle_seed(case=world.case)
    assert [(m.name, m.role, m.side, m.closeness) for m in first] == [
        ("Fatima el Amrani", MemberRole.MAIN, Side.BOTH, 1),
        ("Yasmina el Amrani", MemberRole.CHILD, Side.BOTH, 1),
    ]
    assert all(m.case_person_id for m in first)
    assert circle_seed(case=world.case) == []
    assert CircleMember.objects.filter(case=world.case).count() == 2


def test_seeding_again_adds_only_persons_added_to_the_case_since(world):
    circle_seed(case=world.case)
    CasePerson.objects.create(case=world.case, role=PersonRole.PARENT, name="Youssef el Amrani")
    added = circle_seed(case=world.case)
    assert [(m.name, m.role) for m in added] == [("Youssef el Amrani", MemberRole.MAIN)]
    assert CircleMember.objects.filter(case=world.case).count() == 3


# --- adding -------------------------------------------------------------------------------


def test_the_coordinator_adds_a_person(circle, world):
    member = member_add(case=circle.case, data={"name": "Oma Aicha", "side": Side.MOTHER,
                                                 "relation": "oma", "closeness": 1}, by=world.coordinator)
    assert (member.status, member.version, member.added_by) == (MemberStatus.IDENTIFIED, 1, world.coordinator)


@pytest.mark.parametrize("persona", ["professional", "stranger_coordinator", "policy"])
def test_someone_who_may_not_change_the_case_cannot_add(circle, world, persona):
    with pytest.raises(CircleRefused) as exc:
        member_add(case=circle.case, data={"name": "Oma"}, by=world.by_name(persona))
    assert exc.value.code == "not_allowed"
    assert not CircleMember.objects.filter(name="Oma").exists()


def test_a_closed_case_keeps_its_circle(circle, world):
    Case.objects.filter(pk=circle.case.pk).update(state=State.CLOSED)
    circle.case.refresh_from_db()
    with pytest.raises(CircleRefused) as exc:
        member_add(case=circle.case, data={"name": "Oma"}, by=world.coordinator)
    assert exc.value.code == "case_closed"


def test_bad_data_is_refused_and_nothing_is_saved(circle, world):
    with pytest.raises(ValidationError) as exc:
        member_add(case=circle.case, data={"name": "", "language": "xx"}, by=world.coordinator)
    assert set(exc.value.error_dict) >= {"name", "language"}
    assert CircleMember.objects.filter(case=circle.case).count() == 5


# --- status -------------------------------------------------------------------------------

ALLOWED = [(source, target) for source, targets in STATUS_NEXT.items() for target in sorted(targets)]
REFUSED = [(source, target) for source in MemberStatus.values for target in MemberStatus.values
           if target not in STATUS_NEXT[MemberStatus(source)]]


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_status_step_works(circle, world, source, target):
    member = circle.uncle
    attendance_before = Attendance.IN_PERSON if source in ("attended", "agreement") else ""
    CircleMember.objects.filter(pk=member.pk).update(status=source, attendance=attendance_before)
    attendance = Attendance.REMOTE if target == MemberStatus.ATTENDED else None
    member = member_set_status(member=member, status=target, attendance=attendance, by=world.coordinator)
    member.refresh_from_db()
    assert member.status == target
    assert member.version == 2
    change = MemberChange.objects.get(member=member)
    assert change.fields["status"] == [source, target]
    assert change.by == world.coordinator


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_other_status_step_is_refused(circle, world, source, target):
    member = circle.uncle
    attendance_before = Attendance.IN_PERSON if source in ("attended", "agreement") else ""
    CircleMember.objects.filter(pk=member.pk).update(status=source, attendance=attendance_before)
    attendance = Attendance.IN_PERSON if target == MemberStatus.ATTENDED else None
    with pytest.raises(CircleRefused) as exc:
        member_set_status(member=member, status=target, attendance=attendance, by=world.coordinator)
    assert exc.value.code == "wrong_status"
    member.refresh_from_db()
    assert (member.status, member.version) == (source, 1)
    assert not MemberChange.objects.filter(member=member).exists()


def test_attended_needs_to_know_how_they_took_part(circle, world):
    CircleMember.objects.filter(pk=circle.uncle.pk).update(status=MemberStatus.CONFIRMED)
    with pytest.raises(CircleRefused) as exc:
        member_set_status(member=circle.uncle, status=MemberStatus.ATTENDED, by=world.coordinator)
    assert exc.value.code == "attendance_required"
    with pytest.raises(CircleRefused) as exc:
        member_set_status(member=circle.aunt, status=MemberStatus.INVITED, attendance=Attendance.REMOTE,
                          by=world.coordinator)
    assert exc.value.code == "attendance_not_allowed"


def test_a_person_answering_through_their_link_needs_no_account(circle):
    CircleMember.objects.filter(pk=circle.uncle.pk).update(status=MemberStatus.INVITED)
    member = member_set_status(member=circle.uncle, status=MemberStatus.CONFIRMED, by=None)
    assert member.status == MemberStatus.CONFIRMED


def test_the_refusal_names_what_is_possible_in_the_users_language(circle, world):
    with translation.override("en"), pytest.raises(CircleRefused) as exc:
        member_set_status(member=circle.uncle, status=MemberStatus.ATTENDED,
                          attendance=Attendance.IN_PERSON, by=world.coordinator)
    assert "Karim el Amrani is 'Identified' and cannot become 'Attended' now" in exc.value.messages[0]
    assert "approached, invited" in exc.value.messages[0]
    with translation.override("nl"), pytest.raises(CircleRefused) as exc:
        member_set_status(member=circle.uncle, status=MemberStatus.ATTENDED,
                          attendance=Attendance.IN_PERSON, by=world.coordinator)
    assert "cannot become" not in exc.value.messages[0]


# --- concurrent edits ---------------------------------------------------------------------


def test_an_edit_on_the_current_version_is_saved_and_recorded(circle, world):
    member = member_update(member=circle.aunt, data={"phone": "+31687654321", "name": "Samira Bakker"},
                           expected_version=1, by=world.coordinator)
    member.refresh_from_db()
    assert (member.phone, member.version) == ("+31687654321", 2)
    change = MemberChange.objects.get(member=member)
    assert change.fields == {"phone": ["+31612345678", "+31687654321"]}


def test_an_edit_that_changes_nothing_keeps_the_version(circle, world):
    member = member_update(member=circle.aunt, data={"name": "Samira Bakker"}, expected_version=1,
                           by=world.coordinator)
    assert member.version == 1
    assert not MemberChange.objects.exists()


def test_a_stale_edit_is_refused_says_what_changed_and_overwrites_nothing(circle, world):
    # The manager and the coordinator both open the aunt (version 1); the manager saves first.
    member_update(member=circle.aunt, data={"phone": "+31687654321", "relation": "tante"},
                  expected_version=1, by=world.manager)
    with translation.override("en"), pytest.raises(StaleEdit) as exc:
        member_update(member=circle.aunt, data={"notes": "Komt met de trein.", "phone": "+31612345678"},
                      expected_version=1, by=world.coordinator)
    assert isinstance(exc.value, ValidationError)
    assert exc.value.code == "stale"
    assert exc.value.version == 2
    assert exc.value.changes == {"phone": "+31687654321", "relation": "tante"}
    message = exc.value.messages[0]
    assert world.manager.display_name in message
    assert "Phone: +31687654321" in message and "Relation: tante" in message
    assert "nothing was saved" in message
    circle.aunt.refresh_from_db()
    assert (circle.aunt.phone, circle.aunt.notes, circle.aunt.version) == ("+31687654321", "", 2)
    with translation.override("nl"), pytest.raises(StaleEdit) as exc:
        member_update(member=circle.aunt, data={"notes": "x"}, expected_version=1, by=world.coordinator)
    assert "nothing was saved" not in exc.value.messages[0]


def test_a_status_change_also_makes_an_open_edit_stale(circle, world):
    member_set_status(member=circle.uncle, status=MemberStatus.INVITED, by=world.manager)
    with translation.override("en"), pytest.raises(StaleEdit) as exc:
        member_update(member=circle.uncle, data={"relation": "oom (broer van vader)"}, expected_version=1,
                      by=world.coordinator)
    assert exc.value.changes == {"status": "invited"}
    assert "Status: Invited" in exc.value.messages[0]


def test_an_invalid_edit_is_refused(circle, world):
    with pytest.raises(ValidationError):
        member_update(member=circle.aunt, data={"email": "geen-adres"}, expected_version=1,
                      by=world.coordinator)
    circle.aunt.refresh_from_db()
    assert (circle.aunt.email, circle.aunt.version) == ("", 1)


# --- safety arrangements ------------------------------------------------------------------


def test_a_pair_that_must_not_meet(circle, world):
    arrangement = arrangement_add(case=circle.case, kind=ArrangementKind.MUST_NOT_MEET, person=circle.mother,
                                  other=circle.uncle, by=world.coordinator)
    assert arrangement.is_pair
    with translation.override("en"):
        assert arrangement.describe_for(circle.mother.pk) == "must not meet Karim el Amrani"
        assert arrangement.describe_for(circle.uncle.pk) == "must not meet Fatima el Amrani"


def test_meeting_only_with_someone_present(circle, world):
    arrangement = arrangement_add(case=circle.case, kind=ArrangementKind.ONLY_WITH_PERSON,
                                  person=circle.child, other=circle.uncle, present=circle.aunt,
                                  by=world.coordinator)
    with translation.override("en"):
        assert arrangement.describe_for(circle.uncle.pk) == (
            "meets Yasmina el Amrani only when Samira Bakker is there")
        assert arrangement.describe_for(circle.aunt.pk) == (
            "must be there when Yasmina el Amrani and Karim el Amrani meet")


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kind": "must_not_meet"}, "other"),
    ({"kind": "must_not_meet", "other": "mother"}, "other"),
    ({"kind": "only_with_person", "other": "uncle"}, "present"),
    ({"kind": "only_with_person", "other": "uncle", "present": "mother"}, "present"),
    ({"kind": "remote_only", "other": "uncle"}, "other"),
    ({"kind": "remote_only", "present": "aunt"}, "present"),
    ({"kind": "some_parts_only"}, "parts"),
    ({"kind": "some_parts_only", "parts": [4]}, "parts"),
    ({"kind": "some_parts_only", "parts": [1, 2, 3]}, "parts"),
    ({"kind": "remote_only", "parts": [2]}, "parts"),
    ({"kind": "no_such_kind"}, "kind"),
])
def test_an_arrangement_must_name_exactly_the_people_it_needs(circle, world, kwargs, field):
    people = {k: getattr(circle, v) for k, v in kwargs.items() if k in ("other", "present")}
    with pytest.raises(ValidationError) as exc:
        arrangement_add(case=circle.case, kind=kwargs["kind"], person=circle.mother,
                        parts=kwargs.get("parts"), by=world.coordinator, **people)
    assert field in exc.value.error_dict
    assert not SafetyArrangement.objects.exists()


def test_an_arrangement_only_names_people_of_this_case(circle, world):
    from kring.testing import factories as f

    other_case = f.CaseFactory(coordinator=world.coordinator)
    stranger = add_member(other_case, "Iemand anders")
    with pytest.raises(ValidationError) as exc:
        arrangement_add(case=circle.case, kind="must_not_meet", person=circle.mother, other=stranger,
                        by=world.coordinator)
    assert "other" in exc.value.error_dict


def test_the_same_pair_gets_one_arrangement_in_either_direction(circle, world):
    arrangement_add(case=circle.case, kind="must_not_meet", person=circle.mother, other=circle.uncle,
                    by=world.coordinator)
    with pytest.raises(ValidationError) as exc:
        arrangement_add(case=circle.case, kind="only_with_person", person=circle.uncle, other=circle.mother,
                        present=circle.aunt, by=world.coordinator)
    assert [e.code for e in exc.value.error_dict["__all__"]] == ["duplicate"]
    assert SafetyArrangement.objects.count() == 1


def test_parts_are_kept_sorted_and_once(circle, world):
    arrangement = arrangement_add(case=circle.case, kind="some_parts_only", person=circle.uncle,
                                  parts=[3, 1, 3], by=world.coordinator)
    assert arrangement.parts == [1, 3]


def test_removing_an_arrangement(circle, world):
    arrangement = arrangement_add(case=circle.case, kind="remote_only", person=circle.uncle,
                                  by=world.coordinator)
    with pytest.raises(CircleRefused):
        arrangement_remove(arrangement=arrangement, by=world.professional)
    arrangement_remove(arrangement=arrangement, by=world.manager)
    assert not SafetyArrangement.objects.exists()
