"""Help resources for the account's region, and when to show them.

Region only picks which lines to show; the rule that help is shown is the
same everywhere.
"""

from __future__ import annotations

import functools
import importlib.resources
import tomllib

from safefeed import model

# Themes whose videos and searches always come with help resources.
HELP_THEMES = frozenset({model.Theme.SUICIDE, model.Theme.SELF_HARM, model.Theme.EATING_BODY_IMAGE})


HelpLine = model.HelpLine


@functools.cache
def _lines() -> dict[str, tuple[HelpLine, ...]]:
    text = importlib.resources.files("safefeed.policy").joinpath("data/helplines.toml").read_text("utf-8")
    return {region: tuple(HelpLine(**entry) for entry in entries) for region, entries in tomllib.loads(text).items()}


def regions() -> frozenset[str]:
    """Regions with their own help lines."""
    return frozenset(_lines()) - {"default"}


def lines_for(region: str) -> tuple[HelpLine, ...]:
    """The region's own lines first, then the international directory.

    >>> [line.contact for line in lines_for("KE")][0]
    '+254 722 178 177'
    >>> lines_for("ZZ") == lines_for("")
    True
    """
    table = _lines()
    return table.get(region.upper(), ()) + table["default"]
