"""Domain types: the values that flow between stages.

Every type here is a frozen dataclass; derive new values with
`dataclasses.replace`. Invariants that must hold for any value are checked in
`__post_init__` and raise `InvalidValue` with a message naming the field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from enum import StrEnum


class InvalidValue(ValueError):
    """A domain value was built from data that breaks one of its invariants."""


class Theme(StrEnum):
    """Sensitive mental-health themes, as named in the research and the labelled data."""

    SADNESS_DEPRESSION = "sadness_depression"
    ANXIETY_STRESS = "anxiety_stress"
    LONELINESS = "loneliness"
    SELF_HARM = "self_harm"
    SUICIDE = "suicide"
    EATING_BODY_IMAGE = "eating_body_image"
    TRAUMA_GRIEF = "trauma_grief"
    NEURODIVERGENCE = "neurodivergence"
    THERAPY_RECOVERY_SUPPORT = "therapy_recovery_support"
    OTHER_MH = "other_mh"


class Harm(StrEnum):
    """How harmful a video may be; ordered from least to most harmful."""

    NONE = "none"
    SUPPORTIVE = "supportive"
    NEUTRAL = "neutral"
    POTENTIALLY_HARMFUL = "potentially_harmful"
    VIOLATIVE = "violative"


class Enforcement(StrEnum):
    """Moderation outcome for a video, as TikTok names its levels."""

    ALLOWED = "allowed"
    RESTRICTED = "restricted"  # adults only
    FYF_INELIGIBLE = "fyf_ineligible"  # may stay up, never recommended
    NOT_ALLOWED = "not_allowed"  # removed


class LabelSource(StrEnum):
    """Where a label came from; a reviewed label always wins over the others."""

    GROUND_TRUTH = "ground_truth"
    CLASSIFIER = "classifier"
    REVIEW = "review"


class AgeBand(StrEnum):
    """Age bands the policy distinguishes; unknown age is treated as the youngest."""

    U16 = "13-15"
    U18 = "16-17"
    ADULT = "18+"


class EventKind(StrEnum):
    IMPRESSION = "impression"
    WATCH = "watch"
    REWATCH = "rewatch"
    LIKE = "like"
    SHARE = "share"
    COMMENT = "comment"
    FOLLOW = "follow"
    SEARCH = "search"
    NOT_INTERESTED = "not_interested"
    REPORT = "report"
    SKIP = "skip"


MAX_CAPTION_CHARS = 4000
MAX_HASHTAG_CHARS = 100
_WHITESPACE = re.compile(r"\s")  # what str.isspace() calls white space, found in one C loop
MAX_ID_CHARS = 128
MAX_CODE_CHARS = 16  # language and region codes
MAX_TOPIC_CHARS = 64
MAX_NAME_CHARS = 200
MAX_COUNTER = 2**63 - 1  # what a BIGINT column holds


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidValue(message)


def _check_id(name: str, value: str) -> None:
    _require(
        0 < len(value) <= MAX_ID_CHARS and value.strip() == value,
        f"{name} must be 1-{MAX_ID_CHARS} characters without surrounding spaces, got {value!r}",
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Label:
    """What a video is about, with respect to mental health."""

    mh_related: bool
    theme: Theme | None = None
    harm: Harm = Harm.NONE
    probability: float = 1.0
    source: LabelSource = LabelSource.GROUND_TRUTH

    def __post_init__(self) -> None:
        _require(0.0 <= self.probability <= 1.0, f"probability must be in [0, 1], got {self.probability}")
        if not self.mh_related:
            _require(
                self.theme is None and self.harm is Harm.NONE,
                "a label that is not mental-health related has no theme and harm 'none'",
            )


NOT_MH = Label(mh_related=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Counters:
    """Public engagement counters as shown on a video."""

    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    saves: int = 0

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            _require(0 <= value <= MAX_COUNTER, f"counter {field.name} must be within 0-{MAX_COUNTER}, got {value}")


@dataclasses.dataclass(frozen=True, slots=True)
class Creator:
    id: str
    name: str = ""
    verified_professional: bool = False  # e.g. a licensed clinician or a health body
    region: str = ""
    birth_year: int | None = None  # the creator's own age: under-16s' videos are not shown to strangers

    def __post_init__(self) -> None:
        _check_id("creator id", self.id)
        _require(len(self.name) <= MAX_NAME_CHARS, f"creator name is longer than {MAX_NAME_CHARS} characters")
        _require(len(self.region) <= MAX_CODE_CHARS, f"region must be at most {MAX_CODE_CHARS} characters")


@dataclasses.dataclass(frozen=True, slots=True)
class Video:
    id: str
    creator_id: str
    caption: str
    hashtags: tuple[str, ...]
    duration_s: float
    created_at: dt.datetime
    language: str = "und"
    region: str = ""
    counters: Counters = Counters()
    enforcement: Enforcement = Enforcement.ALLOWED
    topic: str | None = None  # the everyday topic, where the catalog knows it
    is_ad: bool = False
    label: Label | None = None  # None until classified or given as ground truth

    def __post_init__(self) -> None:
        _check_id("video id", self.id)
        _check_id("creator id", self.creator_id)
        _require(len(self.caption) <= MAX_CAPTION_CHARS, f"caption is longer than {MAX_CAPTION_CHARS} characters")
        for tag in self.hashtags:
            _require(
                0 < len(tag) <= MAX_HASHTAG_CHARS and not tag.startswith("#") and not _WHITESPACE.search(tag),
                f"hashtag {tag!r} must be 1-{MAX_HASHTAG_CHARS} characters, without '#' or white space",
            )
        for name, value, limit in (
            ("language", self.language, MAX_CODE_CHARS),
            ("region", self.region, MAX_CODE_CHARS),
            ("topic", self.topic or "", MAX_TOPIC_CHARS),
        ):
            _require(len(value) <= limit, f"{name} must be at most {limit} characters, got {len(value)}")
        _require(0 <= self.duration_s <= 3600, f"duration_s must be within 0-3600 seconds, got {self.duration_s}")
        _require(self.created_at.tzinfo is not None, "created_at must carry a time zone (use UTC)")

    @property
    def text(self) -> str:
        """Caption plus the hashtags it does not already carry inline: the text models read.

        >>> Video("v", "c", "so tired #sad", ("sad", "fyp"), 9, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).text
        'so tired #sad #fyp'
        """
        inline = self.caption.casefold()
        tags = [f"#{tag}" for tag in dict.fromkeys(self.hashtags) if f"#{tag.casefold()}" not in inline]
        return " ".join([self.caption.strip(), *tags]).strip()


@dataclasses.dataclass(frozen=True, slots=True)
class AccountSettings:
    """What an account chose; `None` means 'the policy's default for my age band'."""

    personalised: bool | None = None
    keyword_filters: tuple[str, ...] = ()  # words and #hashtags never to be shown
    chosen_interests: tuple[str, ...] = ()  # "more of" these topics
    less_of: tuple[str, ...] = ()  # "less of" these topics
    stem_feed: bool | None = None
    daily_limit_minutes: int | None = None  # 0: I opted out of a daily limit
    session_prompt_minutes: int | None = None  # "keep going?" after this many minutes; 0: off
    quiet_hours: tuple[str, str] | None = None  # ("HH:MM", "HH:MM") local; where the policy lets me move them
    autoplay: bool | None = None
    streaks: bool | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Account:
    id: str
    birth_year: int | None = None
    region: str = ""
    timezone: str = "UTC"
    settings: AccountSettings = AccountSettings()
    created_at: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    # A linked guardian consented to the For You feed (Family Pairing); never stored with the account:
    # the feed reads it from the guardians' record, laid over the stored account.
    feed_consent: bool = False

    def __post_init__(self) -> None:
        _check_id("account id", self.id)
        if self.birth_year is not None:
            _require(1900 <= self.birth_year <= 2100, f"birth_year must be a year, got {self.birth_year}")

    def age_band(self, today: dt.date) -> AgeBand:
        """The band for protections; unknown age gets the youngest band's protections.

        >>> Account("a", birth_year=2012).age_band(dt.date(2026, 6, 1))
        <AgeBand.U16: '13-15'>
        >>> Account("a").age_band(dt.date(2026, 6, 1))
        <AgeBand.U16: '13-15'>
        """
        if self.birth_year is None:
            return AgeBand.U16
        # Without a birthday we count the younger of the two possible ages.
        age = today.year - self.birth_year - 1
        if age >= 18:
            return AgeBand.ADULT
        return AgeBand.U18 if age >= 16 else AgeBand.U16


