"""a cancelled promise can name the promise (or plan) that replaced it: the renegotiation link

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``promises.replaced_by_id`` (nullable, pointing at the promise that replaced this one) and its index.

    A plain ADD COLUMN on both backends: rebuilding the promises table on SQLite would fire the
    cascades of the rows pointing at it and drop its triggers.
    """
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference inline; Alembic would want to rebuild the table.
        op.execute("ALTER TABLE promises ADD COLUMN replaced_by_id INTEGER REFERENCES promises (id) ON DELETE SET NULL")
    else:
        _add_column_with_reference()
    op.create_index("ix_promises_replaced_by_id", "promises", ["replaced_by_id"], unique=False)


def _add_column_with_reference() -> None:
    op.add_column(
        "promises",
        sa.Column(
            "replaced_by_id",
            sa.Integer(),
            sa.ForeignKey("promises.id", ondelete="SET NULL", name=op.f("fk_promises_replaced_by_id_promises")),
            nullable=True,
        ),
    )


def downgrade() -> None:
    """Drop the link and its index."""
    op.drop_index("ix_promises_replaced_by_id", table_name="promises")
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.drop_column("replaced_by_id")
