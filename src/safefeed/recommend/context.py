"""What the policy decides for one account at one moment: its band's rules, and whether it is profiled.

Every stage reads the policy through a `Context`, so nothing that differs by
age is decided anywhere else (`policy.rules`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from safefeed import model
from safefeed.content import lexicon, queries
from safefeed.policy import help as help_lines
from safefeed.policy import rules as policy_rules


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
    """What the policy decides for one account at one moment."""

    account: model.Account
    band: model.AgeBand
    rules: policy_rules.Band
    personalised: bool
    today: dt.date
    following_only: bool = False  # a minor without a guardian's consent, where the policy asks for it

    def tab_served(self, asked: str) -> str:
        """The tab this account gets when it asks for one: For You becomes Following where the policy says."""
        return "following" if asked == "for_you" and self.following_only else asked


def decide(policy: policy_rules.Policy, account: model.Account, moment: dt.datetime) -> Context:
    today = moment.date()
    band = account.age_band(today)
    rules = policy.bands[band]
    chosen = account.settings.personalised
    personalised = rules.personalised_by_default if chosen is None else chosen
    following_only = (
        band in policy_rules.MINOR_BANDS
        and rules.default_feed_without_consent == "following"
        and not account.feed_consent
    )
    # Without the consent the policy asks for, nothing is profiled in any tab, whatever the minor chose.
    return Context(account, band, rules, personalised and not following_only, today, following_only)


# Why a minor's For You request got the Following tab (the page says it; the web app shows it).
WITHOUT_CONSENT = (
    "You see the Following feed: videos from creators you follow, newest first. The For You feed needs "
    "your parent or carer's consent, given through Family Pairing (New York SAFE for Kids Act, "
    "California SB 976)."
)


# Typed alone, these mean self-harm often enough that a child is offered help first; in a longer query
# ("cutting board", "hair cuts") the lexicon decides.
BARE_SELF_HARM_SEARCHES = frozenset({"cut", "cuts", "cutting", "cutter", "cutters"})
# A weak term ("scars", "sh", "beans") is coded often but ordinary more often ("hair cuts", "skate blades"): in a
# longer query it needs a second sign, another theme term or the searcher speaking of themselves.
FIRST_PERSON = frozenset({"i", "im", "i'm", "me", "my", "myself", "mine"})


def sensitive_search(query: str, *, offered: bool = False) -> bool:
    """A search about suicide, self-harm or eating disorders (the themes with help lines), however spelled:
    spaced letters and look-alike letters of other scripts are read as the word they spell.

    Strong theme terms and instructions ("how to hide cuts") always count; a weak term or a romanticising cue
    ("goal weight") counts typed alone, beside another such term, or in the first person. In what the feed
    `offered` itself (a search suggestion) every such term counts: nobody asked for it.

    >>> [sensitive_search(q) for q in ("hair cuts", "scars", "my scars", "how to hide cuts", "long sleeves outfit")]
    [False, True, True, True, False]
    """
    themes = {theme.value for theme in help_lines.HELP_THEMES}
    for reading in {query, queries.search_form(query)}:
        words = lexicon.normalise(reading).strip(" #")
        if words in BARE_SELF_HARM_SEARCHES:
            return True
        matches = lexicon.match(reading)
        if any(m.name == "violative" or (m.strength == "strong" and m.name in themes) for m in matches):
            return True
        weak = {m.term for m in matches if m.name in themes or m.name == "potentially_harmful"}
        if weak and (offered or words in weak or len(weak) > 1 or FIRST_PERSON & set(words.split())):
            return True
    return False


def withheld(query: str, context: Context, *, offered: bool = False) -> bool:
    """Whether a search is unsafe for this account: answered with help, and learned from not at all."""
    return (
        context.band in policy_rules.MINOR_BANDS
        and context.rules.help_on_sensitive_search
        and sensitive_search(query, offered=offered)
    )