# Which optional field each event kind requires.
_TARGETED_NOT_INTERESTED = ("video_id", "creator_id", "hashtag", "topic")


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """Something an account did (or was shown), as the client reports it."""

    account_id: str
    kind: EventKind
    at: dt.datetime
    video_id: str | None = None
    seconds: float | None = None  # watch time
    fraction: float | None = None  # watch time / duration; > 1 means it looped
    query: str | None = None  # search
    creator_id: str | None = None  # follow, not_interested
    hashtag: str | None = None  # not_interested
    topic: str | None = None  # not_interested

    def __post_init__(self) -> None:
        _check_id("account_id", self.account_id)
        _require(self.at.tzinfo is not None, "event time 'at' must carry a time zone (use UTC)")
        kind = self.kind
        if kind is EventKind.SEARCH:
            _require(bool(self.query and self.query.strip()), "a search event needs a non-empty 'query'")
            _require(len(self.query or "") <= 500, "a search query is at most 500 characters")
        elif kind is EventKind.NOT_INTERESTED:
            given = [name for name in _TARGETED_NOT_INTERESTED if getattr(self, name) is not None]
            _require(
                len(given) == 1,
                "a not_interested event names exactly one of video_id, creator_id, hashtag or topic",
            )
        elif kind is EventKind.FOLLOW:
            _require(
                self.creator_id is not None or self.video_id is not None,
                "a follow event needs 'creator_id' (or the 'video_id' it came from)",
            )
        else:
            _require(self.video_id is not None, f"a {kind.value} event needs 'video_id'")
        if kind is EventKind.WATCH:
            _require(
                self.seconds is not None or self.fraction is not None,
                "a watch event needs 'seconds' or 'fraction'",
            )
        if self.seconds is not None:
            _require(0 <= self.seconds <= 86_400, f"seconds must be within 0-86400, got {self.seconds}")
        if self.fraction is not None:
            _require(0 <= self.fraction <= 100, f"fraction must be within 0-100, got {self.fraction}")


