"""The labelled sets and the synthetic exemplars, each embedded once as the classifier reads it."""

from __future__ import annotations

import dataclasses
import hashlib
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from safefeed import model
from safefeed.content import classifier, embedding, lexicon
from safefeed.content.training.options import DEFAULT, Options
from safefeed.datasets import labelled_text

EXEMPLARS = Path(__file__).parent.parent / "data" / "exemplars.toml"

Vectors = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]
Progress = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class Part:
    """One labelled set with its embeddings."""

    examples: tuple[labelled_text.LabelledText, ...]
    vectors: Vectors

    def take(self, mask: Mask) -> Part:
        return Part(tuple(e for e, keep in zip(self.examples, mask, strict=True) if keep), self.vectors[mask])

    @property
    def mh(self) -> Mask:
        return np.array([e.mh_related for e in self.examples], dtype=bool)


@dataclasses.dataclass(frozen=True)
class Corpus:
    """Everything training and evaluation read, embedded once."""

    tiktok: Part
    sdcnl: Part
    dreaddit: Part
    cssrs: Part
    ordinary: Vectors  # captions of ordinary feed videos that match no lexicon term
    exemplars: Part


def exemplars() -> list[labelled_text.LabelledText]:
    """The synthetic exemplars that ship with the package."""
    with EXEMPLARS.open("rb") as handle:
        rows = tomllib.load(handle)["exemplars"]
    return [
        labelled_text.LabelledText(
            id=f"exemplar-{index}",
            text=text,
            mh_related=theme != "none",
            theme=None if theme == "none" else model.Theme(theme),
            harm=model.Harm(harm),
            source="exemplars",
        )
        for index, (text, theme, harm) in enumerate(rows)
    ]


def ordinary_negatives(root: Path | None, labelled: set[str]) -> list[labelled_text.Caption]:
    """Captions of ordinary feed videos that can stand as negatives: not among the `labelled` video
    ids, and matching no lexicon theme term (about 1% of ordinary videos are mental-health related)."""
    return [
        c
        for c in labelled_text.ordinary_captions(root)
        if c.video_id not in labelled and not any(m.kind == "theme" for m in lexicon.match(c.text))
    ]


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _embed_cached(
    name: str, texts: Sequence[str], embed: classifier.Embedder, cache: dict[str, Any], progress: Progress
) -> Vectors:
    """Embeddings of `texts`, computed once: the cache is keyed by the text itself, so a changed
    `lexicon.readable` re-embeds exactly the texts it changed."""
    keys = [_key(text) for text in texts]
    known_keys = [str(k) for k in cache.get("text__keys", np.zeros(0, dtype=str))]
    known = dict(
        zip(known_keys, np.asarray(cache.get("text__vectors", np.zeros((0, embedding.DIMENSIONS)))), strict=True)
    )
    missing = list({key: index for index, key in enumerate(keys) if key not in known}.values())
    if missing:
        progress(f"embedding {len(missing):,} texts of {name}")
        fresh = embed([texts[index] for index in missing])
        for index, vector in zip(missing, fresh, strict=True):
            known[keys[index]] = vector
        cache["text__keys"] = np.asarray(list(known))
        cache["text__vectors"] = np.asarray(list(known.values()), dtype=np.float16).reshape(-1, embedding.DIMENSIONS)
    if not texts:
        return np.zeros((0, embedding.DIMENSIONS), dtype=np.float32)
    return np.asarray([known[key] for key in keys], dtype=np.float32)


def load_corpus(
    root: Path | None = None,
    *,
    options: Options = DEFAULT,
    embed: classifier.Embedder = embedding.embed,
    cache: Path | None = None,
    limit: int | None = None,
    progress: Progress = lambda _: None,
) -> Corpus:
    """Read and embed the labelled sets as the classifier reads them (`classifier.model_text`);
    `limit` keeps the first n of each (for quick checks).

    Embeddings are kept in `cache` (an .npz outside the repository) so a second run skips them.
    """
    stored: dict[str, Any] = {}
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            stored = {name: data[name] for name in data.files}

    def vectors(name: str, texts: Sequence[str]) -> Vectors:
        return _embed_cached(name, [classifier.model_text(text) for text in texts], embed, stored, progress)

    def part(name: str, examples: Sequence[labelled_text.LabelledText]) -> Part:
        examples = tuple(examples[:limit])
        return Part(examples, vectors(name, [e.text for e in examples]))

    tiktok = part("tiktok", labelled_text.tiktok_captions(root))
    labelled = {e.id for e in tiktok.examples}
    ordinary = ordinary_negatives(root, labelled)
    rng = np.random.default_rng(options.seed)
    picked = sorted(rng.choice(len(ordinary), size=min(options.ordinary_negatives, len(ordinary)), replace=False))
    ordinary = [ordinary[index] for index in picked][:limit]
    corpus = Corpus(
        tiktok=tiktok,
        sdcnl=part("sdcnl", labelled_text.sdcnl(root)),
        dreaddit=part("dreaddit", labelled_text.dreaddit(root)),
        cssrs=part("cssrs", labelled_text.cssrs(root)),
        ordinary=vectors("ordinary", [c.text for c in ordinary]),
        exemplars=part("exemplars", exemplars()),
    )
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **stored)
    return corpus
