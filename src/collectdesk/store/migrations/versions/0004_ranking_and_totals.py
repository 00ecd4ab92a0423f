"""today's list ranked ahead of time (worklist_scores, worklist_dirty, worklist_state), invoice
totals for the receivables tally and talk time on calls, each kept by triggers

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from collectdesk.store import call_talk, invoice_totals, worklist_cache

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the ranking tables, their index, the callback index, the invoice totals, talk time
    on calls and the triggers keeping them."""
    op.create_table(
        "worklist_scores",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], ondelete="CASCADE", name=op.f("fk_worklist_scores_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_worklist_scores")),
    )
    op.create_index(
        "ix_worklist_scores_rank", "worklist_scores", ["tier", sa.text("score DESC"), "customer_id"], unique=False
    )
    op.create_table(
        "worklist_dirty",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_worklist_dirty")),
    )
    op.create_table(
        "worklist_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worklist_state")),
    )
    op.create_index("ix_customers_next_action_at", "customers", ["next_action_at"], unique=False)
    op.create_table(
        "invoice_totals",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("invoices", sa.Integer(), nullable=False),
        sa.Column("open_amount", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("currency", "issue_date", "due_date", name=op.f("pk_invoice_totals")),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("talk_seconds", sa.Float(), server_default="0", nullable=False))
    op.drop_index("ix_calls_started_tally", table_name="calls")
    op.create_index(
        "ix_calls_started_tally",
        "calls",
        ["started_at", "user_id", "right_party", "result_code", "talk_seconds"],
        unique=False,
    )
    connection = op.get_bind()
    invoice_totals.rebuild_invoice_totals(connection)
    call_talk.rebuild_talk_seconds(connection)
    dialect = connection.dialect.name
    for statement in [
        *worklist_cache.trigger_ddl(dialect),
        *invoice_totals.trigger_ddl(dialect),
        *call_talk.trigger_ddl(dialect),
    ]:
        op.execute(statement)


def downgrade() -> None:
    """Remove the triggers, talk time, the invoice totals, the indexes and the ranking tables."""
    dialect = op.get_bind().dialect.name
    for statement in [
        *call_talk.drop_trigger_ddl(dialect),
        *invoice_totals.drop_trigger_ddl(dialect),
        *worklist_cache.drop_trigger_ddl(dialect),
    ]:
        op.execute(statement)
    op.drop_index("ix_calls_started_tally", table_name="calls")
    op.create_index(
        "ix_calls_started_tally",
        "calls",
        ["started_at", "user_id", "right_party", "result_code", "ended_at"],
        unique=False,
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("talk_seconds")
    op.drop_table("invoice_totals")
    op.drop_index("ix_customers_next_action_at", table_name="customers")
    op.drop_table("worklist_state")
    op.drop_table("worklist_dirty")
    op.drop_index("ix_worklist_scores_rank", table_name="worklist_scores")
    op.drop_table("worklist_scores")
