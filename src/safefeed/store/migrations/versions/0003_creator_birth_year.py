"""Creators' own birth year, so under-16s' videos are not recommended to strangers.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("creators") as batch:
        batch.add_column(sa.Column("birth_year", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("creators") as batch:
        batch.drop_column("birth_year")
