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

# Every change to the catalog after it was loaded, in order: a moderation decision or a
# reviewed label names its video, an import names none (everything may have changed).
# Each serving process follows it, so a decision made on one reaches all of them.
catalog_changes = sa.Table(
    "catalog_changes",
    metadata,
    sa.Column("seq", SequenceKey, primary_key=True, autoincrement=True),
    sa.Column("video_id", sa.String(128), nullable=True),
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

# -- well-being (safefeed.wellbeing) ------------------------------------------
# Everything here is shared state: two API instances over one PostgreSQL agree
# because none of it lives in process memory.

# Screen time, summed by the account's local day and local hour (the hour as the
# clock on the wall showed it: a DST fall-back hour holds up to 120 minutes).
screen_time = sa.Table(
    "screen_time",
    metadata,
    sa.Column("account_id", sa.String(128), primary_key=True),
    sa.Column("day", sa.String(10), primary_key=True),  # local date, ISO "YYYY-MM-DD"
    sa.Column("hour", sa.Integer, primary_key=True),  # local hour, 0-23
    sa.Column("seconds", sa.Float, nullable=False),
)

# One row per account: the activity clock (advanced by compare-and-set on
# `version`) and the passcode lock-out after wrong attempts.
wellbeing_state = sa.Table(
    "wellbeing_state",
    metadata,
    sa.Column("account_id", sa.String(128), primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("last_moment", sa.Float, nullable=True),
    sa.Column("session_start", sa.Float, nullable=True),
    sa.Column("session_seconds", sa.Float, nullable=False),
    sa.Column("acked_seconds", sa.Float, nullable=False),
    sa.Column("failed_unlocks", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.Float, nullable=True),
)

# Extra minutes on top of the daily limit for one local day: a passcode or a
# guardian's approval. An approval also opens Time Away from `at` to `until`.
time_grants = sa.Table(
    "time_grants",
    metadata,
    sa.Column("id", SequenceKey, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(128), nullable=False, index=True),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # "passcode" or "guardian"
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("until", sa.Float, nullable=True),
)

# When a prompt was shown, dismissed or confirmed, keyed by the day or night it belongs to.
prompt_marks = sa.Table(
    "prompt_marks",
    metadata,
    sa.Column("account_id", sa.String(128), primary_key=True),
    sa.Column("mark", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
)

# Argon2 hashes of the passcodes that extend a daily limit: the account's own
# (owner_id = account_id) and each guardian's for their teen.
passcodes = sa.Table(
    "passcodes",
    metadata,
    sa.Column("account_id", sa.String(128), primary_key=True),
    sa.Column("owner_id", sa.String(128), primary_key=True),
    sa.Column("hash", sa.String(200), nullable=False),
    sa.Column("set_at", sa.Float, nullable=False),
)

# Family Pairing codes, stored as SHA-256 digests; one use each, short-lived.
pairing_codes = sa.Table(
    "pairing_codes",
    metadata,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("guardian_id", sa.String(128), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("used_at", sa.Float, nullable=True),
)

guardian_links = sa.Table(
    "guardian_links",
    metadata,
    sa.Column("guardian_id", sa.String(128), primary_key=True),
    sa.Column("teen_id", sa.String(128), primary_key=True, index=True),
    sa.Column("linked_at", sa.Float, nullable=False),
)

# What each guardian set for a teen; the teen gets the strictest of them all.
family_controls = sa.Table(
    "family_controls",
    metadata,
    sa.Column("teen_id", sa.String(128), primary_key=True),
    sa.Column("guardian_id", sa.String(128), primary_key=True),
    sa.Column("daily_limit_minutes", sa.Integer, nullable=True),
    sa.Column("time_away", sa.JSON, nullable=False),  # [{"days": [1..7], "start": "HH:MM", "end": "HH:MM"}]
    sa.Column("settings", sa.JSON, nullable=False),  # keyword_filters, less_of, personalised, autoplay, streaks
    sa.Column("updated_at", sa.Float, nullable=False),
)

time_requests = sa.Table(
    "time_requests",
    metadata,
    sa.Column("id", SequenceKey, primary_key=True, autoincrement=True),
    sa.Column("teen_id", sa.String(128), nullable=False, index=True),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("requested_at", sa.Float, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("decided_by", sa.String(128), nullable=True),
    sa.Column("decided_at", sa.Float, nullable=True),
)

# An inbox per recipient; `delivered_at` stays empty while quiet hours hold a notification.
notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", SequenceKey, primary_key=True, autoincrement=True),
    sa.Column("recipient_id", sa.String(128), nullable=False),
    # Whom it is about, when that is someone else (a guardian told of a teen's request): deleting
    # that person's account deletes it too.
    sa.Column("subject_id", sa.String(128), nullable=True, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("dedupe_key", sa.String(64), nullable=True),  # e.g. the week of a recap: queued once
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("delivered_at", sa.Float, nullable=True),
    sa.UniqueConstraint("recipient_id", "dedupe_key", name="uq_notifications_recipient_id_dedupe_key"),
    sa.Index("ix_notifications_recipient_id_delivered_at", "recipient_id", "delivered_at"),
)

# The auditor's answer key for a generated catalog: what each video really is. Only the audit lab
# reads it (`store.answer_key`); the engine, the service and the API know only `videos`' labels.
answer_key = sa.Table(
    "answer_key",
    metadata,
    sa.Column("video_id", sa.String(128), primary_key=True),
    sa.Column("mh_related", sa.Boolean, nullable=False),
    sa.Column("theme", sa.String(32), nullable=True),
    sa.Column("harm", sa.String(32), nullable=False),
)

# The ranking decisions of each page served, keyed by the impression seq its cursor stands for
# (`store.pages`, `recommend.cursor`): a retried cursor is answered with the same page.
page_decisions = sa.Table(
    "page_decisions",
    metadata,
    sa.Column("account_id", sa.String(128), primary_key=True),
    sa.Column("after_seq", sa.BigInteger, primary_key=True),
    sa.Column("decisions", sa.Text, nullable=False),
)
