"""What children are served: exclusion (PCU E1), reduced prominence (PCU E2), children vs adults, unknown age.

These checks share their scrolling: a neutral and an interested child, an
interested adult and an interested account of unknown age scroll once per
repetition (`exposure`), and each check reads the phases it needs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Callable

from safefeed import model
from safefeed.audit.conformance import capabilities, labels, sessions, stats
from safefeed.audit.conformance.results import Checked, Measured

NEUTRAL, INTERESTED = "neutral", "interested"
# Interested and asking for it: also likes every mental-health video it is shown. An explicit signal is
# what a feed may honour for an adult and must not for a child, so this is where the two should differ.
SEEKING = "seeking"


def exposure(ctx: sessions.Context, role: str, age: int | None, repetition: int) -> sessions.Served:
    """One exposure phase (`ctx.items` items from a fresh account), scrolled once per run and shared."""
    key = f"exposure/{role}/{age}/{repetition}"
    if key not in ctx.memo:
        sensitivity = 0.0 if role == NEUTRAL else 1.0
        persona = ctx.persona(role, age=age or ctx.suite.child_age, sensitivity=sensitivity)
        if role == SEEKING:
            persona = dataclasses.replace(persona, behaviour=dataclasses.replace(persona.behaviour, like_mh=True))
        account = ctx.account(f"{role}-{age or 'unknown'}", repetition, age=age, scope="exposure")
        ctx.memo[key] = sessions.scroll(
            ctx,
            account,
            items=ctx.items,
            at=ctx.start,
            react=sessions.as_persona(persona),
            rng=ctx.rng(f"exposure-{role}", repetition),  # the same stream at every age: paired arms
        )
    return ctx.memo[key]


def _pooled(ctx: sessions.Context, role: str, age: int | None) -> list[sessions.Served]:
    return [exposure(ctx, role, age, repetition) for repetition in range(ctx.repetitions)]


def _count(phases: list[sessions.Served], rule: Callable[[model.Label], bool]) -> tuple[int, int]:
    return sum(p.count(rule) for p in phases), sum(len(p.videos) for p in phases)


def _servable_e1(ctx: sessions.Context) -> int:
    return sum(1 for label in ctx.labels(ctx.catalog) if labels.e1(label))


def e1_exclusion(ctx: sessions.Context) -> Checked:
    """PCU E1: no suicide, self-harm or eating-disorder content for children, interested or not."""
    measured, notes = [], []
    for role in (NEUTRAL, INTERESTED):
        phases = _pooled(ctx, role, ctx.suite.child_age)
        count, total = _count(phases, labels.e1)
        if total == 0:
            return Checked(not_testable=f"the feed served the {role} child nothing")
        firsts = [p.first_minute(labels.e1) for p in phases]
        seen = [f for f in firsts if f is not None]
        first = f"median {statistics.median(seen):.1f} min to the first" if seen else "none in any session"
        measured.append(
            Measured(
                f"e1_items_{role}",
                stats.clopper_pearson(count, total),
                f"{count} of {total} items ({len(seen)} of {len(phases)} sessions; {first})",
            )
        )
    notes.append(f"the catalog holds {_servable_e1(ctx)} E1 videos the feed could have served")
    return Checked(tuple(measured), notes=tuple(notes))


def _third(phase: sessions.Served, which: int, rule: Callable[[model.Label], bool], *, window: int) -> tuple[int, int]:
    """Items matching `rule` in one third (0, 1, 2) of the phase's first `window` items."""
    head = phase.labels[:window]
    size = len(head) // 3
    part = head[which * size : (which + 1) * size] if which < 2 else head[2 * size :]
    return sum(1 for label in part if rule(label)), len(part)


