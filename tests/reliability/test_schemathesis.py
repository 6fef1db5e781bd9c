"""Bad input, generated from the OpenAPI document: no request may get a 5xx, and every 4xx says what was wrong.

Schemathesis turns each operation's schema into Hypothesis strategies: valid
requests (positive) and requests that break the schema (negative), and, for
routes about one thing, requests that name real things (the teen, a video, a
request, an audit job) so they get past "not found". Each operation runs on its
own copy of the world, as the caller who may use it, with a fixed budget of
cases (about 2,000 in all) and a fixed seed, so a run is repeatable and bounded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import strategies

from safefeed import config
from safefeed.api import app as api_app
from safefeed.store import schema as schema_tables
from tests import serving
from tests.reliability import conftest as world_

EXAMPLES = 18  # per operation and kind of case: 51 operations x (18 + 18, + 9 for those about one thing)
SHOWN = 3  # failing requests quoted per operation

# Operations that answer 500 today (reported; strict, so a fix shows up as XPASS).
KNOWN_BUGS: dict[str, str] = {}


def schema() -> Any:
    """The app's own OpenAPI document (no service needed to produce it)."""
    app = api_app.create_app(serving.settings_for(Path("/nonexistent")), safefeed=object())  # type: ignore[arg-type]
    return schemathesis.openapi.from_dict(app.openapi())


def operations() -> list[Any]:
    found = []
    for result in schema().get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[label])] if label in KNOWN_BUGS else []
        found.append(pytest.param(label, id=label, marks=marks))
    return found


def caller_for(label: str) -> str:
    """Who may use the operation, so generated requests reach its logic instead of a 403."""
    path = label.split(" ", 1)[1]
    if path.startswith("/v1/admin"):
        return world_.ADMIN
    if path.startswith("/v1/audits"):
        return world_.AUDITOR
    guardian_side = ("/v1/family/teens", "/v1/family/codes", "/v1/family/requests/{request_id}")
    if path.startswith(guardian_side):
        return world_.LINKED_GUARDIAN
    return world_.ACCOUNT


@dataclasses.dataclass
class Verdicts:
    cases: int = 0
    statuses: dict[int, int] = dataclasses.field(default_factory=dict)
    problems: list[str] = dataclasses.field(default_factory=list)

    def crashed(self, case: Any, error: Exception) -> None:
        self.cases += 1
        self.statuses[500] = self.statuses.get(500, 0) + 1
        if len(self.problems) < SHOWN * 3:
            self.problems.append(f"500 ({type(error).__name__}: {error})\n    {case.as_curl_command()}")

    def judge(self, case: Any, response: Any) -> None:
        self.cases += 1
        status = int(response.status_code)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        problem = None
        if status >= 500:
            problem = f"{status}"
        elif 400 <= status < 500:
            try:
                detail = json.loads(response.content).get("detail")
            except (ValueError, AttributeError):
                detail = None
            if not (isinstance(detail, str) and detail.strip()):
                problem = f"{status} without a 'detail' message: {response.content[:200]!r}"
        if problem is not None and len(self.problems) < SHOWN * 3:
            self.problems.append(f"{problem}\n    {case.as_curl_command()}")


def drive(
    strategy: strategies.SearchStrategy[Any],
    examples: int,
    world: world_.World,
    headers: dict[str, str],
    verdicts: Verdicts,
) -> None:
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def run(case: Any) -> None:
        # The caller's token replaces any generated Authorization: the point is what the route does with the rest.
        case.headers = {**(case.headers or {}), **headers}
        try:
            response = case.call(app=world.app, headers=headers)
        except Exception as error:  # the in-process transport re-raises what a real server would answer with 500
            verdicts.crashed(case, error)
            return
        verdicts.judge(case, response)

    run()


