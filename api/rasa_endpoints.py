"""The Rasa engine's endpoints file, written with concrete values by `firstcall run`.

Rasa's `${VAR}` substitution leaves the text as it is when the variable is unset; a
tracker store at `db: ${RASA_TRACKER_DB}` then became a SQLite file of that literal name
in the working directory (the repository root), full of test conversations. So there is no
substitution at all: every value here is computed from the settings.

The tracker goes with the app's data: on PostgreSQL into the app's database (Rasa's
`events` table, same schema); on SQLite into a file beside the app's database file (under
`var/` by default), not into it, so Rasa is not one more writer on the app's write lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import make_url

from api.config import Settings


def tracker_store(database_url: str) -> dict[str, Any]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("the Rasa tracker needs a SQLite file, not an in-memory database")
        app_db = Path(url.database).resolve()
        return {
            "type": "SQL",
            "dialect": "sqlite",
            "db": str(app_db.with_name(f"{app_db.stem}-rasa-tracker.db")),
        }
    if url.get_backend_name() == "postgresql":
        # Rasa 3.6 runs on SQLAlchemy 1.4 with psycopg2: the default PostgreSQL driver.
        rasa_url = url.set(drivername="postgresql")
        return {
            "type": "SQL",
            "dialect": "postgresql",
            # Rasa passes `url` as the store's host, and a host with :// is the whole URL.
            "url": rasa_url.render_as_string(hide_password=False),
        }
    raise ValueError(f"no Rasa tracker store for {url.get_backend_name()} databases")


def endpoints(settings: Settings) -> dict[str, Any]:
    return {
        "nlg": {"url": f"http://127.0.0.1:{settings.port}/nlg"},
        "action_endpoint": {"url": f"http://127.0.0.1:{settings.action_port}/webhook"},
        "tracker_store": tracker_store(settings.database_url),
    }


def write(settings: Settings) -> Path:
    """Write the endpoints file under the settings' var directory; returns its path."""
    path = settings.var_dir / "rasa" / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# Written by `firstcall run` from the settings (api/rasa_endpoints.py). Do not edit.\n"
    path.write_text(text + yaml.safe_dump(endpoints(settings), sort_keys=False), encoding="utf-8")
    path.chmod(0o600)  # it may hold the database password
    return path
