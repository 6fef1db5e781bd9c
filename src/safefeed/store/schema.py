"""The tables, in SQLAlchemy Core. Migrations (Alembic) create them; tests check the two agree.

Times are stored as UTC epoch seconds (a float): portable, ordered and cheap to compare.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT.
SequenceKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

creators = sa.Table(
    "creators",
    metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("verified_professional", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("region", sa.String(16), nullable=False, server_default=""),
    sa.Column("birth_year", sa.Integer, nullable=True),
)

videos = sa.Table(
    "videos",
    metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("creator_id", sa.String(128), nullable=False, index=True),
    sa.Column("caption", sa.Text, nullable=False),
    sa.Column("hashtags", sa.Text, nullable=False),  # space-separated, without '#'
    sa.Column("duration_s", sa.Float, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("views", sa.BigInteger, nullable=False),
    sa.Column("likes", sa.BigInteger, nullable=False),
    sa.Column("comments", sa.BigInteger, nullable=False),
    sa.Column("shares", sa.BigInteger, nullable=False),
    sa.Column("saves", sa.BigInteger, nullable=False),
    sa.Column("enforcement", sa.String(16), nullable=False),
    sa.Column("topic", sa.String(64), nullable=True, index=True),
    sa.Column("is_ad", sa.Boolean, nullable=False),
    # The label, once known; label_source says who decided it (a review always wins).
    sa.Column("mh_related", sa.Boolean, nullable=True),
    sa.Column("theme", sa.String(32), nullable=True),
    sa.Column("harm", sa.String(32), nullable=True),
    sa.Column("mh_probability", sa.Float, nullable=True),
    sa.Column("label_source", sa.String(16), nullable=True),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("birth_year", sa.Integer, nullable=True),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

# Append-only: a trigger refuses updates (see the initial migration).
events = sa.Table(
    "events",
    metadata,
    sa.Column("seq", SequenceKey, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(128), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("video_id", sa.String(128), nullable=True),
    sa.Column("seconds", sa.Float, nullable=True),
    sa.Column("fraction", sa.Float, nullable=True),
    sa.Column("query", sa.String(500), nullable=True),
    sa.Column("creator_id", sa.String(128), nullable=True),
    sa.Column("hashtag", sa.String(100), nullable=True),
    sa.Column("topic", sa.String(64), nullable=True),
)

# Item vectors: the content embedding (computed once per video) and the
# collaborative factors (`safefeed train`), both float16 bytes.
video_vectors = sa.Table(
    "video_vectors",
    metadata,
    sa.Column("video_id", sa.String(128), primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("collaborative", sa.LargeBinary, nullable=True),
)

# Where an account's learned state starts: replaying its events after `seq`
# on top of `state` rebuilds it exactly. A refresh writes an empty state here.
account_snapshots = sa.Table(
    "account_snapshots",
    metadata,
    sa.Column("account_id", sa.String(128), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("state", sa.LargeBinary, nullable=False),
)

# What the protections did, summed by region and age band: the transparency report reads it.
protection_counts = sa.Table(
    "protection_counts",
    metadata,
    sa.Column("region", sa.String(16), primary_key=True),
    sa.Column("band", sa.String(8), primary_key=True),
    sa.Column("protection", sa.String(32), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# Who may call the API: a login per principal (an account, a guardian, an admin,
# an auditor), its argon2 password hash, and the lock-out state after failed logins.
principals = sa.Table(
    "principals",
    metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.Float, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
)

# Bearer tokens, stored as SHA-256 digests: a stolen database holds no usable token.
tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("principal_id", sa.String(128), nullable=False, index=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
)
