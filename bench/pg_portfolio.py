"""The benchmark portfolio in a PostgreSQL database of its own, set up as a team database.

The same generator as the SQLite file (``bench/portfolio.py``), inserted through the same bulk
path; then the sequences are moved past the generated ids, the first ``DESKS`` collectors are
renamed to bench logins, ``team init`` runs and each of those collectors gets a login of their own
(password authentication, as a team's desks connect). The database remembers what it holds in a
comment on its ``public`` schema, so a later run of the same size, schema and generator reuses it;
nothing is cached in the repository. A database holding anything else is refused, never wiped.
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from bench.portfolio import GENERATOR_VERSION, MONTHLY, PORTFOLIO_NOW, load_portfolio
from collectdesk.domain.clock import Clock
from collectdesk.services.context import open_context
from collectdesk.services.team import init_team
from collectdesk.services.users import add_user
from collectdesk.settings import Settings
from collectdesk.store.database import Database, make_engine
from collectdesk.store.migrate import SCHEMA_HEAD

DESKS = 8
LOADER_VERSION = 2  # bumped when what this module loads changes (or earlier runs left what it should not)
LOGIN_PREFIX = "cdbench_c"
_KEY_PREFIX = "collectdesk bench portfolio"
_SEQUENCED = ("users", "customers", "invoices", "calls", "promises", "payments", "payment_allocations")


class NotABenchDatabase(Exception):
    """The PostgreSQL database given to the benchmarks holds data that is not a bench portfolio."""


def login(number: int) -> str:
    """The login of bench collector ``number`` (1…DESKS); also their collectdesk user name."""
    return f"{LOGIN_PREFIX}{number}"


def login_password(number: int) -> str:
    """Bench collector ``number``'s password (a throwaway database's test login)."""
    return f"pw-{login(number)}-bench"


def login_url(url: str, number: int) -> str:
    """``url`` logging in as bench collector ``number`` with their own password."""
    return (
        make_url(url).set(username=login(number), password=login_password(number)).render_as_string(hide_password=False)
    )


def portfolio_key(customers: int) -> str:
    """What the schema comment says when the database holds this portfolio, ready to use."""
    return (
        f"{_KEY_PREFIX}: {customers} customers, {MONTHLY}, r{SCHEMA_HEAD}, g{GENERATOR_VERSION}, "
        f"{DESKS} logins, l{LOADER_VERSION}"
    )


def _stored_key(conn: Connection) -> tuple[str | None, bool]:
    """The schema comment and whether ``public`` holds any table."""
    comment = conn.execute(text("SELECT obj_description('public'::regnamespace, 'pg_namespace')")).scalar()
    tables = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar()
    return comment, bool(tables)


def ensure_pg_portfolio(url: str, customers: int) -> float | None:
    """Make the database at ``url`` hold the portfolio of ``customers``; seconds it took to load,
    or ``None`` when it was there already."""
    engine = make_engine(url)  # psycopg 3, the password from where collectdesk finds it
    try:
        with engine.begin() as conn:
            comment, has_tables = _stored_key(conn)
            if comment == portfolio_key(customers):
                return None
            if has_tables and not (comment or "").startswith(_KEY_PREFIX):
                database = make_url(url).database
                raise NotABenchDatabase(
                    f"the PostgreSQL database {database} holds tables that are not a bench portfolio: "
                    "give the benchmarks an empty database of their own (e.g. createdb cdbench)"
                )
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    started = time.perf_counter()
    db = Database.open(url)  # the schema, by the migrations
    try:
        with db.engine.begin() as conn:
            load_portfolio(conn, customers)
            for table in _SEQUENCED:
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
            # The first collectors become bench logins: their accounts are their own on the list.
            for number in range(1, DESKS + 1):
                conn.execute(
                    text("UPDATE users SET name = :name WHERE id = :id"), {"name": login(number), "id": number}
                )
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    finally:
        db.close()
    init_team(url, now=PORTFOLIO_NOW)
    owner = open_context(
        db_url=url, settings=Settings(), clock=Clock(today_override=PORTFOLIO_NOW.date(), frozen_at=PORTFOLIO_NOW)
    )
    try:
        for number in range(1, DESKS + 1):
            add_user(owner, login(number), "collector", login_password(number))
    finally:
        owner.close()
    engine = make_engine(url)  # psycopg 3, the password from where collectdesk finds it
    try:
        with engine.begin() as conn:
            conn.execute(text(f"COMMENT ON SCHEMA public IS '{portfolio_key(customers)}'"))
    finally:
        engine.dispose()
    return time.perf_counter() - started
