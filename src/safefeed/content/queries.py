"""How a search box is read: the spelling tricks people use to get past a blocked term, undone.

Fairplay et al. (2025) found teen self-harm search blocks bypassed by spelling
variants; these are two common ones, and the lexicon then matches what they spell.
"""

from __future__ import annotations

import re

from confusable_homoglyphs import confusables

_SPACED = re.compile(r"(?<!\w)(?:\w[\s.\-_*·]+){2,}\w(?!\w)")
_SPACERS = re.compile(r"[\s.\-_*·]+")


def search_form(query: str) -> str:
    """A search as a person reads it: look-alike letters of other scripts as Latin ones, and letters spaced
    or dotted apart joined again, so `s u i c i d e` and a Cyrillic `ѕuicide` read as the word they spell.

    Only for short queries: in running text single letters stand apart ("i am a cat") without meaning a word.

    >>> search_form("s u i c i d e")
    'suicide'
    >>> search_form("ѕuicide s.e.l.f h.a.r.m")
    'suicide selfharm'
    """
    found = confusables.is_confusable(query, preferred_aliases=["latin"], greedy=True) or []
    latin = {
        found_char["character"]: found_char["homoglyphs"][0]["c"] for found_char in found if found_char["homoglyphs"]
    }
    text = query.translate(str.maketrans(latin)) if latin else query
    return _SPACED.sub(lambda spaced: _SPACERS.sub("", spaced.group(0)), text)
