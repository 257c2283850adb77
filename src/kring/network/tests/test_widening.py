"""Widening the circle: the four questions and the "yes, but..." answers, in Dutch and English."""

from __future__ import annotations

from django.utils import translation

from kring.network.widening import FOUR_QUESTIONS, YES_BUTS


def _both(text) -> tuple[str, str]:
    with translation.override("en"):
        english = str(text)
    with translation.override("nl"):
        dutch = str(text)
    return english, dutch


def test_there_are_four_questions_each_with_a_hint_in_both_languages():
    assert len(FOUR_QUESTIONS) == 4
    for question in FOUR_QUESTIONS:
        for text in (question.text, question.why):
            english, dutch = _both(text)
            assert english and dutch and english != dutch, english


def test_at_least_twelve_yes_buts_each_with_two_or_three_follow_ups_in_both_languages():
    assert len(YES_BUTS) >= 12
    assert len({yb.key for yb in YES_BUTS}) == len(YES_BUTS)
    for yes_but in YES_BUTS:
        assert 2 <= len(yes_but.follow_ups) <= 3, yes_but.key
        for text in (yes_but.answer, *yes_but.follow_ups):
            english, dutch = _both(text)
            assert english and dutch and english != dutch, english
        assert all(str(_both(q)[0]).endswith("?") for q in yes_but.follow_ups), yes_but.key


def test_the_follow_ups_are_questions_in_dutch_too():
    for yes_but in YES_BUTS:
        for question in yes_but.follow_ups:
            assert _both(question)[1].endswith("?"), _both(question)


def test_the_questions_are_not_copied_from_the_seed():
    """Facts may be used, sentences not: none of our lines appears word for word in the seed."""
    from pathlib import Path

    seed = Path(__file__).resolve().parents[5] / "shared" / "seeds" / "004_285ce33bd7812ebb.txt"
    if not seed.exists():
        return
    text = " ".join(seed.read_text(encoding="utf-8").lower().split())
    lines = [q.text for q in FOUR_QUESTIONS] + [t for yb in YES_BUTS for t in (yb.answer, *yb.follow_ups)]
    copied = [dutch for dutch in (_both(t)[1] for t in lines) if len(dutch) > 25 and dutch.lower() in text]
    assert not copied, copied
