"""Alembic environment: the URL and metadata come from the app."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from api import models
from api.config import get_settings
from api.db import make_engine

target_metadata = models.Base.metadata


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Autogenerate compares only our tables: Rasa's tracker (`events`) may share the
    database on PostgreSQL, and a migration must never propose dropping it."""
    return not (type_ == "table" and reflected and compare_to is None)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_ours,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `firstcall db upgrade`")
run_migrations_online()
