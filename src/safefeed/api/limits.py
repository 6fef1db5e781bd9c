"""Rate limits (a moving window per caller) and request size limits."""

from __future__ import annotations

import datetime as dt

import limits as limits_library
from starlette import types

from safefeed import access


class RateLimited(access.LockedOut):
    """Too many requests from one caller; the answer says when to try again."""


class Limiter:
    """Allows `rate` (e.g. "50/second") per key, in memory: each API instance limits its own traffic."""

    def __init__(self, rate: str) -> None:
        self.rate = rate
        self.item = limits_library.parse(rate)
        self.window = limits_library.strategies.MovingWindowRateLimiter(limits_library.storage.MemoryStorage())

    def check(self, key: str) -> None:
        if not self.window.hit(self.item, key):
            reset = self.window.get_window_stats(self.item, key).reset_time
            wait = dt.timedelta(seconds=max(0.0, reset - dt.datetime.now(dt.UTC).timestamp()))
            raise RateLimited(f"more than {self.rate} requests: slow down and retry later", retry_after=wait)


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
