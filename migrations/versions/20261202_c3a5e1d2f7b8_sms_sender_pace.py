"""the pace per SMS sender number: when each sender is next free (throttling)

Revision ID: c3a5e1d2f7b8
Revises: a1c0ffee0901
Create Date: 2026-12-02 10:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c3a5e1d2f7b8"
down_revision = "a1c0ffee0901"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_sender_pace",
        sa.Column("sender", sa.String(64), nullable=False),
        sa.Column("next_free_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender", name="pk_sms_sender_pace"),
    )


def downgrade() -> None:
    op.drop_table("sms_sender_pace")
