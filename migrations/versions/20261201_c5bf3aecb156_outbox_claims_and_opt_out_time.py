"""outbox: explicit claims (claimed_at, lease_until); participants: when and by which message
they opted out of SMS

Revision ID: c5bf3aecb156
Revises: 36ac8c8b33e1
Create Date: 2026-12-01 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import api.db

revision = "c5bf3aecb156"
down_revision = "36ac8c8b33e1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", api.db.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("lease_until", api.db.UTCDateTime(timezone=True)))
    # A row some worker was sending when this ran: its lease runs out now, as before.
    op.execute(
        "UPDATE outbound_messages SET claimed_at = next_attempt_at, lease_until = next_attempt_at"
        " WHERE status = 'sending'"
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sms_opted_out_at", api.db.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("sms_opt_out_message_id", sa.Integer()))


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("sms_opt_out_message_id")
        batch_op.drop_column("sms_opted_out_at")
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_at")
