"""Cross-validation folds that never split near-duplicate captions."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from safefeed.content import lexicon


def fold_ids(n: int, folds: int, seed: int) -> npt.NDArray[np.int64]:
    """A fold per row, balanced and shuffled by `seed`."""
    return np.random.default_rng(seed).permutation(np.arange(n) % folds)


_MENTION = re.compile(r"(?:replying to )?@\S+")
_NOT_WORD = re.compile(r"[^\w#]+|\d+")


def duplicate_groups(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    """A group id per text; near-duplicates share one, so cross-validation never splits them.

    Two captions are near-duplicates when, without handles, digits and punctuation,
    they are the same, carry the same three or more hashtags (a creator's series:
    "Part 2", "Part 3"), or open with the same words before their hashtags.

    >>> duplicate_groups(["Part 1 #a #b #c", "Part 2 #a #b #c", "dinner #a", "Mental health #x", "Mental health #y"])
    array([0, 0, 2, 3, 3])
    """
    parent = list(range(len(texts)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    first: dict[tuple[str, str], int] = {}
    for index, text in enumerate(texts):
        plain = " ".join(_NOT_WORD.sub(" ", _MENTION.sub(" ", lexicon.normalise(text))).split())
        words = [word for word in plain.split() if not word.startswith("#")]
        tags = sorted({word for word in plain.split() if word.startswith("#")})
        keys = [("text", plain)]
        if len(tags) >= 3:
            keys.append(("tags", " ".join(tags)))
        if len(words) >= 2:
            keys.append(("opening", " ".join(words[:6])))
        for key in keys:
            if key in first:
                parent[root(index)] = root(first[key])
            else:
                first[key] = index
    roots = [root(index) for index in range(len(texts))]
    return np.asarray([min(i for i, r in enumerate(roots) if r == own) for own in roots], dtype=np.int64)


def grouped_fold_ids(groups: npt.NDArray[np.int64], folds: int, seed: int) -> npt.NDArray[np.int64]:
    """Folds over whole groups: every member of a group lands in the same fold."""
    unique = np.unique(groups)
    fold_of_group = dict(zip(unique.tolist(), fold_ids(len(unique), folds, seed).tolist(), strict=True))
    return np.asarray([fold_of_group[group] for group in groups.tolist()], dtype=np.int64)
