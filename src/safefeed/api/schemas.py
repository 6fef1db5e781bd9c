"""The JSON shapes of the API: one family per resource (`...In` parsed from clients, `...Out` sent back)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from typing import Annotated, Any, Literal

import pydantic

from safefeed import model
from safefeed.wellbeing import prompts

Id = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=model.MAX_ID_CHARS, pattern=r"^[^\s]+$")]
Password = Annotated[str, pydantic.StringConstraints(min_length=8, max_length=200)]
Word = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=100)]
Words = Annotated[list[Word], pydantic.Field(max_length=200)]


class Strict(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")


# -- logins ----------------------------------------------------------------


class AccountIn(Strict):
    id: Id
    birth_year: Annotated[int, pydantic.Field(ge=1900, le=2100)] | None = None
    region: Annotated[str, pydantic.StringConstraints(max_length=model.MAX_CODE_CHARS)] = ""
    timezone: Annotated[str, pydantic.StringConstraints(max_length=64)] = "UTC"
    password: Password | None = None
    interests: Words = []

    @pydantic.field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"time zone {value!r} is not an IANA zone name; use e.g. 'Africa/Nairobi'") from None
        return value


class LoginIn(Strict):
    id: Id
    password: Password


class TokenOut(pydantic.BaseModel):
    """An OAuth2-style bearer token answer."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    token: str  # the same token, under the name the audit lab's HTTP target reads


def token_out(token: str) -> TokenOut:
    return TokenOut(access_token=token, token=token)


# -- videos and pages --------------------------------------------------------


class LabelOut(pydantic.BaseModel):
    mh_related: bool
    theme: str | None
    harm: str


class VideoOut(pydantic.BaseModel):
    id: str
    creator_id: str
    caption: str
    hashtags: list[str]
    duration_s: float
    created_at: dt.datetime
    topic: str | None
    language: str
    label: LabelOut | None

    @classmethod
    def of(cls, video: model.Video) -> VideoOut:
        label = video.label
        return cls(
            id=video.id,
            creator_id=video.creator_id,
            caption=video.caption,
            hashtags=list(video.hashtags),
            duration_s=video.duration_s,
            created_at=video.created_at,
            topic=video.topic,
            language=video.language,
            label=None if label is None else LabelOut(mh_related=label.mh_related, theme=label.theme, harm=label.harm),
        )


class HelpOut(pydantic.BaseModel):
    name: str
    contact: str
    source: str


class ItemOut(pydantic.BaseModel):
    video: VideoOut
    why: list[str]
    notes: list[str]
    source: str
    sponsored: bool


class PromptOut(pydantic.BaseModel):
    kind: str
    message: str
    blocking: bool
    actions: list[str]
    until: dt.datetime | None
    confirm_after: dt.datetime | None

    @classmethod
    def of(cls, prompt: prompts.Prompt) -> PromptOut:
        return cls(
            kind=prompt.kind.value,
            message=prompt.message,
            blocking=prompt.blocking,
            actions=list(prompt.actions),
            until=prompt.until,
            confirm_after=prompt.confirm_after,
        )


class PageOut(pydantic.BaseModel):
    """A page of the feed; when `prompt.blocking` is true a well-being prompt stands in for the videos."""

    items: list[ItemOut]
    now: dt.datetime  # the server's clock: countdowns and prompts are timed from it
    cursor: str | None
    next_cursor: str | None
    personalised: bool
    help: list[HelpOut]
    prompt: PromptOut | None
    tab: str | None = None  # the tab served ("following" may stand in for "for_you"); none under a prompt
    tab_reason: str | None = None  # why the tab served is not the one asked for
    notice: str | None = None  # a line to show above the page (the Following tab's empty state)


def page_out(page: model.Page | None, prompt: prompts.Prompt | None, cursor: str | None, now: dt.datetime) -> PageOut:
    if page is None:
        return PageOut(
            items=[],
            now=now,
            cursor=cursor,
            next_cursor=cursor,
            personalised=False,
            help=[],
            prompt=None if prompt is None else PromptOut.of(prompt),
        )
    return PageOut(
        items=[
            ItemOut(
                video=VideoOut.of(item.video),
                why=list(item.reasons),
                notes=list(item.notes),
                source=item.source,
                sponsored=item.sponsored,
            )
            for item in page.items
        ],
        now=now,
        cursor=page.cursor,
        next_cursor=page.next_cursor or None,
        personalised=page.personalised,
        help=[HelpOut(**dataclasses.asdict(line)) for line in page.help],
        prompt=None if prompt is None else PromptOut.of(prompt),
        tab=page.tab,
        tab_reason=page.tab_reason or None,
        notice=page.notice or None,
    )


class SearchOut(pydantic.BaseModel):
    """Matching videos; `withheld` when an unsafe search from a minor gets help instead; `prompt` as on the feed."""

    videos: list[VideoOut]
    help: list[HelpOut]
    withheld: bool
    prompt: PromptOut | None


class SuggestionsOut(pydantic.BaseModel):
    """Completions of what is being typed, most searched-for first (none that a search would withhold)."""

    suggestions: list[str]


def search_out(result: model.SearchResult | None, prompt: prompts.Prompt | None) -> SearchOut:
    return SearchOut(
        videos=[] if result is None else [VideoOut.of(video) for video in result.videos],
        help=[] if result is None else [HelpOut(**dataclasses.asdict(line)) for line in result.help],
        withheld=False if result is None else result.withheld,
        prompt=None if prompt is None else PromptOut.of(prompt),
    )


# -- events ------------------------------------------------------------------


class EventIn(Strict):
    kind: model.EventKind
    at: dt.datetime | None = None  # when it happened on the device; the server's time if left out
    account_id: Id | None = None  # if given, it must be the caller's
    video_id: Id | None = None
    seconds: Annotated[float, pydantic.Field(ge=0, le=86_400)] | None = None
    fraction: Annotated[float, pydantic.Field(ge=0, le=100)] | None = None
    query: Annotated[str, pydantic.StringConstraints(max_length=500)] | None = None
    creator_id: Id | None = None
    hashtag: Annotated[str, pydantic.StringConstraints(max_length=model.MAX_HASHTAG_CHARS + 1)] | None = None
    topic: Annotated[str, pydantic.StringConstraints(max_length=model.MAX_TOPIC_CHARS)] | None = None

    @pydantic.field_validator("at")
    @classmethod
    def _zoned(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give the time zone, e.g. 2026-11-23T18:00:00Z")
        return value


class RecordedOut(pydantic.BaseModel):
    recorded: int


# -- controls ----------------------------------------------------------------


class SettingsIn(Strict):
    personalised: bool | None = None
    keyword_filters: Words | None = None
    chosen_interests: Words | None = None
    less_of: Words | None = None
    stem_feed: bool | None = None


class NotInterestedIn(Strict):
    """Exactly one of these: a video, its creator, a hashtag or a topic."""

    video_id: Id | None = None
    creator_id: Id | None = None
    hashtag: Annotated[str, pydantic.StringConstraints(min_length=1, max_length=101)] | None = None
    topic: Annotated[str, pydantic.StringConstraints(min_length=1, max_length=model.MAX_TOPIC_CHARS)] | None = None


def settings_out(settings: model.AccountSettings) -> dict[str, Any]:
    return dataclasses.asdict(settings)
