"""The `safefeed` command line: one Typer app, one sub-app per area.

Every error a user can cause ends the command with exit status 1 and a
message that says what was wrong and how to fix it, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from safefeed import access, model
from safefeed.cli import audit, catalog, classify, common, demo, evaluate, feed, safety, serve
from safefeed.content import catalog_import
from safefeed.policy import rules as policy_rules
from safefeed.recommend import feed as engine_feed
from safefeed.store import repository

app = typer.Typer(
    name="safefeed",
    help="SafeFeed: a For You feed that is safe by design for young people, and an audit lab.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(catalog.app, name="catalog")
app.add_typer(feed.accounts, name="accounts")
app.add_typer(feed.events, name="events")
app.add_typer(evaluate.app, name="eval")
app.add_typer(classify.app, name="classify")
app.add_typer(audit.app, name="audit")
app.add_typer(safety.policy, name="policy")
app.add_typer(safety.report, name="report")
app.add_typer(safety.me, name="me")
app.add_typer(serve.logins, name="logins")
for command in (feed.feed, feed.search, feed.refresh, feed.train, serve.serve, demo.demo):
    app.command()(command)

# Errors a user can cause; anything else is a bug and keeps its traceback.
USER_ERRORS: tuple[type[Exception], ...] = (
    common.UsageError,
    access.PrincipalExists,
    catalog_import.ImportFailed,
    engine_feed.InvalidCursor,
    policy_rules.InvalidPolicy,
    model.InvalidValue,
    repository.UnknownAccount,
    repository.UnknownVideo,
    OSError,
)


def main() -> None:
    try:
        app()
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
