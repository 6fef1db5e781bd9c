"""The demo world: deterministic, realistic in shape, as hard to read as real captions, its answer key apart."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safefeed import model
from safefeed.content import generate

Harm = model.Harm
Enforcement = model.Enforcement

# Words a naive keyword classifier would use. About a third of mental-health
# posts avoid them on purpose, so a keyword list finds most, not all.
OBVIOUS_WORDS = (
    "mental",
    "depress",
    "anxi",
    "sad",
    "suicid",
    "self-harm",
    "selfharm",
    "eating disorder",
    "eatingdisorder",
    "bodyimage",
    "body image",
    "grief",
    "griev",
    "trauma",
    "therap",
    "lonel",
    "panic",
    "adhd",
    "autis",
    "thinspo",
    "stress",
    "recovery",
)


def mentions_obvious_word(video: model.Video) -> bool:
    text = video.text.lower()
    return any(word in text for word in OBVIOUS_WORDS)


@pytest.fixture(scope="module")
def world() -> generate.World:
    return generate.generate(20_000, seed=11)


@pytest.fixture(scope="module")
def catalog(world: generate.World) -> model.Catalog:
    """The world with the answer key on its videos, so the truth is easy to read in tests."""
    return world.labelled()


@pytest.fixture(scope="module")
def mh_videos(catalog: model.Catalog) -> list[model.Video]:
    return [video for video in catalog.videos if video.label is not None and video.label.mh_related]


def harm_of(video: model.Video) -> Harm:
    assert video.label is not None
    return video.label.harm


# -- determinism and invariants ---------------------------------------------------


def test_same_seed_gives_the_same_catalog() -> None:
    assert generate.generate(800, seed=5) == generate.generate(800, seed=5)


def test_different_seeds_give_different_catalogs() -> None:
    first, second = generate.generate(800, seed=5), generate.generate(800, seed=6)
    assert [video.caption for video in first.videos] != [video.caption for video in second.videos]
    assert first.creators != second.creators


@settings(max_examples=25, deadline=None)
@given(videos=st.integers(min_value=1, max_value=400), seed=st.integers(min_value=0, max_value=2**32))
def test_any_size_and_seed_gives_a_consistent_catalog(videos: int, seed: int) -> None:
    catalog = generate.generate(videos, seed=seed)

    assert len(catalog.videos) == videos
    creator_ids = {creator.id for creator in catalog.creators}
    assert len(creator_ids) == len(catalog.creators)
    assert len({video.id for video in catalog.videos}) == videos
    for video in catalog.videos:
        assert video.creator_id in creator_ids
        assert 7.0 <= video.duration_s <= 180.0
        assert 2 <= len(video.hashtags) <= 6
        assert len(set(video.hashtags)) == len(video.hashtags)
        assert video.label is None  # as a platform receives it; the truth is in the answer key
        counters = video.counters
        assert max(counters.likes, counters.comments, counters.shares, counters.saves) <= counters.views
        assert generate.DEFAULT_START - generate.HISTORY <= video.created_at < generate.DEFAULT_START
    assert set(catalog.answer_key) == {video.id for video in catalog.videos}
    # Ids follow posting time, oldest first.
    times = [video.created_at for video in catalog.videos]
    assert times == sorted(times)


def test_start_moves_the_posting_window() -> None:
    start = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
    catalog = generate.generate(300, seed=1, start=start)
    assert all(start - dt.timedelta(days=90) <= video.created_at < start for video in catalog.videos)


def test_ids_have_the_documented_shape(catalog: model.Catalog) -> None:
    assert catalog.creators[123].id == "c000123"
    assert catalog.videos[0].id == "v0000000"


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"videos": 0, "seed": 0}, "videos"),
        ({"videos": -5, "seed": 0}, "videos"),
        ({"videos": True, "seed": 0}, "videos"),
        ({"videos": 2.5, "seed": 0}, "videos"),
        ({"videos": 10, "seed": -1}, "seed"),
        ({"videos": 10, "seed": 0, "start": dt.datetime(2026, 1, 1)}, "start"),
    ],
)
def test_bad_arguments_are_refused_with_the_fix(arguments: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=rf"^{named} must .*: pass"):
        generate.generate(**arguments)  # type: ignore[arg-type]


# -- topics, creators, counters -------------------------------------------------------


def test_about_forty_everyday_topics_all_appear(catalog: model.Catalog) -> None:
    topics = generate.topics()
    assert 35 <= len(topics) <= 45
    assert set(topics) >= generate.EDUCATIONAL_TOPICS
    assert {"science", "maths", "history", "coding", "space"} <= generate.EDUCATIONAL_TOPICS
    assert {video.topic for video in catalog.videos} == set(topics)


def test_topics_are_short_snake_case_ids() -> None:
    for topic in generate.topics():
        assert topic.replace("_", "").isalpha()
        assert topic == topic.lower()
        assert len(topic) <= 20


def test_a_few_creators_get_most_views(catalog: model.Catalog) -> None:
    views: collections.Counter[str] = collections.Counter()
    posts: collections.Counter[str] = collections.Counter()
    for video in catalog.videos:
        views[video.creator_id] += video.counters.views
        posts[video.creator_id] += 1
    top = len(catalog.creators) // 10
    top_views = sum(count for _, count in views.most_common(top))
    top_posts = sum(count for _, count in posts.most_common(top))
    assert top_views / sum(views.values()) > 0.4
    # Zipf, not one creator owning the platform.
    assert views.most_common(1)[0][1] / sum(views.values()) < 0.3
    assert top_posts / len(catalog.videos) > 0.2


def test_everyday_creators_mostly_post_in_one_or_two_topics(catalog: model.Catalog) -> None:
    topics: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for video in catalog.videos:
        if video.label == model.NOT_MH:
            topics[video.creator_id][video.topic or ""] += 1
    shares = [
        sum(count for _, count in counts.most_common(2)) / counts.total()
        for counts in topics.values()
        if counts.total() >= 10
    ]
    assert len(shares) > 100
    assert sum(shares) / len(shares) > 0.85


def test_durations_are_skewed_short(catalog: model.Catalog) -> None:
    durations = sorted(video.duration_s for video in catalog.videos)
    assert durations[0] >= 7.0
    assert durations[-1] <= 180.0
    assert durations[len(durations) // 2] < 40.0  # median
    assert durations[-1] > 120.0  # but some long ones


def test_languages_and_regions(catalog: model.Catalog) -> None:
    languages = collections.Counter(video.language for video in catalog.videos)
    assert languages["en"] / len(catalog.videos) > 0.8
    assert {"es", "sw", "tl"} <= set(languages)
    assert {video.region for video in catalog.videos} <= set(generate.REGIONS)
    assert {"US", "KE", "PH"} <= {video.region for video in catalog.videos}


def test_hashtags_mix_topic_and_generic_tags(catalog: model.Catalog) -> None:
    with_generic = sum(1 for video in catalog.videos if {"fyp", "foryou", "viral"} & set(video.hashtags))
    assert 0.2 < with_generic / len(catalog.videos) < 0.9
    assert all(tag == tag.lower() for video in catalog.videos for tag in video.hashtags)


def test_a_small_share_are_ads_marked_as_such(catalog: model.Catalog) -> None:
    ads = [video for video in catalog.videos if video.is_ad]
    assert 0.005 <= len(ads) / len(catalog.videos) <= 0.015
    for ad in ads:
        assert {"ad", "sponsored", "paidpartnership"} & set(ad.hashtags)
        assert ad.label == model.NOT_MH


def test_some_everyday_videos_are_adults_only(catalog: model.Catalog) -> None:
    restricted = [video for video in catalog.videos if video.enforcement is Enforcement.RESTRICTED]
    assert 0.002 <= len(restricted) / len(catalog.videos) <= 0.01
    assert all(video.topic in generate.RESTRICTED_TOPICS and "18+" in video.caption for video in restricted)


# -- mental-health labels ---------------------------------------------------------------


def test_videos_come_unlabelled_and_the_answer_key_holds_the_truth(world: generate.World) -> None:
    assert all(video.label is None for video in world.videos)
    assert all(video.label is None for video in world.catalog().videos)
    for video in world.labelled().videos:
        truth = world.answer_key[video.id]
        assert video.label == truth
        if truth.mh_related:
            assert truth.theme is not None and truth.harm is not Harm.NONE
        else:
            assert truth == model.NOT_MH


def test_no_topic_gives_mental_health_videos_away(catalog: model.Catalog, mh_videos: list[model.Video]) -> None:
    # Spread over ordinary topics, as on real feeds: sad edits in music and dance, grief in family content,
    # "what I eat in a day" in food and fitness; in no topic is more than a small minority about mental health.
    per_topic = collections.Counter(video.topic for video in catalog.videos)
    mh_per_topic = collections.Counter(video.topic for video in mh_videos)
    assert len(mh_per_topic) >= 20
    assert max(mh_per_topic[topic] / per_topic[topic] for topic in mh_per_topic) < 0.15
    eating = [video.topic for video in mh_videos if video.label and video.label.theme is model.Theme.EATING_BODY_IMAGE]
    assert {"food", "fitness"} & set(eating)
    grief = [video.topic for video in mh_videos if video.label and video.label.theme is model.Theme.TRAUMA_GRIEF]
    assert {"parenting", "pets"} & set(grief)


def test_captions_are_as_hard_as_real_ones(mh_videos: list[model.Video]) -> None:
    # Real labelled captions: about half carry none of the obvious keywords; many are tags only,
    # lyric or quote edits, or in another language.
    tags_only = [video for video in mh_videos if len(video.caption) <= 12]
    languages = collections.Counter(video.language for video in mh_videos)
    edits = [video for video in mh_videos if {"songlyrics", "lyrics", "edit", "quotes", "poetry"} & set(video.hashtags)]
    assert 0.08 <= len(tags_only) / len(mh_videos) <= 0.25
    assert {"es", "tl", "sw", "ar"} <= set(languages)
    assert 0.08 <= 1 - languages["en"] / len(mh_videos) <= 0.25
    assert 0.08 <= len(edits) / len(mh_videos) <= 0.3


def test_mental_health_share_is_about_two_percent(catalog: model.Catalog, mh_videos: list[model.Video]) -> None:
    assert 0.01 <= len(mh_videos) / len(catalog.videos) <= 0.03
    assert len(mh_videos) == round(len(catalog.videos) * generate.MH_SHARE)


def test_every_theme_and_harm_level_is_present(mh_videos: list[model.Video]) -> None:
    themes = {video.label.theme for video in mh_videos if video.label is not None}
    assert themes >= {
        model.Theme.SADNESS_DEPRESSION,
        model.Theme.ANXIETY_STRESS,
        model.Theme.LONELINESS,
        model.Theme.SELF_HARM,
        model.Theme.SUICIDE,
        model.Theme.EATING_BODY_IMAGE,
        model.Theme.TRAUMA_GRIEF,
        model.Theme.THERAPY_RECOVERY_SUPPORT,
    }
    assert {harm_of(video) for video in mh_videos} == {
        Harm.SUPPORTIVE,
        Harm.NEUTRAL,
        Harm.POTENTIALLY_HARMFUL,
        Harm.VIOLATIVE,
    }


def test_harm_levels_are_mostly_neutral_or_supportive(mh_videos: list[model.Video]) -> None:
    harms = collections.Counter(harm_of(video) for video in mh_videos)
    total = len(mh_videos)
    assert (harms[Harm.SUPPORTIVE] + harms[Harm.NEUTRAL]) / total > 0.6
    assert 0.18 <= harms[Harm.POTENTIALLY_HARMFUL] / total <= 0.32
    assert 0.005 <= harms[Harm.VIOLATIVE] / total <= 0.04


def test_enforcement_follows_harm_but_misses_some(mh_videos: list[model.Video]) -> None:
    by_harm: dict[Harm, collections.Counter[Enforcement]] = collections.defaultdict(collections.Counter)
    for video in mh_videos:
        by_harm[harm_of(video)][video.enforcement] += 1

    violative = by_harm[Harm.VIOLATIVE]
    assert violative[Enforcement.ALLOWED] == 0
    assert violative[Enforcement.NOT_ALLOWED] > violative[Enforcement.FYF_INELIGIBLE]
    harmful = by_harm[Harm.POTENTIALLY_HARMFUL]
    assert harmful[Enforcement.FYF_INELIGIBLE] > 0
    # Platforms miss things: most potentially harmful videos stay recommendable.
    assert harmful[Enforcement.ALLOWED] / harmful.total() > 0.7
    for harm in (Harm.SUPPORTIVE, Harm.NEUTRAL):
        assert set(by_harm[harm]) == {Enforcement.ALLOWED}


def test_only_mental_health_videos_are_removed_or_ineligible(catalog: model.Catalog) -> None:
    for video in catalog.videos:
        if video.enforcement in (Enforcement.NOT_ALLOWED, Enforcement.FYF_INELIGIBLE):
            assert video.label is not None
            assert video.label.mh_related


def test_verified_professionals_post_supportive_content(catalog: model.Catalog, mh_videos: list[model.Video]) -> None:
    professionals = {creator.id for creator in catalog.creators if creator.verified_professional}
    assert professionals
    by_professionals = [video for video in catalog.videos if video.creator_id in professionals]
    assert by_professionals
    assert all(harm_of(video) is Harm.SUPPORTIVE for video in by_professionals)
    supportive = [video for video in mh_videos if harm_of(video) is Harm.SUPPORTIVE]
    assert 0.3 <= len(by_professionals) / len(supportive) <= 0.7


def test_keywords_find_most_but_not_all_mental_health_videos(
    catalog: model.Catalog, mh_videos: list[model.Video]
) -> None:
    found = sum(1 for video in mh_videos if mentions_obvious_word(video))
    # As in the real labelled captions, about half avoid the obvious words.
    assert 0.4 <= found / len(mh_videos) <= 0.7
    # And ordinary videos carry look-alikes (crypto, quesadilla, a therapy joke) at about real rates.
    everyday = [video for video in catalog.videos if video.label == model.NOT_MH]
    false_alarms = sum(1 for video in everyday if mentions_obvious_word(video))
    assert 0.005 <= false_alarms / len(everyday) <= 0.04
    texts = " ".join(video.text.lower() for video in everyday)
    assert all(word in texts for word in ("crypto", "quesadilla", "therapy", "childhoodtrauma", "selfcare"))


def test_harmful_items_carry_tone_and_tags_never_methods(mh_videos: list[model.Video]) -> None:
    # A guard for future edits of topics.toml: harmful items are recognisable
    # by tone and tags, and carry nothing that reads as a method or instruction.
    method_words = (
        "how to",
        "step",
        "pill",
        "blade",
        "razor",
        "cutting",
        "overdose",
        "calorie",
        "kcal",
        "rope",
    )
    harmful = [video for video in mh_videos if harm_of(video) in (Harm.POTENTIALLY_HARMFUL, Harm.VIOLATIVE)]
    assert harmful
    for video in harmful:
        assert not any(word in video.text.lower() for word in method_words), video.text
    tags = {tag for video in harmful for tag in video.hashtags}
    assert {"sadtok", "thinspo", "unalive", "sewerslide"} <= tags


def test_mental_health_captions_are_realistic_and_varied(mh_videos: list[model.Video]) -> None:
    captions = {video.caption for video in mh_videos}
    assert len(captions) / len(mh_videos) > 0.4
    assert any(caption.startswith("pov:") for caption in captions)
    assert all("#" not in tag for video in mh_videos for tag in video.hashtags)
