"""api/db.py: units of work. On SQLite only write units take the write lock (BEGIN IMMEDIATE);
a read-only unit reads without blocking writers, and refuses to write."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from api import db as api_db
from api.conversations.models import Participant


@pytest.fixture
def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Engine]]:
    """A SQLite file of its own (whatever the suite's backend), as the app opens it."""
    path = tmp_path / "locks.db"
    engine = api_db.make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        conn.execute(text("INSERT INTO notes (body) VALUES ('first')"))
    monkeypatch.setattr(api_db, "get_sessionmaker", lambda: sessionmaker(bind=engine))
    yield path, engine
    engine.dispose()


def _write_from_elsewhere(path: Path) -> None:
    """Another process's writer that will not wait long for the lock."""
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO notes (body) VALUES ('second')")
        other.execute("COMMIT")
    finally:
        other.close()


def test_sqlite_read_only_unit_takes_no_write_lock(sqlite_file: tuple[Path, Engine]) -> None:
    path, _ = sqlite_file
    with api_db.session_scope(read_only=True) as db:
        assert db.execute(text("SELECT body FROM notes")).scalars().all() == ["first"]
        _write_from_elsewhere(path)  # a writer gets in while the read is open
        assert db.execute(text("SELECT count(*) FROM notes")).scalar_one() >= 1
    with api_db.session_scope(read_only=True) as db:
        assert db.execute(text("SELECT count(*) FROM notes")).scalar_one() == 2


def test_sqlite_write_unit_still_takes_the_write_lock(sqlite_file: tuple[Path, Engine]) -> None:
    path, _ = sqlite_file
    with api_db.session_scope() as db:
        db.execute(text("SELECT 1"))
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            _write_from_elsewhere(path)


def test_read_only_unit_refuses_to_write(db: Session) -> None:
    with pytest.raises(api_db.ReadOnlyUnit), api_db.session_scope(read_only=True) as session:
        session.add(Participant(language="en"))
        session.flush()
    assert db.scalars(select(Participant)).all() == []


def test_read_only_unit_never_commits(db: Session) -> None:
    with api_db.session_scope(read_only=True) as session:
        assert session.scalars(select(Participant)).all() == []
        session.execute(text("SELECT 1"))
    with api_db.session_scope() as session:
        session.add(Participant(language="es"))
    assert [p.language for p in db.scalars(select(Participant))] == ["es"]
