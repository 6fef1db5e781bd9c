"""Likely sensitive: what the engine concludes about each video from labels that may be wrong.

A platform never has the answer key. It has a classifier's probability, a
review queue that lags, and creators who tag a sad edit `#dance`. So the
engine keeps, per video, the *evidence* that it is about mental health (and
that it is harmful), and the policy decides at what evidence a band acts
(`policy.rules.Sensitivity`). Evidence comes from the video's own label and,
where the policy counts it, from what surrounds it: videos close in
embedding space to known sensitive ones, and creators and hashtags that
mostly carry them. That propagation runs once, when the catalog is built,
over whole arrays (one batched index search), never per request.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.policy import rules as policy_rules
from safefeed.recommend import index as vector_index
from safefeed.recommend import items as catalog_items

Floats = npt.NDArray[np.float32]
Flags = npt.NDArray[np.bool_]
HARMFUL = frozenset(catalog_items.HARM_CODES[harm] for harm in (model.Harm.POTENTIALLY_HARMFUL, model.Harm.VIOLATIVE))
REVIEW = catalog_items.SOURCE_CODES[model.LabelSource.REVIEW]
SUPPORTIVE = catalog_items.HARM_CODES[model.Harm.SUPPORTIVE]
HARM_SHARE = 0.5  # harm spreads from a creator or hashtag only where most of its labelled videos are harmful


@dataclasses.dataclass(frozen=True, slots=True)
class Propagation:
    """How evidence spreads from known sensitive videos to what surrounds them."""

    seed_threshold: float = 0.5  # a video is a known sensitive one (a seed) at this evidence of its own
    neighbours: int = 10  # nearest videos looked at around each seed
    min_similarity: float = 0.85  # inner product of unit vectors: near-duplicates, re-uploads, the same edit
    creator_min_videos: int = 3  # a creator's share counts once this many of their videos are labelled
    hashtag_min_videos: int = 5
    # What share of a creator's or hashtag's labelled videos must be seeds before it lends that share
    # is the band's (`sensitivity.creator_hashtag_share`): "mostly" for adults, any for children.


@dataclasses.dataclass(frozen=True, slots=True)
class Spread:
    """What surrounds each video lends, by where it comes from; a band decides which shares it counts."""

    neighbours: Floats  # the most evidence a seed close in embedding space lends
    creator: Floats  # the share of its creator's labelled videos that are seeds
    hashtag: Floats  # the highest such share among its hashtags

    def counted(self, share: float) -> Floats:
        """The most evidence these lend when creators and hashtags count from `share` of seeds on."""
        creator = np.where(self.creator >= share, self.creator, np.float32(0))
        hashtag = np.where(self.hashtag >= share, self.hashtag, np.float32(0))
        return np.maximum(self.neighbours, np.maximum(creator, hashtag)).astype(np.float32)


@dataclasses.dataclass(slots=True)
class Evidence:
    """Per video: its own evidence (from a trusted label) and what its surroundings add.

    Mutable in one way only: a moderation decision replaces one video's own
    evidence (`relabel`); what surrounds it is worked out again at the next build.
    """

    classified: Flags  # a classifier or a reviewer has labelled it
    reviewed: Flags  # a reviewer has: nothing outside the video overrules that
    own: Floats  # P(mental health) from its label (0 where unlabelled)
    own_harm: Floats  # evidence that it is harmful, from its label
    near: Spread  # the evidence of mental health its neighbours, creator and hashtags add
    near_harm: Spread

    def sensitive(self, rules: policy_rules.Sensitivity) -> Floats:
        """The evidence of mental-health content this band's policy counts."""
        return self._counted(self.own, self.near, rules, rules.creator_hashtag_share)

    def harmful(self, rules: policy_rules.Sensitivity) -> Floats:
        """The evidence of harm this band's policy counts: creators and hashtags lend it only where they
        mostly carry known harmful videos, as a supportive video shares its tags with harmful ones."""
        return self._counted(self.own_harm, self.near_harm, rules, max(rules.creator_hashtag_share, HARM_SHARE))

    def _counted(self, own: Floats, near: Spread, rules: policy_rules.Sensitivity, share: float) -> Floats:
        if not rules.propagate:
            return own
        lent = near.counted(share)
        return np.maximum(own, np.where(self.reviewed, np.float32(0), lent)).astype(np.float32)

    def relabel(self, items: catalog_items.Items, position: int) -> None:
        """Take a new label of one video (already written into `items`) as its own evidence."""
        own, own_harm, classified, reviewed = label_evidence(items, np.asarray([position], dtype=np.int64))
        self.own[position], self.own_harm[position] = own[0], own_harm[0]
        self.classified[position], self.reviewed[position] = classified[0], reviewed[0]


