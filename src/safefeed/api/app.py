"""The composition root of the HTTP service: `create_app(settings)` wires the concrete parts together."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import argon2
import fastapi
from fastapi import staticfiles

from safefeed import access, compose, config, service
from safefeed.api import errors, limits
from safefeed.api.routes import accounts, admin, audits, controls, family, feed, health, wellbeing
from safefeed.audit import jobs
from safefeed.policy import rules
from safefeed.recommend import feed as engine_feed
from safefeed.store import repository
from safefeed.store import wellbeing as wellbeing_store
from safefeed.wellbeing import service as wellbeing_service

WEB = Path(__file__).resolve().parent.parent / "web"


def build_service(settings: config.Settings, *, clock: service.Clock = service.utc_now) -> service.SafeFeed:
    return assemble(repository.Store.open(settings.database_url), settings, clock=clock)


def assemble(
    store: repository.Store,
    settings: config.Settings,
    *,
    clock: service.Clock = service.utc_now,
    hasher: argon2.PasswordHasher | None = None,
) -> service.SafeFeed:
    """The service over an open store: the engine sees accounts through their guardians' controls."""
    wellbeing = wellbeing_service.Wellbeing(
        wellbeing_store.WellbeingStore(store.engine, activity_engine=store.log_engine),
        store,
        rules.load(settings.policy),
        hasher=hasher,
    )

    def rebuild(changed: repository.Store) -> engine_feed.Engine:
        return compose.build_engine(changed, policy=settings.policy, resolve=wellbeing.effective_account)

    return service.SafeFeed(
        store,
        rebuild(store),
        wellbeing,
        access.Access(store.engine, token_lifetime=dt.timedelta(days=settings.token_days), hasher=hasher),
        jobs.Jobs(settings.audit_dir),
        rebuild=rebuild,
        clock=clock,
    )


def create_app(settings: config.Settings | None = None, *, safefeed: service.SafeFeed | None = None) -> fastapi.FastAPI:
    """The API under /v1, its OpenAPI document at /openapi.json, and the web app at /."""
    settings = settings or config.load()
    app = fastapi.FastAPI(
        title="SafeFeed",
        version="1",
        summary="A For You feed that is safe by design for young people, and an audit lab that proves it.",
    )
    app.state.settings = settings
    app.state.service = safefeed or build_service(settings)
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
