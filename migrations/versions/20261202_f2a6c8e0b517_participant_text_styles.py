"""participant_text_styles: a participant's text style (Vietnamese without diacritics,
detected from their messages or chosen by keyword; api/i18n/style.py)

Revision ID: f2a6c8e0b517
Revises: e8b4c2a7d913
Create Date: 2026-12-02 17:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db import UTCDateTime

revision = "f2a6c8e0b517"
down_revision = "e8b4c2a7d913"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "participant_text_styles",
        sa.Column(
            "participant_id", sa.String(32), sa.ForeignKey("participants.id"), primary_key=True
        ),
        sa.Column("style", sa.String(16), nullable=False),
        sa.Column("set_by", sa.String(16), nullable=False),
        sa.Column("unmarked_streak", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("participant_text_styles")
