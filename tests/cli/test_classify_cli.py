from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safefeed import model
from safefeed.cli import classify, common
from safefeed.content import classifier, training
from safefeed.datasets import labelled_text
from safefeed.store import repository
from tests.content.test_classifier import fake_embed, make_video, make_weights
from tests.content.test_training import tiny_corpus

runner = CliRunner()


@pytest.fixture(autouse=True)
def fast_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped lexicon with hand-made weights and a fake embedder: no model to load."""
    monkeypatch.setattr(classifier, "default", lambda: classifier.Default(make_weights(), embed=fake_embed))


def write_csv(path: Path, header: tuple[str, ...], *rows: tuple[str, ...]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_classify_a_csv(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "captions.csv",
        ("video_id", "desc", "hashtags"),
        ("1", "i want to unalive", "sewerslide|fyp"),
        ("2", "best quesadilla", "food"),
    )
    result = runner.invoke(classify.app, ["--input", str(source), "--output", str(tmp_path / "labels.csv")])
    assert result.exit_code == 0, result.output
    assert "labelled 2 captions (1 mental-health related)" in result.output
    labels = read_csv(tmp_path / "labels.csv")
    assert tuple(labels[0]) == classify.OUTPUT_COLUMNS
    assert [(row["video_id"], row["mh_related"], row["theme"], row["harm"]) for row in labels] == [
        ("1", "1", "suicide", "potentially_harmful"),
        ("2", "0", "none", "none"),
    ]
    assert 0.5 <= float(labels[0]["mh_probability"]) <= 1


def test_explain_adds_the_reasons(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "c.csv", ("video_id", "desc", "hashtags"), ("1", "so sad #depression", ""))
    result = runner.invoke(classify.app, ["-i", str(source), "-o", str(tmp_path / "l.csv"), "--explain"])
    assert result.exit_code == 0, result.output
    [row] = read_csv(tmp_path / "l.csv")
    assert row["matched_terms"] == "sad depression"
    assert row["nearest_examples"]


def test_a_csv_without_the_caption_column_is_refused(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "c.csv", ("video_id", "text"), ("1", "hello"))
    result = runner.invoke(classify.app, ["--input", str(source), "--output", str(tmp_path / "l.csv")])
    assert isinstance(result.exception, common.UsageError)
    assert "desc" in str(result.exception)
    assert not (tmp_path / "l.csv").exists()


def test_without_input_or_command_it_says_what_to_give(tmp_path: Path) -> None:
    result = runner.invoke(classify.app, [])
    assert isinstance(result.exception, common.UsageError)
    assert "--input" in str(result.exception)


def test_eval_without_data_says_where_it_looked(tmp_path: Path) -> None:
    result = runner.invoke(classify.app, ["eval", "--data", str(tmp_path)])
    assert isinstance(result.exception, common.UsageError)
    assert str(tmp_path) in str(result.exception)


def test_review_export_then_import(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'safefeed.db'}"
    store = repository.Store.open(url)
    # One strong term: p = 0.684, margin 0.18; none: p = 0.119, margin 0.38; two: p = 0.918.
    store.import_catalog(
        [model.Creator("c1")],
        [make_video("a", "unalive"), make_video("b", "cat video"), make_video("c", "unalive #proana")],
    )
    exported = tmp_path / "review.csv"
    result = runner.invoke(
        classify.app, ["review", "export", "--database-url", url, "--output", str(exported), "--band", "0.2"]
    )
    assert result.exit_code == 0, result.output
    rows = read_csv(exported)
    assert [row["video_id"] for row in rows] == ["a"]

    rows[0].update(mh_related="1", theme="suicide", harm="potentially_harmful")
    with exported.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(classify.app, ["review", "import", str(exported), "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "stored 1 reviewed labels" in result.output
    assert store.video("a").label == model.Label(
        True, model.Theme.SUICIDE, model.Harm.POTENTIALLY_HARMFUL, source=model.LabelSource.REVIEW
    )

    # A reviewed video is not sent for review again.
    result = runner.invoke(
        classify.app, ["review", "export", "--database-url", url, "-o", str(exported), "--band", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "a" not in {row["video_id"] for row in read_csv(exported)}
    store.close()


def test_review_import_of_a_bad_file_names_the_line(tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "r.csv", ("video_id", "mh_related", "theme", "harm"), ("a", "1", "sadness", ""))
    result = runner.invoke(
        classify.app, ["review", "import", str(bad), "--database-url", f"sqlite:///{tmp_path / 'x.db'}"]
    )
    assert isinstance(result.exception, common.UsageError)
    assert "line 2" in str(result.exception)


def test_eval_summary_names_calibration_operating_points_and_risk_order() -> None:
    corpus = tiny_corpus()
    options = training.Options(folds=3)
    result = training.evaluate(corpus, training.fit(corpus, options=options), options=options)
    tiktok = classify._summary("tiktok", result[labelled_text.TIKTOK_LABELS])
    assert "expected calibration error" in tiktok
    assert "adults: threshold" in tiktok and "minors: threshold" in tiktok
    cssrs = classify._summary("cssrs", result[labelled_text.CSSRS])
    assert "risk order vs C-SSRS level: Spearman risk None" in cssrs  # one level only: undefined
