"""Transparency: the ranking's main parameters in plain language (DSA Art. 27), and the report of what happened.

Both are generated from the live configuration and the store, never written by hand,
so they cannot drift from what the feed does.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections import Counter
from typing import Any

from safefeed import model
from safefeed.policy import rules
from safefeed.recommend import feed
from safefeed.store import repository


def describe(policy: rules.Policy, config: feed.EngineConfig) -> str:
    """The main parameters of the For You feed and how a person can change them, as Markdown."""
    signals = config.signals
    weights = config.weights
    explore = policy.bands[model.AgeBand.U16].diversity.explore_every
    lines = [
        f"# How your For You feed is ranked (policy: {policy.name})",
        "",
        policy.description,
        "",
        "## Where videos come from",
        "- **Your interests**: videos close to what you watched, liked, shared, commented on, followed or searched.",
        "- **Creators you follow**: their newest videos.",
        "- **Topics you chose**: the most popular videos of topics you picked under *More of*.",
        "- **Trending**: popular, recent videos, a little more often from your region.",
        f"- **Explore**: one video in every {explore or 'n/a'} (for under-16s) from outside your usual topics.",
        "- **Support** (a tab you open yourself): supportive mental-health videos, verified professionals first.",
        "",
        "## What counts, and how much",
        "Explicit choices weigh more than watching:",
        f"- like x{signals.like}, share x{signals.share}, comment x{signals.comment}, follow x{signals.follow}, "
        f"search x{signals.search}, rewatch x{signals.rewatch};",
        f"- watching: x{signals.watch} times (share of the video watched - {signals.watch_neutral_fraction}): "
        "a video you skip early counts against its topic;",
        f"- not interested x{signals.not_interested}, report x{signals.report}, skip x{signals.skip};",
        f"- interests fade by half every {signals.half_life_hours:g} hours; "
        f"nothing you saw in the last {signals.seen_horizon_hours / 24:g} days is shown again "
        f"(up to the last {signals.seen_limit:,} videos).",
        "",
        f"Each candidate's score: similarity to your interests x{weights.similarity}, what people with similar "
        f"taste watched x{weights.collaborative}, your affinity to its topic x{weights.topic}, popularity "
        f"x{weights.popularity}, freshness x{weights.freshness}, from a creator you follow x{weights.following}.",
        "",
        "## Protections by age",
    ]
    for band, rule in policy.bands.items():
        cap = rule.dispersion.all_mental_health
        spread = (
            f"at most {cap.max} mental-health video(s) in any {cap.window} in a row"
            + (f", never more than {cap.max_consecutive} back to back" if cap.max_consecutive else "")
            if cap
            else "no dispersion cap"
        )
        lines += [
            f"### {band.value}",
            f"- videos that may be recommended: {', '.join(sorted(h.value for h in rule.recommend_harm))}",
            f"- {spread}",
            "- watching sensitive videos "
            + (
                "never raises them in your feed"
                if rule.passive_sensitive_weight == 0
                else f"counts x{rule.passive_sensitive_weight:g}"
            ),
            *_sensitivity_lines(rule),
            f"- personalised feed {'on' if rule.personalised_by_default else 'off'} until you choose otherwise",
            *(
                [
                    "- without a guardian's consent (Family Pairing): the Following feed instead of For You, videos of "
                    "creators you follow, newest first [default_feed_without_consent]"
                ]
                if rule.default_feed_without_consent == "following"
                else []
            ),
            f"- ads: {rule.ad_targeting.value}",
        ]
    lines += [
        "",
        "## How to change it",
        "- Open the **Following** tab: videos of the creators you follow, newest first, nothing ranked.",
        "- Press **Not interested** on any video, creator, hashtag or topic: it takes effect on the next video.",
        "- Add words or #hashtags to your **filters**: videos mentioning them are never shown.",
        "- Choose topics under **More of** and **Less of**.",
        "- Turn **personalisation off**: the feed then uses only what is popular and what you chose.",
        "- **Refresh** your feed: everything learned about you is forgotten for good.",
        "- See and edit **what SafeFeed knows about you**; export it or delete your account.",
    ]
    return "\n".join(lines) + "\n"


def _sensitivity_lines(band: rules.Band) -> list[str]:
    """What the band does with labels that may be wrong, one line per stage (policy keys in brackets)."""
    rules_ = band.sensitivity
    lines = [
        f"- a video counts as mental-health content from a {rules_.threshold:.0%} chance on the classifier's "
        "reading [sensitivity.threshold]"
        + (
            ", or when it is close to known ones, or its creator or hashtags carry them"
            f" (from {rules_.creator_hashtag_share:.0%} of their videos) [sensitivity.propagate,"
            " sensitivity.creator_hashtag_share]"
            if rules_.propagate
            else ""
        ),
        "- likes, shares, comments, follows and rewatches on such videos "
        + ("never raise them in your feed" if rules_.explicit_weight == 0 else f"count x{rules_.explicit_weight:g}")
        + " [sensitivity.explicit_weight]",
        "- such videos "
        + (
            "never reach your feed, explore slots included; only the support tab, if you open it, shows"
            " supportive ones [sensitivity.hold_threshold]"
            if rules_.hold_threshold is not None and rules_.hold_threshold <= rules_.threshold
            else "reach your feed only by chance, in explore slots; more only if you open the support tab"
            " [sensitivity.exposure]"
            if rules_.exposure == "explore_slots"
            else "are ranked like any other [sensitivity.exposure]"
        ),
    ]
    if model.Harm.POTENTIALLY_HARMFUL not in band.recommend_harm:
        chance = f"{rules_.harmful_threshold:.0%}"
        lines.append(
            f"- videos likely to be harmful are held back, from a {chance} chance [sensitivity.harmful_threshold]"
        )
    if rules_.hold_threshold is not None:
        lines.append(
            f"- so are videos with a {rules_.hold_threshold:.0%} chance or more of being mental-health content,"
            " or that evidence from what surrounds them, before anyone has judged them [sensitivity.hold_threshold]"
        )
    if rules_.discount_learning:
        lines.append(
            "- a like or long watch on a video that may be mental-health content teaches the feed less, the more"
            " likely it is [sensitivity.discount_learning]"
        )
    if rules_.rank_penalty:
        lines.append(
            f"- such a chance lowers a video's rank (x{rules_.rank_penalty:g} of the chance) [sensitivity.rank_penalty]"
        )
    if rules_.hold_unclassified:
        lines.append(
            "- new videos wait until a classifier or reviewer has labelled them [sensitivity.hold_unclassified]"
        )
    return lines


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    section: str  # catalog | protections | controls
    region: str
    age_band: str
    name: str
    count: int


def report(store: repository.Store, *, today: dt.date | None = None) -> list[Row]:
    """Counts for the transparency report: the catalog, protections applied, user controls used."""
    day = today or dt.date.today()
    stats = store.catalog_stats()
    rows = [
        Row("catalog", "", "", f"enforcement:{name}", count) for name, count in sorted(stats.by_enforcement.items())
    ]
    rows += [Row("catalog", "", "", f"label:{name}", count) for name, count in sorted(stats.by_label.items())]
    rows += [
        Row("protections", region, band, protection, count)
        for (region, band, protection), count in sorted(store.protection_counts().items())
    ]
    controls: Counter[tuple[str, str, str]] = Counter()
    for region, birth_year, kind, target, count in store.control_counts():
        band = model.Account("x", birth_year=birth_year).age_band(day).value
        controls[(region, band, f"{kind}:{target}")] += count
    rows += [Row("controls", r, b, name, count) for (r, b, name), count in sorted(controls.items())]
    return rows


def as_csv(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([field.name for field in dataclasses.fields(Row)])
    writer.writerows(dataclasses.astuple(row) for row in rows)
    return buffer.getvalue()


def as_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(row) for row in rows]
