"""booking sessions remember the last reply per inbound message (an engine retry says it again)

Revision ID: e4c11d0e5511
Revises: d3b00c5e5510
Create Date: 2026-12-01 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e4c11d0e5511"
down_revision = "d3b00c5e5510"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("booking_sessions") as batch:
        batch.add_column(sa.Column("last_message_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_said", sa.JSON(), nullable=True))
    op.create_index("ix_booking_sessions_last_message_id", "booking_sessions", ["last_message_id"])


def downgrade() -> None:
    op.drop_index("ix_booking_sessions_last_message_id", table_name="booking_sessions")
    with op.batch_alter_table("booking_sessions") as batch:
        batch.drop_column("last_said")
        batch.drop_column("last_message_id")
