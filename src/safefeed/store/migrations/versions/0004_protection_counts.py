"""Counts of protections applied, for the transparency report.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "protection_counts",
        sa.Column("region", sa.String(16), primary_key=True),
        sa.Column("band", sa.String(8), primary_key=True),
        sa.Column("protection", sa.String(32), primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("protection_counts")
