"""the invoices' index on issue_date alone goes: ix_invoices_issue_sales starts with issue_date and
serves every query that one did, and a large import no longer builds it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Drop the index on issue_date alone."""
    op.drop_index("ix_invoices_issue_date", table_name="invoices")


def downgrade() -> None:
    """Build it again."""
    op.create_index("ix_invoices_issue_date", "invoices", ["issue_date"], unique=False)
