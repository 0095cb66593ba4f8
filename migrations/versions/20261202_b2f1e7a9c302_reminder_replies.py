"""reminder_replies: the answers to reminders, follow-ups and a decline's new times

Revision ID: b2f1e7a9c302
Revises: a1c0ffee0901
Create Date: 2026-12-02 10:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db import UTCDateTime

revision = "b2f1e7a9c302"
down_revision = "a1c0ffee0901"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_replies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("outbound_message_id", sa.Integer(), nullable=True),
        sa.Column("inbound_message_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.String(length=32), nullable=True),
        sa.Column("referral_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("booking_session_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], name="fk_reminder_replies_participant_id"
        ),
        sa.ForeignKeyConstraint(
            ["outbound_message_id"],
            ["outbound_messages.id"],
            name="fk_reminder_replies_outbound_message_id",
        ),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_messages.id"],
            name="fk_reminder_replies_inbound_message_id",
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["booking_appointments.id"],
            name="fk_reminder_replies_appointment_id",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["booking_referrals.id"], name="fk_reminder_replies_referral_id"
        ),
        sa.ForeignKeyConstraint(
            ["booking_session_id"],
            ["booking_sessions.id"],
            name="fk_reminder_replies_booking_session_id",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reminder_replies"),
        sa.UniqueConstraint("outbound_message_id", name="uq_reminder_replies_outbound_message_id"),
        sa.UniqueConstraint("inbound_message_id", name="uq_reminder_replies_inbound_message_id"),
    )
    op.create_index("ix_reminder_replies_participant_id", "reminder_replies", ["participant_id"])
    op.create_index(
        "ix_reminder_replies_booking_session_id", "reminder_replies", ["booking_session_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_reminder_replies_booking_session_id", table_name="reminder_replies")
    op.drop_index("ix_reminder_replies_participant_id", table_name="reminder_replies")
    op.drop_table("reminder_replies")
