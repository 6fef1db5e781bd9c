"""`safefeed serve` and `safefeed logins add`: run the HTTP API and web app, and create logins for it."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Annotated

import typer

from safefeed import access, config
from safefeed.cli import common

logins = typer.Typer(help="Logins for the API: guardians, admins, auditors.", no_args_is_help=True)


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port (default: 8000).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Server processes on the one port (default 1), each listening with SO_REUSEPORT (Linux) "
            "and loading the catalog; rate limits count per process.",
        ),
    ] = None,
) -> None:
    """Serve the API under /v1 (OpenAPI at /docs) and the web app at /."""
    settings = config.load()
    chosen_host, chosen_port = host or settings.host, port or settings.port
    count = workers or settings.workers
    address = f"http://{chosen_host}:{chosen_port}/"
    if count == 1:
        import uvicorn

        from safefeed.api import app

        with common.console.status("loading the catalog, the index and the text model"):
            application = app.serving_app()
        common.console.print(f"SafeFeed on {address} (API docs: /docs)")
        uvicorn.run(application, host=chosen_host, port=chosen_port, **app.SERVER_OPTIONS)
        return
    from safefeed.api import processes
    from safefeed.store import repository

    repository.Store.open(settings.database_url).close()  # migrate here, once, not in N racing processes
    loading = common.console.status(
        f"starting {count} processes, each loading the catalog, the index and the text model"
    )

    def ready() -> None:
        loading.stop()
        common.console.print(f"SafeFeed on {address} (API docs: /docs): {count} processes")

    loading.start()
    try:
        processes.Supervisor(chosen_host, chosen_port, count).run(on_ready=ready)
    except processes.StartupError as error:
        raise common.UsageError(f"{error}; its message is above") from error
    finally:
        loading.stop()


@logins.command("add")
def logins_add(
    login: Annotated[str, typer.Argument(help="The login id.")],
    role: Annotated[access.Role, typer.Option(help="guardian, admin or auditor (accounts sign up over the API).")],
    password: Annotated[
        str | None, typer.Option(help="The password; asked for when left out (never put real ones in scripts).")
    ] = None,
) -> None:
    """Create a login that can call the API."""
    if role is access.Role.ACCOUNT:
        raise common.UsageError("accounts sign up with POST /v1/accounts (they need a birth year and region)")
    secret = password or getpass.getpass(f"password for {login}: ")
    if len(secret) < 8:
        raise common.UsageError("the password needs at least 8 characters")
    access.Access(common.open_store().engine).register(login, role, secret, dt.datetime.now(dt.UTC))
    print(f"{role.value} login {login} created")
