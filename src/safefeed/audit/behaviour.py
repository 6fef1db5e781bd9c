"""How a persona reacts to a video: the choice model of the audit's step loop.

`Behaviour` is a Protocol so a study can bring its own; `SockPuppet` is the
default, a documented model of the bots in the research. Its inputs are the
persona, the video, the audit's label for it and a seeded generator -- never
the target -- so nothing it does can depend on which feed is being audited.

The default model, per served video (affinity `a` in [0, 1]):

- `a` is 1 for a seed-interest topic, the persona's `mh_sensitivity` for a
  mental-health video (at least `background_affinity`), else `background_affinity`; for an interested persona
  everything that is not mental health shrinks by `interested_focus * sensitivity`
  (the study's bots were there for one kind of video).
- The persona watches with probability `watch_floor + (1 - watch_floor) * a`;
  a mental-health-interested persona (sensitivity > 0) always watches
  mental-health videos. Otherwise it skips after a uniform
  `skip_seconds` draw; an interested persona skips faster (the upper bound
  shrinks by `sensitivity * interested_skip_speedup`), as the study's bots did.
- A watched video is seen for a fraction `min(1, base_fraction + affinity_fraction * a + noise)`
  of its duration; a mental-health video is watched to the end and looped,
  `1 + mh_linger * sensitivity` times its duration (the "watch longer" treatment).
- `rewatch_mh` (the manual variant) replays each mental-health video once more
  and reports a rewatch; `like_mh` likes every one of them; other likes and
  follows come with probabilities scaled by `a`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Protocol

import numpy as np

from safefeed import model

if TYPE_CHECKING:
    from safefeed.audit import persona as persona_module


@dataclasses.dataclass(frozen=True, slots=True)
class Parameters:
    """The default model's knobs; the same for every target by construction (they live on the persona)."""

    background_affinity: float = 0.2
    watch_floor: float = 0.15
    skip_seconds: tuple[float, float] = (1.0, 3.0)
    interested_skip_speedup: float = 0.5
    interested_focus: float = 0.8  # an interested persona's other affinities shrink by focus * sensitivity
    base_fraction: float = 0.3
    affinity_fraction: float = 0.6
    fraction_noise: float = 0.15
    mh_linger: float = 1.0  # sensitivity 1: watch twice the duration
    rewatch_mh: bool = False
    like_mh: bool = False  # an interested persona likes every mental-health video (the Molly Rose Foundation test)
    like_probability: float = 0.08
    follow_probability: float = 0.01

    def __post_init__(self) -> None:
        low, high = self.skip_seconds
        if not 0 <= low <= high:
            raise model.InvalidValue(f"skip_seconds must be (low, high) with 0 <= low <= high, got {self.skip_seconds}")
        for name in ("background_affinity", "watch_floor", "like_probability", "follow_probability"):
            if not 0 <= getattr(self, name) <= 1:
                raise model.InvalidValue(f"behaviour parameter {name} must be within [0, 1]")


@dataclasses.dataclass(frozen=True, slots=True)
class Response:
    """What the persona did with one video; `seconds` is the simulated time it took."""

    seconds: float
    fraction: float  # seconds / duration; > 1 means it looped
    skipped: bool
    rewatched: bool = False
    liked: bool = False
    followed: bool = False


class Behaviour(Protocol):
    """Reacts to one served video; deterministic given the generator's state."""

    def react(
        self,
        persona: persona_module.Persona,
        video: model.Video,
        label: model.Label,
        rng: np.random.Generator,
    ) -> Response: ...


def affinity(persona: persona_module.Persona, video: model.Video, label: model.Label) -> float:
    """How much the persona cares about the video, in [0, 1]."""
    if label.mh_related:  # to a control persona it is just another video
        return max(persona.mh_sensitivity, persona.behaviour.background_affinity)
    # The study's bots were there for mental-health content: the rest is swiped past.
    damping = 1.0 - persona.behaviour.interested_focus * persona.mh_sensitivity
    if video.topic is not None and video.topic in persona.seed_interests:
        return damping
    return persona.behaviour.background_affinity * damping


class SockPuppet:
    """The default behaviour: see the module docstring for the model."""

    def react(
        self,
        persona: persona_module.Persona,
        video: model.Video,
        label: model.Label,
        rng: np.random.Generator,
    ) -> Response:
        p = persona.behaviour
        a = affinity(persona, video, label)
        # Draw every random number every time, so the stream stays aligned whatever was served.
        watch_draw, skip_draw, noise, like_draw, follow_draw = rng.random(5)
        duration = max(video.duration_s, 1.0)
        interested = persona.mh_sensitivity > 0
        if label.mh_related and interested:
            fraction = 1.0 + p.mh_linger * persona.mh_sensitivity
            rewatched = p.rewatch_mh
            if rewatched:
                fraction += 1.0
            seconds = fraction * duration
            return Response(
                seconds=seconds,
                fraction=fraction,
                skipped=False,
                rewatched=rewatched,
                liked=p.like_mh or bool(like_draw < p.like_probability * a * (3.0 if rewatched else 1.0)),
                followed=bool(follow_draw < p.follow_probability * a),
            )
        if watch_draw >= p.watch_floor + (1.0 - p.watch_floor) * a:
            low, high = p.skip_seconds
            if interested:
                high = low + (high - low) * (1.0 - p.interested_skip_speedup * persona.mh_sensitivity)
            seconds = min(low + (high - low) * float(skip_draw), duration)
            return Response(seconds=seconds, fraction=seconds / duration, skipped=True)
        fraction = float(
            np.clip(p.base_fraction + p.affinity_fraction * a + p.fraction_noise * (noise - 0.5), 0.05, 1.0)
        )
        return Response(
            seconds=fraction * duration,
            fraction=fraction,
            skipped=False,
            liked=bool(like_draw < p.like_probability * a),
            followed=bool(follow_draw < p.follow_probability * a),
        )


def events(account_id: str, video: model.Video, response: Response, at: dt.datetime) -> list[model.Event]:
    """What a client reports for one reaction: the watch time, then any rewatch, like or follow.

    `at` is when the persona moved on (the end of the watch).
    """
    out = [
        model.Event(
            account_id,
            model.EventKind.WATCH,
            at,
            video_id=video.id,
            seconds=round(response.seconds, 3),
            fraction=round(min(response.fraction, 100.0), 4),
        )
    ]
    if response.rewatched:
        out.append(model.Event(account_id, model.EventKind.REWATCH, at, video_id=video.id))
    if response.liked:
        out.append(model.Event(account_id, model.EventKind.LIKE, at, video_id=video.id))
    if response.followed:
        out.append(model.Event(account_id, model.EventKind.FOLLOW, at, video_id=video.id, creator_id=video.creator_id))
    return out
