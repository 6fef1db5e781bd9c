"""Liveness for load balancers and scripts: the service is up and serving a catalog."""

from __future__ import annotations

import fastapi

from safefeed.api import deps

router = fastapi.APIRouter(tags=["health"])


@router.get("/health")
def health(safefeed: deps.ServiceDep) -> dict[str, object]:
    """`catalog`: the newest catalog change this process serves (processes of one server follow each other)."""
    return safefeed.health.status()
