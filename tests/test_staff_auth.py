"""Dashboard logins: argon2 passwords, session cookies, CSRF on every form, rate limits,
roles, and logged-out requests sent to the login page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.staff import accounts
from api.staff.models import StaffSession, StaffUser
from tests.support.staff_login import PASSWORD, csrf_of, log_in, login_token, make_user


def test_a_logged_out_request_goes_to_the_login_page(client, org) -> None:
    response = client.get("/staff/?status=open", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login?next=%2Fstaff%2F%3Fstatus%3Dopen"
    partial = client.get("/staff/inbox/rows", headers={"HX-Request": "true"})
    assert partial.status_code == 401
    assert partial.headers["HX-Redirect"].startswith("/staff/login")


def test_passwords_are_argon2_hashes(db: Session, org) -> None:
    user = make_user(org, db)
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_log_in_sets_a_safe_session_cookie_and_shows_the_inbox(client, db: Session, org) -> None:
    make_user(org, db)
    db.commit()
    response = log_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/staff/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("fc_staff="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    assert "Path=/staff" in cookie
    inbox = client.get("/staff/")
    assert inbox.status_code == 200 and "Inbox" in inbox.text
    token = cookie.split(";")[0].split("=", 1)[1]
    stored = db.scalars(select(StaffSession)).one()
    assert stored.id == accounts.token_hash(token) != token  # only a hash is kept


def test_a_wrong_password_is_refused(client, db: Session, org) -> None:
    make_user(org, db)
    db.commit()
    response = log_in(client, password="not the password")
    assert response.status_code == 401
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_the_login_form_without_its_csrf_token_gets_403(client, db: Session, org) -> None:
    make_user(org, db)
    db.commit()
    login_token(client)  # the nonce cookie is set, but the form's token is missing
    response = client.post("/staff/login", data={"email": "cm@example.org", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_a_form_without_the_session_csrf_token_gets_403(client, db: Session, org) -> None:
    make_user(org, db)
    db.commit()
    log_in(client)
    assert client.post("/staff/logout", follow_redirects=False).status_code == 403
    wrong = client.post("/staff/logout", data={"csrf_token": "nope"}, follow_redirects=False)
    assert wrong.status_code == 403
    assert client.get("/staff/").status_code == 200  # still logged in


def test_logout_ends_the_session_on_the_server(client, db: Session, org) -> None:
    make_user(org, db)
    db.commit()
    log_in(client)
    cookie = client.cookies.get("fc_staff")
    response = client.post(
        "/staff/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"
    client.cookies.set("fc_staff", cookie or "", domain="firstcall.test", path="/staff")
    assert client.get("/staff/", follow_redirects=False).status_code == 303  # replay refused


def test_a_case_manager_cannot_reach_admin_routes(client, db: Session, org) -> None:
    make_user(org, db)
    make_user(org, db, email="admin@example.org", role="admin")
    db.commit()
    log_in(client)
    assert client.get("/staff/audit").status_code == 403
    client.cookies.clear()
    log_in(client, "admin@example.org")
    assert client.get("/staff/audit").status_code == 200


def test_bad_logins_are_limited_per_account(client, db: Session, org) -> None:
    make_user(org, db)
    db.commit()
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        assert log_in(client, password="guess").status_code == 401
    limited = log_in(client)  # even the right password, while limited
    assert limited.status_code == 429
    assert "Too many failed attempts" in limited.text


def test_bad_logins_are_limited_per_address(client, db: Session, org) -> None:
    make_user(org, db)
    db.commit()
    for n in range(accounts.MAX_FAILURES_PER_ADDRESS):
        assert log_in(client, f"nobody{n}@example.org", "guess").status_code == 401
    assert log_in(client).status_code == 429


def test_the_limit_window_passes(db: Session, org) -> None:
    user = make_user(org, db)
    earlier = accounts.utcnow() - accounts.FAILURE_WINDOW * 2
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        accounts.log_in(user.email, "guess", "10.0.0.1", db_session=db, now=earlier)
    assert accounts.log_in(user.email, PASSWORD, "10.0.0.1", db_session=db).token


def test_a_deactivated_user_loses_their_session(client, db: Session, org) -> None:
    user = make_user(org, db)
    db.commit()
    log_in(client)
    db.get(StaffUser, user.id).active = False  # type: ignore[union-attr]
    db.commit()
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_next_only_goes_to_the_dashboard(client, db: Session, org) -> None:
    make_user(org, db)
    db.commit()
    token = login_token(client)
    response = client.post(
        "/staff/login",
        data={"email": "cm@example.org", "password": PASSWORD, "login_token": token,
              "next": "https://evil.example/"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.headers["location"] == "/staff/"
