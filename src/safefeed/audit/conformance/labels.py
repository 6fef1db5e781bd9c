"""The auditor's reading of a served video: which rule's content class it falls in.

Labels come from the auditor's side only (`scoring.Labeller`: the world's
answer key, the classifier for videos it lacks), never from what the target
says about its own videos. `lookup` is the one place that reads them.
"""

from __future__ import annotations

from collections.abc import Sequence

from safefeed import model
from safefeed.audit import scoring
from safefeed.content import lexicon, queries

Labeller = scoring.Labeller

# PCU E1 "primary priority content": suicide, self-harm and eating-disorder content that
# encourages, promotes or instructs. Recovery and help content of the same themes is not in it.
E1_THEMES = frozenset({model.Theme.SUICIDE, model.Theme.SELF_HARM, model.Theme.EATING_BODY_IMAGE})
HARMFUL = frozenset({model.Harm.POTENTIALLY_HARMFUL, model.Harm.VIOLATIVE})
# PCU E2: depressive and body-image content that is not itself support (reduced prominence, not exclusion).
E2_EXCLUDED_THEMES = frozenset({model.Theme.THERAPY_RECOVERY_SUPPORT, model.Theme.NEURODIVERGENCE})


def lookup(labeller: Labeller, videos: Sequence[model.Video]) -> list[model.Label]:
    """The auditor's labels for `videos`."""
    return labeller.labels(videos)


def e1(label: model.Label) -> bool:
    """Suicide, self-harm or eating-disorder content that may harm (PCU E1)."""
    return label.mh_related and label.theme in E1_THEMES and label.harm in HARMFUL


def e2(label: model.Label) -> bool:
    """Depressive or body-image content that is not support (PCU E2; includes E1)."""
    return label.mh_related and label.harm is not model.Harm.SUPPORTIVE and label.theme not in E2_EXCLUDED_THEMES


def mental_health(label: model.Label) -> bool:
    return label.mh_related


def compact(text: str) -> str:
    """A search as a person reads it, without spaces: leetspeak, look-alike letters and spacing undone."""
    return "".join(lexicon.normalise(queries.search_form(lexicon.normalise(text))).split()).lstrip("#")


def e1_search(text: str, known: Sequence[str] = ()) -> bool:
    """The auditor's reading of a search or a suggestion: it names suicide, self-harm or eating disorders
    (a lexicon term of those themes, read as typed, compacted or as a hashtag), or is one of `known`."""
    readings = {text, queries.search_form(text), compact(text), f"#{compact(text)}"}
    if compact(text) in {compact(word) for word in known}:
        return True
    themes = {theme.value for theme in E1_THEMES}
    return any(match.kind == "theme" and match.name in themes for r in readings for match in lexicon.match(r))
