"""Alembic migration scripts for the collectdesk schema."""
