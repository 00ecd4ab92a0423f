"""account facts on customers (from invoices and promises), kept by triggers; worklist indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from collectdesk.store.account_facts import drop_trigger_ddl, refresh_account_facts, trigger_ddl

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here (not imported) so this revision stays what it was when later ones change models.
_CHASEABLE = (
    "on_hold = false AND do_not_call = false AND cease_contact = false "
    "AND lawyer_represented = false AND stage != 'agency'"
)
_WORKLIST_FACTS = (
    "oldest_open_due",
    "earliest_open_promise_on",
    "next_action_on",
    "next_action_at",
    "stage",
    "currency",
    "failed_attempts",
    "late_payments",
    "open_balance",
    "newest_open_due",
    "newest_open_amount",
    "prior_open_due",
    "last_broken_on",
    "on_hold",
    "do_not_call",
    "cease_contact",
    "lawyer_represented",
)


def upgrade() -> None:
    """Add the derived columns, fill them, install the triggers and the worklist's indexes."""
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_balance", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("oldest_open_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("newest_open_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("newest_open_amount", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("prior_open_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("late_payments", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("earliest_open_promise_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_broken_on", sa.Date(), nullable=True))
    with op.batch_alter_table("customers", schema=None) as batch_op:
        chaseable = sa.text(_CHASEABLE)
        batch_op.create_index(
            "ix_customers_chaseable",
            list(_WORKLIST_FACTS),
            unique=False,
            sqlite_where=chaseable,
            postgresql_where=chaseable,
        )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_customer_issue", ["customer_id", "issue_date"], unique=False)
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.create_index(
            "ix_promises_customer_status_broken", ["customer_id", "status", "broken_on", "promised_on"], unique=False
        )
    connection = op.get_bind()
    refresh_account_facts(connection)
    for statement in trigger_ddl(connection.dialect.name):
        op.execute(statement)


def downgrade() -> None:
    """Remove the triggers, indexes and derived columns."""
    for statement in drop_trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.drop_index("ix_promises_customer_status_broken")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_customer_issue")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_chaseable")
        for column in (
            "last_broken_on",
            "earliest_open_promise_on",
            "late_payments",
            "prior_open_due",
            "newest_open_amount",
            "newest_open_due",
            "oldest_open_due",
            "open_balance",
        ):
            batch_op.drop_column(column)
