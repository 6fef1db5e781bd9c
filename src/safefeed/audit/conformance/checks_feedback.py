"""Signals and controls: "not interested" that works and lasts, explicit over passive, reset, non-profiling."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

import numpy as np

from safefeed import model
from safefeed.audit import behaviour
from safefeed.audit import persona as persona_module
from safefeed.audit.conformance import capabilities, labels, sessions, stats
from safefeed.audit.conformance.results import Checked, Measured

Key = Callable[[model.Video], tuple[str, ...]]
DIMENSIONS: dict[str, Key] = {
    "topic": lambda video: (video.topic,) if video.topic else (),
    "hashtag": lambda video: video.hashtags,
    "creator_id": lambda video: (video.creator_id,),
}


def _swipe_away(react: sessions.React, unwanted: Callable[[model.Video], bool]) -> sessions.React:
    """The persona's reactions, except that what it said it does not want is skipped at once."""

    def react_(video: model.Video, label: model.Label, rng: np.random.Generator) -> behaviour.Response:
        response = react(video, label, rng)  # drawn anyway, so the stream stays aligned
        if unwanted(video):
            return behaviour.Response(seconds=1.0, fraction=1.0 / max(video.duration_s, 1.0), skipped=True)
        return response

    return react_


def _generic(catalog: Sequence[model.Video], *, share: float = 0.05) -> dict[str, set[str]]:
    """Hashtags and creators on more than `share` of the catalog (#fyp, #foryou): nobody marks the whole
    feed 'not interested'. Topics are what a child marks, so none is generic."""
    out: dict[str, set[str]] = {"topic": set()}
    for dimension in ("hashtag", "creator_id"):
        key = DIMENSIONS[dimension]
        tally = collections.Counter(value for video in catalog for value in set(key(video)))
        out[dimension] = {value for value, count in tally.items() if count > share * len(catalog)}
    return out


def _removal(after: tuple[int, int], before: tuple[int, int]) -> stats.Interval:
    """1 - (share after / share before), with the ratio's interval turned round."""
    share = stats.ratio(after[0], max(after[1], 1), before[0], max(before[1], 1))
    return stats.Interval(1 - share.estimate, 1 - share.high, 1 - share.low)


def negative_feedback(ctx: sessions.Context) -> Checked:
    """'Not interested' on a topic, a hashtag and a creator; then 7 days later; then one like on a similar video."""
    items = ctx.scaled(int(ctx.number("items", 200)))
    counts = {phase: [0, 0] for phase in ("before", "after", "week", "like")}
    generic = _generic(ctx.catalog)
    picked = []
    for dimension, key in DIMENSIONS.items():
        for repetition in range(ctx.repetitions):
            persona = ctx.persona("child", age=ctx.suite.child_age, sensitivity=0.0)
            account = ctx.account(f"{dimension}", repetition, age=ctx.suite.child_age)
            rng, react = ctx.rng(dimension, repetition), sessions.as_persona(persona)
            warm = sessions.scroll(ctx, account, items=items, at=ctx.start, react=react, rng=rng)
            tally = collections.Counter(
                value for video in warm.videos for value in key(video) if value not in generic[dimension]
            )
            if not tally:
                continue
            value = tally.most_common(1)[0][0]
            picked.append(f"{dimension}={value}")

            def matches(video: model.Video, value: str = value, key: Key = key) -> bool:
                return value in key(video)

            counts["before"][0] += sum(1 for video in warm.videos if matches(video))
            counts["before"][1] += len(warm.videos)
            told = warm.end + dt.timedelta(seconds=5)
            ctx.target.send([_not_interested(account.id, told, dimension, value)])
            swipe = _swipe_away(react, matches)
            at = told + dt.timedelta(seconds=5)
            for phase in ("after", "week", "like"):
                if phase == "week":
                    at += dt.timedelta(days=7)
                if phase == "like":
                    at = _like_similar(ctx, account, matches, at)
                served = sessions.scroll(ctx, account, items=items, at=at, react=swipe, rng=rng)
                counts[phase][0] += sum(1 for video in served.videos if matches(video))
                counts[phase][1] += len(served.videos)
                at = served.end + dt.timedelta(seconds=5)
    if counts["before"][0] == 0:
        return Checked(not_testable="the feed never served a topic, hashtag or creator twice to mark 'not interested'")
    before = (counts["before"][0], counts["before"][1])
    detail = "; ".join(f"{phase} {c}/{n}" for phase, (c, n) in counts.items())
    return Checked(
        tuple(
            Measured(name, _removal((counts[phase][0], counts[phase][1]), before), detail)
            for name, phase in (
                ("removal_next_items", "after"),
                ("removal_after_7_days", "week"),
                ("removal_after_one_like", "like"),
            )
        ),
        notes=(f"marked not interested: {', '.join(picked)}",),
    )


