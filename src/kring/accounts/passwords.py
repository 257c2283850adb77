"""Refuse passwords that look like the ones in breach lists, without asking the network.

Django's `CommonPasswordValidator` already refuses 20,000 common passwords. This
validator adds what breach lists show people in the Netherlands use: a bundled
list of leaked passwords and words (`data/leaked-passwords.txt`), and the
patterns around them — a common word with a year, a season, digits or symbols
("Welkom2024!", "Zomer2025!!", "Wachtwoord123"), the same word repeated, and
keyboard walks. It never limits length or asks for character classes (ASVS
6.2: no composition rules).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LIST_FILE = Path(__file__).resolve().parent / "data" / "leaked-passwords.txt"

#: Letters written as digits or symbols in "l33t" passwords.
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                      "@": "a", "$": "s", "!": "i", "|": "i", "€": "e"})
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop", "qwertzuiop")


@cache
def leaked_words() -> frozenset[str]:
    words = set()
    for line in LIST_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip().lower()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text)


def _is_keyboard_walk(text: str) -> bool:
    if len(text) < 6:
        return False
    return any(text in row or text in row[::-1] for row in KEYBOARD_ROWS)


def _repeats(text: str) -> str:
    """'welkomwelkom' -> 'welkom'; a text that is not a repetition comes back unchanged."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def looks_breached(password: str) -> bool:
    """Whether a password is, or is built from, a leaked password or word plus noise."""
    words = leaked_words()
    lowered = password.lower().strip()
    if lowered in words:
        return True
    squeezed = re.sub(r"\s+", "", lowered)
    bases = {squeezed}
    bases.add(re.sub(r"[\d\W_]+$", "", squeezed))  # trailing digits and symbols off: "welkom2024!"
    bases.add(re.sub(r"^[\d\W_]+", "", squeezed))  # leading ones off
    bases.add(re.sub(r"^[\d\W_]+|[\d\W_]+$", "", squeezed))
    candidates = set()
    for base in bases:
        candidates |= {base, _letters(base), _letters(base.translate(LEET))}  # "W3lk0m" -> "welkom"
    for candidate in list(candidates):
        candidates.add(_repeats(candidate))
    for candidate in candidates:
        if not candidate:
            return True  # only digits and symbols
        if candidate in words or _is_keyboard_walk(candidate):
            return True
        # two leaked words glued together: "zomerwinter", "welkomkring"
        if any(candidate[:i] in words and candidate[i:] in words for i in range(3, len(candidate) - 2)):
            return True
    return False


class BreachedPasswordValidator:
    """Refuse leaked passwords and the patterns built on them (see module docstring)."""

    def validate(self, password: str, user=None) -> None:
        if looks_breached(password):
            raise ValidationError(
                _("This password is too easy to guess: it looks like passwords that were leaked "
                  "before. Choose a few words that only you would put together."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be a well-known or leaked password, such as a word with a year.")
