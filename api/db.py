"""Database engine and sessions. Nothing is connected at import time.

One session and one commit point per request or job: routes get a session from
`session_dependency` (committed once when the request succeeds), jobs use `session_scope()`.
Service functions take `*, db_session` and never commit.

On SQLite a write unit begins with `BEGIN IMMEDIATE` (it takes the write lock up front, so
concurrent writers wait their turn instead of failing mid-transaction). A unit that only
reads says so, `session_scope(read_only=True)` or `read_session_dependency`: it begins a
deferred transaction, so it never holds the write lock, and it refuses to flush changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, UOWTransaction, sessionmaker
from sqlalchemy.types import TypeDecorator

from api.config import get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


SQLITE_BUSY_SECONDS = 30
READ_ONLY = "firstcall_read_only"  # execution option (and session info key) of a read unit


class ReadOnlyUnit(RuntimeError):
    """A read-only unit of work tried to write."""


@event.listens_for(Session, "before_flush")
def _refuse_writes(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise ReadOnlyUnit("a read-only unit of work tried to write")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use api.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def normalize_url(url: str) -> str:
    """Let people write postgresql:// and get the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            # Let SQLAlchemy, not pysqlite, open transactions, so SAVEPOINTs work.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
            cur.close()

        writers = _WriterQueue(engine)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # noqa: ANN001
            # Only write units take the write lock; readers begin deferred.
            if conn.get_execution_options().get(READ_ONLY, False):
                conn.exec_driver_sql("BEGIN")
                return
            writers.enter(conn.connection.dbapi_connection)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                writers.leave(conn.connection.dbapi_connection)
                raise

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


class _WriterQueue:
    """This process's SQLite writers take turns in order, instead of SQLite's busy polling.

    SQLite makes a writer that finds the lock taken sleep and retry (1 ms, 2 ms, ... 100 ms),
    and a newcomer may take the lock while it sleeps: under load a short write (a webhook's
    store) can wait hundreds of milliseconds behind a stream of others. Here the writers of
    one process queue on a lock held from BEGIN IMMEDIATE until COMMIT or ROLLBACK has run,
    so the next one starts the moment the lock is free. Other processes still meet SQLite's
    busy timeout. A transaction may end on another thread than it began (a plain Lock).
    """

    def __init__(self, engine: Engine) -> None:
        self._lock = threading.Lock()
        self._holders: set[int] = set()
        dialect = engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_conn: Any) -> None:
            try:
                commit(dbapi_conn)
            finally:
                self.leave(dbapi_conn)

        def do_rollback(dbapi_conn: Any) -> None:
            try:
                rollback(dbapi_conn)
            finally:
                self.leave(dbapi_conn)

        dialect.do_commit = do_commit  # type: ignore[method-assign,assignment]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign,assignment]

    @staticmethod
    def _key(dbapi_conn: Any) -> int:
        # The dialect gets the pool's proxy; the begin event the raw connection.
        return id(getattr(dbapi_conn, "dbapi_connection", None) or dbapi_conn)

    def enter(self, dbapi_conn: Any) -> None:
        # Past the busy timeout, go ahead and let SQLite say it is locked, as before.
        if self._lock.acquire(timeout=SQLITE_BUSY_SECONDS):
            self._holders.add(self._key(dbapi_conn))

    def leave(self, dbapi_conn: Any) -> None:
        key = self._key(dbapi_conn)
        if key in self._holders:
            self._holders.discard(key)
            self._lock.release()


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    if settings.database_url.startswith("sqlite:///"):
        from pathlib import Path

        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    return make_engine(settings.database_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope(*, read_only: bool = False) -> Iterator[Session]:
    """A job's unit of work: one session, committed once at the end, rolled back on error.

    `read_only=True`: a unit that only reads; on SQLite it takes no write lock, it refuses
    to flush changes, and it ends with a rollback (there is nothing to commit).
    """
    if read_only:
        session = get_sessionmaker()(execution_options={READ_ONLY: True}, info={READ_ONLY: True})
    else:
        session = get_sessionmaker()()
    try:
        yield session
        if read_only:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def session_dependency() -> Iterator[Session]:
    """FastAPI dependency: the request's one session, committed at the request's edge."""
    with session_scope() as session:
        yield session


def read_session_dependency() -> Iterator[Session]:
    """FastAPI dependency for routes that only read: no write lock, nothing committed."""
    with session_scope(read_only=True) as session:
        yield session
