"""Each protection of the default policy, shown against the same engine with every protection off."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from safefeed import model
from safefeed.policy import rules
from safefeed.recommend import context, explain, feed
from safefeed.store import repository
from tests.recommend.conftest import EVERYDAY, T0

SAFE_HARMS = {model.Harm.NONE, model.Harm.SUPPORTIVE, model.Harm.NEUTRAL}


def binge_sad(engine: feed.Engine, account_id: str, pages: int, *, n: int = 10) -> list[model.FeedItem]:
    """The Amnesty persona: watches every mental-health video to the end, twice; skips the rest."""
    served: list[model.FeedItem] = []
    cursor = None
    at = T0
    for _ in range(pages):
        page = engine.feed(account_id, n=n, cursor=cursor, now=at)
        served += page.items
        cursor = page.next_cursor
        events = []
        for item in page.items:
            label = item.video.label
            loved = label is not None and label.mh_related
            fraction = 2.0 if loved else 0.1
            events.append(model.Event(account_id, model.EventKind.WATCH, at, video_id=item.video.id, fraction=fraction))
            at += dt.timedelta(seconds=60 if loved else 3)
        engine.record(events)
    return served


def is_mh(item: model.FeedItem) -> bool:
    return item.video.label is not None and item.video.label.mh_related


def test_dispersion_caps_hold_for_a_teen_and_not_without_the_policy(world: repository.Store) -> None:
    safe = binge_sad(feed.build(world), "teen", pages=8)
    assert len(safe) == 80  # whole pages: the window checks below run over something
    flags = [is_mh(item) for item in safe]
    assert all(sum(flags[i : i + 10]) <= 1 for i in range(len(flags)))  # at most 1 in any 10
    assert not any(a and b for a, b in itertools.pairwise(flags))  # never two in a row
    world.put_account(model.Account("twin", birth_year=2012, region="KE", settings=model.AccountSettings(True)))
    baseline = binge_sad(feed.build(world, policy=rules.built_in("engagement")), "twin", pages=8)
    # Without the policy the same persona is driven into the sad topic (all 20 of the tiny world's).
    base_flags = [is_mh(item) for item in baseline]
    assert sum(base_flags) >= 2 * max(1, sum(flags))
    assert any(a and b for a, b in itertools.pairwise(base_flags))


def test_no_harmful_restricted_or_ineligible_video_reaches_a_minor(world: repository.Store) -> None:
    served = binge_sad(feed.build(world), "teen", pages=10)
    assert served
    for item in served:
        assert item.video.label is not None and item.video.label.harm in SAFE_HARMS
        assert item.video.enforcement is model.Enforcement.ALLOWED
    baseline = binge_sad(feed.build(world, policy=rules.built_in("engagement")), "other", pages=10)
    harms = {item.video.label.harm for item in baseline if item.video.label is not None}
    assert model.Harm.POTENTIALLY_HARMFUL in harms  # the baseline shows what the policy keeps out


def test_passive_watching_does_not_raise_a_sensitive_theme_for_minors(world: repository.Store) -> None:
    engine = feed.build(world)
    binge_sad(engine, "teen", pages=4)
    assert engine.account_state("teen").topic_affinity.get("sadness_depression", 0.0) <= 0.0
    binge_sad(engine, "other", pages=4)  # an adult: watch time counts, if only half
    assert engine.account_state("other").topic_affinity.get("sadness_depression", 0.0) > 0.0


def test_minors_get_a_non_personalised_feed_until_they_opt_in(world: repository.Store) -> None:
    world.put_account(model.Account("kid", birth_year=2012, region="PH"))
    engine = feed.build(world)
    page = engine.feed("kid", n=10, now=T0)
    assert len(page.items) == 10
    assert not page.personalised
    assert {item.source for item in page.items} <= {"trending", "chosen", "explore"}
    assert all("not personalised" in " ".join(item.reasons) for item in page.items)
    watched = [model.Event("kid", model.EventKind.WATCH, T0, video_id=i.video.id, fraction=2.0) for i in page.items]
    engine.record(watched)
    state = engine.account_state("kid")
    assert not state.interest.any() and not state.topic_affinity and not state.interactions


def test_not_interested_in_a_topic_takes_it_out_at_once(world: repository.Store) -> None:
    engine = feed.build(world)
    engine.record([model.Event("other", model.EventKind.LIKE, T0, video_id=f"gaming-{i:02d}") for i in range(8)])
    before = engine.feed("other", n=20, now=T0)
    assert sum(item.video.topic == "gaming" for item in before.items) >= 3
    engine.record([model.Event("other", model.EventKind.NOT_INTERESTED, T0, topic="gaming")])
    after = [item for _ in range(3) for item in engine.feed("other", n=20, now=T0).items]
    assert not any(item.video.topic == "gaming" for item in after)


def test_keyword_and_hashtag_filters(world: repository.Store) -> None:
    settings = model.AccountSettings(personalised=True, keyword_filters=("pasta", "#puppy"))
    world.put_account(model.Account("picky", birth_year=1990, settings=settings))
    engine = feed.build(world)
    served = [item for _ in range(6) for item in engine.feed("picky", n=15, now=T0).items]
    assert len(served) >= 60  # 80 videos are left once the filters take 40 out
    assert not any("pasta" in item.video.caption or "puppy" in item.video.hashtags for item in served)


def test_help_lines_come_with_suicide_prevention_videos_and_unsafe_searches(world: repository.Store) -> None:
    engine = feed.build(world)
    # The support tab is the teen's own choice: supportive videos, verified professionals first.
    pages = [engine.feed("teen", n=20, now=T0, tab="support") for _ in range(2)]
    assert pages[0].items and all(i.video.label and i.video.label.harm is model.Harm.SUPPORTIVE for i in pages[0].items)
    with_suicide = [
        p for p in pages if any(i.video.label and i.video.label.theme is model.Theme.SUICIDE for i in p.items)
    ]
    assert with_suicide
    assert all(p.help and p.help[0].contact == "+254 722 178 177" for p in with_suicide)  # Kenya first
    marked = [i for p in with_suicide for i in p.items if feed.VERIFIED_NOTE in i.notes]
    assert marked and all(feed.CONTENT_NOTE in i.notes for i in marked)

    result = engine.search("teen", "kms tonight", n=5, now=T0)
    assert result.withheld and not result.videos and result.help
    adult = engine.search("other", "suicide prevention", n=5, now=T0)
    assert adult.videos and adult.help and not adult.withheld


def test_young_creators_are_not_recommended_to_strangers(world: repository.Store) -> None:
    young = model.Creator("young", birth_year=2012)
    videos = [
        model.Video(
            f"young-{i}", "young", "my dance cover", ("dance",), 20, T0, counters=model.Counters(10**9), label=EVERYDAY
        )
        for i in range(5)
    ]
    world.import_catalog([young], videos)
    from safefeed.recommend import vectors

    vectors.ensure_content_vectors(world)
    engine = feed.build(world)
    stranger = [i for _ in range(5) for i in engine.feed("other", n=20, now=T0).items]
    assert not any(item.video.creator_id == "young" for item in stranger)
    engine.record([model.Event("teen", model.EventKind.FOLLOW, T0, creator_id="young")])
    follower = engine.feed("teen", n=20, now=T0)
    assert any(item.video.creator_id == "young" for item in follower.items)


def test_sponsored_slots_use_context_for_minors_and_never_the_profile(world: repository.Store) -> None:
    ads = [
        model.Video(f"ad-{topic}", "brand", f"sponsored {topic}", (topic, "ad"), 15, T0, topic=topic, is_ad=True)
        for topic in ("food", "gaming", "pets", "football", "science")
    ]
    world.import_catalog([model.Creator("brand")], ads)
    from safefeed.recommend import vectors

    vectors.ensure_content_vectors(world)
    engine = feed.build(world, config=dataclasses.replace(feed.EngineConfig(), ad_every=5))
    page = engine.feed("teen", n=10, now=T0)
    items = list(page.items)
    sponsored = [index for index, item in enumerate(items) if item.sponsored]
    assert sponsored == [4, 9]
    for index in sponsored:
        assert items[index].video.topic == items[index - 1].video.topic  # chosen by the video before it
        assert "not from anything about you" in items[index].reasons[1]
    adult = engine.feed("other", n=10, now=T0)
    adult_ads = [item for item in adult.items if item.sponsored]
    assert adult_ads and all(item.reasons[1] == explain.AD_REASONS["profile"] for item in adult_ads)
    assert all(items[index].reasons[1] == explain.AD_REASONS["contextual"] for index in sponsored)


def test_stem_tab_serves_only_learning_topics(world: repository.Store) -> None:
    engine = feed.build(world)
    page = engine.feed("teen", n=10, now=T0, tab="stem")
    assert page.items and all(item.video.topic == "science" for item in page.items)
    with pytest.raises(ValueError, match="tab must be"):
        engine.feed("teen", tab="cats")


@pytest.mark.parametrize("region", ["KE", "PH", "US", "DE", "ZZ", ""])
def test_the_same_teen_is_protected_the_same_everywhere(world: repository.Store, region: str) -> None:
    world.put_account(model.Account("roamer", birth_year=2012, region=region, settings=model.AccountSettings(True)))
    served = binge_sad(feed.build(world), "roamer", pages=6)
    assert len(served) == 60
    flags = [is_mh(item) for item in served]
    assert all(sum(flags[i : i + 10]) <= 1 for i in range(len(flags)))
    assert all(item.video.label is not None and item.video.label.harm in SAFE_HARMS for item in served)


def test_switching_personalisation_off_leaves_no_trace_of_the_history(world: repository.Store) -> None:
    # DSA Art. 38: the non-profiling feed must not follow what was learned while profiling was on.
    engine = feed.build(world)
    cursor = None
    for _ in range(4):  # an adult (profiled by default) who watches every pets video twice
        page = engine.feed("other", n=12, cursor=cursor, now=T0)
        cursor = page.next_cursor
        watched = [item for item in page.items if item.video.topic == "pets"]
        engine.record(
            [model.Event("other", model.EventKind.WATCH, T0, video_id=i.video.id, fraction=2.0) for i in watched]
        )
    assert engine.account_state("other").topic_affinity.get("pets", 0.0) > 0, "the history is there to leak"
    adult = world.account("other")
    world.put_account(dataclasses.replace(adult, settings=dataclasses.replace(adult.settings, personalised=False)))
    world.put_account(model.Account("twin", birth_year=1990, region="US", settings=model.AccountSettings(False)))
    engine = feed.build(world)
    pets = [sum(i.video.topic == "pets" for i in engine.feed(a, n=12, now=T0).items) for a in ("other", "twin")]
    assert pets[0] <= pets[1] + 1, f"pets on the non-personalised page after a pets history vs a new twin's: {pets}"


@pytest.mark.parametrize(
    "query",
    ["s u i c i d e", "\u0455uicide", "s\u0435lfharm", "cutting", "#Cutting", "unalive", "su1c1de", "s3lfh4rm"],
)
def test_a_childs_search_reads_spelling_tricks_as_the_word_they_spell(query: str) -> None:
    # Fairplay et al. (2025): teen self-harm search blocks were bypassed by spelling variants.
    assert context.sensitive_search(query)


@pytest.mark.parametrize(
    "query", ["how to hide cuts", "ana tips", "i want to sh", "my scars", "starving myself", "beans"]
)
def test_a_childs_search_for_instructions_or_in_the_first_person_gets_help(query: str) -> None:
    assert context.sensitive_search(query)


@pytest.mark.parametrize(
    "query",
    [
        "cutting board",
        "haircut tutorial",
        "hair cuts",
        "best blades for skating",
        "baked beans recipe",
        "self care tips",
        "i am a cat",
        "suicide squad",
        "pets",
    ],
)
def test_ordinary_searches_are_not_taken_for_self_harm(query: str) -> None:
    assert not context.sensitive_search(query)
