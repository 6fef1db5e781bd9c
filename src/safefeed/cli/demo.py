"""`safefeed demo`: the app on 127.0.0.1:8000 within seconds of a freshly generated catalog.

The catalog is served while it is embedded. This command creates the demo logins (the teen in
this machine's own time zone, so a newcomer's first screen is the feed, not the night), starts
the server in its own process (it imports meanwhile), and embeds a small first batch, over which
the server builds its first pages. It then embeds the rest with progress (videos join the feed
as their vectors arrive; demo-admin sees it under Catalog) and runs a short audit in the
background, whose report appears in the audit viewer. Ctrl-C stops it all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zoneinfo
from collections.abc import Callable, Mapping
from pathlib import Path

import rich.progress

from safefeed import access, compose, config, model
from safefeed.audit import jobs
from safefeed.cli import catalog, common
from safefeed.content import backfill
from safefeed.store import repository

# Demo logins only: the passwords are printed on purpose and guard nothing real.
LOGINS = (
    ("demo-teen", access.Role.ACCOUNT, "demo-teen-pass"),
    ("demo-parent", access.Role.GUARDIAN, "demo-parent-pass"),
    ("demo-admin", access.Role.ADMIN, "demo-admin-pass"),
    ("demo-auditor", access.Role.AUDITOR, "demo-auditor-pass"),
)
TEEN = model.Account("demo-teen", birth_year=2012, region="KE")  # its time zone is this machine's
PLAIN_EVERY_S = 10.0  # how often progress is printed as a line when the output is not a terminal
SERVER_START_S = 120.0
FIRST_BATCH = 256  # videos embedded before the server builds its first pages: enough for a first page
BATCH = 512  # videos per stored batch after that (progress moves at least this often)
LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")


# -- the machine's time zone ----------------------------------------------------


def _zone(key: str) -> str | None:
    """`key` if it names an IANA zone that zoneinfo can load, else None."""
    key = key.strip()
    for prefix in ("posix/", "right/"):
        key = key.removeprefix(prefix)
    if not key:
        return None
    try:
        zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return key


def _zone_of_file(path: Path) -> str | None:
    """The zone a tz file is a link to (".../zoneinfo/Europe/Berlin" -> "Europe/Berlin")."""
    target = os.path.realpath(path)
    _, found, key = target.partition("/zoneinfo/")
    return _zone(key) if found else None


def local_timezone(
    environ: Mapping[str, str] = os.environ, *, localtime: Path = LOCALTIME, timezone_file: Path = TIMEZONE_FILE
) -> str:
    """This machine's IANA time zone: `TZ` if it names one, else what /etc/localtime links to,
    else /etc/timezone (Debian), else "UTC". Every answer is one zoneinfo can load.

    >>> local_timezone({"TZ": "Africa/Nairobi"})
    'Africa/Nairobi'
    >>> local_timezone({"TZ": "not/a/zone"}, localtime=Path("/nonexistent"), timezone_file=Path("/nonexistent"))
    'UTC'
    """
    setting = environ.get("TZ", "").strip().removeprefix(":")
    candidates: list[Callable[[], str | None]] = []
    if setting.startswith("/"):
        candidates.append(lambda: _zone_of_file(Path(setting)))
    elif setting:
        candidates.append(lambda: _zone(setting))
    candidates.append(lambda: _zone_of_file(localtime) if localtime.exists() else None)
    candidates.append(
        lambda: (
            _zone(timezone_file.read_text(encoding="utf-8").split()[0])
            if timezone_file.is_file() and timezone_file.read_text(encoding="utf-8").split()
            else None
        )
    )
    for candidate in candidates:
        found = candidate()
        if found is not None:
            return found
    return "UTC"


# -- the demo ---------------------------------------------------------------------


def create_logins(store: repository.Store, zone: str, now: dt.datetime) -> None:
    """The demo logins (once); the teen's account lives in `zone` (moved there if it was elsewhere)."""
    logins = access.Access(store.engine)
    for login, role, password in LOGINS:
        if logins.principal(login) is None:
            logins.register(login, role, password, now)
    try:
        held = store.account(TEEN.id)
    except repository.UnknownAccount:
        store.put_account(dataclasses.replace(TEEN, timezone=zone, created_at=now))
        return
    if held.timezone != zone:
        store.put_account(dataclasses.replace(held, timezone=zone))


class Server:
    """The demo's server (`serve_once_embedded`) in a child process, its output passed on through this console."""

    def __init__(self, settings: config.Settings) -> None:
        self.url = f"http://{settings.host}:{settings.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from safefeed.cli import demo; demo.serve_once_embedded()"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            text=True,
            errors="replace",
        )
        self.up = threading.Event()
        threading.Thread(target=self._relay, name="server-output", daemon=True).start()

    def _relay(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            shown = line.rstrip().rsplit("\r", 1)[-1]  # a progress line redrawn with \r: its last state
            if shown:
                common.console.print(shown, markup=False, highlight=False)

    def wait_until_up(self, on_up: Callable[[], None]) -> None:
        """Call `on_up` once the server answers (in a thread, so embedding goes on meanwhile)."""

        def watch() -> None:
            deadline = time.monotonic() + SERVER_START_S
            while self.process.poll() is None and time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"{self.url}/v1/health", timeout=2):
                        self.up.set()
                        on_up()
                        return
                except (urllib.error.URLError, OSError):
                    time.sleep(0.25)

        threading.Thread(target=watch, name="server-start", daemon=True).start()

    def check(self) -> None:
        code = self.process.poll()
        if code is not None:
            raise common.UsageError(f"the server stopped (exit status {code}); its message is above")

    def stop(self, *, interrupted: bool = False) -> None:
        """End the server; after a Ctrl-C it got one too, and a second would cut its shutdown short."""
        for sent, wait_s in ((None, 10.0 if interrupted else 0.0), (signal.SIGINT, 15.0), (signal.SIGKILL, 10.0)):
            if self.process.poll() is not None:
                return
            if sent is not None:
                self.process.send_signal(sent)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=wait_s)


