"""handoff_events.message_id: one event per inbound message and reason

Revision ID: 37c86e7b15a3
Revises: c5bf3aecb156
Create Date: 2026-12-01 22:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "37c86e7b15a3"
down_revision = "c5bf3aecb156"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (no table rebuild on SQLite, so rows referencing it are no trouble)
    op.add_column("handoff_events", sa.Column("message_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff_events", schema=None) as batch_op:
        batch_op.drop_column("message_id")
