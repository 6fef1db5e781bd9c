from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from safefeed.content import lexicon

LEXICON = lexicon.load()

# Single-word theme terms made of plain letters: the ones a look-alike word could hide.
WORD_TERMS = sorted(
    {
        term
        for term, entry in LEXICON.terms()
        if entry.kind == "theme" and re.fullmatch(r"[a-z]{2,}", term) and term not in LEXICON.after_number
    }
)


def themes(text: str) -> set[tuple[str, str]]:
    return {(m.name, m.term) for m in lexicon.match(text) if m.kind == "theme"}


def names(text: str, kind: lexicon.Kind = "theme") -> set[str]:
    return {m.name for m in lexicon.match(text) if m.kind == kind}


@pytest.mark.parametrize(
    "text",
    [
        "crypto is up again #cryptocurrency",
        "best quesadilla in town",
        "can you guess the number? #numberone",
        "griefing noobs all night #gaming",
        "my crybaby puppy #sadie",
        "the suicide squad trailer #suicidesquad",
        "ran 5 kms before breakfast",
        "shh, the baby sleeps",
    ],
)
def test_look_alikes_inside_longer_words_do_not_match(text: str) -> None:
    assert themes(text) == set()


@pytest.mark.parametrize(
    ("text", "theme", "term"),
    [
        ("i just want to unalive", "suicide", "unalive"),
        ("thinking about sewerslide again", "suicide", "sewerslide"),
        ("ugh kms", "suicide", "kms"),
        ("su1c1de is not a joke", "suicide", "suicide"),
        ("relapsed on sh last night", "self_harm", "relapsed on sh"),
        ("#edtwt what i ate today", "eating_body_image", "edtwt"),
        ("#proana #thinspo", "eating_body_image", "proana"),
        ("#proana #thinspo", "eating_body_image", "thinspo"),
        ("so saddddd today", "sadness_depression", "sad"),
        ("I'm CRYING again", "sadness_depression", "crying"),
        ("𝗱𝗲𝗽𝗿𝗲𝘀𝘀𝗶𝗼𝗻 is real", "sadness_depression", "depression"),
        # compound hashtags
        ("#depressionisreal", "sadness_depression", "depression"),
        ("#mentalhealthmatters", "other_mh", "mentalhealthmatters"),
        ("#griefjourney🕊️", "trauma_grief", "griefjourney"),
        ("#youarenotalone", "therapy_recovery_support", "youarenotalone"),
        ("#sad_vibes", "sadness_depression", "sadvibes"),
        # Spanish, Swahili, Tagalog
        ("me quiero morir", "suicide", "me quiero morir"),
        ("tengo mucha ansiedad", "anxiety_stress", "ansiedad"),
        ("nina huzuni sana", "sadness_depression", "nina huzuni"),
        ("hauko peke yako", "therapy_recovery_support", "hauko peke yako"),
        ("hindi ka nag-iisa", "therapy_recovery_support", "hindi ka nag iisa"),
        ("sobrang lungkot ko", "sadness_depression", "sobrang lungkot"),
    ],
)
def test_terms_and_coded_words_match_their_theme(text: str, theme: str, term: str) -> None:
    assert (theme, term) in themes(text)


def test_strong_and_weak_terms_are_told_apart() -> None:
    strengths = {(m.term, m.strength) for m in lexicon.match("sad and depressed") if m.kind == "theme"}
    assert strengths == {("sad", "weak"), ("depressed", "strong")}


def test_harm_cues() -> None:
    assert "violative" in names("kys loser", "harm")
    assert "potentially_harmful" in names("#sadtok nothing gets better", "harm")
    assert "supportive" in names("text 988, you are not alone", "harm")
    assert names("best quesadilla in town", "harm") == set()


def test_context_cues() -> None:
    assert names("so sad lol #funnycat", "context") == {"entertainment"}
    assert "personal" in names("#sad #relatable", "context")


