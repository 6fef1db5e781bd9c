"""The likes ratio: interested over the larger of control and base rate, corrected when the classifier scored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from safefeed import model
from safefeed.audit import likes, persona, real_world, runner, scoring


def _log(arm: str, flags: list[bool], scored_by: str = scoring.ANSWER_KEY, repetition: int = 0) -> runner.Log:
    columns: dict[str, list[Any]] = {name: [] for name in runner.COLUMNS}
    columns["mh"] = flags
    columns["video_id"] = [f"v{i}" for i in range(len(flags))]
    columns["t_s"] = [float(i) for i in range(len(flags))]
    return runner.Log(
        "t", f"us-{arm}", arm, "likes", "US", 13, repetition, columns, len(flags), 1.0, scored_by=scored_by
    )


def test_the_base_rate_keeps_a_control_of_zero_from_making_any_share_infinite() -> None:
    logs = [_log(persona.INTERESTED, [True] * 3 + [False] * 97), _log(persona.CONTROL, [False] * 100)]
    result = likes.ratio(logs, base=0.02)
    assert result["ratio"] == pytest.approx(0.03 / 0.02)
    assert result["within_bound"] and result["control"]["high"] > 0  # a zero is never bare
    result = likes.ratio([_log(persona.INTERESTED, [True] * 10 + [False] * 90), logs[1]], base=0.02)
    assert result["ratio"] == pytest.approx(5.0) and not result["within_bound"]
    assert result["ratio_upper95"] >= result["ratio"]


def test_classifier_scored_shares_are_corrected() -> None:
    logs = [
        _log(persona.INTERESTED, [True] * 5 + [False] * 95, scoring.CLASSIFIER),
        _log(persona.CONTROL, [True] * 2 + [False] * 98, scoring.CLASSIFIER),
    ]
    result = likes.ratio(logs, base=0.01)
    assert result["corrected"]
    assert result["interested"]["apparent"] == pytest.approx(0.05)
    assert result["interested"]["share"] != pytest.approx(0.05)  # Rogan-Gladen moved it
    assert result["interested"]["low"] <= result["interested"]["share"] <= result["interested"]["high"]


def test_hand_labelled_counts_only_covered_items() -> None:
    logs = [_log(persona.INTERESTED, [True, False, True, False]), _log(persona.CONTROL, [False, False])]
    counted = likes.hand_labelled(logs, frozenset({"v0", "v1"}))
    assert counted[persona.INTERESTED]["served"] == 2 and counted[persona.INTERESTED]["mh"] == 1
    assert counted[persona.CONTROL]["mh"] == 0 and counted[persona.CONTROL]["ci95"][1] > 0


def test_base_rate_from_the_engine_labels_is_corrected_when_no_key_covers_the_catalog() -> None:
    flagged = model.Label(True, model.Theme.OTHER_MH, source=model.LabelSource.CLASSIFIER)
    labels = [flagged] * 5 + [model.NOT_MH] * 95
    error = scoring.classifier_error()
    expected = max(0.0, (0.05 + error.specificity - 1) / (error.sensitivity + error.specificity - 1))
    assert likes.base_rate({}, labels) == pytest.approx(expected)
    assert likes.base_rate({"a": flagged, "b": model.NOT_MH}, [None, None]) == 0.5


def test_hand_labels_read_and_refuse_bad_rows(tmp_path: Path) -> None:
    good = tmp_path / "labels.csv"
    good.write_text(
        "video_id,mh_related,theme,harm\n1,1,loneliness,neutral\n2,0,none,none\n3,1,none,\n", encoding="utf-8"
    )
    key = real_world.hand_labels(good)
    assert key["1"] == model.Label(True, model.Theme.LONELINESS, model.Harm.NEUTRAL)
    assert key["2"] == model.NOT_MH and key["3"].theme is model.Theme.OTHER_MH
    bad = tmp_path / "bad.csv"
    bad.write_text("video_id,mh_related,theme,harm\n1,1,tarot,neutral\n", encoding="utf-8")
    with pytest.raises(model.InvalidValue, match="line 2"):
        real_world.hand_labels(bad)


def test_real_captions_arrive_unlabelled() -> None:
    folder, labels = real_world.default_paths("", "")
    if not folder.is_dir() or not labels.is_file():
        pytest.skip(f"needs the shared KInIT data at {folder} and {labels}")
    catalog = real_world.catalog(folder, 300, seed=1)
    assert len(catalog.videos) == 300 and all(video.label is None for video in catalog.videos)
    assert {video.creator_id for video in catalog.videos} == {creator.id for creator in catalog.creators}
    assert catalog == real_world.catalog(folder, 300, seed=1)
