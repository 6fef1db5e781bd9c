from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from safefeed import model
from safefeed.audit import behaviour, checks, persona
from tests.audit import conftest

VIDEOS = conftest.tiny_catalog().videos[::15]


def test_the_default_behaviour_passes_the_contract() -> None:
    for arm in persona.ARMS:
        checks.check_behaviour(behaviour.SockPuppet(), conftest.teen(arm), VIDEOS)
    checks.check_behaviour(behaviour.SockPuppet(), conftest.teen(rewatch=True, variant="manual"), VIDEOS)


@settings(max_examples=60, deadline=None)
@given(
    sensitivity=st.floats(0.0, 1.0),
    duration=st.floats(0.0, 600.0),
    mh=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    rewatch=st.booleans(),
)
def test_any_persona_and_video_passes_the_contract(
    sensitivity: float, duration: float, mh: bool, seed: int, rewatch: bool
) -> None:
    someone = dataclasses.replace(
        conftest.teen(), mh_sensitivity=sensitivity, behaviour=behaviour.Parameters(rewatch_mh=rewatch)
    )
    video = dataclasses.replace(
        VIDEOS[0],
        duration_s=duration,
        label=model.Label(True, model.Theme.LONELINESS, model.Harm.NEUTRAL) if mh else model.NOT_MH,
    )
    checks.check_behaviour(behaviour.SockPuppet(), someone, [video], seed=seed)


def _mh_video(duration: float = 30.0) -> model.Video:
    return dataclasses.replace(
        VIDEOS[0],
        duration_s=duration,
        topic="mental_health",
        label=model.Label(True, model.Theme.SADNESS_DEPRESSION),
    )


def test_an_interested_persona_watches_mental_health_twice_through_and_rewatches_when_manual() -> None:
    video = _mh_video(30.0)
    assert video.label is not None
    automated = behaviour.SockPuppet().react(conftest.teen(), video, video.label, np.random.default_rng(0))
    # sensitivity 1, mh_linger 1: to the end and once more -> 2 x 30 s.
    assert (automated.seconds, automated.skipped, automated.rewatched) == (60.0, False, False)
    manual = behaviour.SockPuppet().react(conftest.teen(rewatch=True), video, video.label, np.random.default_rng(0))
    # ... and the manual variant replays it once more: 3 x 30 s, reported as a rewatch.
    assert (manual.seconds, manual.rewatched) == (90.0, True)


def test_a_control_persona_never_lingers_on_mental_health() -> None:
    video = _mh_video(30.0)
    assert video.label is not None
    reactions = [
        behaviour.SockPuppet().react(conftest.teen(persona.CONTROL), video, video.label, np.random.default_rng(seed))
        for seed in range(200)
    ]
    assert max(r.fraction for r in reactions) <= 1.0
    assert not any(r.rewatched for r in reactions)
    # To a control persona it is any other video: P(watch) = floor 0.15 + 0.85 * background 0.2 = 0.32,
    # so about 68% are skipped.
    skipped = sum(r.skipped for r in reactions) / len(reactions)
    assert 0.55 < skipped < 0.80


def test_an_interested_persona_skips_everything_else_faster() -> None:
    video = VIDEOS[1]  # food: not a seed interest
    rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(1)
    interested = [behaviour.SockPuppet().react(conftest.teen(), video, model.NOT_MH, rng_a) for _ in range(300)]
    control = [
        behaviour.SockPuppet().react(conftest.teen(persona.CONTROL), video, model.NOT_MH, rng_b) for _ in range(300)
    ]
    assert sum(r.skipped for r in interested) > sum(r.skipped for r in control)
    assert max(r.seconds for r in interested if r.skipped) <= 2.0 + 1e-9  # skip bound 1 + 2 * (1 - 0.5)
    assert max(r.seconds for r in control if r.skipped) > 2.0


def test_events_report_the_watch_then_the_extras() -> None:
    response = behaviour.Response(seconds=60.0, fraction=2.0, skipped=False, rewatched=True, liked=True, followed=True)
    at = dt.datetime(2026, 2, 2, tzinfo=dt.UTC)
    kinds = [e.kind for e in behaviour.events("a", VIDEOS[0], response, at)]
    assert kinds == [
        model.EventKind.WATCH,
        model.EventKind.REWATCH,
        model.EventKind.LIKE,
        model.EventKind.FOLLOW,
    ]


def test_like_mh_likes_every_mental_health_video_and_nothing_else_more() -> None:
    liker = dataclasses.replace(conftest.teen(), behaviour=behaviour.Parameters(rewatch_mh=True, like_mh=True))
    video = _mh_video(30.0)
    assert video.label is not None
    for seed in range(50):
        response = behaviour.SockPuppet().react(liker, video, video.label, np.random.default_rng(seed))
        assert response.liked and response.rewatched
    other = VIDEOS[1]
    assert other.label is not None and not other.label.mh_related
    plain = [
        behaviour.SockPuppet().react(conftest.teen(), other, other.label, np.random.default_rng(s)) for s in range(50)
    ]
    liking = [behaviour.SockPuppet().react(liker, other, other.label, np.random.default_rng(s)) for s in range(50)]
    assert plain == liking  # like_mh changes nothing for other videos
