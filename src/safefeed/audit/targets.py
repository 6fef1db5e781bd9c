"""What the audit scrolls: any feed behind a three-verb `Target` protocol.

A target is observed, never helped: the audit asks it for pages, reports the
persona's events and reads the labels from its own catalog (ground truth where
the catalog has it, else the classifier), never from the target's answer.

Implementations: `Engine` (SafeFeed in process, under any policy), `Http`
(any service speaking SafeFeed's feed API), `ImplicitAls` (a peer nobody here
wrote: `implicit`'s ALS, retrained as events arrive), `Null` (a random feed
from the same catalog) and `Replay` (feeds recorded on a real platform).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import json
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipy.sparse
import threadpoolctl

from safefeed import model
from safefeed.content import classifier as content_classifier
from safefeed.recommend import feed as engine_feed
from safefeed.recommend import vectors
from safefeed.store import repository


class Target(Protocol):
    """A feed under audit: register an account, serve it pages, take its events."""

    def start(self, account: model.Account) -> None:
        """Create the (fresh) account the persona scrolls with."""
        ...

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        """The next page of at most n videos at simulated time `now`; empty when the feed has nothing more."""
        ...

    def send(self, events: Sequence[model.Event]) -> None:
        """Report what the persona did with the last page, before it asks for the next."""
        ...


class AuditError(RuntimeError):
    """A target or scenario cannot be used as given; the message says what to change."""


# -- labels ---------------------------------------------------------------------

LabelFn = Callable[[Sequence[model.Video]], list[model.Label]]


def classify(videos: Sequence[model.Video]) -> list[model.Label]:
    """SafeFeed's default classifier, for videos the audit's catalog has no ground truth for."""
    return [result.label() for result in content_classifier.default().classify(list(videos))]


class Labeller:
    """The audit's label for a served video: the catalog's ground truth where known, else the classifier."""

    def __init__(self, ground_truth: Mapping[str, model.Label], *, fallback: LabelFn = classify) -> None:
        self.ground_truth = ground_truth
        self.fallback = fallback
        self._cache: dict[str, model.Label] = {}

    def labels(self, videos: Sequence[model.Video]) -> list[model.Label]:
        missing = [v for v in videos if v.id not in self.ground_truth and v.id not in self._cache]
        if missing:
            unique = list({v.id: v for v in missing}.values())
            self._cache.update(zip((v.id for v in unique), self.fallback(unique), strict=True))
        return [self.ground_truth.get(v.id) or self._cache[v.id] for v in videos]


def ground_truth(videos: Iterable[model.Video]) -> dict[str, model.Label]:
    return {
        video.id: video.label
        for video in videos
        if video.label is not None and video.label.source is not model.LabelSource.CLASSIFIER
    }


# -- SafeFeed in process ------------------------------------------------------------


def build_engine(store: repository.Store, policy: str | Path) -> tuple[engine_feed.Engine, bool]:
    """SafeFeed's engine under `policy`, and whether the policy is really applied.

    The one place that knows how: `safefeed.compose.build_engine` when it
    exists; until then the plain engine, which has no protections (it behaves
    like "engagement"), and `False` says so in the report.
    """
    try:
        compose = importlib.import_module("safefeed.compose")
    except ModuleNotFoundError as missing:
        if missing.name != "safefeed.compose":
            raise
        return engine_feed.build(store), False
    engine = compose.build_engine(store, policy=policy)
    assert isinstance(engine, engine_feed.Engine), "compose.build_engine must return a recommend.feed.Engine"
    return engine, True


class Engine:
    """SafeFeed's own engine, called in process: the fastest target, and the one the policy is judged on."""

    def __init__(self, engine: engine_feed.Engine) -> None:
        self.engine = engine
        self._cursors: dict[str, str] = {}

    def start(self, account: model.Account) -> None:
        self.engine.store.put_account(account)
        self._cursors.pop(account.id, None)

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        page = self.engine.feed(account_id, n=n, cursor=self._cursors.get(account_id), now=now)
        self._cursors[account_id] = page.next_cursor
        return [item.video for item in page.items]

    def send(self, events: Sequence[model.Event]) -> None:
        if events:
            self.engine.record(events)


# -- any service over HTTP --------------------------------------------------------


