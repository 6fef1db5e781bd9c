"""Item vectors: a content embedding for every video, sharpened by behaviour.

The content part (caption and hashtags through all-MiniLM-L6-v2) makes a new
video recommendable at once; the collaborative part (implicit-feedback ALS on
the event log, `safefeed train`) adds what people actually watch together.
Both are unit vectors, concatenated with weights so the result is unit length:
an account's interest vector lives in the same space.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse
import threadpoolctl

from safefeed import model
from safefeed.content import embedding, pipeline
from safefeed.store import repository

Matrix = npt.NDArray[np.float32]
FACTORS = 32
COLLABORATIVE_WEIGHT = 0.5  # share of the squared norm given to behaviour, where a video has it
DIMENSIONS = embedding.DIMENSIONS + FACTORS

REGULARIZATION = 0.05

# Implicit-feedback confidence of each event kind for matrix factorisation.
CONFIDENCE: dict[model.EventKind, float] = {
    model.EventKind.WATCH: 0.5,
    model.EventKind.REWATCH: 2.0,
    model.EventKind.LIKE: 3.0,
    model.EventKind.SHARE: 4.0,
    model.EventKind.COMMENT: 3.0,
}


def confidence(event: model.Event) -> float:
    """How sure an event makes us that the account wants the video (0: no evidence).

    >>> import datetime as dt
    >>> confidence(model.Event("a", model.EventKind.LIKE, dt.datetime.now(dt.UTC), video_id="v"))
    3.0
    """
    return kind_confidence(event.kind, event.fraction)


def kind_confidence(kind: model.EventKind, fraction: float | None) -> float:
    """`confidence` of an event of `kind` watched to `fraction` (where the event itself is not at hand)."""
    weight = CONFIDENCE.get(kind, 0.0)
    if kind is model.EventKind.WATCH:
        weight *= min(fraction or 0.0, 2.0)
    return weight


def combine(content: Matrix, collaborative: Matrix, has_collaborative: npt.NDArray[np.bool_]) -> Matrix:
    """Unit item vectors `[a*content ; b*collaborative]`, with a^2 + b^2 = 1.

    >>> combine(np.array([[1.0, 0.0]], np.float32), np.array([[0.0, 1.0]], np.float32), np.array([True]))
    array([[0.70710677, 0.        , 0.        , 0.70710677]], dtype=float32)
    """
    weight = np.where(has_collaborative, math.sqrt(COLLABORATIVE_WEIGHT), 0.0).astype(np.float32)[:, None]
    content_part = content * np.sqrt(1.0 - weight**2)
    return np.hstack([content_part, collaborative * weight]).astype(np.float32)


def ensure_content_vectors(
    store: repository.Store, *, progress: Callable[[int, int], None] | None = None, batch: int = 2048
) -> int:
    """Embed every video that has no content vector yet (each distinct text once); returns how many were
    embedded. Progress counts distinct texts."""
    return pipeline.embed_missing(store, progress=progress, batch=batch).videos


def train_collaborative(store: repository.Store, *, factors: int = FACTORS, iterations: int = 15, seed: int = 0) -> int:
    """Fit implicit ALS on the event log and store its item factors; returns how many videos got one."""
    from implicit.als import AlternatingLeastSquares

    users: dict[str, int] = {}
    items: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for _, event in store.events():
        weight = confidence(event)
        if weight <= 0 or event.video_id is None:
            continue
        rows.append(users.setdefault(event.account_id, len(users)))
        columns.append(items.setdefault(event.video_id, len(items)))
        values.append(weight)
    if not items:
        store.put_collaborative_vectors({})
        return 0
    matrix = scipy.sparse.csr_matrix((values, (rows, columns)), shape=(len(users), len(items)), dtype=np.float32)
    als = AlternatingLeastSquares(
        factors=factors, regularization=REGULARIZATION, iterations=iterations, random_state=seed
    )
    with threadpoolctl.threadpool_limits(1, "blas"):
        als.fit(matrix, show_progress=False)
    item_factors = np.asarray(als.item_factors, dtype=np.float32)[:, :factors]
    store.put_collaborative_vectors({video_id: item_factors[column] for video_id, column in items.items()})
    return len(items)


@dataclasses.dataclass(frozen=True, slots=True)
class ItemVectors:
    ids: list[str]
    combined: Matrix  # unit vectors for the index
    factors: Matrix  # raw ALS item factors (zeros where a video has none), for folding in accounts


def load(store: repository.Store) -> ItemVectors:
    """Video ids (in id order) with their combined unit vectors and raw factors, from what the store holds."""
    count = store.count_vectors()
    ids: list[str] = []
    content = np.zeros((count, embedding.DIMENSIONS), dtype=np.float32)
    factors = np.zeros((count, FACTORS), dtype=np.float32)
    has = np.zeros(count, dtype=np.bool_)
    # Rows stored after the count (a catalog being embedded meanwhile) wait for the next load.
    for row, (video_id, content_vector, collaborative) in zip(range(count), store.item_vectors(), strict=False):
        ids.append(video_id)
        content[row] = content_vector
        if collaborative is not None:
            factors[row] = collaborative
            has[row] = True
    kept = len(ids)
    content, factors, has = content[:kept], factors[:kept], has[:kept]
    unit = factors / np.maximum(np.linalg.norm(factors, axis=1, keepdims=True), 1e-9)
    combined = combine(content, unit, has)
    del content, unit
    return ItemVectors(ids, combined, factors)


def normalise(vectors: Sequence[float] | Matrix) -> Matrix:
    """Unit length (a zero vector stays zero)."""
    array = np.asarray(vectors, dtype=np.float32)
    norm = float(np.linalg.norm(array))
    return array / norm if norm > 0 else array


def query(text: str) -> Matrix:
    """A search query in item space (content part only)."""
    content = embedding.embed([text])[0]
    return np.concatenate([content, np.zeros(FACTORS, dtype=np.float32)])
