"""staff accounts: passwords, roles, sessions, login failures, audit log, assignments, notes

Revision ID: b6f1a2c3d4e5
Revises: a1c0ffee0901
Create Date: 2026-12-02 10:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b6f1a2c3d4e5"
down_revision = "a1c0ffee0901"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
        batch.add_column(
            sa.Column("role", sa.String(20), nullable=False, server_default="case_manager")
        )
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_seen_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name="fk_staff_sessions_user_id_staff_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_sessions"),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    op.create_table(
        "staff_login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_login_failures"),
    )
    op.create_index("ix_staff_login_failures_key_at", "staff_login_failures", ["key", "at"])
    op.create_table(
        "staff_audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("detail", sa.String(300), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name="fk_staff_audit_log_org_id_organizations"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name="fk_staff_audit_log_user_id_staff_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_audit_log"),
    )
    op.create_index("ix_staff_audit_log_org_id", "staff_audit_log", ["org_id"])
    op.create_index("ix_staff_audit_log_user_id", "staff_audit_log", ["user_id"])
    op.create_index("ix_staff_audit_log_at", "staff_audit_log", ["at"])
    op.create_table(
        "staff_assignments",
        sa.Column("participant_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("assigned_by", sa.String(32), nullable=False),
        sa.Column("assigned_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_staff_assignments_participant_id_participants",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name="fk_staff_assignments_user_id_staff_users"
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by"],
            ["staff_users.id"],
            name="fk_staff_assignments_assigned_by_staff_users",
        ),
        sa.PrimaryKeyConstraint("participant_id", name="pk_staff_assignments"),
    )
    op.create_index("ix_staff_assignments_user_id", "staff_assignments", ["user_id"])
    op.create_table(
        "staff_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org_id", sa.String(32), nullable=False),
        sa.Column("participant_id", sa.String(32), nullable=False),
        sa.Column("author_id", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name="fk_staff_notes_org_id_organizations"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_staff_notes_participant_id_participants",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_users.id"], name="fk_staff_notes_author_id_staff_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_notes"),
    )
    op.create_index("ix_staff_notes_org_id", "staff_notes", ["org_id"])
    op.create_index("ix_staff_notes_participant_id", "staff_notes", ["participant_id"])


def downgrade() -> None:
    for table in ("staff_notes", "staff_assignments", "staff_audit_log"):
        op.drop_table(table)
    op.drop_table("staff_login_failures")
    op.drop_table("staff_sessions")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("active")
        batch.drop_column("role")
        batch.drop_column("password_hash")
