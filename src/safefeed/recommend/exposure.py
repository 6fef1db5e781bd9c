"""Exposure: how likely-sensitive videos may reach a page, by the band's `sensitivity.exposure`.

"ranked": they compete like any other candidate (adults; the dispersion caps
still hold). "explore_slots": they never compete on relevance, so nothing the
account did can raise them; they reach the For You feed only through the
explore slots (random draws from outside the usual topics), ordered there by
popularity and freshness alone, which read nothing about the account. What a
minor likes, shares, follows or rewatches therefore changes which ordinary
videos it sees, never how many sensitive ones: the dispersion cap becomes a
ceiling that is rarely reached. Only a deliberate choice, the support tab,
serves more (supportive videos, verified professionals first). Under the
default policy a minor's band also holds every video at or above its
`hold_threshold` (`eligibility`), which sits below `threshold`: for minors
nothing flagged sensitive is left to reach the explore slots.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

Positions = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]


@dataclasses.dataclass(frozen=True, slots=True)
class Split:
    """Ranked candidates split into the ordinary list (best first) and the explore list (slot order)."""

    ordinary: Positions
    explore: list[int]
    held: int  # likely-sensitive candidates kept off the ranked list


def split(
    ranked: Positions,
    exploring: Flags,
    *,
    sensitive: Flags,
    plain_score: npt.NDArray[np.float32],
    mode: str,
) -> Split:
    """Split `ranked` (best first) for the re-ranker; arrays are aligned with `ranked`.

    `sensitive`: likely sensitive for the band; `plain_score`: each candidate's score without anything
    personal (popularity and freshness), the only order sensitive videos may take under "explore_slots".

    >>> r = np.array([5, 6, 7, 8])
    >>> s = split(r, np.array([0, 1, 0, 1], bool), sensitive=np.array([1, 0, 0, 1], bool),
    ...           plain_score=np.array([0.1, 0.2, 0.3, 0.4], np.float32), mode="explore_slots")
    >>> s.ordinary.tolist(), s.explore, s.held
    ([7], [8, 6], 1)
    """
    if mode == "ranked":
        return Split(ranked[~exploring], ranked[exploring].tolist(), 0)
    assert mode == "explore_slots", f"unknown exposure mode {mode!r}"
    ordinary = ~exploring & ~sensitive
    explore = np.flatnonzero(exploring)
    explore = explore[np.argsort(-plain_score[explore], kind="stable")]
    return Split(ranked[ordinary], ranked[explore].tolist(), int((~exploring & sensitive).sum()))
