"""Languages families and coordinators speak, with names in the interface language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

LANGUAGES = {
    "nl": _("Dutch"), "en": _("English"), "ar": _("Arabic"), "tr": _("Turkish"),
    "ber": _("Tamazight (Berber)"), "pap": _("Papiamento"), "srn": _("Sranan Tongo"),
    "pl": _("Polish"), "ti": _("Tigrinya"), "so": _("Somali"), "fa": _("Persian"),
    "uk": _("Ukrainian"), "fr": _("French"), "es": _("Spanish"), "ps": _("Pashto"),
}


def language_name(code: str) -> str:
    """'ar' -> 'Arabisch' in Dutch, 'Arabic' in English; unknown codes stay as they are."""
    if code in LANGUAGES:
        return str(LANGUAGES[code])
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


def language_names(codes) -> str:
    return ", ".join(language_name(c) for c in codes)
