"""The audit's world: a generated catalog imported as a platform would, its answer key apart.

`prepare_world` generates the catalog (or draws real captions: `real_world`), imports its unlabelled videos through
`content.pipeline.import_catalog` (the classifier labels them, with their
probability, and every video is embedded) and stores the answer key in its
own table (`store.answer_key`), which only the auditor reads. Then the world
gets its past (`audit.history`): background accounts' events in the log and
the collaborative item factors a platform learns from them, so the engine's
item vectors carry behaviour as well as captions. A world whose
engine sees other labels (`reviewed`, a noisy oracle) is a copy with those
labels set (`engine_labels.derive`), so every label quality shares one
embedding and one history.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import types
from collections.abc import Mapping
from pathlib import Path

from safefeed import model
from safefeed.audit import engine_labels as engine_labels_module
from safefeed.audit import history, real_world
from safefeed.audit import scenario as scenario_module
from safefeed.content import generate, pipeline
from safefeed.store import answer_key, repository

CLASSIFIER_LABELS = engine_labels_module.EngineLabels()
VERSION = "v3"  # v3: worlds carry a history (v2 files, content only, are the cache's first layer)


def _content(spec: scenario_module.CatalogSpec, path: Path, progress: history.Progress | None) -> None:
    """The catalog, classified and embedded, with its answer key: everything but the history."""
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    store = repository.Store.open(f"sqlite:///{partial}", simulation=True)
    try:
        if spec.source == "kinit":
            folder, labels = real_world.default_paths(spec.path, spec.labels)
            catalog = real_world.catalog(folder, spec.videos, spec.seed)
            pipeline.import_catalog(store, catalog, classify=True, phase=progress)
            served = {video.id for video in catalog.videos}
            key = {video_id: label for video_id, label in real_world.hand_labels(labels).items() if video_id in served}
            answer_key.put(store, key)
        else:
            world = generate.generate(spec.videos, seed=spec.seed)
            pipeline.import_catalog(store, world.catalog(), classify=True, phase=progress)
            answer_key.put(store, world.answer_key)
    finally:
        store.close()
    os.replace(partial, path)


def _add_history(
    spec: scenario_module.CatalogSpec, content: Path, path: Path, progress: history.Progress | None
) -> None:
    """A copy of the content world with its past logged and learned (`audit.history`)."""
    partial = path.with_suffix(".partial")
    shutil.copyfile(content, partial)
    store = repository.Store.open(f"sqlite:///{partial}", simulation=True)
    try:
        mh_ids = frozenset(video_id for video_id, label in answer_key.read(store).items() if label.mh_related)
        history.record(store, mh_ids, spec.history, progress=progress)
    finally:
        store.close()
    os.replace(partial, path)


def _name(spec: scenario_module.CatalogSpec) -> str:
    """The cached world's file stem: its catalog and, where it has one, a digest of its history."""
    source = "" if spec.source == "generated" else f"{spec.source}-"
    stem = f"world-{source}{spec.videos}-{spec.seed}"
    if spec.history.count(spec.videos) <= 0:
        return stem
    settings = json.dumps(dataclasses.asdict(spec.history), sort_keys=True)
    return f"{stem}-h{hashlib.blake2b(settings.encode(), digest_size=4).hexdigest()}"


def _build(
    spec: scenario_module.CatalogSpec,
    path: Path,
    *,
    cache: Path | None = None,
    progress: history.Progress | None = None,
) -> None:
    """The world at `path`; with `cache`, its content layer (the slow embedding) is kept there too."""
    if cache is None:
        content = path.with_suffix(".content")
        _content(spec, content, progress)
    else:
        source = "" if spec.source == "generated" else f"{spec.source}-"
        content = cache / f"world-{source}{spec.videos}-{spec.seed}-v2.db"  # content only: v2's layout
        if not content.exists():
            _content(spec, content, progress)
    if spec.history.count(spec.videos) <= 0:
        _copy(content, path)
    else:
        _add_history(spec, content, path, progress)
    if cache is None:
        content.unlink(missing_ok=True)


def _copy(source: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, path.with_suffix(".partial"))
    os.replace(path.with_suffix(".partial"), path)


def prepare_world(
    spec: scenario_module.CatalogSpec,
    path: Path,
    *,
    cache: Path | None = None,
    labels: engine_labels_module.EngineLabels = CLASSIFIER_LABELS,
    seed: int = 0,
    progress: history.Progress | None = None,
) -> Path:
    """The world (catalog, vectors, engine labels, history, answer key) in a SQLite file, built once.

    Embedding is the slow part (minutes for 20,000 videos), so with `cache`
    the classifier-labelled world is built there once per (videos, seed,
    history) and copied. `labels` other than the classifier's are set on the copy at `path`.
    `progress` follows each step of a build (classifying, embedding, storing, the history's).
    """
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    if cache is not None:
        base = Path(cache) / f"{_name(spec)}-{VERSION}.db"
        if not base.exists():
            base.parent.mkdir(parents=True, exist_ok=True)
            _build(spec, base, cache=Path(cache), progress=progress)
        _copy(base, path.with_suffix(".base"))
    else:
        _build(spec, path.with_suffix(".base"), progress=progress)
    staged = path.with_suffix(".base")
    if labels.kind != "classifier":
        store = repository.Store.open(f"sqlite:///{staged}", simulation=True)
        try:
            store.set_labels(engine_labels_module.derive(labels, answer_key.read(store), seed=seed))
        finally:
            store.close()
    os.replace(staged, path)
    return path


# The world a worker process read last: (path, mtime, size) -> its videos and their answer key.
_WORLDS: dict[tuple[str, int, int], tuple[tuple[model.Video, ...], Mapping[str, model.Label]]] = {}


def read(world: Path, store: repository.Store) -> tuple[tuple[model.Video, ...], Mapping[str, model.Label]]:
    """The world's videos (as the engine sees them) and its answer key, read once per worker process.

    Reading every row back was most of a short unit's time, and every unit of a
    run reads the same file, which `prepare_world` never changes once written
    (a rebuilt one has another mtime or size). Videos are frozen and the
    mapping read-only, so sharing them cannot carry one unit's events into
    another; `store` is the unit's private copy, read only on a miss.
    """
    stat = world.stat()
    key = (str(world), stat.st_mtime_ns, stat.st_size)
    if key not in _WORLDS:
        _WORLDS.clear()  # one world at a time: a worker that moves on to another run frees the last
        _WORLDS[key] = (tuple(store.iter_videos()), types.MappingProxyType(answer_key.read(store)))
    return _WORLDS[key]
