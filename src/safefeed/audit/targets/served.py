"""SafeFeed served over HTTP by the audit itself: `safefeed serve` in a subprocess on a private copy of the world.

The outside auditor's view of SafeFeed: the audit starts the real server (the
API, the service, the engine under a policy) on 127.0.0.1 and a free port, with
its own SQLite file, and scrolls it through `Http` like any other service. The
server's copy of the world has its answer-key table emptied, so the truth
cannot reach it even by mistake; the simulated clock comes in each request's
`now` (SAFEFEED_CLIENT_CLOCK=true). The audit imports nothing above it to do
this: the server is another process.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from safefeed.audit.targets.base import AuditError
from safefeed.store import answer_key, repository

STARTUP_S = 300.0  # loading the catalog, the index and the text model on a busy machine


def free_port() -> int:
    """A port nothing listens on now (the server binds it moments later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`safefeed serve` under `policy` over a copy of `world` in `scratch`; `url` once started."""

    def __init__(self, world: Path, policy: str, scratch: Path, *, startup_s: float = STARTUP_S) -> None:
        self.world = Path(world)
        self.policy = policy
        self.scratch = Path(scratch)
        self.startup_s = startup_s
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._log = self.scratch / "server.log"

    def start(self) -> str:
        self.scratch.mkdir(parents=True, exist_ok=True)
        served = self.scratch / "served.db"
        shutil.copyfile(self.world, served)
        store = repository.Store.open(f"sqlite:///{served}", simulation=True)
        try:
            answer_key.put(store, {})  # the server's copy holds no truth at all
        finally:
            store.close()
        port = free_port()
        env = {
            **os.environ,
            "SAFEFEED_DATABASE_URL": f"sqlite:///{served}",
            "SAFEFEED_POLICY": self.policy,
            "SAFEFEED_CLIENT_CLOCK": "true",
            "SAFEFEED_RATE_LIMIT": "100000/second",
            "SAFEFEED_LOGIN_RATE_LIMIT": "100000/minute",
            "SAFEFEED_AUDIT_DIR": str(self.scratch / "audits"),
            "SAFEFEED_CATALOG_POLL_SECONDS": "0",
            "SAFEFEED_WORKERS": "1",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "SAFEFEED_EMBED_THREADS": "1",
        }
        command = [sys.executable, "-m", "safefeed.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        self._wait()
        return self.url

    def _wait(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise AuditError(f"safefeed serve exited with {self._process.returncode}: {self._tail()}")
            try:
                with urllib.request.urlopen(self.url + "/v1/health", timeout=5) as response:
                    health = json.loads(response.read())
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
                continue
            if health.get("policy") != self.policy:
                self.stop()
                raise AuditError(f"the server runs policy {health.get('policy')!r}, not {self.policy!r}")
            return
        self.stop()
        raise AuditError(f"safefeed serve did not answer within {self.startup_s:g} s: {self._tail()}")

    def _tail(self) -> str:
        try:
            return self._log.read_text(encoding="utf-8", errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