class Http:
    """Any service that speaks SafeFeed's feed API, e.g. a staging deployment or another platform's adapter.

    The contract (JSON over HTTP; the audit sends nothing else):

    - ``POST /v1/accounts`` with ``{"id", "birth_year", "region", "timezone"}``
      creates the account and answers ``{"token": "..."}``, the bearer token
      for the calls below (a service with its own sign-up puts an adapter here).
    - ``GET /v1/feed?n=20[&cursor=...][&now=ISO-8601]`` with
      ``Authorization: Bearer <token>`` answers
      ``{"items": [{"video": {"id", "creator_id", "caption", "hashtags",
      "duration_s", "created_at", "topic"?, "label"?, ...}, ...}], "next_cursor": "..."}``.
      ``now`` is the audit's simulated clock; a service may ignore it.
    - ``POST /v1/events`` with the token and a JSON list of events
      ``{"kind", "at", "video_id"?, "seconds"?, "fraction"?, "creator_id"?}``;
      any 2xx means they were taken.

    Any other status is an `AuditError` naming the call and the status.
    """

    def __init__(self, base_url: str, *, timeout_s: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._tokens: dict[str, str] = {}
        self._cursors: dict[str, str] = {}

    def _call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            raise AuditError(f"{method} {path} answered {error.code}: {error.read()[:200]!r}") from None
        except urllib.error.URLError as error:
            raise AuditError(f"{method} {self.base_url}{path} failed: {error.reason}; is the service up?") from None
        return json.loads(payload) if payload else None

    def start(self, account: model.Account) -> None:
        answer = self._call(
            "POST",
            "/v1/accounts",
            {
                "id": account.id,
                "birth_year": account.birth_year,
                "region": account.region,
                "timezone": account.timezone,
            },
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("token"), str):
            raise AuditError("POST /v1/accounts must answer a JSON object with a string 'token'")
        self._tokens[account.id] = answer["token"]
        self._cursors.pop(account.id, None)

    def _token(self, account_id: str) -> str:
        if account_id not in self._tokens:
            raise AuditError(f"account {account_id!r} was not started on this target: call start() first")
        return self._tokens[account_id]

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        query = {"n": str(n), "now": now.isoformat()}
        if account_id in self._cursors:
            query["cursor"] = self._cursors[account_id]
        answer = self._call("GET", "/v1/feed?" + urllib.parse.urlencode(query), token=self._token(account_id))
        try:
            self._cursors[account_id] = str(answer["next_cursor"])
            return [video_from_json(item["video"]) for item in answer["items"]]
        except (KeyError, TypeError, ValueError) as bad:
            raise AuditError(f"GET /v1/feed answered something that is not a feed page: {bad!r}") from None

    def send(self, events: Sequence[model.Event]) -> None:
        by_account: dict[str, list[dict[str, Any]]] = {}
        for event in events:
            by_account.setdefault(event.account_id, []).append(event_to_json(event))
        for account_id, batch in by_account.items():
            self._call("POST", "/v1/events", batch, token=self._token(account_id))


def event_to_json(event: model.Event) -> dict[str, Any]:
    out: dict[str, Any] = {
        "account_id": event.account_id,
        "kind": event.kind.value,
        "at": event.at.isoformat(),
    }
    for name in ("video_id", "seconds", "fraction", "creator_id"):
        value = getattr(event, name)
        if value is not None:
            out[name] = value
    return out


def event_from_json(data: Mapping[str, Any], account_id: str) -> model.Event:
    return model.Event(
        account_id,
        model.EventKind(data["kind"]),
        dt.datetime.fromisoformat(data["at"]),
        video_id=data.get("video_id"),
        seconds=data.get("seconds"),
        fraction=data.get("fraction"),
        creator_id=data.get("creator_id"),
    )


def video_to_json(video: model.Video) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": video.id,
        "creator_id": video.creator_id,
        "caption": video.caption,
        "hashtags": list(video.hashtags),
        "duration_s": video.duration_s,
        "created_at": video.created_at.isoformat(),
        "topic": video.topic,
    }
    if video.label is not None:
        out["label"] = {
            "mh_related": video.label.mh_related,
            "theme": None if video.label.theme is None else video.label.theme.value,
            "harm": video.label.harm.value,
        }
    return out


def video_from_json(data: Mapping[str, Any]) -> model.Video:
    """A served video as the audit sees it; a label the service sends is kept, marked 'classifier'."""
    raw_label = data.get("label")
    label = None
    if isinstance(raw_label, Mapping):
        label = model.Label(
            bool(raw_label["mh_related"]),
            None if raw_label.get("theme") is None else model.Theme(raw_label["theme"]),
            model.Harm(raw_label.get("harm", "none")),
            source=model.LabelSource.CLASSIFIER,
        )
    return model.Video(
        id=str(data["id"]),
        creator_id=str(data["creator_id"]),
        caption=str(data.get("caption", "")),
        hashtags=tuple(str(tag) for tag in data.get("hashtags", ())),
        duration_s=float(data.get("duration_s", 0.0)),
        created_at=dt.datetime.fromisoformat(str(data["created_at"])),
        topic=data.get("topic"),
        label=label,
    )


