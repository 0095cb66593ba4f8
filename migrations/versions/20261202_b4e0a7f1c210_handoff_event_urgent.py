"""handoff events: whether a flag was urgent (the summary's urgent flags, with reason and time)

Revision ID: b4e0a7f1c210
Revises: a1c0ffee0901
Create Date: 2026-12-02 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b4e0a7f1c210"
down_revision = "a1c0ffee0901"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_events") as batch:
        batch.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Flags before this column: a handoff that is urgent had its flags raised as urgent
    # except the plain screening ones; the best guess the data allows.
    events = sa.table("handoff_events", sa.column("handoff_id"), sa.column("kind"),
                      sa.column("reason"), sa.column("urgent", sa.Boolean()))  # fmt: skip
    handoffs = sa.table("handoffs", sa.column("id"), sa.column("urgent", sa.Boolean()))
    op.execute(
        events.update()
        .where(
            events.c.kind == "flag",
            events.c.reason.notin_(("screening", "screening_incomplete")),
            events.c.handoff_id.in_(sa.select(handoffs.c.id).where(handoffs.c.urgent.is_(True))),
        )
        .values(urgent=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("handoff_events") as batch:
        batch.drop_column("urgent")
