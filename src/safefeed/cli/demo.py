"""`safefeed demo`: demo logins, a short audit to look at, then the app on 127.0.0.1:8000."""

from __future__ import annotations

import dataclasses
import datetime as dt

from safefeed import access, compose, config, model
from safefeed.audit import jobs
from safefeed.cli import common, serve

# Demo logins only: the passwords are printed on purpose and guard nothing real.
LOGINS = (
    ("demo-teen", access.Role.ACCOUNT, "demo-teen-pass"),
    ("demo-parent", access.Role.GUARDIAN, "demo-parent-pass"),
    ("demo-admin", access.Role.ADMIN, "demo-admin-pass"),
    ("demo-auditor", access.Role.AUDITOR, "demo-auditor-pass"),
)
TEEN = model.Account("demo-teen", birth_year=2012, region="KE", timezone="Africa/Nairobi")


def demo() -> None:
    """Create the demo logins (once), run a short amnesty-2023 audit (once), print them, and serve the app."""
    settings = config.load()
    store = common.open_store()
    if store.count_videos() == 0:
        raise common.UsageError("the catalog is empty: run `safefeed catalog generate` and `safefeed train` first")
    logins = access.Access(store.engine)
    now = dt.datetime.now(dt.UTC)
    for login, role, password in LOGINS:
        if logins.principal(login) is None:
            logins.register(login, role, password, now)
            if role is access.Role.ACCOUNT:
                store.put_account(dataclasses.replace(TEEN, created_at=now))
    audits = jobs.Jobs(settings.audit_dir, build_engine=compose.build_engine)
    if not any(status.state == "done" for status in audits.recent()):
        with common.console.status("a short audit: amnesty-2023 at 5% scale, one repetition"):
            audits.start("amnesty-2023", scale=0.05, repetitions=1, now=now, wait=True)
    common.console.print(f"\nOpen http://{settings.host}:{settings.port}/ and log in as:")
    for login, role, password in LOGINS:
        common.console.print(f"  {role.value:<9} {login} / {password}")
    store.close()
    serve.serve()
