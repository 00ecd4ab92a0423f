"""the tally's calls per currency read each call's currency from an index of customers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Customers indexed by id with their currency."""
    op.create_index("ix_customers_currency", "customers", ["id", "currency"], unique=False)


def downgrade() -> None:
    """Without that index."""
    op.drop_index("ix_customers_currency", table_name="customers")
