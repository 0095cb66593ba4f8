"""booking_appointments.participant_confirmed_at: the participant's own confirmation (a reply
to a reminder), apart from confirmed_at (set when the booking is made or moved)

Revision ID: e8b4c2a7d913
Revises: b2f1e7a9c302
Create Date: 2026-12-02 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db import UTCDateTime

revision = "e8b4c2a7d913"
down_revision = "b2f1e7a9c302"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("booking_appointments") as batch:
        batch.add_column(sa.Column("participant_confirmed_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("booking_appointments") as batch:
        batch.drop_column("participant_confirmed_at")
