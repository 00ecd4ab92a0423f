"""each call carries its customer's currency (kept by triggers), and the tally's calls index it;
the customers' (id, currency) index of 0012, which only the tally's calls read, goes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from collectdesk.store import call_currency

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here (not imported) so this revision stays what it was when later ones change models.
_BEFORE = ["started_at", "user_id", "customer_id", "right_party", "result_code", "talk_seconds"]
_AFTER = ["started_at", "user_id", "currency", "right_party", "result_code", "talk_seconds"]


def upgrade() -> None:
    """Calls gain their customer's currency, filled in, indexed for the tally and kept by triggers;
    the customers' currency index goes."""
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
    connection = op.get_bind()
    call_currency.rebuild_call_currency(connection)
    op.drop_index("ix_calls_started_tally", table_name="calls")
    op.create_index("ix_calls_started_tally", "calls", _AFTER, unique=False)
    for statement in call_currency.trigger_ddl(connection.dialect.name):
        op.execute(statement)
    op.drop_index("ix_customers_currency", table_name="customers")


def downgrade() -> None:
    """Back to calls without their currency."""
    op.create_index("ix_customers_currency", "customers", ["id", "currency"], unique=False)
    for statement in call_currency.drop_trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_calls_started_tally", table_name="calls")
    op.create_index("ix_calls_started_tally", "calls", _BEFORE, unique=False)
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("currency")