def test_longest_phrase_wins_and_each_occurrence_counts() -> None:
    terms = [m.term for m in lexicon.match("i want to die, i want to die") if m.kind == "theme"]
    assert terms == ["i want to die", "i want to die"]


def test_ignored_phrases_hide_only_their_own_words() -> None:
    assert themes("crying laughing at this") == set()
    assert ("sadness_depression", "crying") in themes("crying laughing, then crying for real")


def test_a_custom_lexicon_is_used_when_given() -> None:
    custom = lexicon.parse({"themes": {"loneliness": {"strong": {"en": ["nobody texts"]}}}})
    assert [m.term for m in lexicon.match("nobody texts me", custom)] == ["nobody texts"]
    assert "nobody texts" not in {m.term for m in lexicon.match("nobody texts me")}


def test_a_malformed_lexicon_names_the_bad_entry() -> None:
    with pytest.raises(lexicon.LexiconError, match=r"themes\.suicide\.strong\.en"):
        lexicon.parse({"themes": {"suicide": {"strong": {"en": "unalive"}}}})


alnum = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", max_size=4)


@given(term=st.sampled_from(WORD_TERMS), prefix=alnum, suffix=alnum)
def test_a_term_inside_a_longer_word_never_matches(term: str, prefix: str, suffix: str) -> None:
    assume(prefix or suffix)
    word = prefix + term + suffix
    # Elongated letters ("saddd") are a deliberate spelling of the term; leave them out.
    assume(not re.search(r"(.)\1\1", word))
    assert term not in {m.term for m in lexicon.match(f"so {word} today")}


@given(term=st.sampled_from(WORD_TERMS), before=st.sampled_from([" ", ", ", "(", "\n", " #fyp "]))
def test_a_term_between_word_boundaries_always_matches(term: str, before: str) -> None:
    text = f"honestly{before}{term}!"
    assume(not any(phrase in lexicon.normalise(text).split() for phrase in LEXICON.ignore))
    found = {m.term for m in lexicon.match(text)}
    assert term in found or any(term in longer.split() for longer in found)


@given(term=st.sampled_from(WORD_TERMS), junk=st.text(alphabet="qxj", min_size=1, max_size=5))
def test_a_hashtag_with_unknown_letters_after_a_term_never_matches_it(term: str, junk: str) -> None:
    assume(not any(set(piece) <= set("qxj") for piece in LEXICON.pieces))
    assert term not in {m.term for m in lexicon.match(f"#{term}{junk}")}


@given(st.text(max_size=200))
def test_matching_never_fails_on_any_text(text: str) -> None:
    for found in lexicon.match(text):
        assert found.kind in ("theme", "harm", "context")


@pytest.mark.parametrize(
    ("text", "readable"),
    [
        # Handles and generic tags go; run-together tags become words the embedding model knows.
        (
            "Replying to @ana so tired #mentalhealthawareness #fyp #fypシ゚viral #CapCut",
            "so tired mental health awareness",
        ),
        ("#nevergiveup🧡youmatterthemost💙", "never give up you matter the most"),
        ("#sadvibes #sadvibes #quotesthathithard", "sad vibes quotes that hit hard"),
        # Coded words and TikTok coinages stay whole; underscores separate words.
        ("#sewerslide #hopecore #islamic_video", "sewerslide hopecore islamic video"),
        # A tag that does not split into known words is kept as it is, short words are not invented.
        ("#mentality #tiffytoky", "mentality tiffytoky"),
        ("#fyp #viral", ""),
    ],
)
def test_readable_is_the_caption_as_a_sentence(text: str, readable: str) -> None:
    assert lexicon.readable(text) == readable


def test_split_prefers_fewest_words() -> None:
    assert LEXICON.split("healingjourney") == "healing journey"
    assert LEXICON.split("griefjourney") == "grief journey"
    assert LEXICON.split("xqzt") == "xqzt"
