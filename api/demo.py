"""Demo data for `make run`: an organization, a case manager, a dashboard admin with a login
(var/demo-staff.txt) and an API key (var/demo-api-key.txt). Idempotent; development only."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy.orm import Session

from api.config import ROOT, get_settings
from api.directory import demo as demo_partners
from api.staff import service as staff
from api.staff.models import ADMIN, Organization, StaffUser

DEMO_KEY_FILE = ROOT / "var" / "demo-api-key.txt"
DEMO_STAFF_FILE = ROOT / "var" / "demo-staff.txt"
DEMO_ADMIN_EMAIL = "admin@example.org"


def load(
    *,
    db_session: Session,
    key_file: Path = DEMO_KEY_FILE,
    staff_file: Path = DEMO_STAFF_FILE,
) -> str | None:
    """Create the demo organization if missing; returns a new API key, or None if it existed."""
    settings = get_settings()
    demo_partners.load(db_session=db_session)  # idempotent: a re-import updates in place
    existing = staff.org_by_slug(settings.program_org_slug, db_session=db_session)
    if existing is not None:
        demo_login(existing, db_session=db_session, staff_file=staff_file)
        return None
    org = staff.create_org(
        settings.program_org_slug, "Demo Workforce Program", db_session=db_session
    )
    staff.create_user(org, "casemanager@example.org", "Demo Case Manager", db_session=db_session)
    demo_login(org, db_session=db_session, staff_file=staff_file)
    key = staff.create_api_key(org, "demo", db_session=db_session)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    return key


def demo_login(org: Organization, *, db_session: Session, staff_file: Path) -> None:
    """The demo admin's dashboard login, written to `staff_file` (`email:` and `password:`
    lines). A new random password when the file is missing, so the file is always right."""
    user = db_session.query(StaffUser).filter_by(email=DEMO_ADMIN_EMAIL).one_or_none()
    if user is not None and user.password_hash and staff_file.exists():
        return
    password = secrets.token_urlsafe(12)
    if user is None:
        name = "Demo Admin"
        staff.create_user(
            org, DEMO_ADMIN_EMAIL, name, db_session=db_session, password=password, role=ADMIN
        )
    else:
        staff.set_password(user, password)
    staff_file.parent.mkdir(parents=True, exist_ok=True)
    staff_file.write_text(f"email: {DEMO_ADMIN_EMAIL}\npassword: {password}\n", encoding="utf-8")
    staff_file.chmod(0o600)
