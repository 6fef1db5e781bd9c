from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import hypothesis
import numpy as np
import numpy.typing as npt
import pytest
import sqlalchemy as sa
from hypothesis import strategies as st

from safefeed import model
from safefeed.content import catalog_import, classifier, embedding, pipeline
from safefeed.store import answer_key, repository

T0 = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def video(video_id: str, caption: str, tags: tuple[str, ...], label: model.Label | None = None) -> model.Video:
    return model.Video(video_id, "c1", caption, tags, 30, T0, label=label)


def test_import_labels_every_video_keeps_reviewed_labels_and_embeds_once(
    sqlite_store: repository.Store,
) -> None:
    reviewed = model.Label(True, model.Theme.ANXIETY_STRESS, model.Harm.SUPPORTIVE, source=model.LabelSource.REVIEW)
    catalog = model.Catalog(
        (model.Creator("c1"),),
        (
            video("sad", "i feel so empty and alone every night, nobody would notice if i was gone", ("sadtok",)),
            video("food", "crispy garlic butter pasta in 10 minutes", ("food", "recipe")),
            video("known", "grounding tricks for panic", ("anxiety",), label=reviewed),
        ),
    )
    seen: list[tuple[int, int]] = []
    count = pipeline.import_catalog(sqlite_store, catalog, progress=lambda done, total: seen.append((done, total)))
    assert count.videos == 3 and seen[-1] == (3, 3)
    sad, food, known = (sqlite_store.video(i) for i in ("sad", "food", "known"))
    assert sad.label is not None and sad.label.mh_related and sad.label.source is model.LabelSource.CLASSIFIER
    assert food.label is not None and not food.label.mh_related
    assert known.label == reviewed
    assert sqlite_store.video_ids_without_vectors() == []


def test_a_files_own_labels_are_claims_the_classifier_labels_those_videos_too(
    sqlite_store: repository.Store, tmp_path: Path
) -> None:
    # A catalog file's mh_related/theme/harm columns are the uploader's word, not a review. Stored as the
    # engine's label they read as unclassified, the classifier skipped them, and no minor ever saw them.
    path = tmp_path / "labelled.csv"
    path.write_text(
        "id,creator_id,caption,hashtags,duration_s,mh_related,theme\n"
        'says-not-mh,c1,"i feel so empty and alone every night, nobody would notice if i was gone",sadtok,30,0,\n'
        "says-mh,c1,crispy garlic butter pasta in 10 minutes,food,30,1,other_mh\n",
        encoding="utf-8",
    )
    pipeline.import_catalog(sqlite_store, catalog_import.read_catalog(path))
    sad, food = sqlite_store.video("says-not-mh"), sqlite_store.video("says-mh")
    assert sad.label is not None and sad.label.source is model.LabelSource.CLASSIFIER and sad.label.mh_related
    assert food.label is not None and food.label.source is model.LabelSource.CLASSIFIER and not food.label.mh_related
    # The claims stay where the audit lab reads them, and only there.
    key = answer_key.read(sqlite_store)
    assert not key["says-not-mh"].mh_related and key["says-mh"].theme is model.Theme.OTHER_MH


def test_a_claim_stored_as_the_engines_label_before_is_classified_on_reimport(sqlite_store: repository.Store) -> None:
    # A store written before claims went to the answer key holds them as the video's label.
    sad = video("old", "i feel so empty and alone every night, nobody would notice if i was gone", ("sadtok",))
    sqlite_store.import_catalog([model.Creator("c1")], [dataclasses.replace(sad, label=model.Label(False))])
    pipeline.import_catalog(sqlite_store, model.Catalog((model.Creator("c1"),), (sad,)))
    label = sqlite_store.video("old").label
    assert label is not None and label.source is model.LabelSource.CLASSIFIER and label.mh_related


def test_import_without_classifying_leaves_labels_empty(sqlite_store: repository.Store) -> None:
    catalog = model.Catalog((model.Creator("c1"),), (video("x", "a day at the beach", ("travel",)),))
    pipeline.import_catalog(sqlite_store, catalog, classify=False)
    assert sqlite_store.video("x").label is None


