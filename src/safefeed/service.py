"""What a person, a guardian, a platform or an auditor can do: one method per act.

The API's routes and the CLI call these and nothing deeper, so the well-being
gate, the event log and the engine's state always move together: the gate runs
before every page, every event is logged before it teaches the feed, and
deleting an account reaches the store, the engine and the logins at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from safefeed import access, model
from safefeed.audit import jobs
from safefeed.content import catalog_import, pipeline, review
from safefeed.recommend import feed
from safefeed.store import repository
from safefeed.wellbeing import errors as wellbeing_errors
from safefeed.wellbeing import prompts
from safefeed.wellbeing import service as wellbeing_service

Clock = Callable[[], dt.datetime]
Rebuild = Callable[[repository.Store], feed.Engine]

# How far ahead of the server's clock a client's event time may be (phones drift a little).
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_EVENTS_PER_BATCH = 1000


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


@dataclasses.dataclass(frozen=True, slots=True)
class SettingsChange:
    """What an account may change about its own feed; `None` leaves a setting as it is."""

    personalised: bool | None = None
    keyword_filters: tuple[str, ...] | None = None
    chosen_interests: tuple[str, ...] | None = None
    less_of: tuple[str, ...] | None = None
    stem_feed: bool | None = None


class SafeFeed:
    """The service over the store, the engine, the well-being rules and the logins."""

    def __init__(
        self,
        store: repository.Store,
        engine: feed.Engine,
        wellbeing: wellbeing_service.Wellbeing,
        logins: access.Access,
        audits: jobs.Jobs,
        *,
        rebuild: Rebuild,
        clock: Clock = utc_now,
        catalog_seen: int | None = None,
    ) -> None:
        """`catalog_seen`: the newest catalog change `engine` reflects (read before building it)."""
        self.store = store
        self.engine = engine
        self.wellbeing = wellbeing
        self.logins = logins
        self.audits = audits
        self.rebuild = rebuild  # a new engine over the store, after the catalog changed
        self.clock = clock
        self._catalog_seen = store.last_catalog_change() if catalog_seen is None else catalog_seen
        self._catalog_lock = threading.Lock()  # one rebuild or round of catalog changes at a time

    def now(self, client_time: dt.datetime | None = None) -> dt.datetime:
        """The server's time; a simulated clock (audits) only where the caller passes one in."""
        return client_time or self.clock()

    # -- accounts and logins ---------------------------------------------

    def sign_up(self, account: model.Account, password: str | None) -> str:
        """Create an account and its login; the answer is its first bearer token."""
        now = self.clock()
        self.logins.register(account.id, access.Role.ACCOUNT, password, now)
        self.store.put_account(dataclasses.replace(account, created_at=now))
        return self.logins.issue(account.id, now)

    def register(self, principal_id: str, role: access.Role, password: str) -> str:
        """A login that has no feed (a guardian, an admin, an auditor); the answer is a token."""
        now = self.clock()
        self.logins.register(principal_id, role, password, now)
        return self.logins.issue(principal_id, now)

    def login(self, principal_id: str, password: str) -> str:
        return self.logins.login(principal_id, password, self.clock())

    def authenticate(self, token: str) -> access.Principal:
        return self.logins.authenticate(token, self.clock())

    def logout(self, token: str) -> None:
        self.logins.revoke(token)

    def teen(self, guardian_id: str, teen_id: str) -> model.Account:
        """A teen's account, for a guardian linked to it (an unlinked one learns nothing, not even if it exists)."""
        if not self.wellbeing.is_guardian(guardian_id, teen_id):
            raise wellbeing_errors.NotGuardian(
                f"{guardian_id!r} is not a linked guardian of {teen_id!r}: pair with a code the teen accepts first"
            )
        return self.store.account(teen_id)

    # -- the feed ----------------------------------------------------------

    def page(
        self,
        account_id: str,
        *,
        n: int,
        cursor: str | None = None,
        tab: feed.Tab = "for_you",
        now: dt.datetime | None = None,
    ) -> FeedAnswer:
        """The next page, unless a well-being rule answers first."""
        moment = self.now(now)
        admitted = self.wellbeing.admit(self.store.account(account_id), moment)
        if admitted.prompt is not None and admitted.prompt.blocking:
            return FeedAnswer(page=None, prompt=admitted.prompt)
        page = self.engine.feed(account_id, n=n, cursor=cursor, now=moment, tab=tab, account=admitted.account)
        return FeedAnswer(page, admitted.prompt)

    def record(self, events: Sequence[model.Event], *, now: dt.datetime | None = None) -> int:
        """Log events (durably, before answering) and learn from them; all or nothing.

        The whole batch is checked before anything is written, screen time included.
        """
        moment = self.now(now)
        if len(events) > MAX_EVENTS_PER_BATCH:
            raise TooManyEvents(
                f"at most {MAX_EVENTS_PER_BATCH} events per batch, got {len(events)}: send smaller batches"
            )
        for event in events:
            if event.at > moment + MAX_CLOCK_SKEW:
                raise EventFromTheFuture(
                    f"event time {event.at.isoformat()} is in the future (server time {moment.isoformat()})"
                )
        accounts = [self.store.account(account_id) for account_id in {event.account_id for event in events}]
        self.engine.check(events)
        for account in accounts:
            self.wellbeing.observe(account, [moment])
        self.engine.record(events)
        return len(events)

    def search(self, account_id: str, query: str, *, n: int, now: dt.datetime | None = None) -> SearchAnswer:
        moment = self.now(now)
        admitted = self.wellbeing.admit(self.store.account(account_id), moment)
        if admitted.prompt is not None and admitted.prompt.blocking:
            return SearchAnswer(result=None, prompt=admitted.prompt)
        result = self.engine.search(account_id, query, n=n, now=moment, account=admitted.account)
        return SearchAnswer(result, admitted.prompt)

    # -- controls ----------------------------------------------------------

    def settings(self, account_id: str) -> model.AccountSettings:
        return self.store.account(account_id).settings

    def change_settings(self, account_id: str, change: SettingsChange) -> model.AccountSettings:
        """Apply the account's own choices; they take effect on the next page."""
        account = self.store.account(account_id)
        updates = {name: value for name, value in dataclasses.asdict(change).items() if value is not None}
        settings = dataclasses.replace(account.settings, **updates)
        self.store.put_account(dataclasses.replace(account, settings=settings))
        return settings

    def refresh(self, account_id: str) -> None:
        self.engine.refresh(account_id)

    def profile(self, account_id: str) -> dict[str, object]:
        return self.engine.profile(account_id, now=self.clock())

    def forget_interest(self, account_id: str, topic: str) -> None:
        self.engine.forget_interest(account_id, topic)

    # -- privacy -----------------------------------------------------------

    def export(self, account_id: str) -> dict[str, object]:
        """Everything held about the account: profile, settings, events, well-being and family data."""
        held = self.store.export_account(account_id)
        held["learned"] = self.engine.profile(account_id, now=self.clock())
        held["wellbeing"] = self.wellbeing.store.export_account(account_id)
        held["login"] = self.logins.export(account_id)
        return held

    def delete(self, account_id: str) -> int:
        """Remove the account from the store, the engine's memory, the well-being data and the logins."""
        removed = self.store.delete_account(account_id)
        self.engine.forget(account_id)
        self.wellbeing.store.delete_account(account_id)
        self.logins.remove(account_id)
        return removed

    # -- the catalog and moderation ---------------------------------------

    def import_catalog(self, body: bytes, *, filename: str, format: catalog_import.Format) -> repository.ImportCount:
        """Read a catalog file (all rows valid or nothing written), label and embed it, then serve it."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / (Path(filename).name or "catalog.csv")
            path.write_bytes(body)
            catalog = catalog_import.read_catalog(path, format=format)
        with self._catalog_lock:
            count = pipeline.import_catalog(self.store, catalog)
            self._reload()
        return count

    def _reload(self) -> None:
        """A new engine over the whole catalog; it reflects every change numbered up to before it was read."""
        latest = self.store.last_catalog_change()
        self.engine = self.rebuild(self.store)
        self._catalog_seen = max(self._catalog_seen, latest)

    @property
    def catalog_seen(self) -> int:
        """The newest catalog change this process serves (its feeds reflect every change up to it)."""
        return self._catalog_seen

    def follow_catalog(self) -> int:
        """Apply the catalog changes made since this process last looked (by any process: moderation,
        reviews, imports); serving processes call it every few seconds. Returns how many it applied."""
        with self._catalog_lock:
            changes = self.store.catalog_changes(self._catalog_seen)
            if any(video_id is None for _, video_id in changes):
                self._reload()
            elif changes:
                known = [video_id for _, video_id in changes if video_id in self.engine.items.position]
                for video in self.store.videos(list(dict.fromkeys(known))):
                    self.engine.moderate(video.id, enforcement=video.enforcement, label=video.label)
                self._catalog_seen = changes[-1][0]
            return len(changes)

    def set_enforcement(self, video_id: str, enforcement: model.Enforcement) -> None:
        self.store.set_enforcement(video_id, enforcement)
        self.engine.moderate(video_id, enforcement=enforcement)

    def review_queue(self, limit: int) -> list[tuple[model.Video, float]]:
        return self.store.review_queue(limit, band=review.DEFAULT_BAND)

    def review(self, labels: Mapping[str, model.Label]) -> int:
        """Reviewed labels win over the classifier's, in the store and in the feed at once."""
        missing = [video_id for video_id in labels if video_id not in self.engine.items.position]
        if missing:
            raise repository.UnknownVideo(f"no video with id {missing[0]!r} in the catalog; nothing was labelled")
        changed = self.store.set_labels(labels)
        for video_id, label in labels.items():
            self.engine.moderate(video_id, label=label)
        return changed

    def why(self, account_id: str, video_id: str) -> tuple[str, ...]:
        return self.engine.why(account_id, video_id, now=self.clock())

    # -- audits --------------------------------------------------------------

    def start_audit(self, scenario_name: str, *, scale: float, repetitions: int | None) -> jobs.Status:
        return self.audits.start(scenario_name, scale=scale, repetitions=repetitions, now=self.clock())
