from __future__ import annotations

import csv
from pathlib import Path

import pytest

from safefeed import model
from safefeed.content import classifier, review
from safefeed.store import repository
from tests.content.test_classifier import make_video


def verdict(probability: float, harm: model.Harm = model.Harm.NEUTRAL) -> classifier.Classification:
    related = probability >= 0.5
    return classifier.Classification(
        mh_probability=probability,
        mh_related=related,
        theme=model.Theme.SADNESS_DEPRESSION if related else None,
        harm=harm if related else model.Harm.NONE,
        matched_terms=("sad",),
        nearest_examples=(classifier.Neighbour("a sad day", model.Theme.SADNESS_DEPRESSION, model.Harm.NEUTRAL, 0.71),),
        threshold=0.5,
    )


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_only_uncertain_or_violative_items_need_review() -> None:
    assert review.needs_review(verdict(0.55), band=0.1)
    assert review.needs_review(verdict(0.45), band=0.1)
    assert not review.needs_review(verdict(0.95), band=0.1)
    assert not review.needs_review(verdict(0.05), band=0.1)
    assert review.needs_review(verdict(0.99, model.Harm.VIOLATIVE), band=0.1)


def test_export_writes_the_uncertain_items_least_certain_first(tmp_path: Path) -> None:
    videos = [make_video(f"v{i}", f"caption {i}", ("sad",)) for i in range(4)]
    results = [verdict(0.95), verdict(0.58), verdict(0.49), verdict(0.02)]
    count = review.export(videos, results, tmp_path / "review.csv", band=0.15)
    written = rows(tmp_path / "review.csv")
    assert count == 2
    assert [row["video_id"] for row in written] == ["v2", "v1"]  # margins 0.01, 0.08
    assert written[0]["text"] == "caption 2 #sad"
    assert written[1]["predicted_theme"] == "sadness_depression"
    assert "a sad day" in written[1]["nearest_examples"]
    assert tuple(written[0]) == review.COLUMNS
    assert written[0]["mh_related"] == ""


def write_review(path: Path, *answers: tuple[str, str, str, str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("video_id", "text", "mh_related", "theme", "harm"))
        for video_id, mh, theme, harm in answers:
            writer.writerow((video_id, "whatever", mh, theme, harm))


def test_read_turns_filled_rows_into_reviewed_labels(tmp_path: Path) -> None:
    path = tmp_path / "review.csv"
    write_review(
        path,
        ("a", "1", "self_harm", "violative"),
        ("b", "0", "", ""),
        ("c", "", "", ""),
        ("d", "yes", "", ""),
    )
    labels = review.read(path)
    assert labels == {
        "a": model.Label(True, model.Theme.SELF_HARM, model.Harm.VIOLATIVE, source=model.LabelSource.REVIEW),
        "b": model.Label(False, source=model.LabelSource.REVIEW),
        "d": model.Label(True, model.Theme.OTHER_MH, model.Harm.NEUTRAL, source=model.LabelSource.REVIEW),
    }


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (("a", "maybe", "", ""), "line 2: mh_related must be 1 or 0"),
        (("a", "1", "sadness", ""), "line 2: 'sadness' is not a valid Theme"),
        (("a", "1", "suicide", "bad"), "line 2: 'bad' is not a valid Harm"),
    ],
)
def test_read_names_the_bad_row(tmp_path: Path, answer: tuple[str, str, str, str], message: str) -> None:
    write_review(tmp_path / "review.csv", answer)
    with pytest.raises(review.ReviewError, match=message):
        review.read(tmp_path / "review.csv")


def test_read_refuses_a_file_without_the_answer_column(tmp_path: Path) -> None:
    (tmp_path / "review.csv").write_text("video_id,text\na,b\n", encoding="utf-8")
    with pytest.raises(review.ReviewError, match="mh_related"):
        review.read(tmp_path / "review.csv")


def test_a_reviewed_label_wins_over_later_classifier_labels(sqlite_store: repository.Store, tmp_path: Path) -> None:
    sqlite_store.import_catalog([model.Creator("c1")], [make_video("a", "sad day"), make_video("b", "fun day")])
    write_review(tmp_path / "review.csv", ("a", "0", "", ""))
    assert review.import_reviewed(sqlite_store, tmp_path / "review.csv") == 1

    machine = verdict(0.9).label()
    assert sqlite_store.set_labels({"a": machine, "b": machine}) == 1  # only "b" changes
    assert sqlite_store.video("a").label == model.Label(False, source=model.LabelSource.REVIEW)
    assert sqlite_store.video("b").label == machine