@dataclasses.dataclass(frozen=True, slots=True)
class BandFlags:
    """What one age band's policy makes of the evidence: one flag per video."""

    sensitive: Flags  # likely about mental health: counts against the caps, teaches nothing to minors
    harmful: Flags  # likely harmful: held back where the band is not shown potentially harmful videos
    unclassified: Flags  # no trusted label yet
    held: Flags  # evidence of mental health at or above `hold_threshold`: kept out of every tab but support
    evidence: Floats  # the evidence of mental health the band counts (for the soft stages)


def flags(evidence: Evidence, rules: policy_rules.Sensitivity) -> BandFlags:
    sensitive = evidence.sensitive(rules)
    hold = np.inf if rules.hold_threshold is None else rules.hold_threshold
    return BandFlags(
        sensitive=np.asarray(sensitive >= rules.threshold, dtype=np.bool_),
        harmful=np.asarray(evidence.harmful(rules) >= rules.harmful_threshold, dtype=np.bool_),
        unclassified=~evidence.classified,
        held=np.asarray(sensitive >= hold, dtype=np.bool_),
        evidence=sensitive,
    )


def reflag(band_flags: BandFlags, evidence: Evidence, rules: policy_rules.Sensitivity, position: int) -> None:
    """Bring one video's flags up to date after its label changed (`Evidence.relabel`)."""
    fresh = flags(evidence, rules)
    for field in dataclasses.fields(BandFlags):
        getattr(band_flags, field.name)[position] = getattr(fresh, field.name)[position]


def label_evidence(items: catalog_items.Items, positions: npt.NDArray[np.int64]) -> tuple[Floats, Floats, Flags, Flags]:
    """(P(MH), evidence of harm, classified, reviewed) from each video's trusted label.

    A classifier's label carries P(MH) whatever its yes/no; a reviewer's is certain.
    """
    page = items.page
    classified = np.asarray(page.labelled[positions], dtype=np.bool_)
    reviewed = classified & (page.label_source[positions] == REVIEW)
    probability = page.probability[positions].astype(np.float32)
    said_mh = items.mh[positions].astype(np.float32)
    own = np.where(reviewed, said_mh, probability)
    own = np.where(classified, own, np.float32(0)).astype(np.float32)
    said_harmful = catalog_items.among(items.harm[positions], HARMFUL, len(catalog_items.HARM_CODES))
    own_harm = np.where(said_harmful & classified, np.where(reviewed, np.float32(1), probability), np.float32(0))
    return own, own_harm.astype(np.float32), classified, reviewed


def build(
    items: catalog_items.Items, index: vector_index.VectorIndex, *, propagation: Propagation = Propagation()
) -> Evidence:
    """Each video's evidence, with what its neighbours, creator and hashtags add (one pass over the catalog)."""
    everything = np.arange(len(items), dtype=np.int64)
    own, own_harm, classified, reviewed = label_evidence(items, everything)
    tags = hashtag_codes(items)
    near = spread(items, index, own, classified, tags, propagation)
    near_harm = spread(items, index, own_harm, classified, tags, propagation)
    return Evidence(classified, reviewed, own, own_harm, near, near_harm)


@dataclasses.dataclass(frozen=True, slots=True)
class HashtagCodes:
    """Every (video, hashtag) pair as two flat arrays: hashtag shares are then a bincount."""

    video: npt.NDArray[np.int64]
    tag: npt.NDArray[np.int64]
    count: int  # distinct hashtags


def hashtag_codes(items: catalog_items.Items) -> HashtagCodes:
    codes: dict[str, int] = {}
    video: list[int] = []
    tag: list[int] = []
    for position, tags in enumerate(items.hashtags):
        for name in set(tags):
            video.append(position)
            tag.append(codes.setdefault(name, len(codes)))
    return HashtagCodes(np.asarray(video, dtype=np.int64), np.asarray(tag, dtype=np.int64), len(codes))


