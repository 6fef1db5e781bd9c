"""Controls with their own surface: search for coded terms, time limits, notifications, true explanations."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from safefeed import model
from safefeed.audit import behaviour
from safefeed.audit.conformance import capabilities, labels, sessions, stats
from safefeed.audit.conformance.results import Checked, Measured


def search_coded(ctx: sessions.Context) -> Checked:
    """Suicide, self-harm and eating-disorder searches, plain and coded, give a child help and no such videos."""
    target = ctx.target
    assert isinstance(target, capabilities.Searchable)
    queries = ctx.words("queries", ["suicide"])
    account = ctx.account("child", 0, age=ctx.suite.child_age)
    failing = []
    for number, query in enumerate(queries):
        found = target.search(account.id, query, ctx.start + dt.timedelta(minutes=number))
        harmful = [
            video.id
            for video, label in zip(found.videos, ctx.labels(found.videos), strict=True)
            if label.mh_related and label.theme in labels.E1_THEMES and label.harm is not model.Harm.SUPPORTIVE
        ]
        helped = found.withheld or found.help_lines > 0
        if harmful or not helped:
            why = f"{len(harmful)} such videos" if harmful else "no help offered"
            failing.append(f"{query!r}: {why}")
    detail = f"{len(failing)} of {len(queries)} queries failed" + (": " + "; ".join(failing) if failing else "")
    return Checked(
        (Measured("queries_failing", stats.clopper_pearson(len(failing), len(queries)), detail),),
        notes=("search suggestions are requirement search-suggestions-safe",),
    )


def search_suggestions(ctx: sessions.Context) -> Checked:
    """Typing a suicide, self-harm or eating-disorder search, plain or coded, letter by letter: the box never
    completes it for a child. An adult typing the same is asked too, to show what the box holds."""
    target = ctx.target
    assert isinstance(target, capabilities.Suggests)
    words = ctx.words("queries", ["suicide"])
    offered: dict[str, list[str]] = {}
    for role, age in (("child", ctx.suite.child_age), ("adult", ctx.suite.adult_age)):
        account = ctx.account(role, 0, age=age)
        failing = []
        for number, query in enumerate(words):
            at = ctx.start + dt.timedelta(minutes=number)
            seen = {word for cut in range(2, len(query) + 1) for word in target.suggest(account.id, query[:cut], at)}
            blocked = sorted(word for word in seen if labels.e1_search(word, words))
            if blocked:
                failing.append(f"{query!r}: {', '.join(blocked[:3])}")
        offered[role] = failing
    child = offered["child"]
    detail = f"{len(child)} of {len(words)} queries, typed letter by letter, drew such a suggestion" + (
        ": " + "; ".join(child) if child else ""
    )
    return Checked(
        (Measured("queries_suggesting", stats.clopper_pearson(len(child), len(words)), detail),),
        notes=(f"for an adult, {len(offered['adult'])} of {len(words)} queries drew one",),
    )


def time_limits(ctx: sessions.Context) -> Checked:
    """At the daily limit the feed stops until the passcode; the session prompt comes at its minute."""
    target = ctx.target
    assert isinstance(target, capabilities.Clocked)
    daily, session = int(ctx.number("daily_minutes", 40)), int(ctx.number("session_minutes", 15))
    passcode = ctx.text("passcode", "4827")
    account = ctx.account("child", 0, age=ctx.suite.child_age)
    target.set_passcode(account.id, passcode, ctx.start)
    target.set_limits(account.id, daily, session, ctx.start)
    react = sessions.as_persona(ctx.persona("child", age=ctx.suite.child_age, sensitivity=0.0))
    rng, now, first_prompt, stopped_at, last_served = ctx.rng("child", 0), ctx.start, None, None, 0.0
    while (now - ctx.start) < dt.timedelta(minutes=daily * 2):
        minute = (now - ctx.start).total_seconds() / 60
        answer = target.answer(account.id, ctx.suite.page_size, now)
        if answer.prompt == "session" and first_prompt is None:
            first_prompt = minute
        if answer.blocking and answer.prompt in capabilities.DISMISSIBLE:
            target.acknowledge(account.id, answer.prompt or "", now)  # "keep going"
            continue
        if answer.blocking or not answer.videos:
            stopped_at = minute
            break
        last_served = minute
        events: list[model.Event] = []
        for video, label in zip(answer.videos, ctx.labels(answer.videos), strict=True):
            response = react(video, label, rng)
            now += dt.timedelta(seconds=response.seconds)
            events.extend(behaviour.events(account.id, video, response, now))
        target.send(events)
    later = now + dt.timedelta(minutes=10)
    still_stopped = stopped_at is not None and target.answer(account.id, ctx.suite.page_size, later).blocking
    resumed = False
    if still_stopped:
        target.unlock(account.id, passcode, later)
        resumed = bool(_past_dismissible(target, account.id, ctx.suite.page_size, later).videos)
    # The feed decides at each page asked for; how long the child then takes over a page already given is
    # the client's. So the overrun is read at the last page the feed still served.
    over = (last_served - daily) if stopped_at is not None else float(daily)
    prompt_off = abs(first_prompt - session) if first_prompt is not None else float(session)

    def exact(x: float) -> stats.Interval:
        return stats.Interval(x, x, x)

    return Checked(
        (
            Measured(
                "minutes_past_limit",
                exact(max(over, 0.0)),
                f"last page served when asked at minute {last_served:.1f}, stopped at minute {stopped_at} "
                f"of a {daily}-minute limit",
            ),
            Measured(
                "stops_until_passcode",
                exact(float(still_stopped and resumed)),
                f"stopped 10 min later: {still_stopped}; resumed after passcode: {resumed}",
            ),
            Measured(
                "session_prompt_offset",
                exact(prompt_off),
                f"first session prompt at minute {first_prompt} (set: {session})",
            ),
        ),
        notes=("the minutes are screen time on the simulated clock, a page at a time",),
    )


def _past_dismissible(target: capabilities.Clocked, account_id: str, n: int, now: dt.datetime) -> capabilities.Answer:
    """The next answer once any prompt a child may dismiss ("keep going") is dismissed."""
    answer = target.answer(account_id, n, now)
    for _ in range(3):
        if not (answer.blocking and answer.prompt in capabilities.DISMISSIBLE):
            break
        target.acknowledge(account_id, answer.prompt or "", now)
        answer = target.answer(account_id, n, now)
    return answer


def notifications(ctx: sessions.Context) -> Checked:
    """No notifications to a child at night (00:00-06:00 local), none timed to pull back one who stays away."""
    target = ctx.target
    assert isinstance(target, capabilities.Notifies)
    days = int(ctx.number("days", 14))
    zone = zoneinfo.ZoneInfo(ctx.suite.timezone)
    react = sessions.as_persona(ctx.persona("child", age=ctx.suite.child_age, sensitivity=0.0))
    inboxes: dict[str, set[tuple[str, dt.datetime]]] = {}
    accounts = {role: ctx.account(role, 0, age=ctx.suite.child_age) for role in ("daily", "away")}
    rng = ctx.rng("child", 0)
    for hour in range(days * 24):
        now = ctx.start + dt.timedelta(hours=hour)
        for role, account in accounts.items():
            if hour % 24 == 0 and (role == "daily" or hour == 0):
                sessions.scroll(ctx, account, items=ctx.suite.page_size * 3, at=now, react=react, rng=rng)
            got = target.notifications(account.id, now + dt.timedelta(minutes=30))
            inboxes.setdefault(role, set()).update((n.kind, n.at) for n in got)
    night = sum(1 for box in inboxes.values() for _kind, at in box if at.astimezone(zone).hour < 6)
    total = sum(len(box) for box in inboxes.values())
    away, daily_count = len(inboxes["away"]), len(inboxes["daily"])

    def exact(x: float) -> stats.Interval:
        return stats.Interval(x, x, x)

    return Checked(
        (
            Measured("night_notifications", exact(float(night)), f"{night} of {total} delivered 00:00-06:00 local"),
            Measured(
                "away_minus_daily",
                exact(float(away - daily_count)),
                f"away {away}, daily {daily_count} over {days} days",
            ),
        )
    )


def explanations(ctx: sessions.Context) -> Checked:
    """A 'why this video' that names an interest is true: removing that interest lowers such videos' share."""
    target = ctx.target
    assert isinstance(target, capabilities.Explains)
    topics = sorted({video.topic for video in ctx.catalog if video.topic})
    named: dict[str, int] = {}
    arms: dict[str, tuple[int, int]] = {}
    persona = ctx.persona("adult", age=ctx.suite.adult_age, sensitivity=0.0)
    chosen = ""
    for arm in ("kept", "removed"):
        account = ctx.account(arm, 0, age=ctx.suite.adult_age)
        rng = ctx.rng("adult", 0)  # the same stream: the two accounts are twins until the interest goes
        history = sessions.scroll(
            ctx, account, items=ctx.items, at=ctx.start, react=sessions.as_persona(persona), rng=rng
        )
        at = history.end + dt.timedelta(minutes=1)
        if arm == "kept":
            for video in history.videos[-ctx.suite.page_size * 3 :]:
                for reason in target.why(account.id, video.id, at):
                    for topic in topics:
                        if topic == video.topic and re.search(rf"\b{re.escape(topic)}\b", reason):
                            named[topic] = named.get(topic, 0) + 1
            if not named:
                return Checked(not_testable="no 'why this video' named an interest the auditor could remove")
            chosen = max(named, key=lambda t: named[t])
        else:
            target.forget_interest(account.id, chosen, at)
        after = sessions.scroll(ctx, account, items=ctx.items, at=at, react=sessions.as_persona(persona), rng=rng)
        arms[arm] = (sum(1 for t in after.topics() if t == chosen), len(after.videos))
    (a, n), (b, m) = arms["removed"], arms["kept"]
    return Checked(
        (
            Measured(
                "removed_minus_kept",
                stats.difference(a, max(n, 1), b, max(m, 1)),
                f"{chosen!r}: removed {a}/{n}, kept {b}/{m}",
            ),
        ),
        notes=(f"explanations named {named}",),
    )
