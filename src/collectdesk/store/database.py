"""Opening the database: URL resolution, SQLite pragmas, PostgreSQL passwords, and sessions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from collectdesk.store.secrets import get_secret, missing_password_message


class DatabaseError(Exception):
    """The database cannot be opened as configured."""


class NoDatabaseError(DatabaseError):
    """The SQLite file the URL names does not exist (and was not to be created)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"there is no database at {path} yet")
        self.path = path


def missing_sqlite_file(url_text: str) -> Path | None:
    """The file a SQLite URL names when that file does not exist yet; else ``None``."""
    if not url_text.startswith("sqlite:"):
        return None
    url = resolve_url(url_text)
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return None
    path = Path(url.database).expanduser()
    return None if path.exists() else path


def default_url(data_dir: Path) -> str:
    """The SQLite file in the user data directory."""
    return f"sqlite:///{data_dir / 'collectdesk.db'}"


def resolve_url(url_text: str) -> URL:
    """Parse a database URL, choosing psycopg 3 for PostgreSQL and filling the password from secrets."""
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise DatabaseError(f"{url_text!r} is not a database URL (e.g. sqlite:///path.db)") from exc
    if url.get_backend_name() == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        if url.password is None and url.host not in (None, "") and url.username:
            password = get_secret("db-password")
            if password is None and not url.query.get("passfile"):
                # A server that trusts local users needs none; only complain when it asks.
                return url
            url = url.set(password=password)
    elif url.get_backend_name() != "sqlite":
        raise DatabaseError(f"{url.get_backend_name()} is not supported: use sqlite or postgresql")
    return url


_MMAP_BYTES = 1 << 30


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Several desks on one file wait for each other's writes rather than fail with "database is locked".
    cursor.execute("PRAGMA busy_timeout=30000")
    # Pages read through a memory map rather than one read() call each: random reads over a large
    # file (the tally's calls and their customers) cost about a third less CPU at 100k customers.
    # Writes go through the log as before; a file larger than the map is read as before past it.
    cursor.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")
    cursor.close()


def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
    # Just-in-time compilation costs more than it saves on the desk's short queries: at 100k
    # customers the live worklist took 400 ms with it and 230 ms without (``make bench``).
    # Servers without the setting (before PostgreSQL 11) are left as they are.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', false) WHERE current_setting('jit', true) IS NOT NULL")
    dbapi_connection.commit()


# A pooled connection used within this many seconds is handed out without asking the server first;
# one quiet for longer is pinged (a restarted server or a dropped link found before the desk's
# statement, not by it). Pinging every checkout cost each claim a round trip of its own.
QUIET_SECONDS = 30.0


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    record.info["used_at"] = time.monotonic()


def _ping_if_quiet(engine: Engine) -> Any:
    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        used_at = record.info.get("used_at")
        if used_at is not None and time.monotonic() - used_at < QUIET_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc  # the pool connects afresh

    return checkout


@contextmanager
def roomy_page_cache(connection: Connection, mib: int = 128) -> Iterator[Connection]:
    """SQLite: a page cache of up to ``mib`` MiB on this connection for the block, the usual size after.

    A write that changes rows all over a large table keeps its changed pages in memory until the
    commit writes them once, instead of writing them out early to make room (about twice the work
    with the default 2 MiB). SQLite takes the room only as pages are read. Elsewhere it changes nothing.
    """
    if connection.dialect.name != "sqlite":
        yield connection
        return
    usual = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = {-1024 * mib}")
    try:
        yield connection
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(usual or -2000)}")


@contextmanager
def unmapped(connection: Connection) -> Iterator[Connection]:
    """SQLite: no memory map on this connection for the block, the usual one after.

    A large import reads most pages of the file once or twice; through the map every page it
    touched would stay resident in the process (a million invoices: hundreds of MB counted as its
    memory), where the page cache keeps only a few MB. Elsewhere it changes nothing.
    """
    if connection.dialect.name != "sqlite":
        yield connection
        return
    connection.exec_driver_sql("PRAGMA mmap_size = 0")
    try:
        yield connection
    finally:
        connection.exec_driver_sql(f"PRAGMA mmap_size = {_MMAP_BYTES}")


_UNCHECKED = "foreign_keys_unchecked"


@contextmanager
def foreign_keys_unchecked(connection: Connection) -> Iterator[Connection]:
    """SQLite: no foreign key checks on this connection until it goes back to the pool (checked
    again from then on). Elsewhere it changes nothing.

    Only for a load that writes nothing but references to rows it read or wrote itself, of tables
    nothing ever deletes from (customers, invoices, payments, users): each check would find the
    row. At 553k payments the checks were a look-up per allocation all over the invoices. Must
    come before the transaction's first write (SQLite ignores the setting inside a transaction).
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        connection.connection.info[_UNCHECKED] = True
    yield connection


def _checked_again(dbapi_connection: Any, record: Any) -> None:
    if record.info.pop(_UNCHECKED, False):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def make_engine(url_text: str) -> Engine:
    """Create an engine for the URL with the connection settings collectdesk relies on."""
    url = resolve_url(url_text)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _checked_again)
        return engine
    # The most recently used connection first: the one just used is the one least likely to need
    # a ping, and its statements are prepared already.
    engine = create_engine(url, pool_use_lifo=True)
    event.listen(engine, "connect", _postgresql_settings)
    event.listen(engine, "connect", _checked_in)
    event.listen(engine, "checkin", _checked_in)
    event.listen(engine, "checkout", _ping_if_quiet(engine))
    return engine


class Database:
    """An open database: its engine and a session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url_text: str, *, migrate: bool = True, create: bool = True) -> Database:
        """Connect, and bring the schema up to date unless told not to.

        ``create=False``: a SQLite file that does not exist is refused (:class:`NoDatabaseError`)
        rather than created empty.
        """
        if not create:
            missing = missing_sqlite_file(url_text)
            if missing is not None:
                raise NoDatabaseError(missing)
        engine = make_engine(url_text)
        try:
            with engine.connect():
                pass
        except Exception as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if "password" in message.lower():
                raise DatabaseError(missing_password_message(engine.url.render_as_string())) from exc
            raise DatabaseError(f"cannot open {engine.url.render_as_string()}: {message}") from exc
        if migrate:
            _upgrade(engine)
        return cls(engine)

    @property
    def is_sqlite(self) -> bool:
        """Whether this is a SQLite database."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


_DENIED_SQLSTATE = "42501"  # PostgreSQL's insufficient_privilege


def _upgrade(engine: Engine) -> None:
    """Bring the schema up to date; on a team database only its owner may, so anyone else who finds
    it behind is told who can, instead of getting the database's refusal."""
    from collectdesk.store.migrate import SCHEMA_HEAD, current_revision, upgrade

    try:
        upgrade(engine)
    except Exception as exc:
        if getattr(getattr(exc, "orig", None), "sqlstate", None) != _DENIED_SQLSTATE:
            raise
        raise DatabaseError(
            f"the database's schema is at revision {current_revision(engine)} and this collectdesk needs "
            f"{SCHEMA_HEAD}; only the database's owner can bring it up to date, with collectdesk team init"
        ) from exc
