"""The store's domain errors: what a caller asked for is not there (the API answers 404)."""

from __future__ import annotations


class UnknownVideo(LookupError):
    """No video with that id is in the catalog."""


class UnknownAccount(LookupError):
    """No account with that id exists."""