class CountingEmbed:
    """The real embedder, with a record of the texts each call was given (dependency injection, not a mock)."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: Sequence[str]) -> embedding.Vectors:
        self.calls.append(list(texts))
        return embedding.embed(texts)

    @property
    def texts(self) -> list[str]:
        return [text for call in self.calls for text in call]


def stored_vectors(store: repository.Store) -> dict[str, npt.NDArray[np.float16]]:
    return {video_id: content for video_id, content, _ in store.item_vectors()}


def test_identical_texts_are_embedded_once_and_share_their_vector(sqlite_store: repository.Store) -> None:
    catalog = model.Catalog(
        (model.Creator("c1"),),
        (
            video("a", "morning run by the lake", ("running",)),
            video("b", "morning run by the lake", ("running",)),  # a repost: same caption, same tags
            video("c", "sourdough at 3am", ("baking",)),
        ),
    )
    embed = CountingEmbed()
    pipeline.import_catalog(sqlite_store, catalog, classify=False, embed=embed)
    assert sorted(embed.texts) == sorted({v.text for v in catalog.videos})  # two distinct texts, each once
    vectors = stored_vectors(sqlite_store)
    assert set(vectors) == {"a", "b", "c"}
    assert np.array_equal(vectors["a"], vectors["b"]) and not np.array_equal(vectors["a"], vectors["c"])


def test_reimport_embeds_only_changed_and_new_texts(sqlite_store: repository.Store) -> None:
    first = (
        video("same", "crispy garlic butter pasta", ("food",)),
        video("edited", "my cat vs the vacuum", ("cats",)),
        video("retagged", "sunset at the pier", ("travel",)),
    )
    pipeline.import_catalog(sqlite_store, model.Catalog((model.Creator("c1"),), first), classify=False)
    before = stored_vectors(sqlite_store)
    second = (
        first[0],
        video("edited", "my cat vs the vacuum, round two", ("cats",)),
        video("retagged", "sunset at the pier", ("travel", "beach")),
        video("new", "how to tie a bowline", ("sailing",)),
    )
    embed = CountingEmbed()
    pipeline.import_catalog(sqlite_store, model.Catalog((model.Creator("c1"),), second), classify=False, embed=embed)
    assert sorted(embed.texts) == sorted(v.text for v in second[1:])
    after = stored_vectors(sqlite_store)
    assert np.array_equal(after["same"], before["same"])
    for changed in ("edited", "retagged"):
        assert not np.array_equal(after[changed], before[changed])
        fresh = embedding.embed([sqlite_store.video(changed).text])[0]
        assert float(after[changed].astype(np.float32) @ fresh) > 0.999  # the stored vector is the new text's
    embed = CountingEmbed()
    pipeline.import_catalog(sqlite_store, model.Catalog((model.Creator("c1"),), second), classify=False, embed=embed)
    assert embed.texts == []  # nothing changed: nothing embedded


def test_a_failed_import_keeps_the_old_text_beside_its_old_vector(sqlite_store: repository.Store) -> None:
    # The database refuses the new vectors (a real trigger, not a mock). Written in two steps, the new
    # text was stored beside the old text's vector, and no later import ever embedded it again.
    first = video("edited", "my cat vs the vacuum", ("cats",))
    pipeline.import_catalog(sqlite_store, model.Catalog((model.Creator("c1"),), (first,)), classify=False)
    before, changes = stored_vectors(sqlite_store), sqlite_store.last_catalog_change()
    with sqlite_store.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE UPDATE ON video_vectors BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    second = video("edited", "my cat vs the vacuum, round two", ("cats",))
    with pytest.raises(sa.exc.DBAPIError, match="disk full"):
        pipeline.import_catalog(sqlite_store, model.Catalog((model.Creator("c1"),), (second,)), classify=False)
    assert sqlite_store.video("edited").text == first.text
    assert np.array_equal(stored_vectors(sqlite_store)["edited"], before["edited"])
    assert sqlite_store.last_catalog_change() == changes  # no server was told to load a half-written catalog
    with sqlite_store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER refuse")
    pipeline.import_catalog(sqlite_store, model.Catalog((model.Creator("c1"),), (second,)), classify=False)
    fresh = embedding.embed([second.text])[0]
    assert float(stored_vectors(sqlite_store)["edited"].astype(np.float32) @ fresh) > 0.999
    assert sqlite_store.last_catalog_change() > changes


def test_import_embeds_stored_videos_that_have_no_vector(sqlite_store: repository.Store) -> None:
    videos = (video("a", "street food in Lagos", ("food",)), video("b", "a quiet library", ("study",)))
    sqlite_store.import_catalog([model.Creator("c1")], videos)  # written without vectors (e.g. `catalog generate`)
    embed = CountingEmbed()
    pipeline.import_catalog(sqlite_store, model.Catalog((model.Creator("c1"),), videos), classify=False, embed=embed)
    assert sorted(embed.texts) == sorted(v.text for v in videos)
    assert sqlite_store.video_ids_without_vectors() == []


def test_embed_missing_embeds_each_distinct_text_once_in_batches(sqlite_store: repository.Store) -> None:
    videos = [video(f"v{i}", f"caption number {i % 5}", ("tag",)) for i in range(12)]
    sqlite_store.import_catalog([model.Creator("c1")], videos)
    embed = CountingEmbed()
    seen: list[tuple[int, int]] = []
    done = pipeline.embed_missing(sqlite_store, embed=embed, batch=2, progress=lambda d, t: seen.append((d, t)))
    assert done == pipeline.Embedded(videos=12, texts=5)
    assert sorted(embed.texts) == sorted({v.text for v in videos}) and max(map(len, embed.calls)) == 2
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    vectors = stored_vectors(sqlite_store)
    assert np.array_equal(vectors["v0"], vectors["v5"]) and not np.array_equal(vectors["v0"], vectors["v1"])
    again = CountingEmbed()
    assert pipeline.embed_missing(sqlite_store, embed=again) == pipeline.Embedded(videos=0, texts=0)
    assert again.calls == []


def fingerprint(texts: Sequence[str]) -> embedding.Vectors:
    """A deterministic stand-in vector per text, so the property below can check rows against their text."""
    out = np.zeros((len(texts), embedding.DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        out[row, hash(text) % embedding.DIMENSIONS] = 1.0
        out[row, len(text) % embedding.DIMENSIONS] += 2.0
    return out


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(
    texts=st.lists(st.sampled_from(["", "a", "b", "c c", "😀", "long " * 50]), max_size=30),
    batch=st.integers(1, 7),
)
def test_embed_distinct_gives_every_text_its_own_row_and_embeds_each_once(texts: list[str], batch: int) -> None:
    calls: list[list[str]] = []

    def embed(chunk: Sequence[str]) -> embedding.Vectors:
        calls.append(list(chunk))
        return fingerprint(chunk)

    vectors = pipeline.embed_distinct(texts, embed=embed, batch=batch)
    assert vectors.shape == (len(texts), embedding.DIMENSIONS)
    assert np.array_equal(vectors, fingerprint(texts))  # row i is text i's vector, whatever the duplicates
    flat = [text for call in calls for text in call]
    assert sorted(flat) == sorted(set(texts)) and all(len(call) <= batch for call in calls)


class CountingClassifier:
    """The default classifier, recording which videos it was asked about (dependency injection)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def classify(self, items: Sequence[model.Video | str]) -> list[classifier.Classification]:
        self.asked += [item.id if isinstance(item, model.Video) else item for item in items]
        return classifier.default().classify(items)


