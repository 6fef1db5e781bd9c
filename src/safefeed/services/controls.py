"""The controls router's acts (/me): settings, 'not interested', interests, refresh, why, export and delete.

Deleting an account reaches the store, the engine's memory, the well-being data
and the logins at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from safefeed import model
from safefeed.services import feed as feed_service
from safefeed.services import parts as parts_module


@dataclasses.dataclass(frozen=True, slots=True)
class SettingsChange:
    """What an account may change about its own feed; `None` leaves a setting as it is."""

    personalised: bool | None = None
    keyword_filters: tuple[str, ...] | None = None
    chosen_interests: tuple[str, ...] | None = None
    less_of: tuple[str, ...] | None = None
    stem_feed: bool | None = None


class Controls:
    def __init__(self, parts: parts_module.Parts, feed: feed_service.Feed) -> None:
        self.parts = parts
        self.feed = feed  # 'not interested' is an event like any other

    def settings(self, account_id: str) -> model.AccountSettings:
        return self.parts.account(account_id).settings

    def change_settings(self, account_id: str, change: SettingsChange) -> model.AccountSettings:
        """Apply the account's own choices; they take effect on the next page."""
        account = self.parts.account(account_id)
        updates = {name: value for name, value in dataclasses.asdict(change).items() if value is not None}
        settings = dataclasses.replace(account.settings, **updates)
        self.parts.store.put_account(dataclasses.replace(account, settings=settings))
        return settings

    def not_interested(
        self,
        account_id: str,
        *,
        video_id: str | None = None,
        creator_id: str | None = None,
        hashtag: str | None = None,
        topic: str | None = None,
        now: dt.datetime | None = None,
    ) -> int:
        """Never show this video, creator, hashtag or topic again; takes effect on the next page."""
        event = model.Event(
            account_id,
            model.EventKind.NOT_INTERESTED,
            self.parts.now(now),
            video_id=video_id,
            creator_id=creator_id,
            hashtag=None if hashtag is None else hashtag.lstrip("#"),
            topic=topic,
        )
        return self.feed.record([event], now=now)

    def refresh(self, account_id: str) -> None:
        self.parts.engine.refresh(account_id)

    def profile(self, account_id: str) -> dict[str, object]:
        return self.parts.engine.profile(account_id, now=self.parts.clock())

    def forget_interest(self, account_id: str, topic: str) -> None:
        self.parts.engine.forget_interest(account_id, topic)

    def why(self, account_id: str, video_id: str, *, now: dt.datetime | None = None) -> tuple[str, ...]:
        return self.parts.engine.why(account_id, video_id, now=self.parts.now(now))

    def export(self, account_id: str) -> dict[str, object]:
        """Everything held about the account: profile, settings, events, well-being and family data."""
        parts = self.parts
        held = parts.store.export_account(account_id)
        held["learned"] = parts.engine.profile(account_id, now=parts.clock())
        held["wellbeing"] = parts.wellbeing.store.export_account(account_id)
        held["login"] = parts.logins.export(account_id)
        return held

    def delete(self, account_id: str) -> int:
        """Remove the account from the store, the engine's memory, the well-being data and the logins."""
        parts = self.parts
        removed = parts.store.delete_account(account_id)
        parts.engine.forget(account_id)
        parts.wellbeing.store.delete_account(account_id)
        parts.logins.remove(account_id)
        return removed
