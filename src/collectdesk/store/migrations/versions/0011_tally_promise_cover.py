"""the tally's promise figures read from their index alone: the replacement and the plan included

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here (not imported) so this revision stays what it was when later ones change models.
_BEFORE = [
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
]
_AFTER = [*_BEFORE, "replaced_by_id", "plan_id"]


def upgrade() -> None:
    """The promises index gains what a promise's standing and a plan's count read."""
    op.drop_index("ix_promises_created_tally", table_name="promises")
    op.create_index("ix_promises_created_tally", "promises", _AFTER, unique=False)


def downgrade() -> None:
    """Back to the promises index without them."""
    op.drop_index("ix_promises_created_tally", table_name="promises")
    op.create_index("ix_promises_created_tally", "promises", _BEFORE, unique=False)
