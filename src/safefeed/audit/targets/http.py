"""Any feed service over HTTP that speaks SafeFeed's feed API, and the JSON the audit exchanges with it."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from safefeed import model
from safefeed.audit.targets.base import AuditError


class HttpError(AuditError):
    """A call the service answered with an error status (`status`)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class Unsupported(AuditError):
    """The service lacks a control's route (it answered 404, 405 or 501): the tests that need it are not testable."""


LACKING = frozenset({404, 405, 501})  # what a service answers for a route it does not have


class Http:
    """Any service that speaks SafeFeed's feed API, e.g. a staging deployment or another platform's adapter.

    The contract (JSON over HTTP; the audit sends nothing else):

    - ``POST /v1/accounts`` with ``{"id", "birth_year", "region", "timezone"}``
      creates the account and answers ``{"token": "..."}``, the bearer token
      for the calls below (a service with its own sign-up puts an adapter here).
    - ``PATCH /v1/me/settings`` with ``{"personalised": true|false}``, only for a
      persona that makes that choice (opting in to personalisation).
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
            raise HttpError(f"{method} {path} answered {error.code}: {error.read()[:200]!r}", error.code) from None
        except urllib.error.URLError as error:
            raise AuditError(f"{method} {self.base_url}{path} failed: {error.reason}; is the service up?") from None
        return json.loads(payload) if payload else None

    def _joined(self, account: model.Account) -> str:
        """The query sign-up carries: none here; a target that passes the audit's clock adds `?now=`."""
        return ""

    def start(self, account: model.Account) -> None:
        joined = self._joined(account)
        answer = self._call(
            "POST",
            "/v1/accounts" + joined,
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
        if account.settings.personalised is not None:  # the persona's own choice, as a user makes it in the app
            self._call(
                "PATCH",
                "/v1/me/settings" + joined,
                {"personalised": account.settings.personalised},
                token=answer["token"],
            )

    def _token(self, account_id: str) -> str:
        if account_id not in self._tokens:
            raise AuditError(f"account {account_id!r} was not started on this target: call start() first")
        return self._tokens[account_id]

    def feed(self, account_id: str, n: int, now: dt.datetime) -> Sequence[model.Video]:
        return self._page(account_id, n, now)[0]

    def _page(self, account_id: str, n: int, now: dt.datetime) -> tuple[list[model.Video], dict[str, Any]]:
        """The account's next page of GET /v1/feed (its cursor kept for the next), and the whole answer."""
        query = {"n": str(n), "now": now.isoformat()}
        if account_id in self._cursors:
            query["cursor"] = self._cursors[account_id]
        answer = self._call("GET", "/v1/feed?" + urllib.parse.urlencode(query), token=self._token(account_id))
        try:
            remember_cursor(self._cursors, account_id, answer["next_cursor"])
            return [video_from_json(item["video"]) for item in answer["items"]], answer
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


def remember_cursor(cursors: dict[str, str], key: str, cursor: object) -> None:
    """Keep a page's `next_cursor` for the next request; a null one (a prompt stood in for the page) means
    the next request starts afresh, so no cursor is kept (sending the text "None" back would be refused)."""
    if cursor is None:
        cursors.pop(key, None)
    elif isinstance(cursor, str):
        cursors[key] = cursor
    else:
        raise AuditError(f"next_cursor must be a string or null, not {cursor!r}")
