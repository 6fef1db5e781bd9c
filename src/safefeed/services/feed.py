"""The feed router's acts: a page, a search, a batch of events; the well-being gate runs before each page.

Every event is logged before it teaches the feed, and a batch is checked whole
before anything is written, screen time included.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from safefeed import model
from safefeed.recommend import feed, suggestions, visitors
from safefeed.services import parts as parts_module
from safefeed.wellbeing import prompts

# How far ahead of the server's clock a client's event time may be (phones drift a little).
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_EVENTS_PER_BATCH = 1000


class EventFromTheFuture(ValueError):
    pass


class TooManyEvents(ValueError):
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class FeedAnswer:
    """A page of videos, or a prompt that stands in for it (a limit, wind-down, time away)."""

    page: model.Page | None
    prompt: prompts.Prompt | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class SearchAnswer:
    """Search results, or the prompt that stands in for them: a limit holds for search as for the feed."""

    result: model.SearchResult | None
    prompt: prompts.Prompt | None = None


class Feed:
    def __init__(self, parts: parts_module.Parts) -> None:
        self.parts = parts
        self._visitors: visitors.Visitors | None = None
        self._suggestions: suggestions.Suggestions | None = None

    def page(
        self,
        account_id: str,
        *,
        n: int,
        cursor: str | None = None,
        tab: feed.Tab = "for_you",
        now: dt.datetime | None = None,
    ) -> FeedAnswer:
        """The next page, unless a well-being rule answers first.

        The cursor is checked before the gate counts the request as screen time.
        """
        parts = self.parts
        moment = parts.now(now)
        if cursor is not None:
            feed.check_cursor(account_id, cursor)
        admitted = parts.wellbeing.admit(parts.account(account_id), moment)
        if admitted.prompt is not None and admitted.prompt.blocking:
            return FeedAnswer(page=None, prompt=admitted.prompt)
        page = parts.engine.feed(account_id, n=n, cursor=cursor, now=moment, tab=tab, account=admitted.account)
        return FeedAnswer(page, admitted.prompt)

    def visitor_page(
        self, *, n: int, cursor: str | None = None, region: str = "", now: dt.datetime | None = None
    ) -> model.Page:
        """A logged-out visitor's next page: the youngest band's feed, not personalised, nothing stored.

        No well-being gate runs: there is no account to hold a limit, and no screen time is kept.
        """
        engine = self.parts.engine
        if self._visitors is None or self._visitors.engine is not engine:  # the catalog was rebuilt
            self._visitors = visitors.Visitors(engine)
        return self._visitors.page(n=n, cursor=cursor, region=region, now=self.parts.now(now))

    def record(self, events: Sequence[model.Event], *, now: dt.datetime | None = None) -> int:
        """Log events (durably, before answering) and learn from them; all or nothing.

        The whole batch is checked before anything is written, screen time included.
        """
        parts = self.parts
        moment = parts.now(now)
        if len(events) > MAX_EVENTS_PER_BATCH:
            raise TooManyEvents(
                f"at most {MAX_EVENTS_PER_BATCH} events per batch, got {len(events)}: send smaller batches"
            )
        for event in events:
            if event.at > moment + MAX_CLOCK_SKEW:
                raise EventFromTheFuture(
                    f"event time {event.at.isoformat()} is in the future (server time {moment.isoformat()})"
                )
        accounts = [parts.account(account_id) for account_id in {event.account_id for event in events}]
        parts.engine.check(events)
        for account in accounts:
            parts.wellbeing.observe(account, [moment])
        parts.engine.record(events)
        return len(events)

    def search(self, account_id: str, query: str, *, n: int, now: dt.datetime | None = None) -> SearchAnswer:
        parts = self.parts
        moment = parts.now(now)
        admitted = parts.wellbeing.admit(parts.account(account_id), moment)
        if admitted.prompt is not None and admitted.prompt.blocking:
            return SearchAnswer(result=None, prompt=admitted.prompt)
        result = parts.engine.search(account_id, query, n=n, now=moment, account=admitted.account)
        return SearchAnswer(result, admitted.prompt)

    def suggestions(
        self, account_id: str, query: str, *, n: int = 8, now: dt.datetime | None = None
    ) -> tuple[str, ...]:
        """Completions of a search being typed; never one that would be a search withheld from the account.

        Typing is not searching: nothing is logged or learned, and no screen time is counted.
        """
        engine = self.parts.engine
        context = engine.context(engine.account(account_id), self.parts.now(now))
        if self._suggestions is None or self._suggestions.parts is not engine.parts:  # the catalog was rebuilt
            self._suggestions = suggestions.Suggestions(engine.parts)
        return self._suggestions.suggest(context, query, n)
