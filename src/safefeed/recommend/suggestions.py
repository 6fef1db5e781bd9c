"""Search suggestions: completions of what someone is typing, from what is searchable for them.

A suggestion is a nudge: the platform puts words in front of someone who had
not typed them yet. So suggestions come only from the hashtags and topics of
videos the account's band may be shown, and a suggestion that would be a
search withheld from the account (suicide, self-harm or eating disorders, however
spelled: `context.withheld`) is never offered. The query is read as a search is
(the lexicon's normalisation and `queries.search_form`), so `s u i`, `ѕui` and
`SUI` complete alike.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping

import numpy as np

from safefeed import model
from safefeed.content import lexicon, queries
from safefeed.recommend import context as policy_context
from safefeed.recommend import rank, state

MAX_SUGGESTIONS = 20


def key(text: str) -> str:
    """The form a query and a suggestion are compared in.

    >>> key("#S u i c")
    'suic'
    >>> key("ѕuic1de")
    'suicide'
    """
    # Leetspeak first (a look-alike table would read the 1 in su1c1de as an l), then the look-alikes.
    return "".join(lexicon.normalise(queries.search_form(lexicon.normalise(text))).split()).lstrip("#")


@dataclasses.dataclass(frozen=True, slots=True)
class Vocabulary:
    """One band's searchable words (hashtags and topics), sorted by `key` for prefix lookups."""

    keys: tuple[str, ...]
    words: tuple[str, ...]
    weights: tuple[float, ...]

    @classmethod
    def of(cls, weighted: Mapping[str, float]) -> Vocabulary:
        rows = sorted((key(word), word, weight) for word, weight in weighted.items() if key(word))
        return cls(tuple(r[0] for r in rows), tuple(r[1] for r in rows), tuple(r[2] for r in rows))

    def starting(self, prefix: str) -> list[tuple[float, str]]:
        """(weight, word) for every word whose key starts with `prefix`."""
        at = bisect.bisect_left(self.keys, prefix)
        found = []
        while at < len(self.keys) and self.keys[at].startswith(prefix):
            found.append((self.weights[at], self.words[at]))
            at += 1
        return found


def vocabulary(parts: rank.Parts, context: policy_context.Context) -> Vocabulary:
    """The hashtags and topics of the videos `context`'s band may be shown, weighted by their videos' popularity."""
    items = parts.items
    everything = np.arange(len(items), dtype=np.int64)
    keep = rank.eligible(parts, everything, state.AccountState.empty(1), context, unseen_only=False).keep
    weighted: defaultdict[str, float] = defaultdict(float)
    for position in everything[keep].tolist():
        weight = 1.0 + float(items.popularity[position])
        for tag in items.hashtags[position]:
            weighted[tag] += weight
        weighted[items.topic_of(position).replace("_", " ")] += weight
    return Vocabulary.of(weighted)


def suggest(words: Vocabulary, context: policy_context.Context, query: str, n: int) -> tuple[str, ...]:
    """Up to n completions of `query`, most searched-for first; none that would be a withheld search."""
    assert 1 <= n <= MAX_SUGGESTIONS, n
    prefix = key(query)
    if not prefix or policy_context.withheld(query, context):
        return ()
    found = sorted(words.starting(prefix), key=lambda pair: (-pair[0], pair[1]))
    chosen: list[str] = []
    for _weight, word in found:
        # Read as typed, compacted and as a hashtag: "dyingtok" names nothing until split like a hashtag.
        if not any(
            policy_context.withheld(reading, context, offered=True) for reading in (word, key(word), f"#{key(word)}")
        ):
            chosen.append(word)
            if len(chosen) == n:
                break
    return tuple(chosen)


class Suggestions:
    """Suggestions over an engine's catalog; each band's vocabulary is worked out once, when first asked."""

    def __init__(self, parts: rank.Parts) -> None:
        self.parts = parts
        self._bands: dict[tuple[model.AgeBand, dt.date], Vocabulary] = {}

    def suggest(self, context: policy_context.Context, query: str, n: int) -> tuple[str, ...]:
        band_key = (context.band, context.today)  # creators' ages (who may be shown) change by the day
        if band_key not in self._bands:
            self._bands = {k: v for k, v in self._bands.items() if k[1] == context.today}
            # The band's words, not this account's: its own filters are applied to what it is offered.
            plain = dataclasses.replace(context, account=model.Account("suggestions", region=context.account.region))
            self._bands[band_key] = vocabulary(self.parts, plain)
        filtered = {word.lower().lstrip("#") for word in context.account.settings.keyword_filters}
        offered = suggest(self._bands[band_key], context, query, MAX_SUGGESTIONS)
        return tuple(word for word in offered if word not in filtered)[:n]
