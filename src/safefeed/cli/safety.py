"""`safefeed policy|report|me ...`: the policy, the transparency report, and what SafeFeed knows about you."""

from __future__ import annotations

import json as json_module
from pathlib import Path
from typing import Annotated

import typer

from safefeed import config
from safefeed.cli import common
from safefeed.policy import rules
from safefeed.services import transparency

policy = typer.Typer(help="Check and explain the safety policy.", no_args_is_help=True)
report = typer.Typer(help="Reports for regulators and the public.", no_args_is_help=True)
me = typer.Typer(help="What SafeFeed knows about an account: see, edit, export, delete.", no_args_is_help=True)


@policy.command("check")
def policy_check(file: Annotated[Path, typer.Argument(help="A policy TOML file.")]) -> None:
    """Validate a policy file against the schema and the hard floors."""
    loaded = rules.load(file)
    print(f"{file}: policy {loaded.name!r} is valid ({loaded.kind})")


@policy.command("describe")
def policy_describe(
    name: Annotated[str | None, typer.Option("--policy", help="default, engagement, ny-ca or a TOML file.")] = None,
) -> None:
    """The main ranking parameters and how to change them, in plain language (DSA Art. 27)."""
    from safefeed.recommend import feed

    print(transparency.describe(rules.load(name or config.load().policy), feed.EngineConfig()), end="")


@report.command("transparency")
def report_transparency(
    out: Annotated[Path | None, typer.Option(help="Folder for transparency.csv and transparency.json.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of CSV.")] = False,
) -> None:
    """Videos by enforcement level and label, protections applied and controls used, by region and age band."""
    rows = transparency.report(common.open_store())
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "transparency.csv").write_text(transparency.as_csv(rows), encoding="utf-8")
        (out / "transparency.json").write_text(json_module.dumps(transparency.as_json(rows), indent=2), "utf-8")
        print(f"wrote {out / 'transparency.csv'} and {out / 'transparency.json'} ({len(rows)} rows)")
    elif json:
        common.print_json(transparency.as_json(rows))
    else:
        print(transparency.as_csv(rows), end="")


@me.command("show")
def me_show(account_id: str) -> None:
    """The inferred interests and everything else the feed uses, as JSON."""
    common.print_json(common.service().controls.profile(account_id))


@me.command("forget")
def me_forget(account_id: str, topic: str) -> None:
    """Remove one inferred interest."""
    common.service().controls.forget_interest(account_id, topic)
    print(f"{account_id}: {topic} is no longer among your interests")


@me.command("export")
def me_export(account_id: str) -> None:
    """Everything stored about the account (events, what was learned, well-being, login), as JSON."""
    common.print_json(common.service().controls.export(account_id))


@me.command("delete")
def me_delete(
    account_id: str,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
) -> None:
    """Delete the account, its events, everything learned from them, its well-being data and its login."""
    if not yes:
        raise common.UsageError(f"deleting {account_id} cannot be undone: add --yes to confirm")
    removed = common.service().controls.delete(account_id)
    print(f"deleted {account_id} and {removed} events")