def _not_interested(account_id: str, at: dt.datetime, dimension: str, value: str) -> model.Event:
    kind = model.EventKind.NOT_INTERESTED
    if dimension == "topic":
        return model.Event(account_id, kind, at, topic=value)
    if dimension == "hashtag":
        return model.Event(account_id, kind, at, hashtag=value)
    return model.Event(account_id, kind, at, creator_id=value)


def _like_similar(
    ctx: sessions.Context, account: model.Account, matches: Callable[[model.Video], bool], at: dt.datetime
) -> dt.datetime:
    """The Molly Rose Foundation's step: a full watch, a like and a share on one similar video."""
    similar = next((video for video in ctx.catalog if matches(video)), None)
    if similar is None:
        return at
    ctx.target.send(
        [
            model.Event(
                account.id, model.EventKind.WATCH, at, video_id=similar.id, seconds=similar.duration_s, fraction=1.0
            ),
            model.Event(account.id, model.EventKind.LIKE, at, video_id=similar.id),
            model.Event(account.id, model.EventKind.SHARE, at, video_id=similar.id),
        ]
    )
    return at + dt.timedelta(seconds=5)


def _passive(react: sessions.React, *, watch: bool) -> sessions.React:
    """Mental-health videos watched exactly to the end (`watch`) or skipped after 2 s; the rest as `react`."""

    def react_(video: model.Video, label: model.Label, rng: np.random.Generator) -> behaviour.Response:
        response = react(video, label, rng)  # drawn anyway, so both arms keep one random stream
        if not label.mh_related:
            return response
        duration = max(video.duration_s, 1.0)
        seconds = duration if watch else min(2.0, duration)
        return behaviour.Response(seconds=seconds, fraction=seconds / duration, skipped=not watch)

    return react_


def passive_signals(ctx: sessions.Context) -> Checked:
    """Watching mental-health videos to the end, with no like, follow or search, must not fill the feed.

    Both arms are the study's interested child (it swipes past everything else
    fast), opted into personalisation where the target lets it; they differ only
    in whether mental-health videos are watched to the end or skipped.
    """
    shares = {}
    for role, watch in (("watcher", True), ("skipper", False)):
        count = total = 0
        for repetition in range(ctx.repetitions):
            persona = ctx.persona(role, age=ctx.suite.child_age, sensitivity=1.0)
            quiet = dataclasses.replace(persona.behaviour, like_probability=0.0, follow_probability=0.0)
            react = _passive(sessions.as_persona(dataclasses.replace(persona, behaviour=quiet)), watch=watch)
            account = _personalised(ctx, ctx.account(role, repetition, age=ctx.suite.child_age))
            rng = ctx.rng("passive", repetition)
            served = sessions.scroll(ctx, account, items=ctx.items, at=ctx.start, react=react, rng=rng)
            count += served.count(labels.mental_health)
            total += len(served.videos)
        shares[role] = (count, total)
    (a, n), (b, m) = shares["watcher"], shares["skipper"]
    if n == 0 or m == 0:
        return Checked(not_testable="the feed served nothing")
    return Checked(
        (Measured("watcher_minus_skipper", stats.difference(a, n, b, m), f"watcher {a}/{n}, skipper {b}/{m}"),)
    )


def _personalised(ctx: sessions.Context, account: model.Account) -> model.Account:
    """Opt the child into a personalised feed where it may, so the history has something to teach."""
    if isinstance(ctx.target, capabilities.Settable):
        ctx.target.set_personalised(account.id, True, ctx.start)
    return account


def _no_follows(persona: persona_module.Persona) -> persona_module.Persona:
    """Follows are explicit choices a reset may keep: the persona makes none, so only learning is compared."""
    return dataclasses.replace(persona, behaviour=dataclasses.replace(persona.behaviour, follow_probability=0.0))


