"""upkeep_state: what the last upkeep with nothing to do saw

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


def upgrade() -> None:
    """Create the upkeep state table."""
    op.create_table(
        "upkeep_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("ranked", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upkeep_state")),
    )


def downgrade() -> None:
    """Drop the upkeep state table."""
    op.drop_table("upkeep_state")
