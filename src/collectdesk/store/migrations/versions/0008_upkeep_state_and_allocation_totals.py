"""upkeep_state (what the last upkeep with nothing to do saw) and allocation totals for the
receivables tally, kept by triggers

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from collectdesk.store import allocation_totals

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the upkeep state, the allocation totals and the triggers keeping them."""
    op.create_table(
        "upkeep_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("ranked", sa.Integer(), nullable=False),
        sa.Column("plain", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upkeep_state")),
    )
    op.create_table(
        "allocation_totals",
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("received_on", "currency", "issue_date", "due_date", name=op.f("pk_allocation_totals")),
    )
    connection = op.get_bind()
    allocation_totals.rebuild_allocation_totals(connection)
    for statement in allocation_totals.trigger_ddl(connection.dialect.name):
        op.execute(statement)


def downgrade() -> None:
    """Remove the triggers, the allocation totals and the upkeep state."""
    for statement in allocation_totals.drop_trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("allocation_totals")
    op.drop_table("upkeep_state")
