"""The answer key: a generated catalog's ground truth, kept apart from the labels the engine reads.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "answer_key",
        sa.Column("video_id", sa.String(128), primary_key=True),
        sa.Column("mh_related", sa.Boolean, nullable=False),
        sa.Column("theme", sa.String(32), nullable=True),
        sa.Column("harm", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("answer_key")
