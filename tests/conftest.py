"""Test setup: real databases (SQLite by default, PostgreSQL with FIRSTCALL_TEST_BACKEND),
each test inside a transaction that is rolled back, and no network beyond this machine.

Environment is set before `api` is imported, so settings are read once, correctly.
"""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="firstcall-test-"))
BACKEND = os.environ.get("FIRSTCALL_TEST_BACKEND", "sqlite")
SCHEMA = f"t_{uuid.uuid4().hex[:10]}"


def _database_url() -> str:
    if BACKEND == "postgresql":
        base = os.environ["TEST_DATABASE_URL"]
        sep = "&" if "?" in base else "?"
        return f"{base}{sep}options=-csearch_path%3D{SCHEMA}"
    return f"sqlite:///{_TMP / 'unit.db'}"


os.environ.update(
    {
        "FIRSTCALL_ENV": "test",
        "DATABASE_URL": _database_url(),
        "PUBLIC_BASE_URL": "https://firstcall.test",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": "test-auth-token",
        # PUBLIC_BASE_URL is not loopback, so placeholder secrets would be refused.
        "FIRSTCALL_SECRET_KEY": "test-secret-key-of-at-least-32-characters",
        "FIRSTCALL_ENCRYPTION_KEY": "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGU=",
        "TWILIO_FROM_NUMBER": "+15005550006",
        "RASA_URL": "http://127.0.0.1:9",  # discard port: unit tests never reach an engine
        "ACTION_SERVER_URL": "http://127.0.0.1:9",
        "PROGRAM_NAME": "Workforce Connect",
        "PROGRAM_ORG_SLUG": "demo",
        "SMS_RATE": "0",  # no carrier pace (tests/test_outbox_throttle.py sets its own)
    }
)
os.environ.pop("TWILIO_API_BASE", None)
os.environ.pop("REDIS_URL", None)

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from api import db as api_db  # noqa: E402
from api import migrate  # noqa: E402
from api.config import get_settings  # noqa: E402

# --- no internet: only loopback addresses may be reached -------------------------------------
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1"):
        raise RuntimeError(f"test tried to reach the network: {host}")
    return _real_connect(self, address)  # type: ignore[arg-type]


socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]


def _create_schema() -> None:
    if BACKEND != "postgresql":
        return
    import psycopg

    base = os.environ["TEST_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{SCHEMA}"')


def _drop_schema() -> None:
    if BACKEND != "postgresql":
        return
    import psycopg

    base = os.environ["TEST_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')


@pytest.fixture(scope="session", autouse=True)
def _database() -> Iterator[None]:
    get_settings.cache_clear()
    _create_schema()
    migrate.upgrade(get_settings().database_url)
    yield
    api_db.get_engine().dispose()
    _drop_schema()


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """One transaction per test, rolled back at the end. Every session the code opens
    (requests, jobs) joins it through savepoints, so commits inside the code are real
    commits to the code and invisible to the next test."""
    connection = api_db.get_engine().connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    monkeypatch.setattr(api_db, "get_sessionmaker", lambda: factory)
    session = factory()
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def org(db: Session):  # type: ignore[no-untyped-def]
    from api.staff import service as staff

    return staff.create_org("demo", "Demo Workforce Program", db_session=db)


@pytest.fixture
def client(db: Session, org):  # type: ignore[no-untyped-def]
    # `org`: the app refuses to start without the program's organization (PROGRAM_ORG_SLUG)
    from fastapi.testclient import TestClient

    from api.main import create_app

    with TestClient(create_app(), base_url="https://firstcall.test") as test_client:
        yield test_client


def backend_name() -> str:
    return BACKEND


def execute(session: Session, sql: str) -> object:
    return session.execute(text(sql))
