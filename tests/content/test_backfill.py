"""A catalog served while it is embedded: the first batch makes a first page, the rest join as they arrive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from safefeed import model, services
from safefeed.content import backfill, embedding
from safefeed.recommend import vectors
from safefeed.store import repository
from tests import serving
from tests.recommend import conftest as tiny


@pytest.fixture
def unembedded(tmp_path: Path) -> Iterator[repository.Store]:
    """The tiny catalog (120 videos) stored as `safefeed catalog generate` leaves it: no vectors yet."""
    store = repository.Store.open(f"sqlite:///{tmp_path / 'served.db'}")
    catalog = tiny.tiny_catalog()
    store.import_catalog(catalog.creators, catalog.videos)
    yield store
    store.close()


class Ticks:
    """A clock the test moves: each reading is `step` seconds after the last."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def teen(safefeed: services.SafeFeed) -> str:
    safefeed.parts.store.put_account(model.Account("kio", birth_year=2012, region="KE", timezone="UTC"))
    return "kio"


def test_the_first_batch_is_served_and_the_rest_join_when_announced(
    unembedded: repository.Store, tmp_path: Path
) -> None:
    # 120 videos: a first batch of 10, then batches of 50 (60, 110, 120), 8 s apart on the job's clock.
    # Announced: the first batch, and the last (8+8 = 16 s < 20 s would not be, but it completes the catalog).
    steps = backfill.batches(unembedded, first_batch=10, batch=50, announce_every_s=20, clock=Ticks(8.0))
    first = next(steps)
    assert (first.done, first.total, first.announced) == (10, 120, True)
    assert backfill.counts(unembedded) == backfill.Counts(videos=120, embedded=10)

    safefeed = serving.make_service(unembedded, serving.ManualClock(), tmp_path)
    assert len(safefeed.parts.engine.items) == 10
    answer = safefeed.feed.page(teen(safefeed), n=5)
    assert answer.page is not None and len(answer.page.items) == 5
    embedded = set(safefeed.parts.engine.items.ids)
    assert {item.video.id for item in answer.page.items} <= embedded

    rest = list(steps)
    assert [(step.done, step.announced) for step in rest] == [(60, False), (110, False), (120, True)]
    assert safefeed.follow_catalog() == 1  # the last batch's (the service was built after the first)
    assert len(safefeed.parts.engine.items) == 120
    assert backfill.counts(unembedded).complete
    assert unembedded.video_ids_without_vectors() == []
    assert list(backfill.batches(unembedded)) == []  # nothing left: a second run does nothing


def test_videos_stored_while_it_runs_are_embedded_before_it_ends(unembedded: repository.Store) -> None:
    steps = backfill.batches(unembedded, first_batch=100, batch=100)
    assert next(steps).total == 120
    late = model.Video("late-1", "c-late", "a late arrival: juggling three balls", ("juggling",), 20, serving.START)
    unembedded.import_catalog([model.Creator("c-late")], [late])
    rest = list(steps)
    assert rest[-1].done == rest[-1].total == 121 and rest[-1].announced
    assert unembedded.video_ids_without_vectors() == []


def test_identical_texts_are_embedded_once_and_get_the_same_vector() -> None:
    texts = ["pasta in ten minutes", "a cat meets a cucumber", "pasta in ten minutes"]
    got = backfill.embed_unique(texts)
    assert got.shape == (3, embedding.DIMENSIONS)
    np.testing.assert_array_equal(got[0], got[2])
    np.testing.assert_allclose(got[:2], embedding.embed(texts[:2]), atol=1e-5)
    assert backfill.embed_unique([]).shape == (0, embedding.DIMENSIONS)


class WriterAtTheWrongMoment(repository.Store):
    """A store whose vector count is read just before another process stores more vectors."""

    def __init__(self, store: repository.Store) -> None:
        super().__init__(store.engine, store.log_engine)

    def count_vectors(self) -> int:
        counted = super().count_vectors()
        missing = self.video_ids_without_vectors()[:30]
        self.put_content_vectors(missing, backfill.embed_unique([video.text for video in self.videos(missing)]))
        return counted


def test_a_server_rebuilding_while_vectors_arrive_serves_a_consistent_subset(unembedded: repository.Store) -> None:
    next(backfill.batches(unembedded, first_batch=40))
    racing = WriterAtTheWrongMoment(unembedded)
    loaded = vectors.load(racing)  # before the fix: IndexError, more rows than were counted
    assert len(loaded.ids) == len(loaded.combined) == len(loaded.factors) == 40
    assert loaded.ids == sorted(loaded.ids)


def test_a_server_refuses_a_catalog_with_no_vectors_at_all(unembedded: repository.Store, tmp_path: Path) -> None:
    with pytest.raises(repository.UnknownVideo, match="run `safefeed train` first"):
        serving.make_service(unembedded, serving.ManualClock(), tmp_path)
