"""Replay: the audit's metrics on feeds a real platform served to research sock puppets.

The KInIT logs (../shared/data/tiktok-fyp-audit-kinit) hold, per scenario, an
experiment arm whose bots acted on target hashtags (watch longer, like,
follow) and a control arm that did nothing. The question is Amnesty's: does
the experiment arm's feed drift toward what it signalled, compared with
control? The unit is the session (scenario, arm, run, account); shares are
pooled with a session bootstrap, and the arms are compared by a permutation
test of per-session shares.

There is no answer key for a real platform's feed: the mental-health share
is what SafeFeed's classifier reads, so each one also comes corrected for the
classifier's measured sensitivity and specificity on the real labelled
captions (Rogan-Gladen, `audit.estimates`), with an interval that carries
their uncertainty; a share of zero comes with its exact 95% upper bound.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from safefeed import model
from safefeed.audit import estimates, metrics, scoring, targets
from safefeed.content import lexicon
from safefeed.datasets import kinit

REPLAY_FILE = "replay.json"
BAND = 50  # items per position band (a KInIT run serves about 250)

Labels = Callable[[Sequence[model.Video]], list[model.Label]]
SessionKey = tuple[str, str, int, int]  # scenario, group, run, account_index


def lexicon_labels(videos: Sequence[model.Video]) -> list[model.Label]:
    """A fast keyword labeller: mental-health related when the lexicon finds a strong theme term."""
    out = []
    for video in videos:
        themes = [m for m in lexicon.match(video.text) if m.kind == "theme" and m.strength == "strong"]
        if themes:
            try:
                theme = model.Theme(themes[0].name)
            except ValueError:
                theme = model.Theme.OTHER_MH
            out.append(model.Label(True, theme, model.Harm.NEUTRAL, source=model.LabelSource.CLASSIFIER))
        else:
            out.append(model.Label(False, source=model.LabelSource.CLASSIFIER))
    return out


LABELLERS: Mapping[str, Labels] = {"classifier": scoring.classify, "lexicon": lexicon_labels}


def sessions(rows: Sequence[kinit.FeedRow]) -> dict[SessionKey, list[kinit.FeedRow]]:
    """Served rows per session, in serving order (capture time, then position in the batch)."""
    out: dict[SessionKey, list[kinit.FeedRow]] = {}
    for row in rows:
        out.setdefault((row.scenario, row.group, row.run, row.account_index), []).append(row)
    for served in out.values():
        served.sort(key=lambda r: (r.response_time, r.position_in_batch))
    return out


def replay_target(folder: Path) -> targets.Replay:
    """The recorded feeds as a `Target`; account ids are `kinit-<scenario>-<group>-r<run>-a<account>`."""
    catalog = {video.id: video for video in kinit.read_catalog(folder).videos}
    return targets.Replay(
        {
            session_id(key): [catalog[row.video_id] for row in served]
            for key, served in sessions(kinit.feed_rows(folder)).items()
        }
    )


def session_id(key: SessionKey) -> str:
    scenario, group, run, account = key
    return f"kinit-{scenario}-{group}-r{run}-a{account}"


def target_hashtags(configs: Sequence[kinit.ScenarioConfig], scenario: str) -> tuple[str, ...]:
    """The hashtags the experiment arm acted on: watch longer, like or follow."""
    tags: set[str] = set()
    for config in configs:
        if config.scenario == scenario and config.group == "experiment":
            for profile in config.profiles:
                for tag in (
                    *profile.hashtags_watch_longer,
                    *profile.hashtags_to_like,
                    *profile.hashtags_to_follow,
                ):
                    tags.add(tag.lstrip("#").lower())
    return tuple(sorted(tags))


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _estimate(
    groups: Sequence[Sequence[bool]], seed: int, error: estimates.ClassifierError | None = None
) -> dict[str, Any]:
    """The pooled share with its session bootstrap; with `error`, also corrected for the labeller's error."""
    hits = np.asarray([sum(flags) for flags in groups], np.float64)
    served = np.asarray([len(flags) for flags in groups], np.float64)
    estimate = metrics.pooled_share(hits, served, seed=seed)
    out: dict[str, Any] = {
        "share": _r(estimate.value),
        "low": _r(estimate.low),
        "high": _r(estimate.high),
        "sessions": estimate.sessions,
        "served": int(served.sum()),
        "hits": int(hits.sum()),
    }
    if hits.sum() == 0 and served.sum() > 0:
        out["upper95"] = _r(estimates.upper_bound(0, int(served.sum())))
    if error is not None:
        corrected = estimates.corrected_share(hits, served, error, seed=seed)
        out["corrected"] = {"share": _r(corrected.value), "low": _r(corrected.low), "high": _r(corrected.high)}
    return out


