"""Contract harnesses: a new `Target` or `Behaviour` passes these before the audit trusts it.

Each check raises AssertionError naming the broken promise; tests run them
over every implementation (tests/audit/test_targets.py, test_behaviour.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np

from safefeed import model
from safefeed.audit import behaviour as behaviour_module
from safefeed.audit import persona as persona_module
from safefeed.audit import targets

T0 = dt.datetime(2026, 2, 2, 13, 0, tzinfo=dt.UTC)


def check_target(target: targets.Target, account: model.Account, *, n: int = 5, pages: int = 3) -> list[model.Video]:
    """A target serves pages of at most n new videos and takes events about them; returns what it served."""
    target.start(account)
    served: list[model.Video] = []
    now = T0
    for page_number in range(pages):
        page = list(target.feed(account.id, n, now))
        assert page or page_number > 0, "the first page of a fresh account must not be empty"
        assert len(page) <= n, f"asked for {n} videos, got {len(page)}"
        assert all(isinstance(video, model.Video) for video in page), "a page holds model.Video values"
        ids = [video.id for video in page]
        assert len(set(ids)) == len(ids), f"a page repeats a video: {ids}"
        assert not set(ids) & {video.id for video in served}, "a later page repeats a video already served"
        served.extend(page)
        events = []
        for video in page:
            now += dt.timedelta(seconds=5)
            events.append(
                model.Event(account.id, model.EventKind.WATCH, now, video_id=video.id, seconds=5.0, fraction=0.5)
            )
        if page:
            events.append(model.Event(account.id, model.EventKind.LIKE, now, video_id=page[0].id))
        target.send(events)
    return served


def check_behaviour(
    behaviour: behaviour_module.Behaviour,
    persona: persona_module.Persona,
    videos: Sequence[model.Video],
    *,
    seed: int = 0,
) -> None:
    """Reactions are physical (time >= 0, fraction matches), consistent (a skip is no like) and seeded."""
    for video in videos:
        label = video.label or model.NOT_MH
        first = behaviour.react(persona, video, label, np.random.default_rng(seed))
        again = behaviour.react(persona, video, label, np.random.default_rng(seed))
        assert first == again, "the same generator state must give the same reaction"
        assert first.seconds >= 0 and first.fraction >= 0, f"negative time in {first}"
        duration = max(video.duration_s, 1.0)
        assert abs(first.seconds - first.fraction * duration) < 1e-6 * max(1.0, first.seconds), (
            f"fraction {first.fraction} does not match {first.seconds}s of a {duration}s video"
        )
        if first.skipped:
            assert not (first.liked or first.rewatched), "a skipped video is neither liked nor rewatched"
        if first.rewatched:
            assert first.fraction >= 1.0, "a rewatch means the video was watched to the end first"
        # Only the persona, the video, its label and the generator may matter: an equal copy reacts alike.
        twin = dataclasses.replace(video)
        assert behaviour.react(persona, twin, label, np.random.default_rng(seed)) == first
