"""indexes for the program page's aggregates (api/staff/program.py, bench/program_page.py)

Each figure reads a period of one table: screenings by started_at and completed_at,
first bookings by created_at (and "no earlier booking" by participant), the first message
by conversation and time, reminders by kind and send time (or planned time when unsent).

Revision ID: d7e3a9b1c405
Revises: a1c0ffee0901
Create Date: 2026-12-02 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d7e3a9b1c405"
down_revision = "a1c0ffee0901"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_screening_sessions_started_at", "screening_sessions", ["started_at"]),
    ("ix_screening_sessions_completed_at", "screening_sessions", ["completed_at"]),
    ("ix_booking_appointments_created_at", "booking_appointments", ["created_at"]),
    (
        "ix_booking_appointments_participant_created",
        "booking_appointments",
        ["participant_id", "created_at"],
    ),
    (
        "ix_inbound_messages_conversation_received",
        "inbound_messages",
        ["conversation_id", "received_at"],
    ),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_index(
        "ix_outbound_messages_kind_send_time",
        "outbound_messages",
        ["kind", sa.text("coalesce(sent_at, next_attempt_at)")],
    )


def downgrade() -> None:
    op.drop_index("ix_outbound_messages_kind_send_time", table_name="outbound_messages")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