def _compare(
    flags: Mapping[str, list[list[bool]]], seed: int, error: estimates.ClassifierError | None = None
) -> dict[str, Any]:
    """Both arms' pooled shares, by position band, and the test between them."""
    experiment, control = flags.get("experiment", []), flags.get("control", [])
    longest = max((len(f) for f in (*experiment, *control)), default=0)
    bands = []
    for start in range(0, longest, BAND):
        bands.append(
            {
                "from": start,
                "to": start + BAND,
                "experiment": _estimate(
                    [f[start : start + BAND] for f in experiment if f[start : start + BAND]], seed + start
                ),
                "control": _estimate(
                    [f[start : start + BAND] for f in control if f[start : start + BAND]], seed + start + 1
                ),
            }
        )
    shares = {
        arm: [sum(f) / len(f) for f in groups if f]
        for arm, groups in (("experiment", experiment), ("control", control))
    }
    p = metrics.permutation_test(shares["experiment"], shares["control"], seed=seed)
    return {
        "experiment": _estimate(experiment, seed, error),
        "control": _estimate(control, seed + 1, error),
        "by_position": bands,
        "p_value": None if p is None else round(p, 4),
        "test": "permutation test of per-session shares, experiment vs control (two-sided)",
    }


def analyse(folder: Path, *, label: Labels = scoring.classify, seed: int = 0) -> dict[str, Any]:
    """Per scenario: the target-hashtag share and the mental-health share, experiment vs control.

    With SafeFeed's classifier as `label`, mental-health shares also come corrected for its measured
    error; another labeller has no measured error, so its shares stay apparent.
    """
    error = scoring.classifier_error() if label is scoring.classify else None
    folder = Path(folder)
    rows = kinit.feed_rows(folder)
    configs = kinit.scenario_parameters(folder)
    videos = list(kinit.read_catalog(folder).videos)
    mh = {video.id: result.mh_related for video, result in zip(videos, label(videos), strict=True)}
    served = sessions(rows)
    scenarios: dict[str, Any] = {}
    for name in sorted({key[0] for key in served}, key=lambda s: [int(p) for p in s.split("-")]):
        tags = frozenset(target_hashtags(configs, name))
        hashtag_flags: dict[str, list[list[bool]]] = {}
        mh_flags: dict[str, list[list[bool]]] = {}
        for key, session in served.items():
            if key[0] != name:
                continue
            hashtag_flags.setdefault(key[1], []).append(
                [not tags.isdisjoint(t.lower() for t in r.hashtags) for r in session]
            )
            mh_flags.setdefault(key[1], []).append([mh.get(r.video_id, False) for r in session])
        scenarios[name] = {
            "target_hashtags": sorted(tags),
            "target_hashtag_share": _compare(hashtag_flags, seed) if tags else None,
            "mental_health_share": _compare(mh_flags, seed, error),
        }
    all_mh = [flag for key, session in served.items() for flag in ([mh.get(r.video_id, False) for r in session],)]
    return {
        "source": str(folder),
        "rows": len(rows),
        "sessions": len(served),
        "labels": getattr(label, "__name__", "labels"),
        "mental_health_share_overall": _estimate(all_mh, seed, error),
        "correction": None
        if error is None
        else {
            "method": "Rogan-Gladen; 95% interval from a session bootstrap with Beta draws of sensitivity and "
            "specificity",
            "sensitivity": round(error.sensitivity, 4),
            "specificity": round(error.specificity, 4),
            "source": error.source,
        },
        "scenarios": scenarios,
    }


def write(result: Mapping[str, Any], out: Path) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPLAY_FILE
    path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return path