# -- peers and baselines ------------------------------------------------------------


def _servable(videos: Sequence[model.Video]) -> list[model.Video]:
    """What any platform may show: everything not removed (the peers know nothing else about moderation)."""
    return [video for video in videos if video.enforcement is not model.Enforcement.NOT_ALLOWED]


def _seed(*parts: object) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class Null:
    """A random feed from the same catalog: what the share would be if the feed knew nothing about you."""

    def __init__(self, videos: Sequence[model.Video], *, seed: int = 0) -> None:
        self.videos = _servable(videos)
        self.seed = seed
        self._rngs: dict[str, np.random.Generator] = {}
        self._seen: dict[str, set[int]] = {}

    def start(self, account: model.Account) -> None:
        self._rngs[account.id] = np.random.default_rng(_seed(self.seed, account.id))
        self._seen[account.id] = set()

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        rng, seen = self._rngs[account_id], self._seen[account_id]
        if len(seen) >= len(self.videos):
            seen.clear()  # the catalog is exhausted: start over rather than end the feed
        page: list[model.Video] = []
        while len(page) < n and len(seen) < len(self.videos):
            position = int(rng.integers(len(self.videos)))
            if position not in seen:
                seen.add(position)
                page.append(self.videos[position])
        return page

    def send(self, events: Sequence[model.Event]) -> None:
        return None  # a random feed learns nothing


@dataclasses.dataclass(frozen=True, slots=True)
class AlsSettings:
    factors: int = 32
    iterations: int = 4
    regularization: float = 0.05
    retrain_every: int = 30  # pages: a full refit on everything seen so far; in between, fold in
    population: int = 300  # synthetic background users the peer learned from before the audit
    population_items: int = 40  # interactions per background user
    population_mh_share: float = 0.05  # background users who engage with mental-health videos
    seed: int = 0


class ImplicitAls:
    """A peer nobody here wrote: `implicit`'s ALS on a background population, retrained as events arrive.

    Before the audit the peer has a history to learn from: a synthetic
    population whose users each like a few topics (a few, `population_mh_share`,
    mental-health videos), drawn by popularity. Each page is `recommend` with
    the persona's interactions folded in; every `retrain_every` pages the model
    is refit on the population plus all audit accounts. Interactions use the
    engine's implicit-feedback confidences (`vectors.confidence`).
    """

    def __init__(self, videos: Sequence[model.Video], *, settings: AlsSettings = AlsSettings()) -> None:
        self.videos = _servable(videos)
        self.settings = settings
        self.position = {video.id: index for index, video in enumerate(self.videos)}
        rng = np.random.default_rng(settings.seed)
        self._background = self._population(rng)
        self._rows: dict[str, dict[int, float]] = {}
        self._seen: dict[str, list[int]] = {}
        self._pages: dict[str, int] = {}
        self._model: Any = None

    def _population(self, rng: np.random.Generator) -> scipy.sparse.csr_matrix:
        s = self.settings
        by_topic: dict[str, list[int]] = {}
        for index, video in enumerate(self.videos):
            by_topic.setdefault(video.topic or "", []).append(index)
        views = np.asarray([np.log1p(video.counters.views) + 1.0 for video in self.videos])
        everyday = sorted(topic for topic in by_topic if topic != "mental_health")
        rows: list[int] = []
        columns: list[int] = []
        for user in range(s.population):
            topics = list(rng.choice(everyday, size=min(3, len(everyday)), replace=False)) if everyday else []
            if "mental_health" in by_topic and rng.random() < s.population_mh_share:
                topics.append("mental_health")
            pool = np.asarray([i for topic in topics for i in by_topic[topic]], dtype=np.int64)
            if not len(pool):
                continue
            weights = views[pool] / views[pool].sum()
            chosen = rng.choice(pool, size=min(s.population_items, len(pool)), replace=False, p=weights)
            rows.extend([user] * len(chosen))
            columns.extend(chosen.tolist())
        values = np.ones(len(rows), dtype=np.float32) * 2.0
        return scipy.sparse.csr_matrix((values, (rows, columns)), shape=(s.population, len(self.videos)))

    def _user_items(self, account_id: str) -> scipy.sparse.csr_matrix:
        row = self._rows[account_id]
        columns = np.fromiter(row.keys(), dtype=np.int64, count=len(row))
        values = np.fromiter(row.values(), dtype=np.float32, count=len(row))
        return scipy.sparse.csr_matrix((values, (np.zeros(len(row), np.int64), columns)), shape=(1, len(self.videos)))

    def _fit(self) -> None:
        from implicit.cpu.als import AlternatingLeastSquares

        s = self.settings
        audit = [self._user_items(account_id) for account_id in sorted(self._rows)]
        matrix = scipy.sparse.vstack([self._background, *audit]).tocsr().astype(np.float32)
        with threadpoolctl.threadpool_limits(1, "blas"), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="OpenBLAS is configured", category=RuntimeWarning)
            als = AlternatingLeastSquares(
                factors=s.factors,
                regularization=s.regularization,
                iterations=s.iterations,
                random_state=s.seed,
            )
            als.fit(matrix, show_progress=False)
        self._model = als

    def start(self, account: model.Account) -> None:
        self._rows[account.id] = {}
        self._seen[account.id] = []
        self._pages[account.id] = 0
        if self._model is None:
            self._fit()

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        pages = self._pages[account_id]
        if pages and pages % self.settings.retrain_every == 0:
            self._fit()
        self._pages[account_id] = pages + 1
        seen = self._seen[account_id]
        with threadpoolctl.threadpool_limits(1, "blas"):
            ids, _ = self._model.recommend(
                0,
                self._user_items(account_id),
                N=n,
                filter_already_liked_items=False,
                filter_items=np.asarray(seen, dtype=np.int32) if seen else None,
                recalculate_user=True,
            )
        chosen = [int(i) for i in np.asarray(ids).tolist() if int(i) >= 0][:n]
        seen.extend(chosen)
        return [self.videos[i] for i in chosen]

    def send(self, events: Sequence[model.Event]) -> None:
        for event in events:
            position = None if event.video_id is None else self.position.get(event.video_id)
            weight = vectors.confidence(event)
            if position is None or weight <= 0 or event.account_id not in self._rows:
                continue
            row = self._rows[event.account_id]
            row[position] = row.get(position, 0.0) + weight