def test_reimport_classifies_only_changed_texts_and_keeps_stored_labels(sqlite_store: repository.Store) -> None:
    first = (
        video("same", "i feel so empty and alone every night", ("sadtok",)),
        video("edited", "crispy garlic butter pasta", ("food",)),
    )
    labeller = CountingClassifier()
    pipeline.import_catalog(sqlite_store, model.Catalog((model.Creator("c1"),), first), classifier_=labeller)
    assert sorted(labeller.asked) == ["edited", "same"]
    kept = sqlite_store.video("same").label
    assert kept is not None and kept.mh_related
    second = (first[0], video("edited", "crispy garlic butter pasta, the vegan version", ("food",)))
    labeller = CountingClassifier()
    pipeline.import_catalog(sqlite_store, model.Catalog((model.Creator("c1"),), second), classifier_=labeller)
    assert labeller.asked == ["edited"]
    assert sqlite_store.video("same").label == kept
    assert sqlite_store.video("edited").label is not None


def test_deferred_vectors_leave_new_videos_to_the_background_embedder(sqlite_store: repository.Store) -> None:
    # `catalog generate --no-embed` (make demo): the catalog is labelled and stored at once, served while embedded.
    first = (video("kept", "my cat vs the vacuum", ("cats",)),)
    pipeline.import_catalog(sqlite_store, model.Catalog((model.Creator("c1"),), first), classify=False)
    second = (
        video("kept", "my cat vs the vacuum, round two", ("cats",)),  # a changed text: its old vector would mislead
        video("sad", "i feel so empty and alone every night, nobody would notice if i was gone", ("sadtok",)),
        video("food", "crispy garlic butter pasta in 10 minutes", ("food",)),
    )
    embed = CountingEmbed()
    pipeline.import_catalog(
        sqlite_store, model.Catalog((model.Creator("c1"),), second), embed=embed, defer_vectors=True
    )
    assert embed.texts == [second[0].text]  # only the changed text is embedded now
    assert sorted(sqlite_store.video_ids_without_vectors()) == ["food", "sad"]
    sad = sqlite_store.video("sad")
    assert sad.label is not None and sad.label.source is model.LabelSource.CLASSIFIER  # labelled all the same
