"""make run's demo login: an admin whose password in var/demo-staff.txt really logs in."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from api import demo
from api.staff.accounts import _verify as verify_password
from api.staff.models import ADMIN, StaffUser


def _login(path: Path) -> dict[str, str]:
    pairs = (line.split(":", 1) for line in path.read_text(encoding="utf-8").splitlines())
    return {key.strip(): value.strip() for key, value in pairs}


def test_demo_admin_login_is_written_and_verifies(db: Session, tmp_path: Path) -> None:
    staff_file = tmp_path / "demo-staff.txt"
    demo.load(db_session=db, key_file=tmp_path / "key.txt", staff_file=staff_file)
    login = _login(staff_file)
    user = db.query(StaffUser).filter_by(email=login["email"]).one()
    assert user.role == ADMIN
    assert verify_password(user.password_hash, login["password"])


def test_a_lost_login_file_gets_a_new_password_that_works(db: Session, tmp_path: Path) -> None:
    staff_file = tmp_path / "demo-staff.txt"
    demo.load(db_session=db, key_file=tmp_path / "key.txt", staff_file=staff_file)
    first = _login(staff_file)["password"]
    demo.load(db_session=db, key_file=tmp_path / "key.txt", staff_file=staff_file)
    assert _login(staff_file)["password"] == first  # idempotent while the file is there
    staff_file.unlink()
    demo.load(db_session=db, key_file=tmp_path / "key.txt", staff_file=staff_file)
    second = _login(staff_file)["password"]
    user = db.query(StaffUser).filter_by(email=demo.DEMO_ADMIN_EMAIL).one()
    assert second != first and verify_password(user.password_hash, second)
