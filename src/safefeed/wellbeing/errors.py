"""The well-being domain's named failures; `api/` maps each to an HTTP status.

Every message names the bad value and says what to do instead.
"""

from __future__ import annotations

import datetime as dt


class WellbeingError(Exception):
    """Base of every refusal from safefeed.wellbeing."""


class InvalidSetting(WellbeingError, ValueError):
    """A number, passcode or window out of range (HTTP 422)."""


class SetByGuardian(WellbeingError):
    """The teen tried to change something a guardian set through Family Pairing (HTTP 403)."""


class QuietHoursLocked(WellbeingError):
    """The policy fixes this age band's quiet hours (HTTP 403)."""


class NotDismissible(WellbeingError):
    """That prompt is not answered by `acknowledge` (HTTP 409)."""


class TooEarly(WellbeingError):
    """The wind-down confirmation came before its delay, or before the screen was shown (HTTP 409)."""

    def __init__(self, message: str, confirm_after: dt.datetime | None) -> None:
        super().__init__(message)
        self.confirm_after = confirm_after


class NoPasscode(WellbeingError):
    """No passcode was set that could extend this limit (HTTP 409)."""


class WrongPasscode(WellbeingError):
    """The passcode did not match (HTTP 403); `attempts_left` before the lock-out."""

    def __init__(self, message: str, attempts_left: int) -> None:
        super().__init__(message)
        self.attempts_left = attempts_left


class PasscodeLocked(WellbeingError):
    """Too many wrong passcodes: no attempt is checked until `until` (HTTP 429)."""

    def __init__(self, message: str, until: dt.datetime) -> None:
        super().__init__(message)
        self.until = until


class UnknownCode(WellbeingError, LookupError):
    """No unused pairing code like that exists (HTTP 404)."""


class CodeExpired(WellbeingError):
    """The pairing code is older than its lifetime (HTTP 410)."""


class CannotPair(WellbeingError):
    """Pairing that makes no sense: with oneself, or with an adult account (HTTP 409)."""


class NotGuardian(WellbeingError):
    """The caller is not a linked guardian of that teen (HTTP 403)."""


class NoGuardian(WellbeingError):
    """The teen asked a guardian for something but none is linked (HTTP 409)."""


class UnknownRequest(WellbeingError, LookupError):
    """No request for more time with that id (HTTP 404)."""


class AlreadyDecided(WellbeingError):
    """The request for more time was already approved or denied (HTTP 409)."""


class Busy(WellbeingError):
    """Other instances kept updating the same account's clock; try again (HTTP 503)."""
