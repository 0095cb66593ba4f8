"""Staff logins: argon2 passwords, server-side sessions, and rate-limited bad logins.

Sessions live in a table (`staff_sessions`): the browser holds a random token in an HttpOnly
cookie and the table holds only its hash, so a logout, or an admin revoking a session, takes
effect at once, and a database dump reveals no usable token.

Bad logins are counted in a table too (`staff_login_failures`), per account and per client
address over a sliding window. We chose the database over an in-memory limiter (`limits`
with memory storage) because the app may run as several processes: a per-process count would
let an attacker multiply the limit by the number of workers, and a restart would reset it.
The database is already there on SQLite and PostgreSQL, so there is nothing else to run.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.db import utcnow
from api.staff.models import LoginFailure, StaffSession, StaffUser

SESSION_LIFETIME = timedelta(hours=12)
SESSION_IDLE = timedelta(hours=2)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()
# Verified when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class WeakPassword(ValueError):
    """A password shorter than MIN_PASSWORD_LENGTH."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _account_key(email: str) -> str:
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:64]


def _address_key(address: str) -> str:
    return f"ip:{address[:64]}"


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None = None
    token: str | None = None  # for the cookie; only its hash is stored
    limited: bool = False  # too many bad logins for this account or address


def _failures(key: str, now: datetime, db_session: Session) -> int:
    return int(
        db_session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.key == key, LoginFailure.at > now - FAILURE_WINDOW)
        )
        or 0
    )


def is_limited(
    email: str, address: str, *, db_session: Session, now: datetime | None = None
) -> bool:
    now = now or utcnow()
    return (
        _failures(_account_key(email), now, db_session) >= MAX_FAILURES_PER_ACCOUNT
        or _failures(_address_key(address), now, db_session) >= MAX_FAILURES_PER_ADDRESS
    )


def log_in(
    email: str, password: str, address: str, *, db_session: Session, now: datetime | None = None
) -> LoginResult:
    """Check the password and open a session. While an account or address is limited, even
    the right password is refused (and not checked), so guessing gains nothing."""
    now = now or utcnow()
    if is_limited(email, address, db_session=db_session, now=now):
        return LoginResult(limited=True)
    user = db_session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    ok = _verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        db_session.add(LoginFailure(key=_account_key(email), at=now))
        db_session.add(LoginFailure(key=_address_key(address), at=now))
        db_session.execute(delete(LoginFailure).where(LoginFailure.at < now - FAILURE_WINDOW))
        db_session.flush()
        return LoginResult()
    assert user.password_hash is not None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    db_session.execute(delete(LoginFailure).where(LoginFailure.key == _account_key(email)))
    token = secrets.token_urlsafe(32)
    db_session.add(
        StaffSession(
            id=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    db_session.flush()
    return LoginResult(user=user, token=token)


def session_for(
    token: str, *, db_session: Session, now: datetime | None = None
) -> tuple[StaffSession, StaffUser] | None:
    """The live session of a cookie's token, and its user; None if unknown, expired, idle
    too long, revoked, or the user was deactivated."""
    now = now or utcnow()
    row = db_session.get(StaffSession, token_hash(token))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if now - row.last_seen_at > SESSION_IDLE:
        return None
    user = db_session.get(StaffUser, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):  # not a write on every poll
        row.last_seen_at = now
    return row, user


def log_out(token: str, *, db_session: Session) -> None:
    row = db_session.get(StaffSession, token_hash(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