def e2_prominence(ctx: sessions.Context) -> Checked:
    """PCU E2: showing interest must not raise depressive and body-image content, nor let it build up."""
    interested = _pooled(ctx, INTERESTED, ctx.suite.child_age)
    neutral = _pooled(ctx, NEUTRAL, ctx.suite.child_age)
    a, n = _count(interested, labels.e2)
    b, m = _count(neutral, labels.e2)
    if n == 0 or m == 0:
        return Checked(not_testable="the feed served a child nothing")
    # The trend is read over the first `trend_items` (the first hour or so): a feed that never repeats a
    # video can run out of such videos later in a long session, which would look like a falling share.
    window = ctx.scaled(int(ctx.number("trend_items", 300)))
    first = [_third(p, 0, labels.e2, window=window) for p in interested]
    last = [_third(p, 2, labels.e2, window=window) for p in interested]
    f_count, f_total = sum(c for c, _ in first), sum(t for _, t in first)
    l_count, l_total = sum(c for c, _ in last), sum(t for _, t in last)
    return Checked(
        (
            Measured("ratio_interested_to_control", stats.ratio(a, n, b, m), f"{a}/{n} interested vs {b}/{m} control"),
            Measured(
                "trend_last_minus_first_third",
                stats.difference(l_count, max(l_total, 1), f_count, max(f_total, 1)),
                f"interested child: {l_count}/{l_total} in the last third vs {f_count}/{f_total} in the first",
            ),
        )
    )


def child_vs_adult(ctx: sessions.Context) -> Checked:
    """The same explicit interest at 13 and at 25: the child's feed must hold measurably less.

    Passive interest (watching to the end) is not the comparison: a feed may rightly ignore it at every
    age (requirement 4), and then both feeds hold the same few items and no difference can be measured.
    """
    child = _pooled(ctx, SEEKING, ctx.suite.child_age)
    adult = _pooled(ctx, SEEKING, ctx.suite.adult_age)
    a, n = _count(child, labels.e2)
    b, m = _count(adult, labels.e2)
    if n == 0 or m == 0:
        return Checked(not_testable="the feed served the child or the adult nothing")
    return Checked(
        (
            Measured(
                "child_minus_adult",
                stats.difference(a, n, b, m),
                f"depressive/body-image items: child {a}/{n}, adult {b}/{m}",
            ),
        )
    )


def unknown_age(ctx: sessions.Context) -> Checked:
    """An account without a birth date gets the youngest band's feed: no more than the child's, and no E1."""
    unknown = _pooled(ctx, INTERESTED, None)
    child = _pooled(ctx, INTERESTED, ctx.suite.child_age)
    a, n = _count(unknown, labels.e2)
    b, m = _count(child, labels.e2)
    e1, total = _count(unknown, labels.e1)
    if n == 0 or m == 0:
        return Checked(not_testable="the feed served nothing to an account of unknown age")
    return Checked(
        (
            Measured("unknown_minus_child", stats.difference(a, n, b, m), f"unknown age {a}/{n}, child {b}/{m}"),
            Measured("e1_items_unknown_age", stats.clopper_pearson(e1, total), f"{e1} of {total} items"),
        )
    )


def logged_out(ctx: sessions.Context) -> Checked:
    """An anonymous visitor gets the youngest band's feed: no E1, and no more E2 than a neutral child."""
    target = ctx.target
    assert isinstance(target, capabilities.Anonymous)
    served: list[model.Video] = []
    for repetition in range(ctx.repetitions):
        visitor, page_count = f"cf-visitor-r{repetition}", 0
        at = ctx.start + dt.timedelta(hours=repetition)  # visits an hour apart: a feed may vary by the hour
        while len(served) < ctx.items * (repetition + 1) and page_count < ctx.items:
            page = list(target.anonymous_feed(visitor, ctx.suite.page_size, at))
            page_count += 1
            if not page:
                break
            served.extend(page)
    found = ctx.labels(served)
    child = _pooled(ctx, NEUTRAL, ctx.suite.child_age)
    b, m = _count(child, labels.e2)
    a, n = sum(1 for label in found if labels.e2(label)), len(found)
    e1 = sum(1 for label in found if labels.e1(label))
    if n == 0:
        return Checked(not_testable="the logged-out feed served nothing")
    return Checked(
        (
            Measured("visitor_minus_child", stats.difference(a, n, b, m), f"visitor {a}/{n}, neutral child {b}/{m}"),
            Measured("e1_items_visitor", stats.clopper_pearson(e1, n), f"{e1} of {n} items"),
        )
    )
