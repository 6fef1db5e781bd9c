"""Well-being: screen time, prompts, passcodes, Family Pairing, time requests, notifications.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

SequenceKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "screen_time",
        sa.Column("account_id", sa.String(128), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("hour", sa.Integer, primary_key=True),
        sa.Column("seconds", sa.Float, nullable=False),
    )
    op.create_table(
        "wellbeing_state",
        sa.Column("account_id", sa.String(128), primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("last_moment", sa.Float, nullable=True),
        sa.Column("session_start", sa.Float, nullable=True),
        sa.Column("session_seconds", sa.Float, nullable=False),
        sa.Column("acked_seconds", sa.Float, nullable=False),
        sa.Column("failed_unlocks", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.Float, nullable=True),
    )
    op.create_table(
        "time_grants",
        sa.Column("id", SequenceKey, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("until", sa.Float, nullable=True),
    )
    op.create_index("ix_time_grants_account_id", "time_grants", ["account_id"])
    op.create_table(
        "prompt_marks",
        sa.Column("account_id", sa.String(128), primary_key=True),
        sa.Column("mark", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_table(
        "passcodes",
        sa.Column("account_id", sa.String(128), primary_key=True),
        sa.Column("owner_id", sa.String(128), primary_key=True),
        sa.Column("hash", sa.String(200), nullable=False),
        sa.Column("set_at", sa.Float, nullable=False),
    )
    op.create_table(
        "pairing_codes",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("guardian_id", sa.String(128), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("used_at", sa.Float, nullable=True),
    )
    op.create_table(
        "guardian_links",
        sa.Column("guardian_id", sa.String(128), primary_key=True),
        sa.Column("teen_id", sa.String(128), primary_key=True),
        sa.Column("linked_at", sa.Float, nullable=False),
    )
    op.create_index("ix_guardian_links_teen_id", "guardian_links", ["teen_id"])
    op.create_table(
        "family_controls",
        sa.Column("teen_id", sa.String(128), primary_key=True),
        sa.Column("guardian_id", sa.String(128), primary_key=True),
        sa.Column("daily_limit_minutes", sa.Integer, nullable=True),
        sa.Column("time_away", sa.JSON, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "time_requests",
        sa.Column("id", SequenceKey, primary_key=True, autoincrement=True),
        sa.Column("teen_id", sa.String(128), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("requested_at", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=True),
        sa.Column("decided_at", sa.Float, nullable=True),
    )
    op.create_index("ix_time_requests_teen_id", "time_requests", ["teen_id"])
    op.create_table(
        "notifications",
        sa.Column("id", SequenceKey, primary_key=True, autoincrement=True),
        sa.Column("recipient_id", sa.String(128), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("dedupe_key", sa.String(64), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("delivered_at", sa.Float, nullable=True),
        sa.UniqueConstraint("recipient_id", "dedupe_key", name="uq_notifications_recipient_id_dedupe_key"),
    )
    op.create_index("ix_notifications_recipient_id_delivered_at", "notifications", ["recipient_id", "delivered_at"])
    op.create_index("ix_notifications_subject_id", "notifications", ["subject_id"])


def downgrade() -> None:
    for table in (
        "notifications",
        "time_requests",
        "family_controls",
        "guardian_links",
        "pairing_codes",
        "passcodes",
        "prompt_marks",
        "time_grants",
        "wellbeing_state",
        "screen_time",
    ):
        op.drop_table(table)
