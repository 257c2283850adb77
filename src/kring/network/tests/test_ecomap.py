"""The eco-map SVG: accessible, one node per person, marks by status, restriction lines, figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from kring.network.ecomap import circle_data, circle_figures, mark_of, render_ecomap
from kring.network.models import (
    ArrangementKind,
    Attendance,
    CircleMember,
    Kind,
    MemberRole,
    MemberStatus,
    Side,
)
from kring.network.services import arrangement_add, member_set_status

from .conftest import add_member

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str | bytes) -> ET.Element:
    return ET.fromstring(markup)


def svg_of(case, **kwargs) -> ET.Element:
    members, arrangements = circle_data(case)
    return parse(render_ecomap(case=case, members=members, arrangements=arrangements, **kwargs))


def nodes(root: ET.Element) -> dict[int, ET.Element]:
    return {int(g.get("data-member")): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def restrictions(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "restriction"]


def test_the_map_is_an_accessible_image_with_a_title_and_a_description(circle):
    with translation.override("en"):
        root = svg_of(circle.case)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 1000 1090"
    assert root.get("width") is None, "it scales with its container"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == f"Eco-map of the circle of {circle.case.reference}"
    assert "In the centre: Fatima el Amrani, Yasmina el Amrani." in desc.text
    assert "Around them 3 people: 1 on the mother's side, 1 on the father's side" in desc.text
    assert "table" in desc.text


def test_the_standalone_file_declares_xml_and_its_language(circle):
    members, arrangements = circle_data(circle.case)
    with translation.override("nl"):
        markup = render_ecomap(case=circle.case, members=members, arrangements=arrangements,
                               standalone=True)
    assert markup.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = parse(markup.encode())
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"


def test_one_node_per_person_with_its_side_kind_and_closeness(circle):
    root = svg_of(circle.case)
    found = nodes(root)
    members = CircleMember.objects.filter(case=circle.case)
    assert set(found) == {m.pk for m in members}
    for member in members:
        node = found[member.pk]
        assert (node.get("data-side"), node.get("data-kind"), node.get("data-closeness"),
                node.get("data-role")) == (member.side, member.kind, str(member.closeness), member.role)
        assert node.find(f"{SVG}title").text.startswith(member.name)


def _distance_from_centre(node: ET.Element) -> float:
    shape = node.find(f"{SVG}circle") if node.find(f"{SVG}circle") is not None else node.find(f"{SVG}rect")
    if shape.tag == f"{SVG}rect":
        x = float(shape.get("x")) + float(shape.get("width")) / 2
        y = float(shape.get("y")) + float(shape.get("height")) / 2
    else:
        x, y = float(shape.get("cx")), float(shape.get("cy"))
    return ((x - 500) ** 2 + (y - 470) ** 2) ** 0.5, x, y


def test_the_family_is_in_the_centre_and_the_sides_are_left_and_right(circle):
    found = nodes(svg_of(circle.case))
    centre, _, _ = _distance_from_centre(found[circle.mother.pk])
    assert centre < 112
    aunt, ax, _ = _distance_from_centre(found[circle.aunt.pk])  # mother's side, very close
    uncle, ux, _ = _distance_from_centre(found[circle.uncle.pk])  # father's side, close
    neighbour, _, ny = _distance_from_centre(found[circle.neighbour.pk])  # outside, further away
    assert ax < 500 < ux
    assert ny > 470
    assert aunt < uncle < neighbour


def test_people_are_grouped_by_kind_within_a_sector_with_a_label(circle):
    add_member(circle.case, "Juf Anja", kind=Kind.SCHOOL)
    add_member(circle.case, "Meester Rob", kind=Kind.SCHOOL, closeness=3)
    root = svg_of(circle.case)
    labels = {t.get("data-kind-label") for t in root.iter(f"{SVG}text") if t.get("data-kind-label")}
    assert {"neighbour", "school", "family"} <= labels
    sectors = {t.get("data-sector") for t in root.iter(f"{SVG}text") if t.get("data-sector")}
    assert sectors == {"mother", "father", "both", "none"}


@pytest.mark.parametrize(("status", "attendance", "mark", "shape", "letter"), [
    (MemberStatus.IDENTIFIED, "", "not_invited", "circle", None),
    (MemberStatus.APPROACHED, "", "not_invited", "circle", None),
    (MemberStatus.INVITED, "", "invited", "circle", "I"),
    (MemberStatus.CONFIRMED, "", "invited", "circle", "I"),
    (MemberStatus.DECLINED, "", "declined", "circle", None),
    (MemberStatus.ATTENDED, Attendance.IN_PERSON, "came", "circle", "C"),
    (MemberStatus.ATTENDED, Attendance.REMOTE, "came", "circle", "C"),
    (MemberStatus.AGREEMENT, Attendance.IN_PERSON, "agreement", "rect", "A"),
])
def test_the_mark_shows_the_status_by_shape_fill_and_letter(circle, status, attendance, mark, shape, letter):
    CircleMember.objects.filter(pk=circle.uncle.pk).update(status=status, attendance=attendance)
    with translation.override("en"):
        node = nodes(svg_of(circle.case))[circle.uncle.pk]
    assert node.get("data-status") == status
    assert node.get("data-mark") == mark
    shapes = [el for el in node if el.tag in (f"{SVG}circle", f"{SVG}rect")]
    main_shape = shapes[-1]
    assert main_shape.tag == f"{SVG}{shape}"
    filled = main_shape.get("fill") != "#ffffff"
    assert filled == (mark in ("came", "agreement"))
    assert (main_shape.get("stroke-dasharray") is not None) == (mark == "not_invited")
    letters = [t.text for t in node.iter(f"{SVG}text") if t.get("aria-hidden") == "true"]
    assert (letter in letters) if letter else not [t for t in letters if t != "✓"]
    if mark == "declined":
        assert node.find(f"{SVG}line") is not None, "said no is crossed out"
    if attendance == Attendance.REMOTE:
        assert "From a distance" in node.find(f"{SVG}title").text


def test_the_letters_are_dutch_on_a_dutch_page(circle):
    CircleMember.objects.filter(pk=circle.uncle.pk).update(status=MemberStatus.ATTENDED,
                                                           attendance=Attendance.IN_PERSON)
    with translation.override("nl"):
        node = nodes(svg_of(circle.case))[circle.uncle.pk]
    letters = [t.text for t in node.iter(f"{SVG}text") if t.get("aria-hidden") == "true"]
    assert letters == ["K"]


def test_a_restriction_is_a_dashed_red_line_with_a_label(circle, world):
    must_not = arrangement_add(case=circle.case, kind=ArrangementKind.MUST_NOT_MEET, person=circle.mother,
                               other=circle.uncle, by=world.coordinator)
    only_with = arrangement_add(case=circle.case, kind=ArrangementKind.ONLY_WITH_PERSON, person=circle.child,
                                other=circle.neighbour, present=circle.aunt, by=world.coordinator)
    arrangement_add(case=circle.case, kind=ArrangementKind.REMOTE_ONLY, person=circle.uncle,
                    by=world.coordinator)
    with translation.override("en"):
        root = svg_of(circle.case)
    lines = {int(g.get("data-arrangement")): g for g in restrictions(root)}
    assert set(lines) == {must_not.pk, only_with.pk}, "arrangements about one person draw no line"
    first = lines[must_not.pk]
    assert (first.get("data-kind"), first.get("data-person"), first.get("data-other"),
            first.get("data-present")) == ("must_not_meet", str(circle.mother.pk), str(circle.uncle.pk), "")
    line = first.find(f"{SVG}line")
    assert line.get("stroke") == "#b00020"
    assert line.get("stroke-dasharray")
    assert first.find(f"{SVG}text").text == "must not meet"
    assert first.find(f"{SVG}title").text == "Fatima el Amrani: must not meet Karim el Amrani"
    second = lines[only_with.pk]
    assert second.get("data-present") == str(circle.aunt.pk)
    assert second.find(f"{SVG}text").text == "only with Samira Bakker"
    uncle = nodes(root)[circle.uncle.pk]
    assert "only from a distance" in [t.text for t in uncle.iter(f"{SVG}text")]


def test_the_line_runs_between_the_two_people(circle, world):
    arrangement_add(case=circle.case, kind=ArrangementKind.MUST_NOT_MEET, person=circle.aunt,
                    other=circle.uncle, by=world.coordinator)
    root = svg_of(circle.case)
    found = nodes(root)
    _, ax, ay = _distance_from_centre(found[circle.aunt.pk])
    _, ux, uy = _distance_from_centre(found[circle.uncle.pk])
    line = restrictions(root)[0].find(f"{SVG}line")
    x1, y1, x2, y2 = (float(line.get(k)) for k in ("x1", "y1", "x2", "y2"))
    assert ((x1 - ax) ** 2 + (y1 - ay) ** 2) ** 0.5 < 25
    assert ((x2 - ux) ** 2 + (y2 - uy) ** 2) ** 0.5 < 25


def test_the_map_changes_when_the_data_change(circle, world):
    before = svg_of(circle.case)
    assert nodes(before)[circle.aunt.pk].get("data-mark") == "not_invited"
    new = add_member(circle.case, "Opa Hassan", side=Side.FATHER, closeness=1)
    member_set_status(member=circle.aunt, status=MemberStatus.INVITED, by=world.coordinator)
    arrangement_add(case=circle.case, kind=ArrangementKind.MUST_NOT_MEET, person=circle.mother,
                    other=new, by=world.coordinator)
    after = svg_of(circle.case)
    assert set(nodes(after)) - set(nodes(before)) == {new.pk}
    assert nodes(after)[circle.aunt.pk].get("data-mark") == "invited"
    assert len(restrictions(before)) == 0 and len(restrictions(after)) == 1


def test_names_are_escaped_and_any_script_is_kept(circle):
    odd = add_member(circle.case, 'Tom <b>&</b> "Jerry"')
    arabic = add_member(circle.case, "ياسمينة العمراني", side=Side.MOTHER)
    found = nodes(svg_of(circle.case))
    assert found[odd.pk].find(f"{SVG}title").text.startswith('Tom <b>&</b> "Jerry"')
    assert "ياسمينة العمراني" in found[arabic.pk].find(f"{SVG}title").text


def test_an_empty_circle_and_a_crowded_circle_both_render(world):
    root = svg_of(world.case)
    assert nodes(root) == {}
    for i in range(40):
        add_member(world.case, f"Persoon {i}", side=Side.MOTHER, kind=Kind.FRIEND, closeness=1 + i % 3)
    assert len(nodes(svg_of(world.case))) == 40


def test_the_map_uses_no_style_attributes_so_the_csp_allows_it(circle):
    root = svg_of(circle.case)
    assert all("style" not in el.attrib for el in root.iter())
    assert root.find(f"{SVG}style") is None and root.find(f"{SVG}script") is None


# --- figures ------------------------------------------------------------------------------


def _m(role=MemberRole.NETWORK, side=Side.NONE, kind=Kind.FAMILY, status=MemberStatus.IDENTIFIED):
    return CircleMember(role=role, side=side, kind=kind, status=status, name="x")


def test_figures_of_an_empty_circle():
    figures = circle_figures([])
    assert (figures.size, figures.invited, figures.both_sides, figures.outside_family) == (0, 0, False, 0)


def test_figures_count_network_members_not_the_family_in_the_centre():
    members = [
        _m(role=MemberRole.MAIN, side=Side.BOTH, status=MemberStatus.INVITED),
        _m(role=MemberRole.CHILD, side=Side.BOTH),
        _m(side=Side.MOTHER, status=MemberStatus.INVITED),
        _m(side=Side.MOTHER, status=MemberStatus.ATTENDED),
        _m(side=Side.FATHER, status=MemberStatus.AGREEMENT),
        _m(side=Side.NONE, kind=Kind.FRIEND, status=MemberStatus.CONFIRMED),
        _m(side=Side.NONE, kind=Kind.SCHOOL),
    ]
    figures = circle_figures(members)
    assert (figures.size, figures.centre) == (5, 2)
    assert (figures.invited, figures.came, figures.agreements) == (4, 2, 1)
    assert (figures.mother_side, figures.father_side, figures.both_sides) == (2, 1, True)
    assert figures.outside_family == 2


@pytest.mark.parametrize(("father_status", "both"), [
    (MemberStatus.IDENTIFIED, False),  # known but not invited yet
    (MemberStatus.APPROACHED, False),
    (MemberStatus.DECLINED, False),  # said no: not present
    (MemberStatus.INVITED, True),
    (MemberStatus.CONFIRMED, True),
    (MemberStatus.ATTENDED, True),
])
def test_both_sides_need_an_invited_person_on_each_side(father_status, both):
    members = [_m(side=Side.MOTHER, status=MemberStatus.CONFIRMED), _m(side=Side.FATHER, status=father_status)]
    assert circle_figures(members).both_sides is both


def test_a_person_of_both_sides_or_a_main_person_does_not_make_a_side_present():
    members = [_m(side=Side.MOTHER, status=MemberStatus.INVITED), _m(side=Side.BOTH, status=MemberStatus.INVITED),
               _m(role=MemberRole.MAIN, side=Side.FATHER, status=MemberStatus.INVITED)]
    figures = circle_figures(members)
    assert (figures.father_side, figures.both_sides) == (0, False)


def test_professionals_and_friends_are_outside_the_family_family_is_not():
    members = [_m(kind=Kind.FAMILY, side=Side.NONE), _m(kind=Kind.PROFESSIONAL), _m(kind=Kind.NEIGHBOUR),
               _m(role=MemberRole.MAIN, kind=Kind.FRIEND)]
    assert circle_figures(members).outside_family == 2


def test_mark_of_every_status_is_known():
    for status in MemberStatus.values:
        assert mark_of(_m(status=status))
