"""Catalog, accounts and the append-only event log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

SequenceKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "creators",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("verified_professional", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("region", sa.String(16), nullable=False, server_default=""),
    )
    op.create_table(
        "videos",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("creator_id", sa.String(128), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("hashtags", sa.Text, nullable=False),
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
        sa.Column("topic", sa.String(64), nullable=True),
        sa.Column("is_ad", sa.Boolean, nullable=False),
        sa.Column("mh_related", sa.Boolean, nullable=True),
        sa.Column("theme", sa.String(32), nullable=True),
        sa.Column("harm", sa.String(32), nullable=True),
        sa.Column("mh_probability", sa.Float, nullable=True),
        sa.Column("label_source", sa.String(16), nullable=True),
    )
    op.create_index("ix_videos_creator_id", "videos", ["creator_id"])
    op.create_index("ix_videos_topic", "videos", ["topic"])
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("birth_year", sa.Integer, nullable=True),
        sa.Column("region", sa.String(16), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("seq", SequenceKey, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(128), nullable=False),
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
    op.create_index("ix_events_account_id", "events", ["account_id"])
    _forbid_event_updates()


def _forbid_event_updates() -> None:
    """The event log is append-only: the database itself refuses an UPDATE."""
    message = "the event log is append-only"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE TRIGGER events_append_only BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    else:
        op.execute(
            "CREATE FUNCTION events_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{message}'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE ON events "
            "FOR EACH ROW EXECUTE FUNCTION events_append_only()"
        )


def downgrade() -> None:
    for table in ("events", "accounts", "videos", "creators"):
        op.drop_table(table)
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")
