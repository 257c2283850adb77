"""The staff's access-log page shows the "why" of each row in Dutch (issue 5)."""

from __future__ import annotations

import html as html_lib

from kring.audit.log import log_access


def test_the_case_access_log_says_why_in_dutch(world, as_user):
    case = world.case
    for purpose in ("assign coordinator", "step: first_contact", "refused: no right to assign",
                    "family portal: consent plan_copy withdrawn", "an old purpose nobody translated"):
        log_access(None, action="read", obj=case, user=world.coordinator, purpose=purpose)

    page = html_lib.unescape(as_user(world.manager).get(f"/cases/{case.pk}/log/").content.decode())

    assert "<td>coördinator toegewezen</td>" in page
    assert "<td>stap: Eerste contact met het gezin vastleggen</td>" in page
    assert "<td>geweigerd: niet toegestaan: coördinator toewijzen</td>" in page
    assert "<td>gezinsportaal: toestemming ingetrokken: Mag een kopie van het plan krijgen</td>" in page
    assert "<td>inzagelog van het dossier</td>" in page  # this visit itself
    assert "assign coordinator" not in page and "step: first_contact" not in page
    assert '<td><span lang="en">an old purpose nobody translated</span></td>' in page
    assert page.count('<span lang="en">') == 1
