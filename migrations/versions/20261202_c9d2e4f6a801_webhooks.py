"""CMS webhooks: endpoints, deliveries (the dead-letter list), email notices to case managers

Revision ID: c9d2e4f6a801
Revises: a1c0ffee0901
Create Date: 2026-12-02 10:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c9d2e4f6a801"
down_revision = "a1c0ffee0901"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.String(32), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("secret_encrypted", sa.Text, nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name="fk_webhook_endpoints_org_id"
        ),
    )
    op.create_index("ix_webhook_endpoints_org_id", "webhook_endpoints", ["org_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.String(40), nullable=False),
        sa.Column("org_id", sa.String(32), nullable=False),
        sa.Column("endpoint_id", sa.Integer, nullable=False),
        sa.Column("handoff_id", sa.String(32), nullable=False),
        sa.Column("handoff_event_id", sa.Integer, nullable=True),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=False),
        sa.Column("lease_until", TIME, nullable=True),
        sa.Column("retry_until", TIME, nullable=False),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        sa.Column("replays", sa.Integer, nullable=False),
        sa.Column("body_encrypted", sa.Text, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("delivered_at", TIME, nullable=True),
        sa.Column("dead_at", TIME, nullable=True),
        sa.UniqueConstraint("webhook_id", name="uq_webhook_deliveries_webhook_id"),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name="fk_webhook_deliveries_org_id"
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"], ["webhook_endpoints.id"], name="fk_webhook_deliveries_endpoint_id"
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name="fk_webhook_deliveries_handoff_id"
        ),
        sa.ForeignKeyConstraint(
            ["handoff_event_id"],
            ["handoff_events.id"],
            name="fk_webhook_deliveries_handoff_event_id",
        ),
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "urgent", "next_attempt_at"]
    )
    op.create_index("ix_webhook_deliveries_org_status", "webhook_deliveries", ["org_id", "status"])
    op.create_index("ix_webhook_deliveries_endpoint_id", "webhook_deliveries", ["endpoint_id"])
    op.create_index("ix_webhook_deliveries_handoff_id", "webhook_deliveries", ["handoff_id"])
    op.create_table(
        "handoff_notice_recipients",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.String(32), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("urgent_only", sa.Boolean, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name="fk_handoff_notice_recipients_org_id"
        ),
    )
    op.create_index("ix_handoff_notice_recipients_org_id", "handoff_notice_recipients", ["org_id"])
    op.create_table(
        "handoff_email_notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.String(32), nullable=False),
        sa.Column("recipient_id", sa.Integer, nullable=False),
        sa.Column("handoff_id", sa.String(32), nullable=False),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("message_key", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=False),
        sa.Column("lease_until", TIME, nullable=True),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("sent_at", TIME, nullable=True),
        sa.UniqueConstraint("message_key", name="uq_handoff_email_notices_message_key"),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name="fk_handoff_email_notices_org_id"
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["handoff_notice_recipients.id"],
            name="fk_handoff_email_notices_recipient_id",
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name="fk_handoff_email_notices_handoff_id"
        ),
    )
    op.create_index(
        "ix_handoff_email_notices_due", "handoff_email_notices", ["status", "next_attempt_at"]
    )
    op.create_index("ix_handoff_email_notices_org_id", "handoff_email_notices", ["org_id"])
    op.create_index("ix_handoff_email_notices_handoff_id", "handoff_email_notices", ["handoff_id"])


def downgrade() -> None:
    op.drop_table("handoff_email_notices")
    op.drop_table("handoff_notice_recipients")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
