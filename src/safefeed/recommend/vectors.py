"""Item vectors: a content embedding for every video, sharpened by behaviour.

The content part (caption and hashtags through all-MiniLM-L6-v2) makes a new
video recommendable at once; the collaborative part (implicit-feedback ALS on
the event log, `safefeed train`) adds what people actually watch together.
Both are unit vectors, concatenated with weights so the result is unit length:
an account's interest vector lives in the same space.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse

from safefeed import model
from safefeed.content import embedding
from safefeed.store import repository

Matrix = npt.NDArray[np.float32]
FACTORS = 32
COLLABORATIVE_WEIGHT = 0.5  # share of the squared norm given to behaviour, where a video has it
DIMENSIONS = embedding.DIMENSIONS + FACTORS

# Implicit-feedback confidence of each event kind for matrix factorisation.
CONFIDENCE: dict[model.EventKind, float] = {
    model.EventKind.WATCH: 1.0,
    model.EventKind.REWATCH: 2.0,
    model.EventKind.LIKE: 3.0,
    model.EventKind.SHARE: 4.0,
    model.EventKind.COMMENT: 3.0,
}


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
    """Embed every video that has no content vector yet; returns how many were embedded."""
    missing = store.video_ids_without_vectors()
    for start in range(0, len(missing), batch):
        ids = missing[start : start + batch]
        videos = store.videos(ids)
        store.put_content_vectors([video.id for video in videos], embedding.embed([video.text for video in videos]))
        if progress is not None:
            progress(min(start + batch, len(missing)), len(missing))
    return len(missing)


def train_collaborative(
    store: repository.Store, *, factors: int = FACTORS, iterations: int = 15, seed: int = 0
) -> int:
    """Fit implicit ALS on the event log and store unit item factors; returns how many videos got one."""
    from implicit.als import AlternatingLeastSquares

    users: dict[str, int] = {}
    items: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for _, event in store.events():
        confidence = CONFIDENCE.get(event.kind)
        if confidence is None or event.video_id is None:
            continue
        if event.kind is model.EventKind.WATCH:
            confidence *= min(event.fraction or 0.0, 2.0)
        rows.append(users.setdefault(event.account_id, len(users)))
        columns.append(items.setdefault(event.video_id, len(items)))
        values.append(confidence)
    if not items:
        store.put_collaborative_vectors({})
        return 0
    matrix = scipy.sparse.csr_matrix((values, (rows, columns)), shape=(len(users), len(items)), dtype=np.float32)
    als = AlternatingLeastSquares(factors=factors, iterations=iterations, random_state=seed)
    als.fit(matrix, show_progress=False)
    item_factors = np.asarray(als.item_factors, dtype=np.float32)[:, :factors]
    norms = np.linalg.norm(item_factors, axis=1, keepdims=True)
    unit = item_factors / np.maximum(norms, 1e-9)
    store.put_collaborative_vectors({video_id: unit[column] for video_id, column in items.items()})
    return len(items)


def load(store: repository.Store) -> tuple[list[str], Matrix]:
    """Video ids and their combined unit vectors, from what the store holds."""
    ids: list[str] = []
    content_rows: list[npt.NDArray[np.float16]] = []
    collaborative_rows: list[npt.NDArray[np.float16]] = []
    has: list[bool] = []
    empty = np.zeros(FACTORS, dtype=np.float16)
    for video_id, content, collaborative in store.item_vectors():
        ids.append(video_id)
        content_rows.append(content)
        collaborative_rows.append(empty if collaborative is None else collaborative)
        has.append(collaborative is not None)
    if not ids:
        return [], np.zeros((0, DIMENSIONS), dtype=np.float32)
    return ids, combine(
        np.vstack(content_rows).astype(np.float32),
        np.vstack(collaborative_rows).astype(np.float32),
        np.asarray(has),
    )


def normalise(vectors: Sequence[float] | Matrix) -> Matrix:
    """Unit length (a zero vector stays zero)."""
    array = np.asarray(vectors, dtype=np.float32)
    norm = float(np.linalg.norm(array))
    return array / norm if norm > 0 else array
