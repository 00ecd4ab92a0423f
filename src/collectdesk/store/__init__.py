"""Persistence: tables, connections, migrations and the queries the services run."""
