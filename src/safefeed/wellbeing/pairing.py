"""Family Pairing, as the guardian and the teen do it: codes, links, a guardian's controls, requests for time.

A guardian's controls are laid over the teen's own settings, merged to the
strictest when several guardians are linked; every other act reads them
through `family_controls` and `effective_account`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from safefeed import model
from safefeed.wellbeing import clock, context, errors, family, limits, notifications, schedule
from safefeed.wellbeing.records import unlocks

MAX_REQUEST_MINUTES = 240


class Pairing:
    def __init__(self, ctx: context.Context, *, code_lifetime: dt.timedelta) -> None:
        self.ctx = ctx
        self.code_lifetime = code_lifetime

    # -- codes and links -----------------------------------------------------------------

    def pairing_code(self, guardian_id: str, now: dt.datetime) -> str:
        """A one-time code (e.g. "K7QM-3RXD") the teen enters to accept; it expires after `code_lifetime`."""
        code = family.new_code()
        self.ctx.store.pairing.add_code(
            family.digest(code), guardian_id, clock.utc(now), clock.utc(now) + self.code_lifetime
        )
        return f"{code[:4]}-{code[4:]}"

    def accept_pairing(self, teen: model.Account, code: str, now: dt.datetime) -> None:
        """The teen accepts a guardian's code: from now on that guardian may set limits and controls."""
        digest = family.digest(code)
        found = self.ctx.store.pairing.code(digest)
        if found is None or found.used:
            raise errors.UnknownCode(
                f"pairing code {code!r} is unknown or already used; ask your guardian for a new one"
            )
        if found.expires_at <= now:
            raise errors.CodeExpired(
                f"pairing code {code!r} expired at {found.expires_at.isoformat()}; ask your guardian for a new one"
            )
        if found.guardian_id == teen.id:
            raise errors.CannotPair("an account cannot be its own guardian; the teen enters the guardian's code")
        if teen.age_band(clock.local(now, clock.zone(teen.timezone)).date()) is model.AgeBand.ADULT:
            raise errors.CannotPair(f"account {teen.id!r} is an adult's; Family Pairing links a guardian to a teen")
        if not self.ctx.store.pairing.claim_code(digest, teen.id, now):
            raise errors.UnknownCode(f"pairing code {code!r} was used or expired just now; ask for a new one")
        self.ctx.store.inbox.notify(
            found.guardian_id,
            notifications.Kind.FAMILY_PAIRING,
            "Family Pairing is on",
            f"{teen.id} accepted your pairing code.",
            now,
            key=None,
            subject=teen.id,
        )

    def is_guardian(self, guardian_id: str, teen_id: str) -> bool:
        return self.ctx.store.pairing.is_linked(guardian_id, teen_id)

    def teens_of(self, guardian_id: str) -> list[str]:
        return self.ctx.store.pairing.teens_of(guardian_id)

    def guardians_of(self, teen_id: str) -> list[str]:
        return self.ctx.store.pairing.guardians_of(teen_id)

    def unlink(self, guardian_id: str, teen_id: str, now: dt.datetime) -> None:
        """Either side ends the pairing; what that guardian set goes with it, and both are told."""
        if not self.ctx.store.pairing.unlink(guardian_id, teen_id):
            raise errors.NotGuardian(f"{guardian_id!r} is not linked to {teen_id!r}; nothing to unlink")
        for recipient in (guardian_id, teen_id):
            self.ctx.store.inbox.notify(
                recipient,
                notifications.Kind.FAMILY_PAIRING,
                "Family Pairing ended",
                f"{guardian_id} and {teen_id} are no longer paired.",
                now,
                key=None,
                subject=teen_id if recipient == guardian_id else guardian_id,
            )

    def require_guardian(self, guardian_id: str, teen_id: str) -> None:
        if not self.ctx.store.pairing.is_linked(guardian_id, teen_id):
            raise errors.NotGuardian(
                f"{guardian_id!r} is not a linked guardian of {teen_id!r}; pair first with a Family Pairing code"
            )

    # -- a guardian's controls -----------------------------------------------------------

    def _own_controls(self, guardian_id: str, teen_id: str) -> family.GuardianControls:
        for controls in self.ctx.store.pairing.controls(teen_id):
            if controls.guardian_id == guardian_id:
                return controls
        return family.GuardianControls(guardian_id)

    def guardian_set_limit(self, guardian_id: str, teen: model.Account, minutes: int | None, now: dt.datetime) -> None:
        """A guardian's daily limit for the teen; `None` withdraws it. Only their passcode extends it."""
        self.require_guardian(guardian_id, teen.id)
        value = None if minutes is None else limits.check_minutes(minutes)
        mine = dataclasses.replace(self._own_controls(guardian_id, teen.id), daily_limit_minutes=value)
        self.ctx.store.pairing.put_controls(teen.id, mine, now)

    def set_time_away(
        self, guardian_id: str, teen: model.Account, windows: Sequence[schedule.Window], now: dt.datetime
    ) -> None:
        """Replace this guardian's recurring Time Away windows for the teen."""
        self.require_guardian(guardian_id, teen.id)
        mine = dataclasses.replace(self._own_controls(guardian_id, teen.id), time_away=schedule.check(windows))
        self.ctx.store.pairing.put_controls(teen.id, mine, now)

    def tighten(
        self,
        guardian_id: str,
        teen: model.Account,
        *,
        keyword_filters: Sequence[str] | None = None,
        less_of: Sequence[str] | None = None,
        personalised: bool | None = None,
        autoplay: bool | None = None,
        streaks: bool | None = None,
        now: dt.datetime | None = None,
    ) -> family.Controls:
        """Set this guardian's overlay on the teen's settings; `None` leaves a field as it is.

        Lists replace this guardian's own list (the teen keeps their own filters too);
        `False` turns a switch off for the teen, `True` hands it back to the teen's choice.
        Whatever is set, the teen's feed is never looser than the teen's own settings.
        """
        self.require_guardian(guardian_id, teen.id)
        mine = self._own_controls(guardian_id, teen.id)
        changes: dict[str, object] = {}
        if keyword_filters is not None:
            changes["keyword_filters"] = family.check_words("keyword_filters", keyword_filters)
        if less_of is not None:
            changes["less_of"] = family.check_words("less_of", less_of)
        for name, value in (("personalised", personalised), ("autoplay", autoplay), ("streaks", streaks)):
            if value is not None:
                changes[name] = None if value else False
        self.ctx.store.pairing.put_controls(
            teen.id,
            dataclasses.replace(mine, **changes),  # type: ignore[arg-type]
            now or dt.datetime.now(dt.UTC),
        )
        return self.family_controls(teen)

    def set_feed_consent(
        self, guardian_id: str, teen: model.Account, granted: bool, now: dt.datetime
    ) -> family.Controls:
        """A guardian gives (or withdraws) consent to the For You feed, recorded with when; the teen is told."""
        self.require_guardian(guardian_id, teen.id)
        mine = self._own_controls(guardian_id, teen.id)
        self.ctx.store.pairing.put_controls(
            teen.id, dataclasses.replace(mine, feed_consent=granted, feed_consent_at=clock.utc(now)), now
        )
        self.ctx.store.inbox.notify(
            teen.id,
            notifications.Kind.FAMILY_PAIRING,
            "For You is on" if granted else "Back to Following",
            f"{guardian_id} agreed to your For You feed."
            if granted
            else f"{guardian_id} withdrew consent to your For You feed: you see videos of creators you follow.",
            now,
            key=None,
            subject=guardian_id,
        )
        return self.family_controls(teen)

    def family_controls(self, teen: model.Account) -> family.Controls:
        """Everything any linked guardian set, merged to the strictest: the teen sees all of it."""
        guardians = self.ctx.store.pairing.guardians_of(teen.id)
        linked = [  # most accounts have no guardian: no second query on the feed path
            controls
            for controls in (self.ctx.store.pairing.controls(teen.id) if guardians else [])
            if controls.guardian_id in guardians
        ]
        # The band by today's date: a year's precision, as bands go (the feed decides by its own moment).
        needed = self.ctx.policy.band(teen, dt.datetime.now(dt.UTC).date()).default_feed_without_consent != "for_you"
        return dataclasses.replace(family.merge(teen.id, guardians, linked), consent_needed=needed)

    def effective_account(self, account: model.Account) -> model.Account:
        """The account with its guardians' controls laid over its settings: what the feed must use."""
        return overlay(account, self.family_controls(account))

    # -- requests for more time ----------------------------------------------------------

    def request_more_time(self, teen: model.Account, minutes: int, now: dt.datetime) -> family.TimeRequest:
        """Ask the linked guardians for more minutes today (or a break from Time Away)."""
        guardians = self.ctx.store.pairing.guardians_of(teen.id)
        if not guardians:
            raise errors.NoGuardian(f"{teen.id!r} has no linked guardian to ask; pair with Family Pairing first")
        if not 1 <= minutes <= MAX_REQUEST_MINUTES:
            raise errors.InvalidSetting(f"ask for 1-{MAX_REQUEST_MINUTES} more minutes, got {minutes}")
        request = self.ctx.store.pairing.add_request(teen.id, minutes, now)
        for guardian_id in guardians:
            self.ctx.store.inbox.notify(
                guardian_id,
                notifications.Kind.TIME_REQUEST,
                "A request for more time",
                f"{teen.id} asks for {minutes} more minutes (request {request.id}).",
                now,
                key=None,
                subject=teen.id,
            )
        return request

    def decide(self, guardian_id: str, request_id: int, approve: bool, now: dt.datetime) -> family.TimeRequest:
        """Approve (the minutes are added to the teen's local day and open Time Away for as long) or deny."""
        request = self.ctx.store.pairing.request(request_id)
        if request is None:
            raise errors.UnknownRequest(f"no request for more time with id {request_id}")
        self.require_guardian(guardian_id, request.teen_id)
        if request.status is not family.RequestStatus.PENDING:
            raise errors.AlreadyDecided(f"request {request_id} was already {request.status.value}")
        teen = self.ctx.accounts.account(request.teen_id)
        grant = None
        if approve:
            start = clock.utc(now)
            day = clock.local(now, clock.zone(teen.timezone)).date()
            until = start + dt.timedelta(minutes=request.minutes)
            grant = unlocks.Grant(day, request.minutes, "guardian", start, until)
        status = family.RequestStatus.APPROVED if approve else family.RequestStatus.DENIED
        if not self.ctx.store.pairing.decide(request_id, status, guardian_id, now, grant):
            raise errors.AlreadyDecided(f"request {request_id} was decided by another guardian just now")
        self.ctx.store.inbox.notify(
            teen.id,
            notifications.Kind.TIME_DECISION,
            "More time approved" if approve else "More time declined",
            f"Your request for {request.minutes} more minutes was {status.value}.",
            now,
            key=None,
        )
        decided = self.ctx.store.pairing.request(request_id)
        assert decided is not None
        return decided

    def requests(
        self, *, guardian_id: str | None = None, teen_id: str | None = None, pending_only: bool = False
    ) -> list[family.TimeRequest]:
        """Requests for more time, newest first: of a guardian's teens, or of one teen."""
        assert (guardian_id is None) != (teen_id is None), "give exactly one of guardian_id and teen_id"
        teens = self.ctx.store.pairing.teens_of(guardian_id) if guardian_id is not None else [teen_id or ""]
        return self.ctx.store.pairing.requests(teens, pending_only=pending_only)


def overlay(account: model.Account, controls: family.Controls) -> model.Account:
    """The account with these controls laid over its settings (unchanged without guardians)."""
    if not controls.guardians:
        return account
    settings = family.apply(account.settings, controls)
    if controls.daily_limit_minutes is not None:
        settings = dataclasses.replace(settings, daily_limit_minutes=controls.daily_limit_minutes)
    return dataclasses.replace(account, settings=settings, feed_consent=controls.feed_consent)
