"""Alembic environment: runs migrations on the connection collectdesk hands it."""

from alembic import context

from collectdesk.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("collectdesk runs its migrations itself; use `collectdesk` to upgrade")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
