"""Known answers for the checks with controls: non-profiling, search suggestions and the logged-out feed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from safefeed import model
from safefeed.audit.conformance import capabilities, requirements, run
from tests.audit.test_conformance import IN_PROCESS, SCALE, catalog, context, requirement, suite, world  # noqa: F401


class TopicFeed:
    """A feed that learns each account's favourite topic from its events and serves mostly that, never a video
    twice. With profiling switched off it draws at random instead, unless it `ignores` the switch."""

    def __init__(self, videos: Sequence[model.Video], *, ignores: bool) -> None:
        self.videos = list(videos)
        self.by_id = {video.id: video for video in videos}
        self.ignores = ignores
        self.learned: dict[str, Counter[str]] = {}
        self.seen: dict[str, set[str]] = {}
        self.profiled: dict[str, bool] = {}
        self.rng: dict[str, np.random.Generator] = {}

    def start(self, account: model.Account) -> None:
        self.learned[account.id], self.seen[account.id], self.profiled[account.id] = Counter(), set(), True
        self.rng[account.id] = np.random.default_rng(len(self.rng))

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        unseen = [video for video in self.videos if video.id not in self.seen[account_id]]
        rng = self.rng[account_id]
        favourite = self.learned[account_id].most_common(1)
        if favourite and (self.profiled[account_id] or self.ignores):
            liked = [video for video in unseen if video.topic == favourite[0][0]]
            unseen = liked if len(liked) >= n else unseen
        page = [unseen[i] for i in rng.choice(len(unseen), size=min(n, len(unseen)), replace=False)]
        self.seen[account_id].update(video.id for video in page)
        return page

    def send(self, events: Sequence[model.Event]) -> None:
        for event in events:
            if event.video_id is not None and (event.fraction or 0.0) >= 0.5:
                self.learned[event.account_id][self.by_id[event.video_id].topic or ""] += 1

    def set_personalised(self, account_id: str, personalised: bool, now: dt.datetime) -> None:
        self.profiled[account_id] = personalised


def test_a_feed_that_keeps_profiling_fails_and_one_that_only_skips_the_seen_passes(
    suite: requirements.Scenario,  # noqa: F811
) -> None:
    videos = catalog()
    check = "non_profiling"
    kept = run.judge(requirement(suite, check), context(suite, check, TopicFeed(videos, ignores=True), videos))
    honest = run.judge(requirement(suite, check), context(suite, check, TopicFeed(videos, ignores=False), videos))
    assert kept.verdict == "fail", kept.measures
    assert honest.verdict == "pass", honest.measures
    assert "seen-before ones included" in honest.notes[0]


class Suggesting:
    """A search box that completes from a fixed list of words, with or without the blocked ones."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = list(words)

    def start(self, account: model.Account) -> None:
        return None

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        return []

    def send(self, events: Sequence[model.Event]) -> None:
        return None

    def suggest(self, account_id: str, typed: str, now: dt.datetime) -> tuple[str, ...]:
        return tuple(word for word in self.words if word.startswith(typed.lower()))


def test_a_box_that_completes_a_blocked_search_fails_and_an_everyday_one_passes(
    suite: requirements.Scenario,  # noqa: F811
) -> None:
    videos, check = catalog(), "search_suggestions"
    assert capabilities.offers(Suggesting([]), "suggestions")
    leaky = run.judge(requirement(suite, check), context(suite, check, Suggesting(["sunset", "sewerslide"]), videos))
    clean = run.judge(requirement(suite, check), context(suite, check, Suggesting(["sunset", "puppy"]), videos))
    assert leaky.verdict == "fail"
    # 'sewerslide' is typed as s-e..., and 'suicide', 'su1c1de', 's u i c i d e', 'ѕuicide' ... start with s too:
    # every query whose first two letters are 'se' completes to it.
    assert "sewerslide" in leaky.measures[0].detail
    assert clean.verdict == "pass"


def test_safefeed_in_process_is_testable_logged_out_and_for_suggestions(
    world: Path,  # noqa: F811
    suite: requirements.Scenario,  # noqa: F811
    tmp_path: Path,
) -> None:
    chosen = [r for r in suite.requirements if r.check in ("logged_out", "search_suggestions", "unknown_age")]
    doc = run.run(
        suite.model_copy(update={"requirements": tuple(chosen)}),
        "default",
        tmp_path,
        scale=SCALE,
        world=world,
        in_process=IN_PROCESS,
    )
    verdicts = {r["id"]: r["verdict"] for r in doc["results"]}
    assert verdicts == {
        "unknown-age-youngest": "pass",
        "logged-out-youngest": "pass",
        "search-suggestions-safe": "pass",
    }
