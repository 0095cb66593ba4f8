"""A database of its own for tests that need real concurrent connections or processes.

The `db` fixture runs each test inside one rolled-back transaction; on SQLite that
transaction holds the write lock, and processes can't see it at all. These tests get a
fresh, migrated database (a SQLite file, or a PostgreSQL schema) that the code under test
reaches through `session_scope()` exactly as in production, and that is dropped after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from api import db as api_db
from api import migrate


def _admin_url() -> str:
    return os.environ["TEST_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def postgres_schema(prefix: str, *, application_name: str | None = None) -> Iterator[str]:
    """A PostgreSQL schema of our own on TEST_DATABASE_URL; yields its URL, dropped after."""
    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    base = _admin_url()
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    if application_name:
        url += f"&application_name={application_name}"
    try:
        yield url
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextmanager
def isolated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, application_name: str = "firstcall-test"
) -> Iterator[tuple[str, Engine]]:
    """Yields (url, engine); `session_scope()` uses this database until the block ends."""
    with ExitStack() as stack:
        if os.environ.get("FIRSTCALL_TEST_BACKEND", "sqlite") == "postgresql":
            url = stack.enter_context(postgres_schema("iso", application_name=application_name))
        else:
            url = f"sqlite:///{tmp_path / 'isolated.db'}"
        engine = api_db.make_engine(url)
        stack.callback(engine.dispose)
        migrate.upgrade(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        monkeypatch.setattr(api_db, "get_sessionmaker", lambda: factory)
        yield url, engine
