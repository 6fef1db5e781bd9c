"""How a check scrolls: personas, accounts and the step loop on a simulated clock.

A check asks for a persona by role ("neutral", "interested", "adult"...);
the behaviour's random stream is seeded by (suite seed, requirement, stream,
repetition), never by the target, so two arms that should behave alike draw
the same numbers. When a well-being gate stops the feed (a daily limit), the
child comes back the next day, as a real one would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Callable, Sequence

import numpy as np

from safefeed import model
from safefeed.audit import behaviour, targets
from safefeed.audit import persona as persona_module
from safefeed.audit.conformance import capabilities, labels, requirements

React = Callable[[model.Video, model.Label, np.random.Generator], behaviour.Response]

DAY = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
    """Everything a check may use: the target, the auditor's labels and catalog, and the suite's sizes."""

    target: targets.Target
    labeller: labels.Labeller
    catalog: tuple[model.Video, ...]  # the auditor's copy of what the target serves from
    suite: requirements.Suite
    requirement: requirements.Requirement
    items: int  # items per phase at this scale
    repetitions: int
    seed: int
    scale: float = 1.0
    memo: dict[str, Served] = dataclasses.field(default_factory=dict)  # phases several checks share

    @property
    def start(self) -> dt.datetime:
        """The suite's first session, local wall-clock time made UTC."""
        return self.suite.start.replace(tzinfo=zoneinfo.ZoneInfo(self.suite.timezone)).astimezone(dt.UTC)

    def number(self, name: str, default: float) -> float:
        """A numeric parameter of the requirement (`params` in the scenario)."""
        value = self.requirement.params.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise model.InvalidValue(
                f"requirement {self.requirement.id}: params.{name} must be a number, got {value!r}"
            )
        return float(value)

    def words(self, name: str, default: Sequence[str]) -> list[str]:
        value = self.requirement.params.get(name, list(default))
        if not isinstance(value, list):
            raise model.InvalidValue(f"requirement {self.requirement.id}: params.{name} must be a list of strings")
        return [str(word) for word in value]

    def text(self, name: str, default: str) -> str:
        return str(self.requirement.params.get(name, default))

    def persona(self, role: str, *, age: int, sensitivity: float) -> persona_module.Persona:
        return persona_module.Persona(
            id=role,
            age=age,
            region=self.suite.region,
            timezone=self.suite.timezone,
            seed_interests=self.suite.seed_interests,
            mh_sensitivity=sensitivity,
            arm=persona_module.INTERESTED if sensitivity > 0 else persona_module.CONTROL,
        )

    def scaled(self, items: int, *, floor: int = 30) -> int:
        """A count the scenario gives at the standard scale, at this run's scale."""
        return max(floor, round(items * self.scale))

    def account(self, role: str, repetition: int, *, age: int | None, scope: str = "") -> model.Account:
        """A fresh account on the target; `age` None leaves the birth date unknown."""
        account = model.Account(
            f"cf-{scope or self.requirement.id}-{role}-r{repetition}"[: model.MAX_ID_CHARS],
            birth_year=None if age is None else self.start.year - age - 1,
            region=self.suite.region,
            timezone=self.suite.timezone,
            created_at=self.start - dt.timedelta(minutes=1),
        )
        self.target.start(account)
        return account

    def rng(self, stream: str, repetition: int) -> np.random.Generator:
        key = f"{self.seed}:{self.requirement.id}:{stream}:{repetition}".encode()
        return np.random.default_rng(int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little"))

    def labels(self, videos: Sequence[model.Video]) -> list[model.Label]:
        return labels.lookup(self.labeller, videos)


def as_persona(persona: persona_module.Persona) -> React:
    """The audit's sock-puppet model (behaviour.SockPuppet) for this persona."""
    chooser = behaviour.SockPuppet()
    return lambda video, label, rng: chooser.react(persona, video, label, rng)


@dataclasses.dataclass(slots=True)
class Served:
    """What one phase of scrolling served, with the auditor's labels and the minute each was served."""

    videos: list[model.Video] = dataclasses.field(default_factory=list)
    labels: list[model.Label] = dataclasses.field(default_factory=list)
    minutes: list[float] = dataclasses.field(default_factory=list)  # simulated minutes since the phase began
    end: dt.datetime = dt.datetime.min.replace(tzinfo=dt.UTC)

    def count(self, rule: Callable[[model.Label], bool]) -> int:
        return sum(1 for label in self.labels if rule(label))

    def topics(self) -> list[str]:
        return [video.topic or "" for video in self.videos]

    def first_minute(self, rule: Callable[[model.Label], bool]) -> float | None:
        return next((minute for minute, label in zip(self.minutes, self.labels, strict=True) if rule(label)), None)


def _page(ctx: Context, account: model.Account, now: dt.datetime) -> Sequence[model.Video]:
    """The next page; a child taps "keep going" on a dismissible prompt (the worst case for exposure)."""
    target = ctx.target
    if not isinstance(target, capabilities.Clocked):
        return target.feed(account.id, ctx.suite.page_size, now)
    for _ in range(3):
        answer = target.answer(account.id, ctx.suite.page_size, now)
        if not (answer.blocking and answer.prompt in capabilities.DISMISSIBLE):
            return answer.videos
        target.acknowledge(account.id, answer.prompt or "", now)
    return ()


def scroll(
    ctx: Context,
    account: model.Account,
    *,
    items: int,
    at: dt.datetime,
    react: React,
    rng: np.random.Generator,
) -> Served:
    """Scroll until `items` were served (or the feed ends); events go back after each page, as a client's do."""
    served = Served()
    began, now, empty = at, at, 0
    day_start = at
    while len(served.videos) < items:
        page = list(_page(ctx, account, now))[: items - len(served.videos)]
        if not page:
            empty += 1
            if empty > 2:
                break  # the feed has nothing more, even on a new day
            day_start += DAY  # a limit or a quiet time stopped it: come back tomorrow at the same hour
            now = max(now, day_start)
            continue
        empty = 0
        events: list[model.Event] = []
        for video, label in zip(page, ctx.labels(page), strict=True):
            response = react(video, label, rng)
            served.videos.append(video)
            served.labels.append(label)
            served.minutes.append((now - began).total_seconds() / 60.0)
            now += dt.timedelta(seconds=response.seconds)
            events.extend(behaviour.events(account.id, video, response, now))
        ctx.target.send(events)
    served.end = now
    return served
