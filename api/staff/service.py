"""Organizations, staff and API keys."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.config import get_settings
from api.db import utcnow
from api.staff.accounts import hash_password
from api.staff.models import CASE_MANAGER, ROLES, ApiKey, Organization, StaffUser

KEY_PREFIX = "fc_"


class ProgramOrgMissing(RuntimeError):
    """The program's organization does not exist: its participants would belong to no one."""


def create_org(slug: str, name: str, *, db_session: Session) -> Organization:
    org = Organization(slug=slug, name=name)
    db_session.add(org)
    db_session.flush()
    return org


def org_by_slug(slug: str, *, db_session: Session) -> Organization | None:
    return db_session.scalar(select(Organization).where(Organization.slug == slug))


def default_org_id(*, db_session: Session) -> str | None:
    org = org_by_slug(get_settings().program_org_slug, db_session=db_session)
    return org.id if org else None


def require_program_org(*, db_session: Session) -> Organization:
    """The start-up check of the app and the worker: every participant and handoff of this
    deployment belongs to the program's organization, so it must exist."""
    slug = get_settings().program_org_slug
    org = org_by_slug(slug, db_session=db_session)
    if org is None:
        raise ProgramOrgMissing(
            f"PROGRAM_ORG_SLUG {slug!r} names no organization, so participants and their "
            f"handoffs would belong to no one. Create it (firstcall staff create-org {slug} "
            '"Program name"), run `firstcall load-demo` in development, or set '
            "PROGRAM_ORG_SLUG to an existing organization."
        )
    return org


def create_user(
    org: Organization,
    email: str,
    name: str,
    *,
    db_session: Session,
    password: str | None = None,
    role: str = CASE_MANAGER,
) -> StaffUser:
    """A staff member; without a password they cannot log in to the dashboard (yet)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    user = StaffUser(
        org_id=org.id,
        email=email.strip().lower(),
        name=name,
        role=role,
        password_hash=hash_password(password) if password is not None else None,
    )
    db_session.add(user)
    db_session.flush()
    return user


def set_password(user: StaffUser, password: str) -> None:
    user.password_hash = hash_password(password)


def user_by_email(email: str, *, db_session: Session) -> StaffUser | None:
    return db_session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def users_of(org_id: str, *, db_session: Session) -> list[StaffUser]:
    return list(
        db_session.scalars(
            select(StaffUser)
            .where(StaffUser.org_id == org_id, StaffUser.active.is_(True))
            .order_by(StaffUser.name)
        )
    )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(org: Organization, label: str, *, db_session: Session) -> str:
    """Returns the key itself; only its hash is kept."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    db_session.add(ApiKey(org_id=org.id, prefix=key[:10], key_hash=_hash(key), label=label))
    db_session.flush()
    return key


def api_key_for(key: str, *, db_session: Session) -> ApiKey | None:
    """The live (not revoked) key record for a presented key."""
    return db_session.scalar(
        select(ApiKey).where(ApiKey.key_hash == _hash(key), ApiKey.revoked_at.is_(None))
    )


def org_for_api_key(key: str, *, db_session: Session) -> Organization | None:
    api_key = api_key_for(key, db_session=db_session)
    return db_session.get(Organization, api_key.org_id) if api_key else None


def revoke_api_key(key: str, *, db_session: Session) -> bool:
    api_key = db_session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash(key)))
    if api_key is None:
        return False
    api_key.revoked_at = utcnow()
    return True
