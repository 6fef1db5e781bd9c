"""Page decisions: what the ranking decided for each page served, so a retried cursor gets the same page.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "page_decisions",
        sa.Column("account_id", sa.String(128), primary_key=True),
        sa.Column("after_seq", sa.BigInteger, primary_key=True),
        sa.Column("decisions", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("page_decisions")
