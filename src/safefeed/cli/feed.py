"""`safefeed accounts|feed|events|search|train|refresh`: use the feed engine from the shell."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

import rich.progress
import typer

from safefeed import model
from safefeed.cli import common
from safefeed.content import pipeline
from safefeed.recommend import explain, vectors
from safefeed.services import controls
from safefeed.wellbeing import prompts

accounts = typer.Typer(help="Create and show accounts.", no_args_is_help=True)
events = typer.Typer(help="Record events (views, likes, follows, 'not interested', ...).", no_args_is_help=True)


@accounts.command("add")
def accounts_add(
    account_id: Annotated[str, typer.Argument(help="A new account id.")],
    birth_year: Annotated[int | None, typer.Option(help="Unknown age gets the youngest band's protections.")] = None,
    region: Annotated[str, typer.Option(help="ISO country code, e.g. KE, PH, US.")] = "",
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Africa/Nairobi.")] = "UTC",
    interests: Annotated[str, typer.Option(help="Comma-separated topics the account chose.")] = "",
) -> None:
    """Create (or update) an account."""
    chosen = tuple(topic.strip() for topic in interests.split(",") if topic.strip())
    account = model.Account(
        account_id,
        birth_year=birth_year,
        region=region,
        timezone=timezone,
        settings=model.AccountSettings(chosen_interests=chosen),
        created_at=dt.datetime.now(dt.UTC),
    )
    common.open_store().put_account(account)  # no act: the operator's account needs no login, nor an engine
    print(f"account {account_id} saved")


@accounts.command("set")
def accounts_set(
    account_id: Annotated[str, typer.Argument(help="Whose settings.")],
    personalised: Annotated[
        bool | None, typer.Option("--personalised/--not-personalised", help="Opt in to or out of profiling.")
    ] = None,
    more_of: Annotated[str | None, typer.Option(help="Comma-separated topics to see more of.")] = None,
    less_of: Annotated[str | None, typer.Option(help="Comma-separated topics to see less of.")] = None,
    filters: Annotated[str | None, typer.Option(help="Comma-separated words or #hashtags never to show.")] = None,
) -> None:
    """Change an account's feed settings; they take effect on the next page."""

    def split(value: str | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(part.strip() for part in value.split(",") if part.strip())

    change = controls.SettingsChange(
        personalised=personalised,
        chosen_interests=split(more_of),
        less_of=split(less_of),
        keyword_filters=split(filters),
    )
    common.service().controls.change_settings(account_id, change)
    if personalised:
        print(explain.PERSONALISATION_EXPLAINED)
    print(f"settings of {account_id} saved")


@accounts.command("show")
def accounts_show(account_id: str) -> None:
    """Print an account as JSON."""
    common.print_json(dataclasses.asdict(common.open_store().account(account_id)))


def feed(
    account_id: Annotated[str, typer.Argument(help="Whose feed.")],
    n: Annotated[int, typer.Option("--n", min=1, max=100, help="Items on the page.")] = 20,
    cursor: Annotated[str | None, typer.Option(help="The next_cursor of the previous page.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print the next page of an account's For You feed (and log it as shown), unless a well-being prompt
    (a limit, wind-down, time away) answers instead: then the prompt is printed."""
    answer = common.service().feed.page(account_id, n=n, cursor=cursor)
    page = answer.page
    if page is None:
        assert answer.prompt is not None
        _print_prompt(answer.prompt, json=json)
        return
    if json:
        common.print_json(dataclasses.asdict(page))
        return
    for number, item in enumerate(page.items, 1):
        tags = " ".join(f"#{tag}" for tag in item.video.hashtags)
        print(f"{number:>3}. [{item.video.id}] {item.video.caption} {tags}")
        print(f"     {item.source}, score {item.score:.2f}: {'; '.join(item.reasons + item.notes)}")
    for line in page.help:
        print(f"help: {line.name}: {line.contact} ({line.source})")
    print(f"next cursor: {page.next_cursor}")


@events.command("add")
def events_add(
    account_id: Annotated[str, typer.Argument(help="Who did it.")],
    kind: Annotated[model.EventKind, typer.Argument(help="What they did.")],
    video: Annotated[str | None, typer.Option(help="The video it was about.")] = None,
    seconds: Annotated[float | None, typer.Option(help="Watch time in seconds.")] = None,
    fraction: Annotated[float | None, typer.Option(help="Watch time / duration (above 1: looped).")] = None,
    query: Annotated[str | None, typer.Option(help="Search query.")] = None,
    creator: Annotated[str | None, typer.Option(help="Creator (follow, not_interested).")] = None,
    hashtag: Annotated[str | None, typer.Option(help="Hashtag (not_interested).")] = None,
    topic: Annotated[str | None, typer.Option(help="Topic (not_interested).")] = None,
) -> None:
    """Record one event; it is on disk and in the account's state when this returns."""
    event = model.Event(
        account_id,
        kind,
        dt.datetime.now(dt.UTC),
        video_id=video,
        seconds=seconds,
        fraction=fraction,
        query=query,
        creator_id=creator,
        hashtag=hashtag.lstrip("#") if hashtag else None,
        topic=topic,
    )
    common.service().feed.record([event])
    print(f"recorded {kind.value} for {account_id}")


def search(
    account_id: Annotated[str, typer.Argument(help="Who searches (searches feed their interests).")],
    query: Annotated[str, typer.Argument(help="Words or #hashtags.")],
    n: Annotated[int, typer.Option("--n", min=1, max=100)] = 10,
) -> None:
    """Search captions and hashtags."""
    answer = common.service().feed.search(account_id, query, n=n)
    result = answer.result
    if result is None:
        assert answer.prompt is not None
        _print_prompt(answer.prompt, json=False)
        return
    for video in result.videos:
        print(f"[{video.id}] {video.caption} {' '.join('#' + tag for tag in video.hashtags)}")
    if result.withheld:
        print("No videos for this search. If you are going through something, you don't have to alone:")
    for line in result.help:
        print(f"  {line.name}: {line.contact} ({line.source})")


def refresh(account_id: Annotated[str, typer.Argument(help="Whose feed to reset.")]) -> None:
    """Reset an account's learned state completely and permanently."""
    common.service().controls.refresh(account_id)
    print(f"{account_id}'s feed starts afresh")


def _print_prompt(prompt: prompts.Prompt, *, json: bool) -> None:
    if json:
        common.print_json({"prompt": dataclasses.asdict(prompt)})
    else:
        print(f"{prompt.kind.value}: {prompt.message}")


def train(
    factors: Annotated[int, typer.Option(min=2, max=256, help="Collaborative factors.")] = vectors.FACTORS,
    iterations: Annotated[int, typer.Option(min=1, max=100)] = 15,
) -> None:
    """Embed videos that have no vector yet, then fit collaborative vectors on the event log."""
    store = common.open_store()
    if common.console.is_terminal:
        with rich.progress.Progress(console=common.console) as progress:
            task = progress.add_task("embedding captions", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            embedded = pipeline.embed_missing(store, progress=advance)
    else:  # a log: a plain line per batch
        embedded = pipeline.embed_missing(
            store, progress=lambda done, total: common.console.print(f"embedding captions: {done:,} / {total:,}")
        )
    with common.console.status("fitting implicit ALS on the event log"):
        trained = vectors.train_collaborative(store, factors=factors, iterations=iterations)
    print(
        f"embedded {embedded.videos:,} new videos ({embedded.texts:,} distinct texts); "
        f"collaborative vectors for {trained:,} videos"
    )
