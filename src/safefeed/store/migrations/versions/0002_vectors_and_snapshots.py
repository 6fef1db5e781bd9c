"""Item vectors and account-state snapshots.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "video_vectors",
        sa.Column("video_id", sa.String(128), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("collaborative", sa.LargeBinary, nullable=True),
    )
    op.create_table(
        "account_snapshots",
        sa.Column("account_id", sa.String(128), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("account_snapshots")
    op.drop_table("video_vectors")
