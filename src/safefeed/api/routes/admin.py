"""The catalog and moderation: import videos, set enforcement levels, work the review queue."""

from __future__ import annotations

from typing import Annotated, Any

import fastapi
import pydantic

from safefeed import access, model
from safefeed.api import deps, schemas
from safefeed.content import catalog_import

router = fastapi.APIRouter(prefix="/admin", tags=["admin"])


def _admin(caller: deps.Caller) -> None:
    deps.require(caller, access.Role.ADMIN)


Admin = fastapi.Depends(_admin)


class EnforcementIn(schemas.Strict):
    enforcement: model.Enforcement


class ReviewIn(schemas.Strict):
    video_id: schemas.Id
    mh_related: bool
    theme: model.Theme | None = None
    harm: model.Harm = model.Harm.NONE

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> ReviewIn:
        model.Label(self.mh_related, self.theme, self.harm)  # the domain's own checks, as a 422
        return self


@router.post("/catalog", status_code=202, dependencies=[Admin])
async def import_catalog(
    request: fastapi.Request,
    response: fastapi.Response,
    safefeed: deps.ServiceDep,
    format: Annotated[catalog_import.Format, fastapi.Query()] = "auto",
    filename: Annotated[str, fastapi.Query(max_length=200, description="Names the file type for format=auto.")] = (
        "catalog.csv"
    ),
) -> dict[str, Any]:
    """A catalog file as the request body (CSV, JSONL or Parquet; docs/catalog-format.md): all rows or none.

    The file is validated before the answer (a bad row: 422 naming it, nothing written); then a 202 with
    the import job, whose `Location` the caller polls while the videos are labelled, embedded and stored.
    """
    body = await request.body()
    status = await fastapi.concurrency.run_in_threadpool(
        safefeed.admin.import_catalog, body, filename=filename, format=format
    )
    response.headers["Location"] = request.url_for("import_status", job_id=status.id).path
    return status.to_json()


@router.get("/catalog/imports", dependencies=[Admin])
def recent_imports(safefeed: deps.ServiceDep) -> list[dict[str, Any]]:
    """Catalog imports started over the API, newest first."""
    return [status.to_json() for status in safefeed.admin.recent_imports()]


@router.get("/catalog/imports/{job_id}", dependencies=[Admin])
def import_status(job_id: str, safefeed: deps.ServiceDep) -> dict[str, Any]:
    """An import job: `state` (running, done, failed), `phase` (queued, classifying, embedding, storing,
    serving), `done` of `total` within the phase, `error` when it failed, and the file's counts."""
    return safefeed.admin.import_status(job_id).to_json()


class CatalogProgressOut(pydantic.BaseModel):
    """How far the catalog is embedded: a video joins the feed once it has a content vector."""

    videos: int
    embedded: int  # videos with a content vector, in the store
    recommendable: int  # videos this server's feed draws on now (it picks up new vectors every few seconds)
    complete: bool  # every video is embedded and in this server's feed


@router.get("/catalog/progress", dependencies=[Admin])
def catalog_progress(safefeed: deps.ServiceDep) -> CatalogProgressOut:
    """Progress of the background embedding (`safefeed demo`, a catalog served before it was embedded)."""
    counts, serving = safefeed.admin.catalog_progress()
    return CatalogProgressOut(
        videos=counts.videos,
        embedded=counts.embedded,
        recommendable=serving,
        complete=counts.complete and serving >= counts.videos,
    )


@router.put("/videos/{video_id}/enforcement", dependencies=[Admin])
def set_enforcement(video_id: str, body: EnforcementIn, safefeed: deps.ServiceDep) -> dict[str, str]:
    """Moderate a video; it leaves (or joins) feeds on the next page."""
    safefeed.admin.set_enforcement(video_id, body.enforcement)
    return {"video_id": video_id, "enforcement": body.enforcement.value}


@router.get("/review", dependencies=[Admin])
def review_queue(
    safefeed: deps.ServiceDep, limit: Annotated[int, fastapi.Query(ge=1, le=1000)] = 50
) -> list[dict[str, Any]]:
    """The classifier's least certain calls, least certain first."""
    return [
        {**schemas.VideoOut.of(video).model_dump(mode="json"), "mh_probability": probability}
        for video, probability in safefeed.admin.review_queue(limit)
    ]


@router.post("/review", dependencies=[Admin])
def submit_reviews(body: list[ReviewIn], safefeed: deps.ServiceDep) -> dict[str, int]:
    """Reviewed labels; a reviewed label always wins over the classifier's."""
    labels = {
        review.video_id: model.Label(
            review.mh_related, review.theme, review.harm, probability=1.0, source=model.LabelSource.REVIEW
        )
        for review in body
    }
    return {"labelled": safefeed.admin.review(labels)}
