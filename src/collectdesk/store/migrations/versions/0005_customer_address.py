"""billing address kept on the customer (street, city, region, postal code), as text

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("address_street", 400),
    ("address_city", 120),
    ("address_region", 120),
    ("address_postal_code", 20),
)


def upgrade() -> None:
    """Add the billing address columns to customers."""
    for name, length in _COLUMNS:
        op.add_column("customers", sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    """Drop the billing address columns."""
    with op.batch_alter_table("customers") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
