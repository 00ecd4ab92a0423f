"""the invoices' covering indexes of the old receivables tally go (it reads invoice_totals since
0004): nothing uses ix_invoices_due_window, the reminder candidates are found faster by one scan
than through ix_invoices_open_aging, and the worklist's recent-receipts range needs issue_date
alone, which a plain index serves as fast and a payments import never rebuilds

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Drop the three covering indexes; index issue_date alone."""
    for name in ("ix_invoices_due_window", "ix_invoices_open_aging", "ix_invoices_issue_sales"):
        op.drop_index(name, table_name="invoices")
    op.create_index("ix_invoices_issue_date", "invoices", ["issue_date"], unique=False)


def downgrade() -> None:
    """Build them again, as revision 0003 made them."""
    op.drop_index("ix_invoices_issue_date", table_name="invoices")
    op.create_index("ix_invoices_issue_sales", "invoices", ["issue_date", "currency", "amount", "status"], unique=False)
    op.create_index(
        "ix_invoices_due_window", "invoices", ["due_date", "currency", "amount", "open_amount", "status"], unique=False
    )
    op.create_index(
        "ix_invoices_open_aging",
        "invoices",
        ["currency", "due_date", "issue_date", "open_amount", "status"],
        unique=False,
        sqlite_where=sa.text("open_amount > 0"),
        postgresql_where=sa.text("open_amount > 0"),
    )
