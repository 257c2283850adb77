"""The circle's URLs in the access matrix (merged by `core/tests/test_matrix.py`).

Coordinators and regional managers change the circle; professionals related to the
case see it (403 on every change); everyone else gets 404. The member and
arrangement pages are walked with ids that do not exist in the test world: the
editors get 404 there too, after the case check (see the network tests for the
pages with real people).
"""

from kring.testing.matrix import LOGIN, row

MISSING = 999999999

_view = row(404, anonymous=LOGIN, manager=200, coordinator=200, professional=200, linked_professional=200)


def _change(editors: int) -> dict[str, int]:
    return row(404, anonymous=LOGIN, manager=editors, coordinator=editors, professional=403,
               linked_professional=403)


MATRIX = {
    "network_circle": ("get", "/cases/{case_id}/circle/", None, _view),
    "network_ecomap": ("get", "/cases/{case_id}/circle/ecomap.svg", None, _view),
    "network_member_add": ("post", "/cases/{case_id}/circle/members/",
                           {"name": "Karim el Amrani", "role": "network", "relation": "oom",
                            "side": "father", "kind": "family", "closeness": "2"}, _change(302)),
    "network_member_edit": ("get", f"/cases/{{case_id}}/circle/members/{MISSING}/", None, _change(404)),
    "network_member_status": ("post", f"/cases/{{case_id}}/circle/members/{MISSING}/status/",
                              {"status": "invited"}, _change(404)),
    "network_arrangement_add": ("post", "/cases/{case_id}/circle/arrangements/",
                                {"kind": "must_not_meet"}, _change(200)),
    "network_arrangement_remove": ("post", f"/cases/{{case_id}}/circle/arrangements/{MISSING}/remove/",
                                   {}, _change(404)),
}
