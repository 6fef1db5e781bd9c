"""Rate limits (a moving window per caller) and request size limits."""

from __future__ import annotations

import collections
import datetime as dt
import threading
import time
from collections.abc import Callable

import limits as limits_library
from starlette import types

from safefeed import access


class RateLimited(access.LockedOut):
    """Too many requests from one caller; the answer says when to try again."""


class Limiter:
    """Allows `rate` (e.g. "50/second") per key in a moving window, in memory: each API instance limits its own traffic.

    A hit is refused while the key already has `rate`'s amount of hits in the
    last window (as the `limits` library's moving window decides; its parser
    reads the rate). Kept here as one deque per key: the library's memory
    storage started a timer thread on every request, ~7% of a feed page's CPU.
    """

    def __init__(self, rate: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        item = limits_library.parse(rate)
        self.amount, self.window_s = item.amount, float(item.get_expiry())
        self.clock = clock
        self._hits: dict[str, collections.deque[float]] = {}  # each key's latest hits, oldest first
        self._lock = threading.Lock()
        self._next_sweep = clock() + self.window_s

    def check(self, key: str) -> None:
        """Count a hit for `key`, or raise RateLimited (counting nothing) if its window is full."""
        with self._lock:
            now = self.clock()
            if now >= self._next_sweep:
                self._sweep(now)
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = collections.deque(maxlen=self.amount)
            if len(hits) == self.amount and (not hits or hits[0] >= now - self.window_s):  # "0/second": never
                oldest = hits[0] if hits else now
                wait = dt.timedelta(seconds=max(0.0, oldest + self.window_s - now))
                raise RateLimited(f"more than {self.rate} requests: slow down and retry later", retry_after=wait)
            hits.append(now)

    def _sweep(self, now: float) -> None:
        """Forget keys with no hit in the window (each would allow a full window again anyway)."""
        for key in [key for key, hits in self._hits.items() if not hits or hits[-1] < now - self.window_s]:
            del self._hits[key]
        self._next_sweep = now + self.window_s


class BodyLimit:
    """Refuses request bodies over `max_bytes` with a 413 before reading them whole."""

    def __init__(self, app: types.ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: types.Scope, receive: types.Receive, send: types.Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        seen = 0

        async def counted() -> types.Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await self._refuse(send)

    async def _refuse(self, send: types.Send) -> None:
        body = f'{{"detail": "the request body is larger than {self.max_bytes} bytes: send less at a time"}}'.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    pass
