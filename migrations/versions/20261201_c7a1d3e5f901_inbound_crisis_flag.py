"""inbound messages: crisis flag set by the safety net when the message is stored

Revision ID: c7a1d3e5f901
Revises: 7b78955c1ab5
Create Date: 2026-12-01 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c7a1d3e5f901"
down_revision = "7b78955c1ab5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(
            sa.Column("crisis", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_column("crisis")
