"""referral deliveries (email, SMS via the outbox, webhook, phone task); outbox recipients
who are not participants

Revision ID: b2f1c0de0801
Revises: 3a03f291b191
Create Date: 2026-12-01 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db import UTCDateTime

revision = "b2f1c0de0801"
down_revision = "3a03f291b191"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "referral_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "referral_id", sa.String(32), sa.ForeignKey("booking_referrals.id"), nullable=False
        ),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("hsds_services.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("content_encrypted", sa.Text(), nullable=False),
        sa.Column("message_key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column(
            "outbound_message_id",
            sa.Integer(),
            sa.ForeignKey("outbound_messages.id"),
            nullable=True,
        ),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("outcome_by", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_referral_deliveries"),
        sa.UniqueConstraint("message_key", name="uq_referral_deliveries_message_key"),
    )
    for column in ("referral_id", "service_id", "status", "next_attempt_at"):
        op.create_index(f"ix_referral_deliveries_{column}", "referral_deliveries", [column])
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("recipient_encrypted", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_column("recipient_encrypted")
    op.drop_table("referral_deliveries")
