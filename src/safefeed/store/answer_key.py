"""The auditor's answer key, in its own table: what each generated video really is.

A generated catalog knows the truth about every video; a platform never does.
So the truth is stored apart from `videos` (whose labels the engine reads:
classifier output, reviews) and only the audit lab and `catalog stats` read
it. Nothing in `recommend/`, `policy/`, `api/` or the service imports this.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import sqlalchemy as sa

from safefeed import model
from safefeed.store import repository, schema
from safefeed.store import rows as rows_module


def put(store: repository.Store, key: Mapping[str, model.Label]) -> int:
    """Replace the whole answer key with `key` (one transaction); returns how many rows it holds."""
    rows = _rows(key)
    with store.engine.begin() as connection:
        connection.execute(sa.delete(schema.answer_key))
        if rows:
            connection.execute(sa.insert(schema.answer_key), rows)
    return len(rows)


def add(store: repository.Store, key: Mapping[str, model.Label]) -> int:
    """Add or replace these videos' rows (a labelled catalog file's claims), keeping the others."""
    rows = _rows(key)
    if rows:
        insert = rows_module.insert(store.engine, schema.answer_key)
        updates = {name: insert.excluded[name] for name in ("mh_related", "theme", "harm")}
        with store.engine.begin() as connection:
            connection.execute(insert.on_conflict_do_update(index_elements=["video_id"], set_=updates), rows)
    return len(rows)


def read(store: repository.Store) -> dict[str, model.Label]:
    """The answer key (empty for a catalog without one, e.g. real captions imported without labels)."""
    table = schema.answer_key
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(table)).all()
    return {
        row.video_id: model.Label(
            mh_related=bool(row.mh_related),
            theme=None if row.theme is None else model.Theme(row.theme),
            harm=model.Harm(row.harm),
            probability=1.0,
        )
        for row in rows
    }


def _rows(key: Mapping[str, model.Label]) -> list[dict[str, object]]:
    return [
        {
            "video_id": video_id,
            "mh_related": label.mh_related,
            "theme": None if label.theme is None else label.theme.value,
            "harm": label.harm.value,
        }
        for video_id, label in key.items()
    ]


def counts(store: repository.Store) -> dict[str, int]:
    """Answer-key rows by theme/harm ('not_mh' for the rest), for `safefeed catalog stats`."""
    table = schema.answer_key
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.mh_related, table.c.theme, table.c.harm, sa.func.count().label("n")).group_by(
                table.c.mh_related, table.c.theme, table.c.harm
            )
        ).all()
    out: Counter[str] = Counter()
    for row in rows:
        out["not_mh" if not row.mh_related else f"{row.theme}/{row.harm}"] += int(row.n)
    return dict(sorted(out.items()))
