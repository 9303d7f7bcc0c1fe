"""Sorting Vietnamese text in dictionary order.

Code-point order puts "Đ" after "Z" and accented vowels after every plain letter.
Vietnamese order compares letters of the alphabet first (a ă â b c d đ e ê …), then
tones (ngang, huyền, hỏi, ngã, sắc, nặng), then letter case.
"""

from __future__ import annotations

import unicodedata

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}
# Marks that make another letter of the alphabet: breve, circumflex, horn.
_VOWEL_MARKS = {
    "\u0306": {"a": "ă"},
    "\u0302": {"a": "â", "e": "ê", "o": "ô"},
    "\u031b": {"o": "ơ", "u": "ư"},
}
# Tone order used by Vietnamese dictionaries.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """A key that sorts Vietnamese (and English) text in dictionary order."""
    letters: list[int] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFC", text.casefold()):
        base, *marks = unicodedata.normalize("NFD", char)
        letter, tone = base, 0
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif mark in _VOWEL_MARKS:
                letter = _VOWEL_MARKS[mark].get(base, base)
        letters.append(_RANK.get(letter, 100 + ord(letter)) if letter.isalpha()
                       else ord(letter) - 1000)
        tones.append(tone)
    return tuple(letters), tuple(tones), text
