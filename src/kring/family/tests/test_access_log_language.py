"""The family reads why someone looked at their file in Dutch, values included (issue 5)."""

from __future__ import annotations

import html as html_lib

from kring.audit.log import log_access

from .conftest import PARENT_EMAIL, latest_code


def test_who_looked_at_my_file_says_why_in_dutch(client, family_world, world):
    case = family_world.case
    for purpose in ("case coordination", "plan document: version 2 (en)", "refused: plan not sent",
                    "circle: status invited", "written before purposes were translated"):
        log_access(None, action="read", obj=case, user=world.coordinator, purpose=purpose)
    client.post("/gezin/inloggen/", {"address": PARENT_EMAIL})
    client.post("/gezin/inloggen/code/", {"code": latest_code()})

    page = html_lib.unescape(client.get("/gezin/wie-keek/").content.decode())

    assert "<td>coördinatie van het dossier</td>" in page
    assert "<td>plandocument: versie 2 (Engels)</td>" in page
    assert "<td>geweigerd: plan niet verstuurd</td>" in page
    assert "<td>kring: status Uitgenodigd</td>" in page
    assert "<td>gezinsportaal: wie keek in mijn dossier</td>" in page  # the family's own visit
    assert "plan document: version" not in page and "case coordination" not in page
    # A purpose without a translation is shown as written, marked as English for screen readers.
    assert '<span lang="en">written before purposes were translated</span>' in page
    assert page.count('<span lang="en">') == 1
