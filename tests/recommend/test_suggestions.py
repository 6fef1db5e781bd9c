"""Search suggestions: completions from what is searchable, and never a suicide, self-harm or eating-disorder
search offered to a minor, however the words are spelled in the catalog or typed in the box."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import hypothesis
from hypothesis import strategies as st

from safefeed import model
from safefeed.content import lexicon, queries
from safefeed.policy import help as help_lines
from safefeed.policy import rules as policy_rules
from safefeed.recommend import context as policy_context
from safefeed.recommend import feed, suggestions

NOW = dt.datetime(2026, 6, 1, 16, tzinfo=dt.UTC)
DEFAULT = policy_rules.built_in("default")
HELP_THEMES = {theme.value for theme in help_lines.HELP_THEMES}
BLOCKED = sorted(
    {term for term, entry in lexicon.load().terms() if entry.kind == "theme" and entry.name in HELP_THEMES}
)
EVERYDAY = ["puppy", "pasta", "football", "science", "dance", "makeup", "gaming", "sunset", "recipe", "surfing"]
LEET = {"i": "1", "e": "3", "a": "4", "o": "0", "s": "5", "t": "7"}
LOOK_ALIKE = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "s": "ѕ", "i": "і"}  # Cyrillic


def context(birth_year: int | None, policy: policy_rules.Policy = DEFAULT) -> policy_context.Context:
    return policy_context.decide(policy, model.Account("typist", birth_year=birth_year, region="GB"), NOW)


@st.composite
def spelled(draw: st.DrawFn, word: str) -> str:
    """`word` as people spell it to get past a filter: leet, look-alike letters, spacing, case, repeats, #."""
    letters = []
    for char in word.replace(" ", draw(st.sampled_from(["", " ", "_"]))):
        trick = draw(st.sampled_from(["plain", "plain", "leet", "look", "upper", "repeat"]))
        if trick == "leet" and char in LEET:
            char = LEET[char]
        elif trick == "look" and char in LOOK_ALIKE:
            char = LOOK_ALIKE[char]
        elif trick == "upper":
            char = char.upper()
        elif trick == "repeat" and char.isalpha():
            char = char * 3
        letters.append(char)
    text = "".join(letters)
    if draw(st.booleans()) and len(word) <= 10:
        text = " ".join(text)  # s u i c i d e
    return draw(st.sampled_from(["", "#"])) + text + draw(st.sampled_from(["", "tok", "awareness", "2026"]))


def blocked_reading(text: str) -> bool:
    """The auditor's reading: the word, as read by `search_form`, compacted or as a hashtag, names a
    suicide, self-harm or eating-disorder term of the lexicon."""
    readings = {text, queries.search_form(text), suggestions.key(text), "#" + suggestions.key(text)}
    if any(lexicon.normalise(r).strip(" #") in policy_context.BARE_SELF_HARM_SEARCHES for r in readings):
        return True
    return any(m.kind == "theme" and m.name in HELP_THEMES for r in readings for m in lexicon.match(r))


@st.composite
def vocabularies(draw: st.DrawFn) -> tuple[suggestions.Vocabulary, str]:
    """A catalog's words (everyday ones and spelled-out blocked ones) and a query typed into the box."""
    blocked = draw(st.lists(st.sampled_from(BLOCKED), min_size=1, max_size=6))
    words = [draw(spelled(term)) for term in blocked] + draw(st.lists(st.sampled_from(EVERYDAY), max_size=5))
    weights = Counter({word: draw(st.floats(1.0, 100.0)) for word in words})
    source = draw(st.sampled_from(words))
    typed = draw(spelled(source)) if draw(st.booleans()) else source
    cut = draw(st.integers(1, max(1, len(typed))))
    return suggestions.Vocabulary.of(weights), typed[:cut]


@hypothesis.given(vocabularies(), st.sampled_from([2012, 2009, None]))
@hypothesis.settings(max_examples=300, deadline=None)
def test_no_suggestion_to_a_minor_reads_as_a_blocked_term(
    case: tuple[suggestions.Vocabulary, str], born: int | None
) -> None:
    words, typed = case
    offered = suggestions.suggest(words, context(born), typed, suggestions.MAX_SUGGESTIONS)
    assert not [word for word in offered if blocked_reading(word)], (typed, offered)


def test_an_adult_is_offered_what_a_minor_is_not() -> None:
    """The property above is not met by offering nothing: the same words complete for an adult."""
    words = suggestions.Vocabulary.of(Counter({"suicideprevention": 5.0, "sunset": 3.0, "#sewerslide": 1.0}))
    assert suggestions.suggest(words, context(1990), "su", 5) == ("suicideprevention", "sunset")
    assert suggestions.suggest(words, context(2012), "su", 5) == ("sunset",)
    assert suggestions.suggest(words, context(2012), "s u", 5) == ("sunset",)
    assert suggestions.suggest(words, context(None), "sew", 5) == ()
    assert suggestions.suggest(words, context(2012), "ѕuic", 5) == ()


def test_suggestions_come_from_the_videos_the_band_may_be_shown(engine: feed.Engine) -> None:
    teen = engine.context(engine.account("teen"), NOW)
    adult = engine.context(engine.account("other"), NOW)
    offered = suggestions.Suggestions(engine.parts)
    assert offered.suggest(teen, "pup", 5) == ("puppy",) or "puppy" in offered.suggest(teen, "p", 20)
    everything = set(offered.suggest(adult, "s", 20))
    for_teen = set(offered.suggest(teen, "s", 20))
    assert for_teen <= everything
    assert not [word for word in for_teen if blocked_reading(word)]
