"""handoff email notices: to the participant's assigned case manager (a staff user) or to
one of the organization's notice recipients

Revision ID: f2a6c8e0b913
Revises: c9d2e4f6a801
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f2a6c8e0b913"
down_revision = "c9d2e4f6a801"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_email_notices") as batch:
        batch.alter_column("recipient_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("staff_user_id", sa.String(32), nullable=True))
        batch.create_foreign_key(
            "fk_handoff_email_notices_staff_user_id", "staff_users", ["staff_user_id"], ["id"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM handoff_email_notices WHERE recipient_id IS NULL")
    with op.batch_alter_table("handoff_email_notices") as batch:
        batch.drop_constraint("fk_handoff_email_notices_staff_user_id", type_="foreignkey")
        batch.drop_column("staff_user_id")
        batch.alter_column("recipient_id", existing_type=sa.Integer, nullable=False)
