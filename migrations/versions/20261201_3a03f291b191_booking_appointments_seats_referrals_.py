"""booking: appointments, seats (unique per service, slot start and seat number: the
concurrency guard), referrals with Gravity Task states, and their history

Revision ID: 3a03f291b191
Revises: 37c86e7b15a3
Create Date: 2026-12-01 22:55:15.100240
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import api.db

revision = "3a03f291b191"
down_revision = "37c86e7b15a3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_appointments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("start", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("confirmed_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["hsds_locations.id"],
            name=op.f("fk_booking_appointments_location_id_hsds_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_booking_appointments_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_booking_appointments_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["hsds_services.id"],
            name=op.f("fk_booking_appointments_service_id_hsds_services"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_appointments")),
    )
    with op.batch_alter_table("booking_appointments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_appointments_org_id"), ["org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_booking_appointments_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_booking_appointments_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_booking_appointments_start"), ["start"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_booking_appointments_status"), ["status"], unique=False
        )

    op.create_table(
        "booking_referrals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("appointment_id", sa.String(length=32), nullable=True),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("business_status", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("shared_encrypted", sa.Text(), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["booking_appointments.id"],
            name=op.f("fk_booking_referrals_appointment_id_booking_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_booking_referrals_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_booking_referrals_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["hsds_services.id"],
            name=op.f("fk_booking_referrals_service_id_hsds_services"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_referrals")),
    )
    with op.batch_alter_table("booking_referrals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_referrals_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_booking_referrals_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_booking_referrals_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_booking_referrals_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_booking_referrals_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_booking_referrals_status"), ["status"], unique=False)

    op.create_table(
        "booking_seats",
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("slot_start", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.String(length=32), nullable=False),
        sa.Column("taken_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["booking_appointments.id"],
            name=op.f("fk_booking_seats_appointment_id_booking_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["hsds_services.id"],
            name=op.f("fk_booking_seats_service_id_hsds_services"),
        ),
        sa.PrimaryKeyConstraint("service_id", "slot_start", "seat", name=op.f("pk_booking_seats")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_booking_seats_appointment_id")),
    )
    op.create_table(
        "booking_referral_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("referral_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("business_status", sa.String(length=20), nullable=True),
        sa.Column("at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["booking_referrals.id"],
            name=op.f("fk_booking_referral_events_referral_id_booking_referrals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_referral_events")),
    )
    with op.batch_alter_table("booking_referral_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_referral_events_referral_id"), ["referral_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("booking_referral_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_referral_events_referral_id"))

    op.drop_table("booking_referral_events")
    op.drop_table("booking_seats")
    with op.batch_alter_table("booking_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_referrals_status"))
        batch_op.drop_index(batch_op.f("ix_booking_referrals_service_id"))
        batch_op.drop_index(batch_op.f("ix_booking_referrals_participant_id"))
        batch_op.drop_index(batch_op.f("ix_booking_referrals_org_id"))
        batch_op.drop_index(batch_op.f("ix_booking_referrals_created_at"))
        batch_op.drop_index(batch_op.f("ix_booking_referrals_appointment_id"))

    op.drop_table("booking_referrals")
    with op.batch_alter_table("booking_appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_appointments_status"))
        batch_op.drop_index(batch_op.f("ix_booking_appointments_start"))
        batch_op.drop_index(batch_op.f("ix_booking_appointments_service_id"))
        batch_op.drop_index(batch_op.f("ix_booking_appointments_participant_id"))
        batch_op.drop_index(batch_op.f("ix_booking_appointments_org_id"))

    op.drop_table("booking_appointments")
