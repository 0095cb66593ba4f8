"""Log in and out. The login form has CSRF protection too (a nonce in a cookie and its HMAC
in the form), so no other site can log a browser in to an account of its choosing."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api.config import get_settings
from api.staff import accounts
from api.staff.web.deps import COOKIE, CsrfChecked, DbSession, page, secure_cookies

router = APIRouter()
LOGIN_COOKIE = "fc_staff_login"


def _login_token(nonce: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"staff-login:{nonce}".encode(), hashlib.sha256).hexdigest()


def _safe_next(target: str | None) -> str:
    """Only a path of the dashboard itself: never an open redirect."""
    if target and target.startswith("/staff") and not target.startswith("//"):
        return target
    return "/staff/"


def _login_page(
    request: Request, *, error: str = "", next_url: str = "", status: int = 200
) -> Response:
    nonce = secrets.token_urlsafe(24)
    response = page(
        request,
        "login.html",
        None,
        login_token=_login_token(nonce),
        error=error,
        next_url=_safe_next(next_url or request.query_params.get("next")),
    )
    response.status_code = status
    response.set_cookie(
        LOGIN_COOKIE, nonce, httponly=True, samesite="lax", secure=secure_cookies(request),
        path="/staff", max_age=3600,
    )  # fmt: skip
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    login_token: Annotated[str, Form(max_length=200)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=500)] = "",
) -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not hmac.compare_digest(login_token, _login_token(nonce)):
        raise HTTPException(403, "missing or wrong CSRF token")
    address = request.client.host if request.client else "unknown"
    result = accounts.log_in(email, password, address, db_session=db)
    if result.limited:
        return _login_page(
            request,
            error="Too many failed attempts. Please wait 15 minutes and try again.",
            next_url=next_url,
            status=429,
        )
    if result.token is None:
        return _login_page(
            request, error="Email or password is not right.", next_url=next_url, status=401
        )
    response = RedirectResponse(_safe_next(next_url), status_code=303)
    response.set_cookie(
        COOKIE, result.token, httponly=True, samesite="lax", secure=secure_cookies(request),
        path="/staff", max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
    )  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path="/staff")
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, db: DbSession) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        accounts.log_out(token, db_session=db)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(COOKIE, path="/staff")
    return response
