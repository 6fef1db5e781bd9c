from __future__ import annotations

import datetime as dt

from safefeed import model
from safefeed.content import pipeline
from safefeed.store import repository

T0 = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def video(video_id: str, caption: str, tags: tuple[str, ...], label: model.Label | None = None) -> model.Video:
    return model.Video(video_id, "c1", caption, tags, 30, T0, label=label)


def test_import_labels_unlabelled_videos_keeps_given_labels_and_embeds_once(
    sqlite_store: repository.Store,
) -> None:
    given = model.Label(True, model.Theme.ANXIETY_STRESS, model.Harm.SUPPORTIVE)
    catalog = model.Catalog(
        (model.Creator("c1"),),
        (
            video("sad", "i feel so empty and alone every night, nobody would notice if i was gone", ("sadtok",)),
            video("food", "crispy garlic butter pasta in 10 minutes", ("food", "recipe")),
            video("known", "grounding tricks for panic", ("anxiety",), label=given),
        ),
    )
    seen: list[tuple[int, int]] = []
    count = pipeline.import_catalog(sqlite_store, catalog, progress=lambda done, total: seen.append((done, total)))
    assert count.videos == 3 and seen[-1] == (3, 3)
    sad, food, known = (sqlite_store.video(i) for i in ("sad", "food", "known"))
    assert sad.label is not None and sad.label.mh_related and sad.label.source is model.LabelSource.CLASSIFIER
    assert food.label is not None and not food.label.mh_related
    assert known.label == given
    assert sqlite_store.video_ids_without_vectors() == []


def test_import_without_classifying_leaves_labels_empty(sqlite_store: repository.Store) -> None:
    catalog = model.Catalog((model.Creator("c1"),), (video("x", "a day at the beach", ("travel",)),))
    pipeline.import_catalog(sqlite_store, catalog, classify=False)
    assert sqlite_store.video("x").label is None
