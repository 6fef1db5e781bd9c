"""The family router's acts: a guardian pairs with a teen, sets time and content controls; the teen answers.

A guardian's act on a teen first checks the link: an unlinked guardian learns
nothing, not even whether the teen exists.
"""

from __future__ import annotations

from collections.abc import Sequence

from safefeed import model
from safefeed.services import parts as parts_module
from safefeed.wellbeing import errors, family, schedule


class Family:
    def __init__(self, parts: parts_module.Parts) -> None:
        self.parts = parts

    def _teen(self, guardian_id: str, teen_id: str) -> model.Account:
        """A teen's account, for a guardian linked to it."""
        if not self.parts.wellbeing.is_guardian(guardian_id, teen_id):
            raise errors.NotGuardian(
                f"{guardian_id!r} is not a linked guardian of {teen_id!r}: pair with a code the teen accepts first"
            )
        return self.parts.account(teen_id)

    # -- the guardian's side -----------------------------------------------------------

    def new_code(self, guardian_id: str) -> str:
        """A one-time code for the teen to enter; it expires in minutes."""
        return self.parts.wellbeing.pairing_code(guardian_id, self.parts.now())

    def teens(self, guardian_id: str) -> list[str]:
        return self.parts.wellbeing.teens_of(guardian_id)

    def summary(self, guardian_id: str, teen_id: str) -> family.Summary:
        """Time by day and the limit: never what the teen watched or searched."""
        teen = self._teen(guardian_id, teen_id)
        return self.parts.wellbeing.guardian_summary(guardian_id, teen, self.parts.now())

    def set_limit(self, guardian_id: str, teen_id: str, minutes: int | None) -> None:
        teen = self._teen(guardian_id, teen_id)
        self.parts.wellbeing.guardian_set_limit(guardian_id, teen, minutes, self.parts.now())

    def set_passcode(self, guardian_id: str, teen_id: str, passcode: str) -> None:
        teen = self._teen(guardian_id, teen_id)
        self.parts.wellbeing.guardian_set_passcode(guardian_id, teen, passcode, self.parts.now())

    def set_time_away(self, guardian_id: str, teen_id: str, windows: Sequence[schedule.Window]) -> None:
        teen = self._teen(guardian_id, teen_id)
        self.parts.wellbeing.set_time_away(guardian_id, teen, windows, self.parts.now())

    def content(self, guardian_id: str, teen_id: str) -> family.Controls:
        return self.parts.wellbeing.family_controls(self._teen(guardian_id, teen_id))

    def tighten(
        self,
        guardian_id: str,
        teen_id: str,
        *,
        keyword_filters: Sequence[str] | None = None,
        less_of: Sequence[str] | None = None,
        personalised: bool | None = None,
        autoplay: bool | None = None,
        streaks: bool | None = None,
    ) -> family.Controls:
        """Filters, 'less of', personalisation, autoplay and streaks: only ever tighter than the teen's own."""
        return self.parts.wellbeing.tighten(
            guardian_id,
            self._teen(guardian_id, teen_id),
            keyword_filters=keyword_filters,
            less_of=less_of,
            personalised=personalised,
            autoplay=autoplay,
            streaks=streaks,
            now=self.parts.now(),
        )

    def set_feed_consent(self, guardian_id: str, teen_id: str, granted: bool) -> family.Controls:
        """Consent to the teen's For You feed, or its withdrawal: where the policy asks for it, a minor
        without it gets the chronological Following feed (New York SAFE for Kids Act, California SB 976)."""
        teen = self._teen(guardian_id, teen_id)
        return self.parts.wellbeing.set_feed_consent(guardian_id, teen, granted, self.parts.now())

    def decide(self, guardian_id: str, request_id: int, approve: bool) -> family.TimeRequest:
        return self.parts.wellbeing.decide(guardian_id, request_id, approve, self.parts.now())

    def unlink_teen(self, guardian_id: str, teen_id: str) -> None:
        self.parts.wellbeing.unlink(guardian_id, teen_id, self.parts.now())

    def guardian_requests(self, guardian_id: str) -> list[family.TimeRequest]:
        return self.parts.wellbeing.requests(guardian_id=guardian_id)

    # -- the teen's side ---------------------------------------------------------------

    def accept(self, teen_id: str, code: str) -> family.Controls:
        """Accept a guardian's code; the answer is what the guardians may now set."""
        teen = self.parts.account(teen_id)
        self.parts.wellbeing.accept_pairing(teen, code, self.parts.now())
        return self.parts.wellbeing.family_controls(teen)

    def controls(self, teen_id: str) -> family.Controls:
        return self.parts.wellbeing.family_controls(self.parts.account(teen_id))

    def unlink_guardian(self, teen_id: str, guardian_id: str) -> None:
        self.parts.account(teen_id)  # a deleted account's token gets 404, as every act on the account does
        self.parts.wellbeing.unlink(guardian_id, teen_id, self.parts.now())

    def ask_for_time(self, teen_id: str, minutes: int) -> family.TimeRequest:
        return self.parts.wellbeing.request_more_time(self.parts.account(teen_id), minutes, self.parts.now())

    def teen_requests(self, teen_id: str) -> list[family.TimeRequest]:
        return self.parts.wellbeing.requests(teen_id=teen_id)
