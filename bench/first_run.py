"""The first run: from `make demo` to a logged-in teen's first feed page, and to a fully embedded catalog.

    python bench/first_run.py --json              # the 50,000-video demo catalog, as a new user runs it
    python bench/first_run.py --videos 2000       # a quick check

Runs the real `make demo` target with this Python's virtual environment, against a SQLite
database, an audit folder and a port of its own in a temporary folder, and polls the API as a
person would: log in as demo-teen and ask for the feed until a page has videos; log in as
demo-admin and read the catalog's embedding progress until the server serves every video.
Then it stops the demo. Goals (issue 20): first page <= 60 s, whole catalog embedded <= 180 s.
Beside them, from the same run: when the catalog was generated and when the server first answered.

A first page that is a wind-down screen (night where the machine is) is answered "Not yet", as
the person would, and the run says so.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIRST_PAGE_GOAL_S = 60.0
EMBEDDED_GOAL_S = 180.0
POLL_S = 0.25


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Api:
    """Just enough of the HTTP API to log in and read JSON."""

    def __init__(self, base: str) -> None:
        self.base = base

    def call(self, method: str, path: str, *, token: str | None = None, form: dict[str, str] | None = None) -> Any:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def token(self, login: str, password: str) -> str | None:
        try:
            answer = self.call("POST", "/v1/auth/token", form={"username": login, "password": password})
        except (urllib.error.URLError, OSError):
            return None
        token: str = answer["access_token"]
        return token


class Output:
    """The demo's output lines, each with the second it appeared."""

    def __init__(self, process: subprocess.Popen[str], began: float, echo: bool) -> None:
        self.lines: list[tuple[float, str]] = []
        self.began, self.echo = began, echo
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append((time.monotonic() - self.began, line.rstrip()))
            if self.echo:
                print(f"  {time.monotonic() - self.began:6.1f} | {line.rstrip()}", file=sys.stderr)

    def when(self, text: str) -> float | None:
        return next((at for at, line in self.lines if text in line), None)


def measure(*, videos: int, venv: Path, timeout_s: float, echo: bool = False) -> dict[str, Any]:
    """Run `make demo` in a scratch folder and time what a newcomer waits for; always stops the demo."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="safefeed-first-run-") as folder:
        env = {
            **os.environ,
            "SAFEFEED_DATABASE_URL": f"sqlite:///{Path(folder) / 'demo.db'}",
            "SAFEFEED_AUDIT_DIR": str(Path(folder) / "audits"),
            "SAFEFEED_HOST": "127.0.0.1",
            "SAFEFEED_PORT": str(port),
        }
        # `-o`: never (re)install into the environment from here; it is already built.
        command = ["make", "-s", "-C", str(REPO), "demo", f"VENV={venv}", f"DEMO_VIDEOS={videos}"]
        command += ["-o", f"{venv}/.installed"]
        began = time.monotonic()
        process = subprocess.Popen(
            command, env=env, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            errors="replace", start_new_session=True,
        )  # fmt: skip
        output = Output(process, began, echo)
        try:
            result = _poll(Api(f"http://127.0.0.1:{port}"), process, began, timeout_s)
        finally:
            _stop(process)
        output.thread.join(timeout=5)
        result["catalog_generated_s"] = output.when("generated ")
        result["videos"] = videos
        result["goal_first_page_s"] = FIRST_PAGE_GOAL_S
        result["goal_embedded_s"] = EMBEDDED_GOAL_S
        if result.get("error"):
            result["output_tail"] = [line for _, line in output.lines[-30:]]
        return result


def _poll(api: Api, process: subprocess.Popen[str], began: float, timeout_s: float) -> dict[str, Any]:
    result: dict[str, Any] = {"server_up_s": None, "first_page_s": None, "embedded_s": None, "wind_down": False}
    teen = admin = None
    while time.monotonic() - began < timeout_s:
        if process.poll() is not None:
            result["error"] = f"the demo stopped (exit status {process.returncode}) before the goals were measured"
            return result
        elapsed = time.monotonic() - began
        try:
            if result["server_up_s"] is None:
                api.call("GET", "/v1/health")
                result["server_up_s"] = elapsed
            teen = teen or api.token("demo-teen", "demo-teen-pass")
            admin = admin or api.token("demo-admin", "demo-admin-pass")
            if teen and result["first_page_s"] is None:
                page = api.call("GET", "/v1/feed?n=10", token=teen)
                prompt = page.get("prompt") or {}
                if page["items"]:
                    result["first_page_s"] = time.monotonic() - began
                    result["first_page_items"] = len(page["items"])
                elif prompt.get("blocking") and prompt.get("kind") == "wind_down":
                    result["wind_down"] = True  # the person taps "Not yet"
                    api.call("POST", "/v1/wellbeing/prompts/wind_down/acknowledge", token=teen)
                    continue
            if admin and result["first_page_s"] is not None:
                progress = api.call("GET", "/v1/admin/catalog/progress", token=admin)
                result["recommendable"] = progress["recommendable"]
                if progress["complete"]:
                    result["embedded_s"] = time.monotonic() - began
                    return result
        except (urllib.error.URLError, OSError, KeyError, ValueError):
            pass  # not up yet, or between rebuilds: ask again
        time.sleep(POLL_S)
    result["error"] = f"not done after {timeout_s:.0f} s"
    return result


def _stop(process: subprocess.Popen[str]) -> None:
    """Ctrl-C to the whole demo (make, the demo, its server), as a person at the terminal would."""
    for sent, wait_s in ((signal.SIGINT, 20.0), (signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # anything of the demo's still running (a server, an audit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--videos", type=int, default=50_000, help="catalog size (the demo's is 50,000)")
    parser.add_argument("--venv", type=Path, default=Path(sys.prefix), help="a built environment (default: this one)")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")
    parser.add_argument("--echo", action="store_true", help="show the demo's own output")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(videos=args.videos, venv=args.venv, timeout_s=args.timeout, echo=args.echo)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print(result)
    if result.get("error"):
        sys.exit(1)


def _print(result: dict[str, Any]) -> None:
    def seconds(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f} s"

    first, embedded = result["first_page_s"], result["embedded_s"]
    print(f"`make demo` with {result['videos']:,} videos, timed from its start:")
    print(f"  catalog generated      {seconds(result['catalog_generated_s'])}")
    print(f"  server answering       {seconds(result['server_up_s'])}")
    print(f"  teen's first page      {seconds(first)}   goal <= {FIRST_PAGE_GOAL_S:.0f} s", end="")
    print(f"   ratio {first / FIRST_PAGE_GOAL_S:.2f}" if first else "")
    print(f"  whole catalog served   {seconds(embedded)}   goal <= {EMBEDDED_GOAL_S:.0f} s", end="")
    print(f"   ratio {embedded / EMBEDDED_GOAL_S:.2f}" if embedded else "")
    if result["wind_down"]:
        print("  (the first page was the wind-down screen: night where this machine is; answered 'Not yet')")
    if result.get("error"):
        print(f"error: {result['error']}")
        for line in result.get("output_tail", []):
            print(f"  | {line}")


if __name__ == "__main__":
    main()
