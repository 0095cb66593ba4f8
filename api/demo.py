"""Demo data for `make run`: an organization, a case manager and an API key. Idempotent."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from api.config import ROOT, get_settings
from api.directory import demo as demo_partners
from api.staff import service as staff

DEMO_KEY_FILE = ROOT / "var" / "demo-api-key.txt"


def load(*, db_session: Session, key_file: Path = DEMO_KEY_FILE) -> str | None:
    """Create the demo organization if missing; returns a new API key, or None if it existed."""
    settings = get_settings()
    demo_partners.load(db_session=db_session)  # idempotent: a re-import updates in place
    if staff.org_by_slug(settings.program_org_slug, db_session=db_session) is not None:
        return None
    org = staff.create_org(
        settings.program_org_slug, "Demo Workforce Program", db_session=db_session
    )
    staff.create_user(org, "casemanager@example.org", "Demo Case Manager", db_session=db_session)
    key = staff.create_api_key(org, "demo", db_session=db_session)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    return key
