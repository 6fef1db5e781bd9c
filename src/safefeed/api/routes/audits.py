"""Audits over the API: start a sock-puppet run, follow it, read its report."""

from __future__ import annotations

from typing import Annotated, Any

import fastapi
import pydantic
from fastapi import responses

from safefeed import access
from safefeed.api import deps, schemas

router = fastapi.APIRouter(prefix="/audits", tags=["audit"])


def _auditor(caller: deps.Caller) -> None:
    deps.require(caller, access.Role.AUDITOR, access.Role.ADMIN)


Auditor = fastapi.Depends(_auditor)


class AuditIn(schemas.Strict):
    scenario: Annotated[str, pydantic.StringConstraints(min_length=1, max_length=100)] = "amnesty-2023"
    scale: Annotated[float, pydantic.Field(ge=0.01, le=1.0)] = 0.05  # shrink sessions and catalog
    repetitions: Annotated[int, pydantic.Field(ge=1, le=100)] | None = 1


@router.post("", status_code=202, dependencies=[Auditor])
def start(body: AuditIn, safefeed: deps.ServiceDep) -> dict[str, Any]:
    """Start a run of a built-in scenario (e.g. amnesty-2023) in the background."""
    return safefeed.audits.start(body.scenario, scale=body.scale, repetitions=body.repetitions).to_json()


@router.get("", dependencies=[Auditor])
def list_audits(safefeed: deps.ServiceDep) -> list[dict[str, Any]]:
    return [status.to_json() for status in safefeed.audits.recent()]


@router.get("/{job_id}", dependencies=[Auditor])
def status(job_id: str, safefeed: deps.ServiceDep) -> dict[str, Any]:
    return safefeed.audits.status(job_id).to_json()


@router.get("/{job_id}/report", dependencies=[Auditor])
def report(job_id: str, safefeed: deps.ServiceDep) -> dict[str, Any]:
    """The metrics: share of mental-health videos over time, ratio to control, harmful items, per arm."""
    return safefeed.audits.report(job_id)


@router.get("/{job_id}/files/{name:path}", dependencies=[Auditor])
def report_file(job_id: str, name: str, safefeed: deps.ServiceDep) -> responses.FileResponse:
    """report.html and its plots."""
    return responses.FileResponse(safefeed.audits.file(job_id, name))
