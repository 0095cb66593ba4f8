"""outbox rows for planned messages: idempotency key, appointment, not_after, quiet zone, reason

Revision ID: a1c0ffee0901
Revises: e4c11d0e5511
Create Date: 2026-12-02 10:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a1c0ffee0901"
down_revision = "e4c11d0e5511"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(160), nullable=True))
        batch.add_column(sa.Column("appointment_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("not_after", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("quiet_zone", sa.String(64), nullable=True))
        batch.add_column(sa.Column("status_reason", sa.String(200), nullable=True))
        batch.create_unique_constraint("uq_outbound_messages_idempotency_key", ["idempotency_key"])
        batch.create_foreign_key(
            "fk_outbound_messages_appointment_id",
            "booking_appointments",
            ["appointment_id"],
            ["id"],
        )
    op.create_index("ix_outbound_messages_appointment_id", "outbound_messages", ["appointment_id"])


def downgrade() -> None:
    op.drop_index("ix_outbound_messages_appointment_id", table_name="outbound_messages")
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_constraint("fk_outbound_messages_appointment_id", type_="foreignkey")
        batch.drop_constraint("uq_outbound_messages_idempotency_key", type_="unique")
        batch.drop_column("status_reason")
        batch.drop_column("quiet_zone")
        batch.drop_column("not_after")
        batch.drop_column("appointment_id")
        batch.drop_column("idempotency_key")
