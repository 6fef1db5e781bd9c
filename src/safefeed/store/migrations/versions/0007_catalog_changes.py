"""Catalog changes: the ordered log of moderation decisions, reviews and imports that serving processes follow.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"

SequenceKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "catalog_changes",
        sa.Column("seq", SequenceKey, primary_key=True, autoincrement=True),
        sa.Column("video_id", sa.String(128), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("catalog_changes")
