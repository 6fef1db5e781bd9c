"""Offline relevance on real preferences: SafeFeed's engine against implicit ALS and popularity.

Protocol (MovieLens): each user's ratings in time order; the last 20% are the
test set and ratings >= 4 in it are the positives. Every system sees the same
training ratings and recommends items the user has not rated in training.
Recall@20 and NDCG@10 are averaged over users with at least one positive.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import tempfile
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse

from safefeed import model
from safefeed.datasets import movielens
from safefeed.policy import rules
from safefeed.recommend import feed, vectors
from safefeed.store import repository

Recommender = Callable[[str, int], list[str]]
POSITIVE = 4.0


@dataclasses.dataclass(frozen=True, slots=True)
class Split:
    train: list[movielens.Rating]
    positives: dict[str, set[str]]  # user -> movies rated >= 4 in the test part


def split(ratings: Sequence[movielens.Rating], *, test_fraction: float = 0.2) -> Split:
    """Each user's last `test_fraction` of ratings (by time) is their test set."""
    by_user: dict[str, list[movielens.Rating]] = defaultdict(list)
    for rating in ratings:
        by_user[rating.user_id].append(rating)
    train: list[movielens.Rating] = []
    positives: dict[str, set[str]] = {}
    for user, history in by_user.items():
        history.sort(key=lambda r: (r.timestamp, r.movie_id))
        cut = len(history) - max(1, round(len(history) * test_fraction))
        train += history[:cut]
        liked = {r.movie_id for r in history[cut:] if r.rating >= POSITIVE}
        if liked:
            positives[user] = liked
    return Split(train, positives)


def recall_at(recommended: Sequence[str], relevant: set[str], k: int) -> float:
    """>>> recall_at(["a", "b", "c"], {"a", "z"}, 2)
    0.5
    """
    return len(set(recommended[:k]) & relevant) / min(len(relevant), k)


def ndcg_at(recommended: Sequence[str], relevant: set[str], k: int) -> float:
    """>>> round(ndcg_at(["x", "a"], {"a"}, 10), 3)
    0.631
    """
    gain = sum(1.0 / math.log2(rank + 2) for rank, item in enumerate(recommended[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return gain / ideal


def score(recommend: Recommender, positives: Mapping[str, set[str]], *, k: int = 20) -> dict[str, float]:
    recall, ndcg = [], []
    for user, relevant in positives.items():
        recommended = recommend(user, k)
        recall.append(recall_at(recommended, relevant, k))
        ndcg.append(ndcg_at(recommended, relevant, 10))
    return {
        "recall_at_20": float(np.mean(recall)),
        "ndcg_at_10": float(np.mean(ndcg)),
        "users": len(positives),
    }


def popularity(train: Sequence[movielens.Rating]) -> Recommender:
    counts: dict[str, int] = defaultdict(int)
    rated: dict[str, set[str]] = defaultdict(set)
    for rating in train:
        counts[rating.movie_id] += 1
        rated[rating.user_id].add(rating.movie_id)
    ranked = sorted(counts, key=lambda movie: (-counts[movie], movie))

    def recommend(user: str, k: int) -> list[str]:
        return [movie for movie in ranked if movie not in rated[user]][:k]

    return recommend


def implicit_als(train: Sequence[movielens.Rating], *, factors: int = 64, seed: int = 0) -> Recommender:
    """The peer: implicit's ALS on the same training ratings (confidence = rating)."""
    from implicit.als import AlternatingLeastSquares

    users = {user: row for row, user in enumerate(sorted({r.user_id for r in train}))}
    items = {movie: col for col, movie in enumerate(sorted({r.movie_id for r in train}))}
    movie_of = {col: movie for movie, col in items.items()}
    matrix = scipy.sparse.csr_matrix(
        ([r.rating for r in train], ([users[r.user_id] for r in train], [items[r.movie_id] for r in train])),
        shape=(len(users), len(items)),
        dtype=np.float32,
    )
    als = AlternatingLeastSquares(factors=factors, regularization=0.05, iterations=15, random_state=seed)
    als.fit(matrix, show_progress=False)

    def recommend(user: str, k: int) -> list[str]:
        ids, _ = als.recommend(users[user], matrix[users[user]], N=k, filter_already_liked_items=True)
        return [movie_of[int(col)] for col in ids]

    return recommend


def rating_events(rating: movielens.Rating) -> list[model.Event]:
    """A rating as the feed would see it: watched (for as long as it was liked), and liked if >= 4."""
    watched = model.Event(
        f"u{rating.user_id}",
        model.EventKind.WATCH,
        rating.timestamp,
        video_id=rating.movie_id,
        fraction=rating.rating / 5.0,
    )
    if rating.rating < POSITIVE:
        return [watched]
    return [
        watched,
        model.Event(f"u{rating.user_id}", model.EventKind.LIKE, rating.timestamp, video_id=rating.movie_id),
    ]


def safefeed_engine(
    train: Sequence[movielens.Rating], catalog: model.Catalog, workdir: Path, *, config: feed.EngineConfig
) -> Recommender:
    """SafeFeed's engine, fed the training ratings as events, then asked for one page per user."""
    store = repository.Store.open(f"sqlite:///{workdir / 'relevance.db'}")
    store.import_catalog(catalog.creators, catalog.videos)
    vectors.ensure_content_vectors(store)
    last_seen: dict[str, float] = {}
    for user in sorted({r.user_id for r in train}):
        store.put_account(model.Account(f"u{user}", birth_year=1980))
    events = [event for rating in sorted(train, key=lambda r: r.timestamp) for event in rating_events(rating)]
    store.append_events(events)
    for rating in train:
        last_seen[rating.user_id] = max(last_seen.get(rating.user_id, 0.0), rating.timestamp.timestamp())
    vectors.train_collaborative(store)
    engine = feed.build(store, policy=rules.built_in("engagement"), config=config)

    def recommend(user: str, k: int) -> list[str]:
        now = dt.datetime.fromtimestamp(last_seen[user], tz=dt.UTC)
        page = engine.feed(f"u{user}", n=k, now=now)
        return [item.video.id for item in page.items]

    return recommend


def evaluate(data_dir: Path, *, seed: int = 0) -> dict[str, dict[str, float]]:
    """Recall@20 and NDCG@10 for each system, computed side by side in one run."""
    folder = data_dir / "movielens-latest-small" if (data_dir / "movielens-latest-small").is_dir() else data_dir
    data = split(movielens.ratings(folder))
    catalog = movielens.read_catalog(folder)
    with tempfile.TemporaryDirectory() as workdir:
        # Movies have one "creator", no short-video topics and nothing for the protections to act on:
        # rank under the engagement policy, which has no diversity preferences or explore slots.
        plain = feed.EngineConfig(seed=seed)
        return {
            "popularity": score(popularity(data.train), data.positives),
            "implicit_als": score(implicit_als(data.train, seed=seed), data.positives),
            "safefeed": score(safefeed_engine(data.train, catalog, Path(workdir), config=plain), data.positives),
        }
