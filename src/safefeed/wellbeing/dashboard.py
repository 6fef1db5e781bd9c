"""Screen time as the account and its guardians see it: minutes by day and hour, and the weekly recap.

Minutes come from the stored screen time plus what the activity clock has not
written yet, so a dashboard read right after scrolling already counts it.
"""

from __future__ import annotations

import datetime as dt

from safefeed import model
from safefeed.wellbeing import clock, context, errors, family, notifications, pairing, screen_time

RECAP_MARK = "recap"


class Dashboard:
    def __init__(self, ctx: context.Context, guardians: pairing.Pairing) -> None:
        self.ctx = ctx
        self.guardians = guardians

    def dashboard(self, account: model.Account, now: dt.datetime, *, days: int = 7) -> screen_time.Dashboard:
        """Minutes by local day and by local hour, for the last `days` days including today."""
        if not 1 <= days <= 366:
            raise errors.InvalidSetting(f"a dashboard covers 1-366 days, got {days}")
        band, tz, here = self.ctx.band(account, now)
        usage = self.usage(account.id, now, tz, here.date(), days)
        total = sum(day.minutes for day in usage)
        return screen_time.Dashboard(
            account_id=account.id,
            timezone=account.timezone,
            days=usage,
            by_hour=tuple(sum(day.by_hour[hour] for day in usage) for hour in range(24)),
            today_minutes=usage[-1].minutes,
            average_minutes=total / days,
            daily_limit_minutes=context.limit(account, band, self.guardians.family_controls(account)).minutes,
        )

    def usage(
        self, account_id: str, now: dt.datetime, tz: dt.tzinfo, today: dt.date, days: int
    ) -> tuple[screen_time.DayUsage, ...]:
        activity = self.ctx.store.activity
        first = today - dt.timedelta(days=days - 1)
        seconds = activity.seconds_by_hour(account_id, first, today)
        for piece in self.ctx.pending_slices(activity.clock(account_id), now, tz):
            if first <= piece.day <= today:
                seconds[piece.day, piece.hour] = seconds.get((piece.day, piece.hour), 0.0) + piece.seconds
        return screen_time.usage(seconds, (first + dt.timedelta(days=n) for n in range(days)))

    def guardian_summary(self, guardian_id: str, teen: model.Account, now: dt.datetime) -> family.Summary:
        """Time only, by local day: never what the teen watched or searched."""
        self.guardians.require_guardian(guardian_id, teen.id)
        band, tz, here = self.ctx.band(teen, now)
        usage = self.usage(teen.id, now, tz, here.date(), 7)
        limit = context.limit(teen, band, self.guardians.family_controls(teen))
        return family.Summary(
            teen_id=teen.id,
            today_minutes=usage[-1].minutes,
            daily_limit_minutes=limit.minutes,
            limit_source=limit.source.value,
            days=usage,
            week_minutes=sum(day.minutes for day in usage),
            pending_requests=len(self.ctx.store.pairing.requests([teen.id], pending_only=True)),
        )

    def queue_recap(self, account: model.Account, now: dt.datetime, tz: dt.tzinfo, today: dt.date) -> None:
        """Last week's minutes beside the week before, queued once per week in the account's inbox."""
        store = self.ctx.store
        monday = notifications.week_start(today)
        last_week = monday - dt.timedelta(days=7)
        if account.created_at >= clock.at(monday, dt.time(0), tz):
            return  # the account did not exist last week: nothing to recap
        key = notifications.recap_key(last_week)
        if store.marks.marked(account.id, RECAP_MARK, key) is not None:
            return
        seconds = store.activity.seconds_by_hour(account.id, last_week - dt.timedelta(days=7), monday - clock.DAY)
        minutes = sum(s for (day, _hour), s in seconds.items() if day >= last_week) / 60
        previous = sum(s for (day, _hour), s in seconds.items() if day < last_week) / 60
        title, body = notifications.recap(last_week, minutes, previous)
        store.inbox.notify(account.id, notifications.Kind.WEEKLY_RECAP, title, body, now, key=key)
        store.marks.mark(account.id, RECAP_MARK, key, now)
