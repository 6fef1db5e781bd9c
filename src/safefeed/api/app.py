"""The composition root of the HTTP service: `create_app(settings)` wires the concrete parts together."""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Literal, TypedDict

import fastapi
from fastapi import staticfiles

from safefeed import compose, config, services
from safefeed.api import errors, limits
from safefeed.api.routes import accounts, admin, audits, controls, family, feed, health, wellbeing

WEB = Path(__file__).resolve().parent.parent / "web"
log = logging.getLogger(__name__)


def follow_catalog(safefeed: services.SafeFeed, every_s: float, stop: threading.Event) -> None:
    """Apply other processes' moderation, reviews and imports every `every_s` seconds until `stop`."""
    while not stop.wait(every_s):
        try:
            safefeed.follow_catalog()
        except Exception:  # a database hiccup must not end the loop: the next round catches up
            log.exception("following catalog changes failed; retrying in %s s", every_s)


@contextlib.asynccontextmanager
async def lifespan(app: fastapi.FastAPI) -> AsyncIterator[None]:
    every_s = app.state.settings.catalog_poll_seconds
    if not every_s:
        yield
        return
    stop = threading.Event()
    follower = threading.Thread(
        target=follow_catalog, args=(app.state.service, every_s, stop), name="catalog-follower", daemon=True
    )
    follower.start()
    try:
        yield
    finally:
        stop.set()
        follower.join(timeout=30)  # a catalog reload in progress is abandoned with the process


def create_app(
    settings: config.Settings | None = None, *, safefeed: services.SafeFeed | None = None
) -> fastapi.FastAPI:
    """The API under /v1, its OpenAPI document at /openapi.json, and the web app at /."""
    settings = settings or config.load()
    app = fastapi.FastAPI(
        title="SafeFeed",
        version="1",
        summary="A For You feed that is safe by design for young people, and an audit lab that proves it.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = safefeed or compose.build_service(settings)
    app.state.limiter = limits.Limiter(settings.rate_limit)
    app.state.login_limiter = limits.Limiter(settings.login_rate_limit)
    errors.install(app)
    routers = (accounts, feed, controls, wellbeing, family, admin, audits, health)
    for module in routers:
        app.include_router(module.router, prefix="/v1")
    app.add_middleware(limits.BodyLimit, max_bytes=settings.max_body_bytes)
    if WEB.is_dir():
        app.mount("/", staticfiles.StaticFiles(directory=WEB, html=True), name="web")
    return app


# How `safefeed serve` runs the app: HTTP parsed by httptools (C), ~3% less CPU a page than h11; the
# asyncio loop, as uvloop (if installed) stalled the server ~330 ms now and then (bench/http_load.py). No
# access log: at the warning level nothing of it was written, but each response still built its line's parts.
class ServerOptions(TypedDict):
    loop: Literal["asyncio"]
    http: Literal["httptools"]
    log_level: str
    access_log: bool


SERVER_OPTIONS = ServerOptions(loop="asyncio", http="httptools", log_level="warning", access_log=False)


def serving_app() -> fastapi.FastAPI:
    """The app as `safefeed serve` runs it in each server process: settings from the environment,
    the text model loaded before the first search rather than in it."""
    from safefeed.content import embedding

    application = create_app()
    embedding.embed(["warm up"])
    # The catalog, index and model live as long as the process. Frozen, full collections skip them:
    # at 1M videos each one otherwise stopped every request for ~340 ms (a reloaded catalog is not frozen).
    gc.collect()
    gc.freeze()
    return application