@pytest.mark.parametrize("label", operations())
def test_no_5xx_and_every_4xx_says_why(label: str, template: world_.Template, tmp_path: Path) -> None:
    world = world_.open_world(template, tmp_path / "world")
    operation = schema().find_operation_by_label(label)
    known = {
        "teen_id": world_.ACCOUNT,
        "video_id": template.video_ids[0],
        "request_id": template.request_id,
        "job_id": world_.JOB_ID,
        "guardian_id": world_.LINKED_GUARDIAN,
    }
    real = {name: value for name, value in known.items() if "{" + name in operation.path}
    headers = world.headers(caller_for(label))
    # The rate limit would answer many generated cases with 429 before they reach the route.
    world.app.state.limiter = type(world.app.state.limiter)("1000000/second")
    world.app.state.login_limiter = type(world.app.state.login_limiter)("1000000/second")
    verdicts = Verdicts()
    try:
        drive(operation.as_strategy(), EXAMPLES, world, headers, verdicts)
        negative = operation.as_strategy(schemathesis.GenerationMode.NEGATIVE)
        with contextlib.suppress(hypothesis.errors.Unsatisfiable):  # nothing in the operation can be made invalid
            drive(negative, EXAMPLES, world, headers, verdicts)
        if real:
            drive(operation.as_strategy(path_parameters=real), EXAMPLES // 2, world, headers, verdicts)
    finally:
        world.safefeed.parts.store.close()
    record(label, verdicts)
    assert not verdicts.problems, f"{label}: {len(verdicts.problems)} bad answers:\n" + "\n".join(verdicts.problems)


def record(label: str, verdicts: Verdicts) -> None:
    """One line per operation, summed up by the report (test-artifacts/reliability/schemathesis.jsonl)."""
    out = config.REPO_ROOT / "test-artifacts" / "reliability"
    out.mkdir(parents=True, exist_ok=True)
    line = {
        "operation": label,
        "cases": verdicts.cases,
        "statuses": verdicts.statuses,
        "problems": len(verdicts.problems),
    }
    with (out / "schemathesis.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\n")
    print(f"schemathesis {label}: {verdicts.cases} cases, statuses {verdicts.statuses}")


# -- catalog uploads: bodies the OpenAPI document cannot describe ------------------------------------------

HEADER = ("id", "creator_id", "caption", "hashtags", "duration_s", "topic", "enforcement", "views")
CELLS = strategies.one_of(
    strategies.sampled_from(["v-1", "c-1", "", "30", "-1", "1e309", "NaN", "allowed", "banned", "#tag", '"', "\x00"]),
    strategies.text(max_size=12),
)
UPLOADS = strategies.one_of(
    strategies.binary(max_size=300),
    strategies.lists(
        strategies.lists(CELLS, min_size=len(HEADER) - 3, max_size=len(HEADER) + 1).map(",".join),
        min_size=1,
        max_size=6,
    ).map(lambda rows: (",".join(HEADER) + "\n" + "\n".join(rows)).encode()),
)


def catalog_size(world: world_.World) -> tuple[int, int]:
    store = world.safefeed.parts.store
    with store.engine.connect() as connection:
        videos = connection.execute(sa.select(sa.func.count()).select_from(schema_tables.videos)).scalar_one()
        creators = connection.execute(sa.select(sa.func.count()).select_from(schema_tables.creators)).scalar_one()
    return int(videos), int(creators)


def test_fuzzed_catalog_uploads_are_refused_whole(template: world_.Template, tmp_path: Path) -> None:
    """Garbage CSV over HTTP: a 422 that says which row and column, and not one row written; or a whole import."""
    world = world_.open_world(template, tmp_path / "world")
    admin = world.headers(world_.ADMIN)
    outcomes: dict[int, int] = {}

    @hypothesis.settings(max_examples=60, deadline=None, database=None, derandomize=True)
    @hypothesis.given(body=UPLOADS)
    def upload(body: bytes) -> None:
        before = catalog_size(world)
        answer = world.client.post("/v1/admin/catalog", content=body, params={"filename": "c.csv"}, headers=admin)
        outcomes[answer.status_code] = outcomes.get(answer.status_code, 0) + 1
        after = catalog_size(world)
        if answer.status_code == 202:  # valid: the import runs as a job; it must finish whole
            job = answer.json()
            while job["state"] == "running":
                time.sleep(0.02)
                job = world.client.get(answer.headers["Location"], headers=admin).json()
            assert job["state"] == "done", job
            assert catalog_size(world)[0] >= before[0]
            return
        assert answer.status_code == 422, f"{answer.status_code} {answer.text[:300]} for {body[:200]!r}"
        assert answer.json()["detail"].strip()
        assert after == before, f"a refused upload wrote rows: {before} -> {after}"

    try:
        upload()
        assert world.client.get("/v1/feed", headers=world.headers(world_.ACCOUNT)).status_code == 200
    finally:
        world.safefeed.parts.store.close()
    print(f"catalog uploads: {outcomes}")
    assert outcomes.get(422, 0) > 0
