"""Every Target passes the same contract; the HTTP one against a real server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import secrets
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from safefeed import compose, model
from safefeed.audit import checks, scoring, targets
from safefeed.audit.targets import http as http_module
from safefeed.recommend import feed
from safefeed.store import repository

from . import conftest

TEEN = model.Account("audit-teen", birth_year=2012, region="KE", timezone="Africa/Nairobi")


def _server(engine: feed.Engine) -> http.server.ThreadingHTTPServer:
    """A minimal service speaking the contract in `targets.Http`'s docstring, over a real Engine."""
    tokens: dict[str, str] = {}
    cursors: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _account(self) -> str | None:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            return tokens.get(token)

        def _body(self) -> Any:
            return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))

        def do_POST(self) -> None:
            if self.path == "/v1/accounts":
                data = self._body()
                engine.store.put_account(
                    model.Account(
                        data["id"],
                        birth_year=data["birth_year"],
                        region=data["region"],
                        timezone=data["timezone"],
                    )
                )
                token = secrets.token_hex(8)
                tokens[token] = data["id"]
                return self._reply(201, {"token": token})
            account = self._account()
            if account is None:
                return self._reply(401, {"detail": "bad token"})
            engine.record([targets.event_from_json(item, account) for item in self._body()])
            return self._reply(202, {"accepted": True})

        def do_GET(self) -> None:
            account = self._account()
            if account is None:
                return self._reply(401, {"detail": "bad token"})
            url = urllib.parse.urlparse(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            now = dt.datetime.fromisoformat(query["now"]) if "now" in query else None
            page = engine.feed(account, n=int(query.get("n", 20)), cursor=query.get("cursor"), now=now)
            cursors[account] = page.next_cursor
            items = [{"video": targets.video_to_json(item.video), "reasons": list(item.reasons)} for item in page.items]
            return self._reply(200, {"items": items, "next_cursor": page.next_cursor})

    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture
def http_target(store: repository.Store) -> Iterator[targets.Http]:
    server = _server(feed.build(store))
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"  # the test service listens on loopback only
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield targets.Http(f"http://127.0.0.1:{port}")
    finally:
        server.shutdown()
        server.server_close()


def test_engine_target_passes_the_contract(store: repository.Store) -> None:
    served = checks.check_target(targets.Engine(feed.build(store)), TEEN)
    assert len(served) == 15


def test_http_target_passes_the_contract_against_a_real_server(http_target: targets.Http) -> None:
    served = checks.check_target(http_target, TEEN)
    assert len(served) == 15
    assert all(video.label is not None and video.label.source is model.LabelSource.CLASSIFIER for video in served)


def test_http_target_names_the_failing_call(http_target: targets.Http) -> None:
    with pytest.raises(targets.AuditError, match="start"):
        http_target.feed("never-started", 5, checks.T0)


def test_implicit_als_target_passes_the_contract_and_learns(store: repository.Store) -> None:
    videos = list(store.iter_videos())
    als = targets.ImplicitAls(videos, settings=targets.AlsSettings(population=60, retrain_every=2))
    checks.check_target(als, TEEN, pages=4)
    # Heavy rewatching of mental-health videos pulls the peer's next pages toward them.
    mh = [v for v in videos if v.topic == "mental_health"]
    at = checks.T0
    als.send([model.Event(TEEN.id, model.EventKind.REWATCH, at, video_id=v.id) for v in mh[:10]])
    page = als.feed(TEEN.id, 10, at)
    assert sum(v.topic == "mental_health" for v in page) >= 5


def test_null_target_passes_the_contract_and_is_seeded(store: repository.Store) -> None:
    videos = list(store.iter_videos())
    first = checks.check_target(targets.Null(videos, seed=3), TEEN)
    again = checks.check_target(targets.Null(videos, seed=3), TEEN)
    other = checks.check_target(targets.Null(videos, seed=4), TEEN)
    assert [v.id for v in first] == [v.id for v in again] != [v.id for v in other]


def test_replay_target_passes_the_contract_and_serves_the_recording() -> None:
    videos = conftest.tiny_catalog().videos
    replay = targets.Replay({TEEN.id: videos[:12]})
    served = checks.check_target(replay, TEEN)
    # 3 pages of 5 from a 12-video recording: 5 + 5 + 2, in recorded order.
    assert [v.id for v in served] == [v.id for v in videos[:12]]
    assert replay.events_received == 12 + 3  # one watch per video and one like per page
    with pytest.raises(targets.AuditError, match="no recorded feed"):
        replay.start(model.Account("stranger"))


def test_labeller_prefers_the_answer_key_and_classifies_the_rest() -> None:
    videos = conftest.tiny_catalog().videos
    calls: list[int] = []

    def fake_classifier(batch: Any) -> list[model.Label]:
        calls.append(len(batch))
        return [model.Label(True, model.Theme.OTHER_MH, source=model.LabelSource.CLASSIFIER) for _ in batch]

    labeller = scoring.Labeller({v.id: v.label or model.NOT_MH for v in videos[:3]}, fallback=fake_classifier)
    assert labeller.scored_by == scoring.ANSWER_KEY
    labels = labeller.labels([videos[0], videos[5], videos[5]])
    assert labels[0] is videos[0].label
    assert labeller.scored_by == scoring.MIXED
    assert labels[1].source is model.LabelSource.CLASSIFIER and labels[1] == labels[2]
    assert calls == [1]  # each unknown video is classified once
    labeller.labels([videos[5]])
    assert calls == [1]


def test_build_applies_the_policy_through_the_builder_handed_in(store: repository.Store) -> None:
    """The audit never imports the composition root: the caller hands its builder in, or is told to."""
    built_with: list[object] = []

    def builder(store: repository.Store, *, policy: str | Path) -> feed.Engine:
        built_with.append(policy)
        return compose.build_engine(store, policy=policy)

    for policy in ("default", "engagement"):
        built = targets.build(targets.Spec(policy, "engine", policy=policy), store, [], build_engine=builder)
        assert isinstance(built.target, targets.Engine)
        assert built.note == ""
    assert built_with == ["default", "engagement"]
    with pytest.raises(targets.AuditError, match="build_engine"):
        targets.build(targets.Spec("default", "engine", policy="default"), store, [])


def test_a_null_cursor_starts_the_next_page_afresh() -> None:
    """A prompt that stands in for a page answers `next_cursor: null`: the next request sends no cursor
    (sending the text "None" back would be refused), and a cursor that is neither is an audit error."""
    cursors = {"teen": "abc"}
    http_module.remember_cursor(cursors, "teen", None)
    assert "teen" not in cursors
    http_module.remember_cursor(cursors, "teen", "def")
    assert cursors == {"teen": "def"}
    with pytest.raises(targets.AuditError, match="next_cursor must be a string or null"):
        http_module.remember_cursor(cursors, "teen", 7)
    assert cursors == {"teen": "def"}
