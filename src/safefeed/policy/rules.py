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
from typing import Annotated, Any, Literal

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


class Sensitivity(_Strict):
    """What the feed does with labels that may be wrong: a classifier's probability, evidence from neighbours.

    Each key is one stage (see `recommend.sensitivity` and `recommend.eligibility`).
    """

    # Evidence of mental-health content (the classifier's P(MH), or what `propagate` adds) at or above
    # which a video counts as likely sensitive: against the dispersion caps, and for the rules below.
    threshold: Annotated[float, pydantic.Field(gt=0.0, le=1.0)] = 0.5
    # Evidence of harm at or above which a video is held back, where the band is not shown
    # potentially harmful videos (Ofcom: content "indicated potentially" harmful).
    harmful_threshold: Annotated[float, pydantic.Field(gt=0.0, le=1.0)] = 0.5
    # Count evidence from videos close in embedding space to known sensitive ones, and from
    # creators and hashtags that mostly carry them (worked out once, when the catalog is built).
    propagate: bool = False
    # How much likes, shares, comments, follows, rewatches and searches on likely-sensitive videos
    # may raise them (0: they teach the feed nothing; watching has `passive_sensitive_weight`).
    explicit_weight: Annotated[float, pydantic.Field(ge=0.0, le=1.0)] = 1.0
    # "ranked": likely-sensitive videos compete like any other. "explore_slots": they reach the
    # For You feed only through the explore slots, in an order that reads nothing about the account;
    # only a deliberate choice (the support tab) brings more.
    exposure: Literal["ranked", "explore_slots"] = "ranked"
    # Keep videos no classifier or reviewer has labelled yet out of the feed.
    hold_unclassified: bool = False
    # Under `propagate`, a creator or hashtag lends the share of known sensitive videos among its labelled
    # ones from this share on (0.5: "mostly carries them"; lower: evidence from a single seed counts).
    creator_hashtag_share: Annotated[float, pydantic.Field(gt=0.0, le=1.0)] = 0.5
    # Evidence of mental-health content at or above which a video is kept out of every tab but the
    # support tab (a deliberate choice), explore slots included: "indicated potentially", before any
    # final judgement. None: nothing is held on this evidence alone.
    hold_threshold: Annotated[float, pydantic.Field(gt=0.0, le=1.0)] | None = None
    # Soft, by probability: a positive signal on a video that is not flagged sensitive still teaches
    # only (1 - evidence / threshold) of itself, so engaging with what the classifier half-sees
    # cannot build a rabbit hole there.
    discount_learning: bool = False
    # Soft, by probability: relevance falls by this much times the video's evidence of mental health.
    rank_penalty: Annotated[float, pydantic.Field(ge=0.0, le=10.0)] = 0.0


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
    sensitivity: Sensitivity = Sensitivity()
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
    # The feed a minor gets without a guardian's consent, recorded through Family Pairing: "following"
    # is the chronological feed of followed creators only, no ranking signals (New York SAFE for Kids
    # Act, GBL art. 45 §1501; California SB 976, Health & Safety Code §27001). "for_you": no difference.
    default_feed_without_consent: Literal["for_you", "following"] = "for_you"


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
            elif rules.default_feed_without_consent != "for_you":
                raise ValueError(f"{where}.default_feed_without_consent: consent is a guardian's, for minors only")
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
    if rules.passive_sensitive_weight != 0:
        raise ValueError(
            f"{where}.passive_sensitive_weight: watching sensitive videos never raises them for under-18s; set 0.0"
        )
    _minor_sensitivity_floors(f"{where}.sensitivity", rules.sensitivity)
    for key in ("daily_limit_minutes", "session_prompt_minutes", "quiet_hours", "own_limit_prompt_minutes"):
        if getattr(rules, key) is None:
            raise ValueError(f"{where}.{key}: under-18s need it set; the default policy shows the usual value")
    for key in ("autoplay", "streaks"):
        if getattr(rules, key):
            raise ValueError(f"{where}.{key}: off by default for under-18s; set {key} = false")
    if not rules.weekly_recap:
        raise ValueError(f"{where}.weekly_recap: every under-18 gets a weekly screen-time recap; set it to true")


MINOR_MAX_THRESHOLD = 0.5  # an under-18's feed acts on a video at even odds of being sensitive, or sooner


def _minor_sensitivity_floors(where: str, sensitivity: Sensitivity) -> None:
    for key in ("threshold", "harmful_threshold"):
        if getattr(sensitivity, key) > MINOR_MAX_THRESHOLD:
            raise ValueError(f"{where}.{key}: at most {MINOR_MAX_THRESHOLD} for under-18s (act on likely, not certain)")
    if sensitivity.explicit_weight != 0:
        raise ValueError(f"{where}.explicit_weight: likes on sensitive videos never raise them for under-18s; set 0.0")
    if sensitivity.exposure != "explore_slots":
        raise ValueError(f'{where}.exposure: under-18s get sensitive videos only by chance or choice; "explore_slots"')
    if not sensitivity.propagate:
        raise ValueError(f"{where}.propagate: under-18s are protected from what the classifier missed; set true")
    if not sensitivity.hold_unclassified:
        raise ValueError(f"{where}.hold_unclassified: unlabelled videos wait for a label for under-18s; set true")
    if sensitivity.hold_threshold is None or sensitivity.hold_threshold > sensitivity.threshold:
        raise ValueError(
            f"{where}.hold_threshold: under-18s are kept from likely-sensitive videos, explore slots included;"
            f" set it at most threshold ({sensitivity.threshold})"
        )


def _under_16_floors(where: str, rules: Band) -> None:
    if rules.privacy.recommend_to_strangers:
        raise ValueError(f"{where}.privacy.recommend_to_strangers: under-16s' videos are not shown to strangers")
    if rules.wind_down_after is None:
        raise ValueError(f"{where}.wind_down_after: under-16s get the wind-down screen at night (e.g. 22:00:00)")
    if not rules.quiet_hours_locked:
        raise ValueError(f"{where}.quiet_hours_locked: under-16s' quiet hours cannot be changed; set it to true")


def parse(text: str, *, source: str = "policy") -> Policy:
    """A validated policy from TOML text; errors name the file and the key.

    `base = "default"` (a built-in policy) takes every key the file leaves out from that policy,
    table by table, so a variant states only what it changes.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidPolicy(f"{source}: not valid TOML: {error}") from None
    base = data.pop("base", None)
    if base is not None:
        if not isinstance(base, str) or base not in BUILT_IN:
            raise InvalidPolicy(f"{source}: base: {base!r} is not a built-in policy; use one of {', '.join(BUILT_IN)}")
        data = _over(_raw(base), data)
    try:
        return Policy.model_validate(data)
    except pydantic.ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']) or '(top level)'}: {issue['msg']}"
            for issue in error.errors()
        )
        raise InvalidPolicy(f"{source}: {problems}") from None


BUILT_IN = ("default", "engagement", "ny-ca")


def _raw(name: str) -> dict[str, Any]:
    """A built-in policy file's TOML, unvalidated (the base a variant is laid over)."""
    return tomllib.loads(importlib.resources.files("safefeed.policy").joinpath(f"data/{name}.toml").read_text("utf-8"))


def _over(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` laid over `base`, table by table (a value that is not a table replaces the base's)."""
    merged = dict(base)
    for key, value in changes.items():
        below = merged.get(key)
        merged[key] = _over(below, value) if isinstance(value, dict) and isinstance(below, dict) else value
    return merged


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