def spread(
    items: catalog_items.Items,
    index: vector_index.VectorIndex,
    values: Floats,
    classified: Flags,
    tags: HashtagCodes,
    propagation: Propagation,
) -> Spread:
    """What each video gets from seeds (videos whose own `values` reach the seed threshold): a near seed
    lends its own evidence; a creator or hashtag lends the share of seeds among its labelled videos."""
    result = np.zeros(len(items), dtype=np.float32)
    hashtag = np.zeros(len(items), dtype=np.float32)
    seeds = np.flatnonzero(classified & (values >= propagation.seed_threshold))
    if not len(seeds):
        return Spread(result, result.copy(), hashtag)
    is_seed = np.zeros(len(items), dtype=np.bool_)
    is_seed[seeds] = True
    # Near in embedding space: one batched search around every seed.
    k = min(propagation.neighbours + 1, len(items))
    scores, found = index.search(index.reconstruct(seeds), k)
    close = (found >= 0) & (scores >= propagation.min_similarity)
    lent = np.broadcast_to(values[seeds][:, None], found.shape)
    np.maximum.at(result, found[close], lent[close])
    # The share of seeds among each creator's and each hashtag's labelled videos (a generic tag like #fyp
    # carries them at about the base rate; a band counts a share only from its `creator_hashtag_share` on).
    creator_share = shares(
        items.creator, is_seed, classified, len(items.creators), minimum=propagation.creator_min_videos
    )
    if len(tags.tag):
        tag_share = shares(
            tags.tag, is_seed[tags.video], classified[tags.video], tags.count, minimum=propagation.hashtag_min_videos
        )
        np.maximum.at(hashtag, tags.video, tag_share[tags.tag])
    return Spread(result, creator_share[items.creator].astype(np.float32), hashtag)


def shares(keys: npt.NDArray[np.integer], seed: Flags, classified: Flags, count: int, *, minimum: int) -> Floats:
    """Per key: the share of its labelled rows that are seeds (0 for keys with fewer than `minimum` labelled).

    >>> seed = np.array([True, True, False, False])
    >>> [round(x, 3) for x in shares(np.array([0, 0, 0, 1]), seed, np.ones(4, bool), 2, minimum=2).tolist()]
    [0.667, 0.0]
    """
    labelled = np.bincount(keys[classified], minlength=count).astype(np.float32)
    seeds = np.bincount(keys[seed & classified], minlength=count).astype(np.float32)
    share = np.divide(seeds, labelled, out=np.zeros(count, dtype=np.float32), where=labelled >= max(minimum, 1))
    return share.astype(np.float32)


def supportive(items: catalog_items.Items, evidence: Evidence) -> Flags:
    """Videos a trusted label calls supportive mental-health content (help-seeking, recovery, professional)."""
    return np.asarray(evidence.classified & items.mh & (items.harm == SUPPORTIVE), dtype=np.bool_)


def review_priority(
    items: catalog_items.Items,
    evidence: Evidence,
    rules: policy_rules.Sensitivity,
    *,
    minor_impressions: npt.NDArray[np.float64] | None = None,
    limit: int = 100,
) -> list[tuple[str, float]]:
    """The videos a reviewer should see first: those about to reach the most minors while unsure.

    Reach is what minors were shown of each video lately (`minor_impressions`, by position, where
    the store counted it) plus its popularity, which decides where trending puts it next. Uncertainty
    is highest for unlabelled videos and for evidence near the band's threshold, and nothing a
    reviewer already decided comes back. Returns (video id, priority), highest first.
    """
    sensitive = evidence.sensitive(rules)
    # 1 at the threshold, falling to 0 at certainty either way; 1 where nobody has labelled it yet.
    below = sensitive / rules.threshold
    above = (1.0 - sensitive) / max(1.0 - rules.threshold, 1e-6)
    doubt = np.where(evidence.classified, np.where(sensitive < rules.threshold, below, above), 1.0)
    reach = items.popularity.astype(np.float64) + (
        0.0 if minor_impressions is None else np.log1p(np.asarray(minor_impressions, dtype=np.float64))
    )
    priority = np.where(evidence.reviewed | items.is_ad, 0.0, reach * np.clip(doubt, 0.0, 1.0))
    count = min(limit, int((priority > 0).sum()))
    if count <= 0:
        return []
    best = np.argpartition(-priority, count - 1)[:count]
    best = best[np.argsort(-priority[best], kind="stable")]
    return [(items.ids[int(p)], round(float(priority[p]), 6)) for p in best]