def serve_once_embedded() -> None:
    """The demo's server process: import while the first batch is embedded elsewhere, build the engine
    over it, serve, and only then load the text model (search needs it; a feed page does not)."""
    try:
        import uvicorn

        from safefeed.api import app
        from safefeed.content import embedding

        settings = config.load()
        store = common.open_store()
        while not store.count_vectors():
            time.sleep(0.2)
        store.close()
        application = app.create_app(settings)
    except KeyboardInterrupt:
        return
    threading.Thread(target=embedding.embed, args=(["warm up"],), name="text-model", daemon=True).start()
    common.console.print(f"SafeFeed on http://{settings.host}:{settings.port}/ (API docs: /docs)")
    uvicorn.run(application, host=settings.host, port=settings.port, **app.SERVER_OPTIONS)


def _banner(settings: config.Settings, zone: str) -> None:
    common.console.print(f"\nSafeFeed is up: open http://{settings.host}:{settings.port}/ and log in as:")
    for login, role, password in LOGINS:
        common.console.print(f"  {role.value:<9} {login} / {password}", markup=False, highlight=False)
    common.console.print(
        f"The teen's time zone is this machine's ({zone}). Videos join the feed as they are embedded "
        "(demo-admin sees the progress under Catalog).\n",
        markup=False,
        highlight=False,
    )


def _follow(label: str, unit: str, steps: Callable[[Callable[[int, int], None]], None]) -> None:
    """Run `steps(advance)` with a progress bar on a terminal, or a line every PLAIN_EVERY_S otherwise."""
    if common.console.is_terminal:
        columns = (
            *rich.progress.Progress.get_default_columns(),
            rich.progress.MofNCompleteColumn(),
            rich.progress.TextColumn(unit),
        )
        with rich.progress.Progress(*columns, console=common.console) as bar:
            task = bar.add_task(label, total=None)
            steps(lambda done, total: bar.update(task, completed=done, total=total))
        return
    began = last = time.monotonic()
    finished = False

    def line(done: int, total: int) -> None:
        nonlocal last, finished
        now = time.monotonic()
        if now - last >= PLAIN_EVERY_S or (done >= total and not finished):
            last, finished = now, done >= total
            share = done / total if total else 1.0
            common.console.print(f"{label}: {done:,} of {total:,} {unit} ({share:.0%}) after {now - began:.0f} s")

    steps(line)


def _embed(store: repository.Store, server: Server) -> None:
    """Embed the catalog with progress: a small first batch (the server waits for it), then the rest."""
    before = backfill.counts(store).embedded
    steps_left = backfill.batches(store, first_batch=FIRST_BATCH, batch=BATCH)
    if not before:
        with common.console.status("embedding a first batch of the catalog, so there is a first page"):
            first = next(steps_left, None)
        if first is not None:
            common.console.print(f"First {first.done:,} videos embedded: the server can build its first pages.")

    def steps(advance: Callable[[int, int], None]) -> None:
        for step in steps_left:
            server.check()
            advance(before + step.done, before + step.total)

    began = time.monotonic()
    catalog.stats()
    _follow("embedding the catalog", "videos", steps)
    counts = backfill.counts(store)
    common.console.print(f"The catalog is embedded: {counts.embedded:,} videos ({time.monotonic() - began:.0f} s).")


def _audit(settings: config.Settings, server: Server, now: dt.datetime) -> None:
    """The short demo audit (once), in the background; its progress here, its report in the audit viewer."""
    audits = jobs.Jobs(settings.audit_dir, build_engine=compose.build_engine)
    if any(status.state == "done" for status in audits.recent()):
        return
    started = audits.start("amnesty-2023", scale=0.05, repetitions=1, now=now)

    def steps(advance: Callable[[int, int], None]) -> None:
        while (status := audits.status(started.id)).state == "running":
            server.check()
            advance(status.done, status.total)
            time.sleep(1.0)
        advance(status.total, status.total)

    try:
        _follow("a short audit (amnesty-2023, 5% scale)", "sessions", steps)
    except KeyboardInterrupt:
        # The audit runs in a thread of this process, inside native code: end at once, not by unwinding it.
        common.console.print("\nstopping the demo; the unfinished audit is left as it is")
        server.stop(interrupted=True)
        os._exit(130)
    status = audits.status(started.id)
    if status.state == "failed":
        common.console.print(f"The demo audit failed: {status.error}")
    else:
        common.console.print("The audit's report is ready: log in as demo-auditor to read it under Audits.")


def demo() -> None:
    """Serve the app at once on the generated catalog, embed it meanwhile, then run a short audit."""
    settings = config.load()
    store = common.open_store()
    if store.count_videos() == 0:
        raise common.UsageError("the catalog is empty: run `safefeed catalog generate --videos 50000 --seed 0` first")
    now = dt.datetime.now(dt.UTC)
    zone = local_timezone()
    create_logins(store, zone, now)
    server = Server(settings)
    try:
        server.wait_until_up(lambda: _banner(settings, zone))
        _embed(store, server)
        _audit(settings, server, now)
        if not server.up.is_set():
            common.console.print("waiting for the server to answer…")
        if server.process.wait():
            server.check()
        common.console.print("The server stopped.")
    except KeyboardInterrupt:
        common.console.print("\nstopping the demo")
        server.stop(interrupted=True)
    finally:
        server.stop()
        store.close()
