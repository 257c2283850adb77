"""Every "why" Kring writes into the access log can be shown in the reader's language.

The source is read (with `ast`) for every purpose given to the access log: `purpose=`
arguments and the purpose argument of helpers that pass theirs on, as plain strings or
f-strings. Each one, with sample values for its f-string parts, must match a template in
`kring.audit.purposes.PURPOSES`; so a new purpose without a translation fails here.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from pathlib import Path

import pytest
from django.utils import translation

import kring
from kring.audit.log import DEFAULT_PURPOSES
from kring.audit.purposes import (
    DESTRUCTION_WHY,
    PURPOSES,
    RIGHTS,
    purpose_display,
    translate_purpose,
)

SRC = Path(kring.__file__).parent
#: `core/links.py` has a `purpose` of its own: what a personal link is for, not a log purpose.
NOT_LOG_PURPOSES = {"core/links.py"}
#: Stands in for a value computed at run time (a number, a code, a name).
SAMPLE = "7"
#: Stands in for a purpose passed on by a helper (`f"refused: {purpose}"`).
INNER = "plan document"


def _source_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py")
                  if "tests" not in p.relative_to(SRC).parts and p.name != "conftest.py"
                  and p.relative_to(SRC).as_posix() not in NOT_LOG_PURPOSES)


def _helpers(trees: dict[str, ast.Module]) -> dict[str, set[int]]:
    """Functions with a `purpose` parameter: name → its position in a call (without `self`)."""
    found: dict[str, set[int]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in node.args.posonlyargs + node.args.args]
                if "purpose" in names:
                    index = names.index("purpose") - (1 if names[0] in ("self", "cls") else 0)
                    found.setdefault(node.name, set()).add(index)
    return found


def _samples(node: ast.expr) -> list[str] | None:
    """Every text a literal purpose expression can give, with sample values; None when the
    expression is not a literal (a variable passed on is checked where it is written)."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        parts: list[list[str]] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append([str(value.value)])
            elif isinstance(value.value, ast.Name) and value.value.id == "purpose":
                parts.append([INNER])
            else:
                parts.append(_samples(value.value) or [SAMPLE])
        return ["".join(p) for p in itertools.product(*parts)]
    if isinstance(node, ast.IfExp):
        body, orelse = _samples(node.body), _samples(node.orelse)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _samples(node.left), _samples(node.right)
        return None if left is None or right is None else [a + b for a in left for b in right]
    if isinstance(node, ast.Subscript):  # (f"...")[:200]
        return _samples(node.value)
    return None


def purposes_in(trees: dict[str, ast.Module]) -> list[tuple[str, str]]:
    """(where, sample) for every literal purpose in these parsed modules."""
    helpers = _helpers(trees)
    found = []
    for where, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            exprs = [k.value for k in node.keywords if k.arg == "purpose"]
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            exprs += [node.args[i] for i in helpers.get(name, ()) if i < len(node.args)]
            for expr in exprs:
                for sample in _samples(expr) or []:
                    found.append((f"{where}:{node.lineno}", sample))
    return found


def _kring_purposes() -> list[tuple[str, str]]:
    trees = {p.relative_to(SRC).as_posix(): ast.parse(p.read_text(), str(p)) for p in _source_files()}
    return purposes_in(trees)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_every_purpose_in_the_code_has_a_translated_label():
    found = _kring_purposes()
    assert len({sample for _where, sample in found}) > 150  # the walk really finds them
    missing = sorted({f"{where}: {sample!r}" for where, sample in found if translate_purpose(sample) is None})
    assert not missing, "Add these purposes to kring.audit.purposes.PURPOSES:\n" + "\n".join(missing)


def test_the_walk_catches_a_new_purpose_without_a_label():
    code = '''
def _refused(request, case, exc, purpose):
    log_access(request, action="change", obj=case, purpose=f"refused: {purpose}")

def view(request, case, n):
    log_access(request, action="read", obj=case, purpose=f"a brand new page ({n})")
    _refused(request, case, None, "something nobody translated")
    _refused(request, case, None, "plan not sent")
    log_access(request, action="read", obj=case, purpose="plan accepted" if n else "a new refusal")
    log_access(request, action="read", obj=case, purpose=variable)
'''
    found = purposes_in({"new.py": ast.parse(code)})
    samples = {sample for _where, sample in found}
    assert samples == {"refused: plan document", "a brand new page (7)", "something nobody translated",
                       "plan not sent", "plan accepted", "a new refusal"}
    unknown = {s for s in samples if translate_purpose(s) is None}
    assert unknown == {"a brand new page (7)", "something nobody translated", "a new refusal"}


def test_the_default_purposes_are_translated_too():
    for purpose in DEFAULT_PURPOSES.values():
        assert translate_purpose(purpose) is not None, purpose
    for action in ("read", "search", "create", "change", "export"):  # the default for other roles
        assert translate_purpose(action) is not None


def test_templates_and_labels_name_the_same_values():
    for source, label in PURPOSES.items():
        assert set(re.findall(r"\{(\w+)\}", source)) == set(re.findall(r"%\((\w+)\)s", str(label))), source


def test_every_label_has_dutch():
    table = json.loads((SRC / "audit" / "locale_nl.json").read_text())
    labels = {str(label) for mapping in (PURPOSES, RIGHTS, DESTRUCTION_WHY) for label in mapping.values()}
    with translation.override("nl"):
        missing = {m for m in labels if m not in table and translation.gettext(m) == m}
    assert not missing
    for msgid, dutch in table.items():
        assert sorted(re.findall(r"%\((\w+)\)s", msgid)) == sorted(re.findall(r"%\((\w+)\)s", dutch)), msgid


@pytest.mark.parametrize(("stored", "shown"), [
    ("plan accepted", "plan accepted"),
    ("plan document: version 3 (nl)", "plan document: version 3 (Dutch)"),
    ("circle: status refused: invited", "circle: status change refused: Invited"),
    ("circle: status invited", "circle: status Invited"),
    ("step: first_contact", "step: Record first contact with the family"),
    ("refused: plan not sent", "refused: plan not sent"),
    ("refused: family group plan", "refused: family group plan"),
    ("refused: no right to view_log", "refused: not allowed: seeing the access log"),
    ("check-in refused: link expired", "check-in refused: This link has expired"),
    ("family portal: consent plan_copy withdrawn",
     "family portal: consent withdrawn: May receive a copy of the plan"),
    ("circle: no such safetyarrangement", "circle: this safety arrangement does not exist"),
    ("destruction refused: legal_duty: Het dossier is nodig: rechtszaak.",
     "destruction: Not destroyed: an exception applies (A legal duty to keep it): Het dossier is nodig: rechtszaak."),
    ("case file destroyed (retention); anonymous figures kept",
     "case file destroyed (the retention period is over); figures without names kept"),
    ("plan document: version 2 (xx)", "plan document: version 2 (xx)"),  # an unknown value as stored
])
def test_a_stored_purpose_is_shown_with_its_values_in_words(stored, shown):
    assert translate_purpose(stored) == shown
    assert purpose_display(stored).lang == ""


@pytest.mark.parametrize("stored", ["something written before the registry", "refused: nobody knows this",
                                    "plan document: versions 2 and 3", ""])
def test_an_unknown_purpose_is_shown_as_stored_and_marked_english(stored):
    assert translate_purpose(stored) is None
    shown = purpose_display(stored)
    assert (shown.text, shown.lang) == (stored, "en")
