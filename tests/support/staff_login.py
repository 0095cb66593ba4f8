"""Staff dashboard logins for tests: a user with a password, and a logged-in TestClient."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.staff import service as staff
from api.staff.models import Organization, StaffUser

PASSWORD = "correct horse battery staple"


def make_user(
    org: Organization, db: Session, *, email: str = "cm@example.org", role: str = "case_manager"
) -> StaffUser:
    return staff.create_user(org, email, "Casey Manager", db_session=db, password=PASSWORD,
                             role=role)  # fmt: skip


def login_token(client: TestClient) -> str:
    form = client.get("/staff/login")
    assert form.status_code == 200
    found = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert found
    return found.group(1)


def log_in(client: TestClient, email: str = "cm@example.org", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = login_token(client)
    return client.post(
        "/staff/login",
        data={"email": email, "password": password, "login_token": token},
        follow_redirects=False,
    )


def csrf_of(client: TestClient, path: str = "/staff/") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)
