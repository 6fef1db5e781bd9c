""" "Why this video": the real reasons from the ranking, in plain language."""

from __future__ import annotations

SOURCE_REASONS = {
    "interest": "It is similar to videos you watched, liked or searched for",
    "following": "It is from a creator you follow",
    "trending": "It is popular right now{region}",
    "chosen": "It is about {topic}, a topic you chose",
    "explore": "It is something new, outside your usual topics",
    "stem": "It is from the STEM feed of science, maths, history and how-to videos",
    "sponsored": "Sponsored",
}
AD_REASONS = {
    "contextual": "This ad was chosen for the video before it, not from anything about you",
    "profile": "This ad was matched to your interests",
}


PERSONALISATION_EXPLAINED = (
    "A personalised feed learns from what you watch, like, share, follow and search, and picks videos it "
    "thinks you will want. Without it, your feed shows only what is popular and the topics you chose, and "
    "nothing you do is used to profile you. You can switch it off again at any time, and refresh your feed "
    "to make it forget everything."
)
NOT_PERSONALISED = "Your feed is not personalised: nothing you watch changes it"


def reasons(
    *,
    source: str,
    topic: str,
    region: str,
    similarity: float,
    topic_affinity: float,
    followed: bool,
    personalised: bool,
    targeting: str = "contextual",
) -> tuple[str, ...]:
    """Sentences for one item, most important first.

    >>> reasons(source="trending", topic="food", region="KE", similarity=0.0,
    ...         topic_affinity=0.0, followed=False, personalised=False)
    ('It is popular right now in your region (KE)', 'Your feed is not personalised: ...')
    """
    region_text = f" in your region ({region})" if region else ""
    found = [SOURCE_REASONS.get(source, "It was picked for you").format(region=region_text, topic=topic)]
    if source == "sponsored":
        return (found[0], AD_REASONS.get(targeting, AD_REASONS["contextual"]))
    if personalised:
        if source != "interest" and similarity > 0.5:
            found.append("It is close to your interests")
        if topic_affinity > 0.25:
            found.append(f"You often engage with {topic} videos")
        if followed and source != "following":
            found.append("It is from a creator you follow")
    else:
        found.append(NOT_PERSONALISED)
    return tuple(found)
