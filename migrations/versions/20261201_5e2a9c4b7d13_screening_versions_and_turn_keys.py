"""screening: instrument snapshots, the session's pinned versions, the turn's idempotency key

Revision ID: 5e2a9c4b7d13
Revises: c7a1d3e5f901
Create Date: 2026-12-01 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import api.db

revision = "5e2a9c4b7d13"
down_revision = "c7a1d3e5f901"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_instrument_versions",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_screening_instrument_versions")),
    )
    with op.batch_alter_table("screening_sessions") as batch:
        batch.add_column(sa.Column("digests", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("turn_key", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("turn_said", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screening_sessions") as batch:
        batch.drop_column("turn_said")
        batch.drop_column("turn_key")
        batch.drop_column("digests")
    op.drop_table("screening_instrument_versions")
