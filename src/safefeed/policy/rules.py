"""The policy file's schema, its hard floors, and what it decides for one account.

A policy is validated once at start: a file that would weaken a protection the
law or our own promises require (a harmful video for a minor, a profile-based
ad for a minor, no dispersion for a minor) is refused with a message naming
the key. Region only picks language and help lines: it never enters the rules.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import importlib.resources
import tomllib
from pathlib import Path
from typing import Annotated, Literal

import pydantic

from safefeed import model

MINOR_BANDS = (model.AgeBand.U16, model.AgeBand.U18)
PASSIVE_EVENTS = frozenset({model.EventKind.WATCH, model.EventKind.REWATCH})


class InvalidPolicy(ValueError):
    """The policy file is malformed or breaks a hard floor; the message names the key."""


class AdTargeting(enum.StrEnum):
    PROFILE = "profile"  # from the account's inferred interests
    CONTEXTUAL = "contextual"  # from the video the ad sits next to, nothing about the person
    NONE = "none"


class _Strict(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


class Cap(_Strict):
    """At most `max` sensitive items in any `window` consecutive ones, at most `max_consecutive` in a row."""

    window: Annotated[int, pydantic.Field(ge=1, le=1000)]
    max: Annotated[int, pydantic.Field(ge=0)]
    max_consecutive: Annotated[int, pydantic.Field(ge=1)] | None = None

    @pydantic.model_validator(mode="after")
    def _max_fits(self) -> Cap:
        if self.max > self.window:
            raise ValueError(f"max ({self.max}) cannot exceed window ({self.window})")
        return self


class Dispersion(_Strict):
    """Caps for all mental-health items together and for each sensitive theme."""

    all_mental_health: Cap | None = None
    themes: dict[model.Theme, Cap] = {}


class Diversity(_Strict):
    """Soft preferences of the re-ranker (a page fills up even when they cannot be met)."""

    creator_window: Annotated[int, pydantic.Field(ge=1)] = 6
    topic_window: Annotated[int, pydantic.Field(ge=1)] = 10
    topic_cap: Annotated[int, pydantic.Field(ge=1)] = 7
    explore_every: Annotated[int, pydantic.Field(ge=0)] = 8


class Privacy(_Strict):
    private_account: bool
    direct_messages: bool
    recommend_to_strangers: bool
    downloadable: bool


class Band(_Strict):
    """Everything the policy decides for one age band."""

    recommend_harm: frozenset[model.Harm]
    recommend_enforcement: frozenset[model.Enforcement]
    dispersion: Dispersion = Dispersion()
    diversity: Diversity = Diversity()
    # How much passive watching of a sensitive video may raise interest in it (0: not at all).
    passive_sensitive_weight: Annotated[float, pydantic.Field(ge=0.0, le=1.0)] = 1.0
    personalised_by_default: bool = True
    ad_targeting: AdTargeting = AdTargeting.PROFILE
    privacy: Privacy
    privacy_locked: bool = False  # the account cannot loosen its privacy defaults
    stem_feed: bool = False  # the STEM tab is on by default
    content_notes: bool = True
    help_on_sensitive_search: bool = True  # unsafe searches return help, not videos
    daily_limit_minutes: Annotated[int, pydantic.Field(ge=1, le=1440)] | None = None
    session_prompt_minutes: Annotated[int, pydantic.Field(ge=1, le=1440)] | None = None
    wind_down_after: dt.time | None = None
    quiet_hours: tuple[dt.time, dt.time] | None = None
    # Well-being (safefeed.wellbeing): what a passcode adds to the daily limit, the prompt to
    # set one's own limit after opting out of the default, the wind-down night and its second
    # screen, whether quiet hours are fixed, the weekly recap, autoplay and streaks.
    limit_extension_minutes: Annotated[int, pydantic.Field(ge=1, le=240)] = 15
    own_limit_prompt_minutes: Annotated[int, pydantic.Field(ge=1, le=1440)] | None = None
    wind_down_until: dt.time = dt.time(6, 0)
    wind_down_repeat_minutes: Annotated[int, pydantic.Field(ge=0, le=240)] = 10
    wind_down_confirm_seconds: Annotated[int, pydantic.Field(ge=0, le=600)] = 10
    quiet_hours_locked: bool = False
    weekly_recap: bool = False
    autoplay: bool = True
    streaks: bool = True


class Region(_Strict):
    """What a region may choose: never a protection."""

    language: str = "en"


class Policy(_Strict):
    name: str
    description: str = ""
    # "engagement" is the audit baseline: every protection off, no floors checked.
    kind: Literal["safe", "engagement"] = "safe"
    bands: dict[model.AgeBand, Band]
    regions: dict[str, Region] = {}

    @pydantic.model_validator(mode="after")
    def _floors(self) -> Policy:
        missing = set(model.AgeBand) - set(self.bands)
        if missing:
            raise ValueError(f"bands {sorted(b.value for b in missing)} are missing: every age band needs rules")
        for band, rules in self.bands.items():
            where = f'bands."{band.value}"'
            if model.Enforcement.NOT_ALLOWED in rules.recommend_enforcement:
                raise ValueError(f"{where}.recommend_enforcement: 'not_allowed' videos are removed everywhere")
            if self.kind == "engagement":
                continue
            if model.Harm.VIOLATIVE in rules.recommend_harm:
                raise ValueError(f"{where}.recommend_harm: violative videos are recommended to nobody")
            if band in MINOR_BANDS:
                _minor_floors(where, rules)
            if band is model.AgeBand.U16:
                _under_16_floors(where, rules)
        return self

    def band(self, account: model.Account, today: dt.date) -> Band:
        """The rules for this account: its age band decides; its region never does."""
        return self.bands[account.age_band(today)]


def _minor_floors(where: str, rules: Band) -> None:
    if model.Harm.POTENTIALLY_HARMFUL in rules.recommend_harm:
        raise ValueError(f"{where}.recommend_harm: potentially harmful videos are never recommended to under-18s")
    if model.Enforcement.RESTRICTED in rules.recommend_enforcement:
        raise ValueError(f"{where}.recommend_enforcement: 'restricted' videos are for adults only")
    if model.Enforcement.FYF_INELIGIBLE in rules.recommend_enforcement:
        raise ValueError(f"{where}.recommend_enforcement: 'fyf_ineligible' videos are never recommended")
    if rules.ad_targeting is AdTargeting.PROFILE:
        raise ValueError(f"{where}.ad_targeting: under-18s get no profile-based ads; use 'contextual' or 'none'")
    if rules.dispersion.all_mental_health is None:
        raise ValueError(f"{where}.dispersion.all_mental_health: under-18s need a dispersion cap")
    for key in ("daily_limit_minutes", "session_prompt_minutes", "quiet_hours", "own_limit_prompt_minutes"):
        if getattr(rules, key) is None:
            raise ValueError(f"{where}.{key}: under-18s need it set; the default policy shows the usual value")
    for key in ("autoplay", "streaks"):
        if getattr(rules, key):
            raise ValueError(f"{where}.{key}: off by default for under-18s; set {key} = false")
    if not rules.weekly_recap:
        raise ValueError(f"{where}.weekly_recap: every under-18 gets a weekly screen-time recap; set it to true")


def _under_16_floors(where: str, rules: Band) -> None:
    if rules.wind_down_after is None:
        raise ValueError(f"{where}.wind_down_after: under-16s get the wind-down screen at night (e.g. 22:00:00)")
    if not rules.quiet_hours_locked:
        raise ValueError(f"{where}.quiet_hours_locked: under-16s' quiet hours cannot be changed; set it to true")


def parse(text: str, *, source: str = "policy") -> Policy:
    """A validated policy from TOML text; errors name the file and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidPolicy(f"{source}: not valid TOML: {error}") from None
    try:
        return Policy.model_validate(data)
    except pydantic.ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']) or '(top level)'}: {issue['msg']}"
            for issue in error.errors()
        )
        raise InvalidPolicy(f"{source}: {problems}") from None


BUILT_IN = ("default", "engagement")


@functools.cache
def built_in(name: str) -> Policy:
    if name not in BUILT_IN:
        raise InvalidPolicy(f"no built-in policy {name!r}; use one of {', '.join(BUILT_IN)} or a .toml path")
    text = importlib.resources.files("safefeed.policy").joinpath(f"data/{name}.toml").read_text("utf-8")
    return parse(text, source=f"{name}.toml")


def load(name_or_path: str | Path) -> Policy:
    """A built-in policy by name ("default", "engagement") or a policy file."""
    if isinstance(name_or_path, str) and name_or_path in BUILT_IN:
        return built_in(name_or_path)
    path = Path(name_or_path)
    if not path.is_file():
        raise InvalidPolicy(f"no policy file at {path}; give a .toml path or one of {', '.join(BUILT_IN)}")
    return parse(path.read_text("utf-8"), source=str(path))
