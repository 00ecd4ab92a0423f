"""a team on one database: one open call per account and per user, users that can be disabled,
cover for absent collectors, and change notifications for live desks (PostgreSQL)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from collectdesk.store import change_feed_ddl

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "ended_at IS NULL"


def upgrade() -> None:
    """Close duplicate open calls (older ones, as abandoned), then add the one-open-call indexes,
    ``users.active``, the covers table and the change-notification triggers."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
    # Before the constraint: an account or a user with several open calls keeps only the newest.
    op.execute(
        "UPDATE calls SET ended_at = started_at, result_code = 'ABANDONED' "
        "WHERE ended_at IS NULL AND EXISTS (SELECT 1 FROM calls newer WHERE newer.ended_at IS NULL "
        "AND (newer.customer_id = calls.customer_id OR newer.user_id = calls.user_id) AND newer.id > calls.id)"
    )
    op.create_index(
        "uq_calls_open_account",
        "calls",
        ["customer_id"],
        unique=True,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )
    op.create_index(
        "uq_calls_open_user",
        "calls",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )
    op.create_index("ix_calls_ended_at", "calls", ["ended_at"], unique=False)
    op.create_table(
        "covers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("absent_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=False),
        sa.Column("from_on", sa.Date(), nullable=False),
        sa.Column("to_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("to_on >= from_on", name=op.f("ck_covers_dates")),
        sa.CheckConstraint("absent_id != substitute_id", name=op.f("ck_covers_someone_else")),
        sa.ForeignKeyConstraint(["absent_id"], ["users.id"], name=op.f("fk_covers_absent_id_users")),
        sa.ForeignKeyConstraint(["substitute_id"], ["users.id"], name=op.f("fk_covers_substitute_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_covers")),
    )
    op.create_index("ix_covers_substitute", "covers", ["substitute_id", "from_on", "to_on"], unique=False)
    for statement in change_feed_ddl.trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    """Remove the notifications, covers, the indexes and ``users.active``."""
    for statement in change_feed_ddl.drop_trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_covers_substitute", table_name="covers")
    op.drop_table("covers")
    op.drop_index("ix_calls_ended_at", table_name="calls")
    op.drop_index("uq_calls_open_user", table_name="calls")
    op.drop_index("uq_calls_open_account", table_name="calls")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("active")