def reset(ctx: sessions.Context) -> Checked:
    """After a refresh the feed's mix matches a new account's, and still does after scrolling and a day.

    `accounts` children per arm: each refreshed one first scrolled as an
    interested child, then scrolls as a neutral one, like the new accounts do.
    Every account has opted into personalisation where the target lets it, or
    a feed that learns nothing about children would pass without resetting anything.
    """
    target = ctx.target
    assert isinstance(target, capabilities.Refreshable)
    accounts = int(ctx.number("accounts", 6))
    phase = max(ctx.items // 4, 10)
    mixes: dict[str, list[list[list[str]]]] = {"reset": [[], []], "new": [[], []]}
    interested = _no_follows(ctx.persona("interested", age=ctx.suite.child_age, sensitivity=1.0))
    neutral = sessions.as_persona(ctx.persona("neutral", age=ctx.suite.child_age, sensitivity=0.0))
    for number in range(accounts):
        history = _personalised(ctx, ctx.account("history", number, age=ctx.suite.child_age))
        rng = ctx.rng("history", number)
        react = sessions.as_persona(interested)
        done = sessions.scroll(ctx, history, items=ctx.items, at=ctx.start, react=react, rng=rng)
        target.refresh(history.id, done.end)
        for arm, account in (
            ("reset", history),
            ("new", _personalised(ctx, ctx.account("new", number, age=ctx.suite.child_age))),
        ):
            stream = ctx.rng(f"after-{arm}", number)
            at = done.end + dt.timedelta(minutes=1)
            first = sessions.scroll(ctx, account, items=phase, at=at, react=neutral, rng=stream)
            later = first.end + dt.timedelta(days=1)
            second = sessions.scroll(ctx, account, items=phase, at=later, react=neutral, rng=stream)
            mixes[arm][0].append(first.topics())
            mixes[arm][1].append(second.topics())
    measured = []
    for index, name in enumerate(("reset_same_mix_p", "reset_after_day_p")):
        test = stats.same_mix(mixes["reset"][index], mixes["new"][index], seed=ctx.seed)
        mh = [sum(t == "mental_health" for group in mixes[arm][index] for t in group) for arm in ("reset", "new")]
        detail = (
            f"topic-mix distance {test.distance:.3f}, {accounts} accounts an arm (account-level permutation test); "
            f"mental-health items: refreshed {mh[0]}, new {mh[1]}"
        )
        measured.append(Measured(name, test.p_value, detail))
    return Checked(tuple(measured))


def non_profiling(ctx: sessions.Context) -> Checked:
    """DSA Art. 38: with profiling off, two kinds of adult with different histories get feeds a test cannot
    tell apart (`accounts` of each kind; the same follows: none; the same region and language).

    A feed may still leave out what an account has already seen without profiling it (it predicts
    nothing from the history), and that alone makes the mixes differ: each arm saw more of its own
    topics, so fewer of those are left to it. The mixes are therefore compared over the videos no
    account of either arm had seen before the switch: what both could be shown. A feed that still
    ranks by what it learned serves those differently and fails; the whole mixes' test is in the notes.
    """
    target = ctx.target
    assert isinstance(target, capabilities.Settable)
    other = tuple(ctx.words("other_interests", ["cooking", "travel", "cars"]))
    accounts = int(ctx.number("accounts", 6))
    served: dict[str, list[sessions.Served]] = {"a": [], "b": []}
    seen_before: set[str] = set()
    for number in range(accounts):
        for arm, sensitivity, interests in (("a", 1.0, ctx.suite.seed_interests), ("b", 0.0, other)):
            persona = ctx.persona(f"adult-{arm}", age=ctx.suite.adult_age, sensitivity=sensitivity)
            persona = _no_follows(dataclasses.replace(persona, seed_interests=interests))
            account = ctx.account(f"adult-{arm}", number, age=ctx.suite.adult_age)
            react, rng = sessions.as_persona(persona), ctx.rng(f"adult-{arm}", number)
            history = sessions.scroll(ctx, account, items=ctx.items, at=ctx.start, react=react, rng=rng)
            seen_before.update(video.id for video in history.videos)
            target.set_personalised(account.id, False, history.end)
            at = history.end + dt.timedelta(minutes=1)
            served[arm].append(
                sessions.scroll(ctx, account, items=max(ctx.items // 2, 10), at=at, react=react, rng=rng)
            )
    mixes = {
        arm: [[video.topic or "" for video in phase.videos if video.id not in seen_before] for phase in phases]
        for arm, phases in served.items()
    }
    whole = {arm: [phase.topics() for phase in phases] for arm, phases in served.items()}
    compared = sum(len(mix) for arm in mixes.values() for mix in arm)
    total = sum(len(mix) for arm in whole.values() for mix in arm)
    if compared == 0:
        return Checked(not_testable="the feed served nothing that neither arm had seen before the switch")
    test = stats.same_mix(mixes["a"], mixes["b"], seed=ctx.seed)
    everything = stats.same_mix(whole["a"], whole["b"], seed=ctx.seed)
    detail = (
        f"topic-mix distance {test.distance:.3f} over the {compared} of {total} items that no account had seen "
        f"before the switch, {accounts} accounts an arm (account-level permutation test)"
    )
    return Checked(
        (Measured("same_mix_p", test.p_value, detail),),
        notes=(
            f"all {total} items, seen-before ones included: distance {everything.distance:.3f}, "
            f"p {everything.p_value.estimate:.3g} (leaving out what an account saw is not profiling)",
        ),
    )