@dataclasses.dataclass(frozen=True, slots=True)
class Catalog:
    """Creators and their videos, as a file or the generator provides them."""

    creators: tuple[Creator, ...]
    videos: tuple[Video, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class HelpLine:
    name: str
    contact: str
    source: str  # the service's own website


@dataclasses.dataclass(frozen=True, slots=True)
class FeedItem:
    """A video on a page, with why it is there."""

    video: Video
    score: float
    source: str  # the candidate source that found it, or "sponsored"
    reasons: tuple[str, ...]  # plain-language "why this video"
    notes: tuple[str, ...] = ()  # content notes and marks shown on the video
    sponsored: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    """One page of an infinite feed; ask for `next_cursor` to continue."""

    account_id: str
    items: tuple[FeedItem, ...]
    cursor: str
    next_cursor: str
    help: tuple[HelpLine, ...] = ()  # shown when the page touches suicide, self-harm or eating disorders
    personalised: bool = True
    tab: str = "for_you"  # the tab served: "following" where the policy stands it in for For You
    tab_reason: str = ""  # why the tab served is not the one asked for
    notice: str = ""  # a line to show above the page (the Following tab's empty state)


@dataclasses.dataclass(frozen=True, slots=True)
class SearchResult:
    videos: tuple[Video, ...]
    help: tuple[HelpLine, ...] = ()
    withheld: bool = False  # an unsafe search from a minor: help instead of videos
