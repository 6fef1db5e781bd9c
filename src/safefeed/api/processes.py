"""Several server processes on one port, each with a listening socket of its own (SO_REUSEPORT).

uvicorn's `--workers` binds its shared socket without saying it is TCP, so
asyncio leaves Nagle's algorithm on for every connection, and each keep-alive
request after the first waits ~40 ms for a delayed ACK (uvicorn issue #3149):
two processes served no more than one. Here each process binds its own TCP
socket once its catalog is loaded; the kernel spreads connections across the
processes that listen, and the supervisor replaces one that dies.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import socket
import time
from collections.abc import Callable
from multiprocessing import connection, context
from types import FrameType

log = logging.getLogger(__name__)

CHECK_S = 0.5  # how often the supervisor looks for a process that died
STOP_S = 60.0  # how long a process may take to finish its requests and shut down


class StartupError(RuntimeError):
    """A server process could not start listening (the port is taken, the address is wrong)."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket on host:port that other processes of this user may also listen on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: asyncio turns Nagle off (TCP_NODELAY) only on accepted sockets whose
    # protocol says TCP, and with Nagle on, a response's body waits ~40 ms for the ACK of its headers.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # uvicorn's default backlog
    except OSError:
        sock.close()
        raise
    return sock


def serve_one(host: str, port: int, listening: connection.Connection) -> None:
    """One server process: load the app first, then listen, so no connection waits on a catalog load."""
    import uvicorn

    from safefeed.api import app

    # The supervisor stops us with SIGTERM. Exiting by exception, not by the default action, runs the
    # finalizers (and uvicorn, which takes both signals over while it serves, re-raises it when done).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit)
    application = app.serving_app()
    try:
        sock = listening_socket(host, port)
    except OSError as error:
        log.error("cannot listen on %s:%s: %s", host, port, error)
        raise SystemExit(3) from error
    listening.send(True)
    listening.close()
    uvicorn.Server(uvicorn.Config(application, **app.SERVER_OPTIONS)).run(sockets=[sock])


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


class Child:
    """A server process, and whether it has said it listens."""

    def __init__(self, spawn: context.SpawnContext, host: str, port: int) -> None:
        self.said, told = spawn.Pipe(duplex=False)
        self.process = spawn.Process(target=serve_one, args=(host, port, told), name="safefeed-server")
        self.process.start()
        told.close()
        self.listening = False

    def listens(self) -> bool:
        if not self.listening and self.said.poll():
            with contextlib.suppress(EOFError):  # it exited without a word
                self.listening = self.said.recv()
        return self.listening


class Supervisor:
    """Starts `count` server processes, replaces one that dies, and stops them all on SIGINT or SIGTERM."""

    def __init__(self, host: str, port: int, count: int) -> None:
        self.host, self.port, self.count = host, port, count
        self.spawn = multiprocessing.get_context("spawn")
        self.stopping = False

    def run(self, on_ready: Callable[[], None]) -> None:
        """Serve until told to stop, calling `on_ready` once all processes listen.

        Raises StartupError when a process exits before it ever listened.
        """
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._stop)
        children = [Child(self.spawn, self.host, self.port) for _ in range(self.count)]
        announced = False
        try:
            while not self.stopping:
                for index, child in enumerate(children):
                    if child.process.is_alive():
                        continue
                    code = child.process.exitcode
                    if not child.listens():
                        raise StartupError(f"a server process exited with {code} before it listened")
                    log.warning("server process %s exited with %s; starting another", child.process.pid, code)
                    child.said.close()
                    children[index] = Child(self.spawn, self.host, self.port)
                if not announced and all(child.listens() for child in children):
                    announced = True
                    on_ready()
                time.sleep(CHECK_S)
        finally:
            for child in children:
                if child.process.is_alive():
                    child.process.terminate()  # SIGTERM: uvicorn finishes its requests and runs the app's shutdown
            for child in children:
                child.process.join(STOP_S)
                if child.process.is_alive():
                    child.process.kill()

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
