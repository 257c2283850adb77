"""The Dutch and English catalogs: complete, compiled, placeholders intact, and used.

Dutch is the first interface language; every msgid needs a Dutch translation.
English may stay empty (it falls back to the msgid). When a test here fails
after new strings were added, run `src/kring/locale/update.sh`, translate the
new or fuzzy entries in `nl/LC_MESSAGES/django.po` and run the script again.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.LOCALE_PATHS[0])
NL_PO = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
NL_MO = LOCALE / "nl" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"

HOW_TO_FIX = "run src/kring/locale/update.sh, translate, and run it again"


# --- a tiny .po reader (no dependency) ---------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def __str__(self) -> str:
        ctx = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {ctx}{self.msgid!r}"


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def _unquote(literal: str) -> str:
    # PO escapes (\n, \t, \", \\) are a subset of Python's string escapes.
    return ast.literal_eval(literal)


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header first; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current = Entry()
    key: tuple[str, int] | None = None
    started = False  # current has seen a keyword line

    def finish() -> None:
        nonlocal current, key, started
        if started:
            entries.append(current)
        current, key, started = Entry(), None, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#"):
            if started:  # a comment after msgstr starts the next entry
                finish()
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith('"'):
            if key is None:
                raise ValueError(f"{path}:{number}: string without a keyword")
            name, index = key
            value = _unquote(line)
            if name == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, name, getattr(current, name) + value)
        else:
            match = _KEYWORD.match(line)
            if match is None:
                raise ValueError(f"{path}:{number}: cannot read {raw!r}")
            name, index, literal = match.group(1), match.group(2), match.group(3)
            if name in ("msgctxt", "msgid") and started and (name == "msgctxt" or key[0] != "msgctxt"):
                finish()
            if not started:
                current.line = number
                started = True
            value = _unquote(literal)
            if name.startswith("msgstr"):
                i = int(index) if index is not None else 0
                current.msgstr[i] = value
                key = ("msgstr", i)
            else:
                setattr(current, name, value)
                key = (name, 0)
    finish()
    return entries


def messages(path: Path) -> list[Entry]:
    return [e for e in parse_po(path) if not e.is_header]


def header(path: Path) -> dict[str, str]:
    first = parse_po(path)[0]
    assert first.is_header, f"{path} has no header entry"
    return dict(
        (k.strip(), v.strip()) for k, _, v in (h.partition(":") for h in first.msgstr[0].splitlines()) if k
    )


def _key(entry: Entry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


# --- (a) complete -------------------------------------------------------------------------


def test_the_reader_understands_the_catalog():
    entries = messages(NL_PO)
    assert len(entries) > 100
    plural = [e for e in entries if e.msgid_plural]
    assert plural and all(set(e.msgstr) == {0, 1} for e in plural)
    assert any("\n" not in e.msgid and len(e.msgid) > 80 for e in entries), "multi-line msgids are joined"


def test_the_dutch_header_is_right():
    fields = header(NL_PO)
    assert fields["Language"] == "nl"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not parse_po(NL_PO)[0].fuzzy, "the header is marked fuzzy"


def test_every_msgid_has_a_dutch_translation_and_none_is_fuzzy():
    problems = []
    for entry in messages(NL_PO):
        forms = [0, 1] if entry.msgid_plural else [0]
        if entry.fuzzy:
            problems.append(f"fuzzy   {entry}")
        elif any(not entry.msgstr.get(i, "").strip() for i in forms):
            problems.append(f"empty   {entry}")
        elif set(entry.msgstr) != set(forms):
            problems.append(f"forms   {entry}: has msgstr{sorted(entry.msgstr)}")
    assert not problems, (
        f"{len(problems)} Dutch entries need work in {NL_PO} ({HOW_TO_FIX}):\n" + "\n".join(problems)
    )


def test_the_english_catalog_exists_and_matches_the_dutch_one():
    """English may stay empty, but the catalog must be there for the language switch."""
    assert header(EN_PO)["Language"] == "en"
    dutch = {_key(e) for e in messages(NL_PO)}
    english = {_key(e) for e in messages(EN_PO)}
    only_nl, only_en = dutch - english, english - dutch
    assert not only_nl and not only_en, (
        f"the nl and en catalogs hold different msgids ({HOW_TO_FIX}); "
        f"only in nl: {sorted(map(str, only_nl))[:10]}, only in en: {sorted(map(str, only_en))[:10]}"
    )


# --- (b) compiled -------------------------------------------------------------------------


def _mo(path: Path) -> gettext.GNUTranslations:
    assert path.exists(), f"{path} is missing ({HOW_TO_FIX})"
    with path.open("rb") as fh:
        return gettext.GNUTranslations(fh)


def test_the_dutch_mo_holds_every_translation_of_the_po():
    """A .mo older than its .po misses msgids or carries old translations."""
    mo = _mo(NL_MO)
    stale = []
    for entry in messages(NL_PO):
        if entry.fuzzy or not all(entry.msgstr.values()):
            continue  # reported by the completeness test; msgfmt leaves these out
        if entry.msgid_plural:
            got = [mo.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n) if entry.msgctxt
                   else mo.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            want = [entry.msgstr[0], entry.msgstr[1]]
        else:
            got = [mo.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else mo.gettext(entry.msgid)]
            want = [entry.msgstr[0]]
        if got != want:
            stale.append(f"{entry}: .mo has {got!r}, .po has {want!r}")
    assert not stale, f"{NL_MO} is out of date ({HOW_TO_FIX}):\n" + "\n".join(stale)


def test_the_english_mo_exists_and_is_english():
    mo = _mo(EN_MO)
    assert mo.info().get("language") == "en"


def test_django_uses_the_dutch_catalog_with_its_plural_rule():
    with translation.override("nl"):
        assert translation.gettext("Ask for a family group plan") == "Vraag een familiegroepsplan aan"
        assert translation.ngettext("%(n)d day", "%(n)d days", 1) % {"n": 1} == "1 dag"
        assert translation.ngettext("%(n)d day", "%(n)d days", 3) % {"n": 3} == "3 dagen"
        assert translation.ngettext("%(n)d day", "%(n)d days", 0) % {"n": 0} == "0 dagen"
    with translation.override("en"):
        assert translation.gettext("Ask for a family group plan") == "Ask for a family group plan"


# --- (c) placeholders ---------------------------------------------------------------------

# printf style as Python's % operator reads it: %(name)s, %s, %d, %.1f, %% ...
PRINTF = re.compile(r"%(?:\(\w+\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
NAMED = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACES = re.compile(r"\{\{?\s*[\w.]*\s*\}?\}")  # {name}, {0}, {} and a stray {{ var }}
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def placeholders(text: str, python_format: bool) -> Counter:
    found = PRINTF.findall(text) if python_format else NAMED.findall(text)
    return Counter(found) + Counter(BRACES.findall(text)) + Counter(TAG.findall(text))


def test_placeholders_and_markup_are_kept_in_every_translation():
    wrong = []
    for entry in messages(NL_PO):
        python_format = "python-format" in entry.flags
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        for index, source in enumerate(sources):
            target = entry.msgstr.get(index, "")
            if not target:
                continue  # reported by the completeness test
            want, got = placeholders(source, python_format), placeholders(target, python_format)
            if want != got:
                wrong.append(f"{entry} msgstr[{index}]: expected {sorted(want.elements())}, "
                             f"got {sorted(got.elements())}")
    assert not wrong, "placeholders or markup differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_the_placeholder_check_notices_a_lost_placeholder():
    assert placeholders("Page %(n)s of %(total)s", True) != placeholders("Pagina %(n)s van", True)
    assert placeholders("Hi {name}", False) != placeholders("Hoi naam", False)
    assert placeholders("a <code>b</code>", False) == placeholders("x <code>y</code>", False)
    assert placeholders("100% sure", False) == placeholders("100% zeker", False)


# --- (d) the public request form in both languages ----------------------------------------


def _visible_text(html: str) -> str:
    """The page's text without tags; text marked lang="en" (the language switch) is left out."""
    html = re.sub(r"<([a-z]+)\b[^>]*\blang=\"en\"[^>]*>.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _public_form_texts() -> list:
    """Labels, help texts and choices of the public form, as lazy translatable strings."""
    from kring.intake.forms import ChildForm, PersonForm, PublicRequestForm

    texts: list = []
    for form_class in (PublicRequestForm, PersonForm, ChildForm):
        for form_field in form_class.base_fields.values():
            texts += [form_field.label, form_field.help_text]
            texts += [label for _, label in getattr(form_field, "choices", [])]
    return [t for t in texts if t]


KNOWN_ENGLISH = [
    "Who are you?",
    "Your name",
    "Your e-mail address",
    "Your phone number",
    "Ask for a family group plan",
    "About you",
    "The family",
    "Parents or carers",
    "Children (with date of birth)",
    "Wishes for the coordinator",
    "Consent",
    "Send request",
    "Municipality where the family lives",
    "How urgent is it?",
    "optional",
    "Skip to content",
    "Sign in",
]


def _english_leftovers(text: str) -> list[str]:
    leftovers = []
    candidates = [*KNOWN_ENGLISH, *_public_form_texts()]
    for lazy in candidates:
        with translation.override("en"):
            english = str(lazy)
        with translation.override("nl"):
            dutch = translation.gettext(english) if isinstance(lazy, str) else str(lazy)
        if english == dutch:
            continue  # the same word in both languages ("Man", "Crisis", "E-mail")
        if re.search(r"(?<!\w)" + re.escape(english) + r"(?!\w)", text):
            leftovers.append(english)
    return sorted(set(leftovers))


@pytest.mark.django_db
def test_the_public_request_form_is_dutch_for_a_dutch_browser(client):
    response = client.get("/request/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    assert response["Content-Language"] == "nl"
    html = response.content.decode()
    assert '<html lang="nl">' in html
    text = _visible_text(html)
    for dutch in ["Vraag een familiegroepsplan aan", "Wie ben je?", "Je naam", "Je e-mailadres",
                  "Over jou", "Het gezin", "Gemeente waar het gezin woont", "Ouders of verzorgers",
                  "Wensen voor de coördinator", "Toestemming", "Aanvraag versturen", "niet verplicht",
                  "Ondertoezichtstelling (OTS)", "Raad voor de Kinderbescherming"]:
        assert dutch in text, f"{dutch!r} is not on the Dutch page"
    leftovers = _english_leftovers(text)
    assert not leftovers, f"English on the Dutch page: {leftovers}"


@pytest.mark.django_db
def test_an_unknown_browser_language_gets_dutch(client):
    html = client.get("/request/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert "Wie ben je?" in html


@pytest.mark.django_db
def test_the_language_switch_turns_the_form_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/request/"})
    assert response.status_code == 302 and response["Location"] == "/request/"

    # The chosen language wins over the browser's.
    response = client.get("/request/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    for english in ["Ask for a family group plan", "Who are you?", "Your name", "About you",
                    "Municipality where the family lives", "Send request"]:
        assert english in html, f"{english!r} is not on the English page"
    for dutch in ["Wie ben je?", "Vraag een familiegroepsplan aan", "Aanvraag versturen"]:
        assert dutch not in html
    assert 'lang="nl"' in html and "Nederlands" in html, "the switch offers Dutch"

    client.post("/i18n/setlang/", {"language": "nl", "next": "/request/"})
    html = client.get("/request/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wie ben je?" in html and "Who are you?" not in html
