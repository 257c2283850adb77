"""The family's right of access (AVG art. 15): everything Kring holds about a main person and
their children, as a readable PDF and as machine-readable JSON.

Usage (staff download page, and the family portal)::

    from kring.privacy.export import case_export
    pdf_bytes, data = case_export(case, person, request=request)   # person: a main CasePerson
    # data is JSON-serialisable: json.dumps(data, ensure_ascii=False)

`case_export` writes one access-log row (action "export") itself; pass `request`
(and `user` when it is not `request.user`) so the log says who and from where.
The family portal passes its request with an anonymous user: the log then says
"anonymous / self", which is what happened.

What is in it: the case and the request, the persons, the timeline, the circle,
safety arrangements, the information form and plan (every version), conferences,
follow-up, correction and destruction requests, and the access log of the case
(who looked, when and why). It walks every model that hangs under the case, so a
new model is included without changing this module.

What is left out, to protect other people (AVG art. 15(4)): the contact details,
date of birth and notes of anyone who is not the main person asking or one of
the children (another parent, circle members, professionals), staff addresses
in the access log, and technical secrets (link nonces, tokens, hashes).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from kring.accounts.models import User
from kring.audit.log import log_access
from kring.audit.models import AccessLogEntry, Action
from kring.cases.models import Case, CasePerson, PersonRole
from kring.plans.document import FAMILY, FONT_FILES, font_path, is_rtl

FORMAT_VERSION = 1
SECRET_FIELDS = re.compile(r"(nonce|token|secret|hash|password|otp|^key$|_key$)")
THIRD_PARTY_FIELDS = {"phone", "email", "birth_date", "notes", "address", "requester_phone",
                      "requester_email"}
SKIP_MODELS = {"audit.accesslogentry"}
MAX_DEPTH = 6


def _value(obj: models.Model, f: models.Field) -> tuple[Any, str]:
    """(machine value, readable value) of one field."""
    if f.is_relation:
        target = getattr(obj, f.name, None)
        if target is None:
            return None, "-"
        if isinstance(target, User):
            return target.display_name, target.display_name
        return target.pk, str(target)
    raw = getattr(obj, f.attname)
    shown = str(getattr(obj, f"get_{f.name}_display")()) if f.choices else None
    if isinstance(raw, datetime):
        local = timezone.localtime(raw) if timezone.is_aware(raw) else raw
        return raw.isoformat(), shown or formats.date_format(local, "j F Y H:i")
    if isinstance(raw, date):
        return raw.isoformat(), shown or formats.date_format(raw, "j F Y")
    if isinstance(raw, Decimal):
        return str(raw), str(raw)
    if isinstance(raw, bool):
        return raw, shown or (_("yes") if raw else _("no"))
    if raw is None or raw == "":
        return raw, "-"
    return raw, shown or (raw if isinstance(raw, str) else str(raw))


class _Walker:
    def __init__(self, case: Case, person: CasePerson) -> None:
        self.case = case
        self.person = person
        self.own_people = set(case.persons.filter(role=PersonRole.CHILD).values_list("pk", flat=True))
        self.own_people.add(person.pk)
        self.sections: dict[str, dict] = {}
        self.seen: set[tuple[str, Any]] = set()

    def _is_own(self, obj: models.Model) -> bool:
        if isinstance(obj, CasePerson):
            return obj.pk in self.own_people
        if getattr(obj, "case_person_id", None) is not None:
            return obj.case_person_id in self.own_people
        return False

    def add(self, obj: models.Model, depth: int = 0) -> None:
        label = obj._meta.label_lower
        if label in SKIP_MODELS or (label, obj.pk) in self.seen or depth > MAX_DEPTH:
            return
        if getattr(obj, "case_id", self.case.pk) not in (self.case.pk, None):
            return  # never another family's data
        self.seen.add((label, obj.pk))
        own = self._is_own(obj) or isinstance(obj, Case)
        fields, data = [], {}
        for f in obj._meta.concrete_fields:
            if SECRET_FIELDS.search(f.name):
                continue
            if isinstance(obj, Case) and f.name in {"requester_phone", "requester_email"}:
                if not (self.person.email and obj.requester_email.lower() == self.person.email.lower()):
                    continue
            elif not own and f.name in THIRD_PARTY_FIELDS:
                continue
            raw, shown = _value(obj, f)
            data[f.name] = raw
            fields.append((str(f.verbose_name), shown))
        section = self.sections.setdefault(label, {
            "title": str(obj._meta.verbose_name_plural), "rows": [], "shown": []})
        section["rows"].append(data)
        section["shown"].append(fields)
        for rel in obj._meta.related_objects:
            if rel.related_model is User or not (rel.one_to_many or rel.one_to_one):
                continue
            accessor = rel.get_accessor_name()
            if rel.one_to_one:
                child = getattr(obj, accessor, None) if hasattr(obj, accessor) else None
                if child is not None:
                    self.add(child, depth + 1)
                continue
            for child in getattr(obj, accessor).all():
                self.add(child, depth + 1)


def _access_log(case: Case) -> dict:
    rows, shown = [], []
    for e in AccessLogEntry.objects.filter(case_id=case.pk).order_by("at", "id"):
        rows.append({"at": e.at.isoformat(), "who": e.user_label, "role": e.role,
                     "on_behalf_of": e.on_behalf_of, "action": e.action, "outcome": e.outcome,
                     "what": f"{e.object_type} {e.object_id}", "why": e.purpose})
        shown.append([
            (_("When"), formats.date_format(timezone.localtime(e.at), "j F Y H:i")),
            (_("Who"), f"{e.user_label} ({e.role}, {e.on_behalf_of})"),
            (_("What"), f"{e.get_action_display()} {e.object_type} ({e.get_outcome_display()})"),
            (_("Why"), e.purpose_label),  # in the reader's language; the JSON keeps it as stored
        ])
    return {"title": _("Who looked at this file"), "rows": rows, "shown": shown}


class ExportDocument(FPDF):
    def __init__(self, *, reference: str, generated: str) -> None:
        super().__init__(format="A4")
        self.reference, self.generated = reference, generated
        for style in FONT_FILES:
            self.add_font(FAMILY, style, str(font_path(style)))
        self.set_text_shaping(True)
        self.set_auto_page_break(True, margin=20)
        self.set_margins(20, 18, 20)
        self.alias_nb_pages("{nb}")

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 6, _("%(reference)s · made on %(date)s · page %(page)s of %(pages)s") % {
            "reference": self.reference, "date": self.generated, "page": self.page_no(),
            "pages": "{nb}"}, align="C")

    def line_of_text(self, text: str, *, size: int = 10, style: str = "", height: float = 5.5) -> None:
        self.set_font(FAMILY, style, size)
        for paragraph in str(text).splitlines() or [""]:
            self.multi_cell(0, height, paragraph or " ", align="R" if is_rtl(paragraph) else "L",
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _pdf(case: Case, person: CasePerson, sections: list[dict]) -> bytes:
    generated = formats.date_format(timezone.localdate(), "j F Y")
    pdf = ExportDocument(reference=case.reference, generated=generated)
    pdf.set_title(_("Everything Kring holds about you") + f" {case.reference}")
    pdf.set_creator("Kring")
    pdf.add_page()
    pdf.line_of_text(_("Everything Kring holds about you"), size=18, style="B", height=9)
    pdf.line_of_text(_("For %(name)s, about the file %(reference)s. Made on %(date)s.") % {
        "name": person.name, "reference": case.reference, "date": generated})
    pdf.line_of_text(_("Is something wrong? Ask your coordinator to correct it. Details of other "
                       "people (like their phone number) are left out to protect them."))
    pdf.ln(4)
    for section in sections:
        if pdf.will_page_break(25):
            pdf.add_page()
        pdf.line_of_text(section["title"][:1].upper() + section["title"][1:], size=13, style="B", height=7)
        for fields in section["shown"]:
            for label, shown in fields:
                pdf.line_of_text(f"{label}: {shown}")
            pdf.ln(2)
        pdf.ln(2)
    return bytes(pdf.output())


def case_export(case: Case, person: CasePerson, *, request=None, user=None,
                language: str = "nl") -> tuple[bytes, dict]:
    """Everything about `person` (a main person of `case`) and their children: (PDF, JSON dict).

    Logged as an export in the access log. Raises ValueError for someone who is not a
    main person of this case.
    """
    if person.case_id != case.pk or not person.is_main_person:
        raise ValueError("the export is for a main person of this case")
    # Logged first, so the export's own access log shows this export too.
    log_access(request, user=user, action=Action.EXPORT, obj=case,
               purpose=f"AVG access: export for main person {person.pk}")
    with translation.override(language):
        walker = _Walker(case, person)
        walker.add(case)
        sections = [*walker.sections.values(), _access_log(case)]
        data = {
            "format": "kring-export", "format_version": FORMAT_VERSION,
            "generated_at": timezone.now().isoformat(),
            "for_person": person.pk, "case_reference": case.reference,
            "sections": {label: s["rows"] for label, s in walker.sections.items()},
        }
        data["sections"]["audit.accesslogentry"] = sections[-1]["rows"]
        pdf = _pdf(case, person, sections)
    return pdf, data
