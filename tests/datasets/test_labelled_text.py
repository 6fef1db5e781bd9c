from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from safefeed import model
from safefeed.datasets import labelled_text


def test_caption_text_adds_missing_hashtags_once() -> None:
    assert (
        labelled_text.caption_text("so tired #Sleep", ["sleep", "mood", "Mood", "#vent"])
        == "so tired #Sleep #mood #vent"
    )
    assert labelled_text.caption_text("", []) == ""


def test_split_hashtags_accepts_the_usual_separators() -> None:
    assert labelled_text.split_hashtags("#sad|fyp, mood  #") == ("sad", "fyp", "mood")


def test_a_missing_set_says_how_to_point_at_it(tmp_path: Path) -> None:
    with pytest.raises(labelled_text.MissingDataError, match="SAFEFEED_DATA"):
        labelled_text.tiktok_captions(tmp_path)
    assert not labelled_text.available(labelled_text.TIKTOK_LABELS, tmp_path)


@pytest.mark.data
def test_tiktok_labels(data_dir: Path) -> None:
    examples = labelled_text.tiktok_captions(data_dir)
    assert len(examples) == 570
    assert Counter(e.group for e in examples) == {"random": 345, "keyword": 225}
    assert all(e.theme is None for e in examples if not e.mh_related)
    assert all(e.harm is model.Harm.NONE for e in examples if not e.mh_related)


@pytest.mark.data
def test_reddit_sets_map_onto_themes(data_dir: Path) -> None:
    sdcnl = labelled_text.sdcnl(data_dir)
    assert len(sdcnl) == 1895
    assert Counter(e.theme for e in sdcnl) == {model.Theme.SUICIDE: 980, model.Theme.SADNESS_DEPRESSION: 915}
    dreaddit = labelled_text.dreaddit(data_dir)
    assert len(dreaddit) == 3553
    assert sum(e.mh_related for e in dreaddit) == 1857
    assert {e.theme for e in dreaddit if e.group == "ptsd" and e.mh_related} == {model.Theme.TRAUMA_GRIEF}
    cssrs = labelled_text.cssrs(data_dir)
    assert len(cssrs) == 500
    assert sum(e.harm is model.Harm.SUPPORTIVE for e in cssrs) == 108
    assert max(len(e.text) for e in cssrs + sdcnl + dreaddit) <= labelled_text.MAX_CHARS
