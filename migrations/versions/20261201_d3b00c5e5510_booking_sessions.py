"""booking sessions: the booking conversation's state

Revision ID: d3b00c5e5510
Revises: b2f1c0de0801
Create Date: 2026-12-01 23:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db import UTCDateTime

revision = "d3b00c5e5510"
down_revision = "b2f1c0de0801"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "participant_id", sa.String(32), sa.ForeignKey("participants.id"), nullable=False
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("domain_index", sa.Integer(), nullable=False),
        sa.Column("max_referrals", sa.Integer(), nullable=False),
        sa.Column("zip_code", sa.String(10), nullable=True),
        sa.Column("name_encrypted", sa.Text(), nullable=True),
        sa.Column("phone_encrypted", sa.Text(), nullable=True),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.Column("seen", sa.JSON(), nullable=False),
        sa.Column("menu", sa.Integer(), nullable=False),
        sa.Column(
            "rescheduling_id",
            sa.String(32),
            sa.ForeignKey("booking_appointments.id"),
            nullable=True,
        ),
        sa.Column("booked", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_booking_sessions_participant_id", "booking_sessions", ["participant_id"])
    op.create_index("ix_booking_sessions_status", "booking_sessions", ["status"])


def downgrade() -> None:
    op.drop_index("ix_booking_sessions_status", table_name="booking_sessions")
    op.drop_index("ix_booking_sessions_participant_id", table_name="booking_sessions")
    op.drop_table("booking_sessions")
