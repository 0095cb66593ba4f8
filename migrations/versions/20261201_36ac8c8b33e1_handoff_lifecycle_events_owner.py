"""handoffs: lifecycle (acknowledged/closed, who and when), events, an owner always;
abandoned screenings handed over once

Revision ID: 36ac8c8b33e1
Revises: 2aec5dbdd50c
Create Date: 2026-12-01 22:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import api.db

revision = "36ac8c8b33e1"
down_revision = "2aec5dbdd50c"
branch_labels = None
depends_on = None


def _give_every_handoff_an_owner() -> None:
    """The participant's organization, else the program's; refuse to guess beyond that."""
    from api.config import get_settings

    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE handoffs SET org_id = (SELECT participants.org_id FROM participants"
            " WHERE participants.id = handoffs.participant_id) WHERE org_id IS NULL"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE handoffs SET org_id = (SELECT id FROM organizations WHERE slug = :slug)"
            " WHERE org_id IS NULL"
        ),
        {"slug": get_settings().program_org_slug},
    )
    orphans = bind.execute(sa.text("SELECT count(*) FROM handoffs WHERE org_id IS NULL")).scalar()
    if orphans:
        raise RuntimeError(
            f"{orphans} handoff(s) belong to no organization and PROGRAM_ORG_SLUG names none: "
            "create the program's organization (firstcall staff create-org) and migrate again"
        )


def _backfill_events() -> None:
    bind = op.get_bind()
    handoffs = sa.table(
        "handoffs",
        sa.column("id", sa.String),
        sa.column("reasons", sa.JSON),
        sa.column("updated_at", api.db.UTCDateTime(timezone=True)),
    )
    rows = bind.execute(sa.select(handoffs.c.id, handoffs.c.reasons, handoffs.c.updated_at))
    events = sa.table(
        "handoff_events",
        sa.column("handoff_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("reason", sa.String),
        sa.column("at", api.db.UTCDateTime(timezone=True)),
    )
    for handoff_id, reasons, updated_at in rows.fetchall():
        for reason in reasons or []:
            bind.execute(
                events.insert().values(
                    handoff_id=handoff_id, kind="flag", reason=reason, at=updated_at
                )
            )


def _create_events() -> None:
    op.create_table(
        "handoff_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handoff_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("by", sa.String(length=200), nullable=True),
        sa.Column("at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name=op.f("fk_handoff_events_handoff_id_handoffs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_events")),
    )
    with op.batch_alter_table("handoff_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoff_events_handoff_id"), ["handoff_id"])


def upgrade() -> None:
    # handoffs first: on SQLite the batch rebuilds the table, which no row may reference yet
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_event_at", api.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("acknowledged_at", api.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("acknowledged_by", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("closed_at", api.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("closed_by", sa.String(length=200), nullable=True))
    _give_every_handoff_an_owner()
    op.execute("UPDATE handoffs SET last_event_at = updated_at")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.alter_column("org_id", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column(
            "last_event_at", existing_type=api.db.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.create_index(batch_op.f("ix_handoffs_last_event_at"), ["last_event_at"])
        batch_op.create_index(batch_op.f("ix_handoffs_status"), ["status"])

    _create_events()
    _backfill_events()

    op.create_table(
        "screening_abandonments",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("handoff_id", sa.String(length=32), nullable=True),
        sa.Column("last_reply_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reported_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_screening_abandonments_handoff_id_handoffs"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["screening_sessions.id"],
            name=op.f("fk_screening_abandonments_session_id_screening_sessions"),
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_screening_abandonments")),
    )


def downgrade() -> None:
    # the tables that reference handoffs go first (SQLite rebuilds handoffs below)
    op.drop_table("screening_abandonments")
    with op.batch_alter_table("handoff_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_events_handoff_id"))
    op.drop_table("handoff_events")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_status"))
        batch_op.drop_index(batch_op.f("ix_handoffs_last_event_at"))
        batch_op.alter_column("org_id", existing_type=sa.String(length=32), nullable=True)
        batch_op.drop_column("closed_by")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("acknowledged_by")
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("last_event_at")
