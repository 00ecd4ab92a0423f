"""messages sent to customers and what each claims, reminder pauses, and email opt-outs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the messages, message_claims, pauses and email_opt_outs tables."""
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("eml_path", sa.String(length=500), nullable=True),
        sa.Column("letter_path", sa.String(length=500), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.CheckConstraint("status IN ('sending', 'sent', 'failed')", name=op.f("ck_messages_status")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], ondelete="CASCADE", name=op.f("fk_messages_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_messages_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index("ix_messages_customer_created", "messages", ["customer_id", "created_at"])
    op.create_index("ix_messages_status", "messages", ["status"])
    op.create_table(
        "message_claims",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], ondelete="CASCADE", name=op.f("fk_message_claims_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_message_claims")),
    )
    op.create_index("ix_message_claims_message_id", "message_claims", ["message_id"])
    op.create_table(
        "pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], ondelete="CASCADE", name=op.f("fk_pauses_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], ondelete="CASCADE", name=op.f("fk_pauses_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_pauses_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pauses")),
    )
    op.create_index("ix_pauses_customer_until", "pauses", ["customer_id", "until"])
    op.create_table(
        "email_opt_outs",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], ondelete="CASCADE", name=op.f("fk_email_opt_outs_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_email_opt_outs_user_id_users")),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_email_opt_outs")),
    )


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_table("email_opt_outs")
    op.drop_index("ix_pauses_customer_until", table_name="pauses")
    op.drop_table("pauses")
    op.drop_index("ix_message_claims_message_id", table_name="message_claims")
    op.drop_table("message_claims")
    op.drop_index("ix_messages_status", table_name="messages")
    op.drop_index("ix_messages_customer_created", table_name="messages")
    op.drop_table("messages")
