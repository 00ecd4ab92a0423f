"""covering and partial indexes for the supervisor tally

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here (not imported) so this revision stays what it was when later ones change models.
_OPEN = "open_amount > 0"
_OTHER_OWING = "open_amount > 0 AND status IN ('disputed', 'agency')"
_INDEXES: list[tuple[str, str, list[str], str | None]] = [
    ("ix_invoices_open_aging", "invoices", ["currency", "due_date", "issue_date", "open_amount", "status"], _OPEN),
    ("ix_invoices_issue_sales", "invoices", ["issue_date", "currency", "amount", "status"], None),
    ("ix_invoices_due_window", "invoices", ["due_date", "currency", "amount", "open_amount", "status"], None),
    ("ix_invoices_other_owing", "invoices", ["customer_id"], _OTHER_OWING),
    ("ix_calls_started_tally", "calls", ["started_at", "user_id", "right_party", "result_code", "ended_at"], None),
    (
        "ix_promises_created_tally",
        "promises",
        [
            "created_at",
            "taken_by_id",
            "currency",
            "status",
            "resolved_on",
            "broken_on",
            "amount",
            "paid_amount",
            "customer_id",
            "promised_on",
        ],
        None,
    ),
    ("ix_promises_status_resolved", "promises", ["status", "resolved_on", "broken_on"], None),
    ("ix_customers_oldest_open_due", "customers", ["oldest_open_due", "stage"], None),
    ("ix_customers_stage_balance", "customers", ["stage", "open_balance"], None),
]


def upgrade() -> None:
    """Create the tally's indexes."""
    for name, table, columns, where in _INDEXES:
        condition = None if where is None else sa.text(where)
        op.create_index(name, table, columns, unique=False, sqlite_where=condition, postgresql_where=condition)


def downgrade() -> None:
    """Drop the tally's indexes."""
    for name, table, _, _ in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
