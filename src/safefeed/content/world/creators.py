"""Creators of the synthetic world: everyday ones (a main topic, some a second), mental-health ones, professionals.

Popularity follows a Zipf law (a few creators post most videos and get most views); ranks are shuffled so
that ids say nothing about popularity.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.content.world import vocabulary as vocabulary_module

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

REGIONS = ("US", "GB", "KE", "PH", "IN", "DE", "FR", "ES", "BR")
_REGION_WEIGHTS = (0.28, 0.12, 0.12, 0.12, 0.12, 0.05, 0.05, 0.07, 0.07)
# Chance that a creator from the region prefers the language (else English).
_LOCAL_LANGUAGE = {"US": ("es", 0.06), "ES": ("es", 0.7), "KE": ("sw", 0.3), "PH": ("tl", 0.3)}

PROFESSIONAL_CREATORS = 0.01
MH_CREATORS = 0.03
_ACTIVITY_EXPONENT = 0.5  # Zipf: how many videos a creator posts, by popularity rank
_REACH_EXPONENT = 0.5  # Zipf: how many views a creator's videos get, by the same rank

EVERYDAY, MENTAL_HEALTH, PROFESSIONAL = 0, 1, 2  # creator kinds


@dataclasses.dataclass(frozen=True, slots=True)
class Creators:
    """Creators as parallel arrays (index = position in `records`)."""

    records: tuple[model.Creator, ...]
    kind: IntArray
    activity: FloatArray  # relative number of videos posted
    reach: FloatArray  # typical views of one video
    primary: IntArray  # topic index (-1 for mental-health creators and professionals)
    secondary: IntArray  # topic index, -1 where the creator sticks to one topic
    region: IntArray
    language: IntArray

    def pool(self, kind: int) -> tuple[IntArray, FloatArray]:
        """Creators of one kind and their chance to be the author of the next video."""
        members = np.flatnonzero(self.kind == kind).astype(np.int64)
        weights = self.activity[members]
        return members, weights / weights.sum()


def draw(count: int, vocabulary: vocabulary_module.Vocabulary, rng: np.random.Generator) -> Creators:
    """`count` creators: about 1% professionals, 3% mental-health creators, the rest everyday."""
    professionals = max(1, round(count * PROFESSIONAL_CREATORS))
    mh_creators = max(1, round(count * MH_CREATORS))
    kind = rng.permutation(
        np.repeat(
            np.array([PROFESSIONAL, MENTAL_HEALTH, EVERYDAY], dtype=np.int64),
            [professionals, mh_creators, count - professionals - mh_creators],
        )
    )
    rank = rng.permutation(count).astype(np.float64) + 1.0
    activity = rank**-_ACTIVITY_EXPONENT
    reach = 500_000.0 * rank**-_REACH_EXPONENT + 200.0

    topic_weights = np.array([topic.weight for topic in vocabulary.topics])
    topic_weights /= topic_weights.sum()
    n_topics = len(vocabulary.topics)
    primary = rng.choice(n_topics, size=count, p=topic_weights).astype(np.int64)
    secondary = rng.choice(n_topics, size=count, p=topic_weights).astype(np.int64)
    secondary[(rng.random(count) >= 0.6) | (secondary == primary)] = -1
    primary[kind != EVERYDAY] = -1
    secondary[kind != EVERYDAY] = -1

    region = rng.choice(len(REGIONS), size=count, p=_REGION_WEIGHTS).astype(np.int64)
    language = np.zeros(count, dtype=np.int64)
    local = rng.random(count)
    for region_name, (language_name, share) in _LOCAL_LANGUAGE.items():
        chosen = (region == REGIONS.index(region_name)) & (local < share)
        language[chosen] = vocabulary_module.LANGUAGES.index(language_name)

    first = rng.integers(0, len(vocabulary.first_names), size=count).tolist()
    separator = rng.integers(0, 3, size=count).tolist()
    digits = rng.integers(0, 100, size=count).tolist()
    mh_handle = rng.integers(0, len(vocabulary.mh_handles), size=count).tolist()
    professional_name = rng.integers(0, len(vocabulary.professional_names), size=count).tolist()
    records = []
    for index, creator_kind in enumerate(kind.tolist()):
        name = vocabulary.first_names[first[index]]
        if creator_kind == PROFESSIONAL:
            display = vocabulary.professional_names[professional_name[index]].format(first=name.capitalize())
        elif creator_kind == MENTAL_HEALTH:
            display = f"{name}.{vocabulary.mh_handles[mh_handle[index]]}"
        else:
            suffix = str(digits[index]) if digits[index] < 40 else ""
            display = f"{name}{('', '.', '_')[separator[index]]}{vocabulary.topics[primary[index]].handle}{suffix}"
        records.append(
            model.Creator(
                id=f"c{index:06d}",
                name=display,
                verified_professional=creator_kind == PROFESSIONAL,
                region=REGIONS[region[index]],
            )
        )
    return Creators(tuple(records), kind, activity, reach, primary, secondary, region, language)