class Replay:
    """Feeds recorded on a real platform, served back in order: the persona's events cannot change them.

    `sessions` maps an account id to the videos it was served, in order.
    """

    def __init__(self, sessions: Mapping[str, Sequence[model.Video]]) -> None:
        self.sessions = sessions
        self._next: dict[str, int] = {}
        self.events_received = 0

    def start(self, account: model.Account) -> None:
        if account.id not in self.sessions:
            raise AuditError(f"no recorded feed for account {account.id!r}; recorded: {sorted(self.sessions)[:5]}...")
        self._next[account.id] = 0

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        start = self._next[account_id]
        page = list(self.sessions[account_id][start : start + n])
        self._next[account_id] = start + len(page)
        return page

    def send(self, events: Sequence[model.Event]) -> None:
        self.events_received += len(events)


# -- building targets from a scenario ------------------------------------------------

KINDS = ("engine", "http", "als", "null")


@dataclasses.dataclass(frozen=True, slots=True)
class Spec:
    """A target as a scenario names it: `kind` picks the implementation, the rest configures it."""

    name: str
    kind: str
    policy: str = "engagement"  # engine
    url: str = ""  # http
    als: AlsSettings = AlsSettings()
    seed: int = 0  # null

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise AuditError(f"target {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "http" and not self.url:
            raise AuditError(f"target {self.name!r}: an http target needs 'url'")


@dataclasses.dataclass(frozen=True, slots=True)
class Built:
    target: Target
    note: str  # what the report should say about how faithful the target is


def build(spec: Spec, store: repository.Store, videos: Sequence[model.Video]) -> Built:
    """The target a spec names, over the audit's world (the store holds its catalog and vectors)."""
    if spec.kind == "engine":
        engine, applied = build_engine(store, spec.policy)
        note = (
            ""
            if applied
            else (
                f"policy {spec.policy!r} NOT applied: safefeed.compose.build_engine is missing, "
                "so this is the plain engine without protections"
            )
        )
        return Built(Engine(engine), note)
    if spec.kind == "http":
        return Built(Http(spec.url), "")
    if spec.kind == "als":
        return Built(ImplicitAls(videos, settings=spec.als), "")
    return Built(Null(videos, seed=spec.seed), "")
