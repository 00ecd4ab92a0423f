"""the tally's calls read from their index alone, the customer (for its currency) included

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here (not imported) so this revision stays what it was when later ones change models.
_BEFORE = ["started_at", "user_id", "right_party", "result_code", "talk_seconds"]
_AFTER = ["started_at", "user_id", "customer_id", "right_party", "result_code", "talk_seconds"]


def upgrade() -> None:
    """The calls index gains the customer."""
    op.drop_index("ix_calls_started_tally", table_name="calls")
    op.create_index("ix_calls_started_tally", "calls", _AFTER, unique=False)


def downgrade() -> None:
    """Back to the calls index without the customer."""
    op.drop_index("ix_calls_started_tally", table_name="calls")
    op.create_index("ix_calls_started_tally", "calls", _BEFORE, unique=False)
