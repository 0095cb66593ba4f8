"""What every dashboard page needs: the logged-in staff member, their role, CSRF checks, and
the templates (autoescaped: participant text is data, never markup).

    @router.get("/staff/thing")
    def page(request: Request, staff: CurrentStaff, db: DbSession): ...

    @router.post("/staff/thing", dependencies=[CsrfChecked])
    def act(staff: CurrentStaff, ...): ...

    @router.get("/staff/admin-thing")
    def admin(staff: Annotated[StaffContext, Depends(require_role("admin"))]): ...

A logged-out request is redirected to /staff/login (303; an htmx request gets 401 with
`HX-Redirect`); a role that does not fit gets 403; a POST without the session's CSRF token
(form field `csrf_token`, or the `X-CSRF-Token` header) gets 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api.config import ROOT, get_settings
from api.db import session_dependency
from api.staff import accounts
from api.staff.models import ADMIN, CASE_MANAGER, SUPERVISOR

COOKIE = "fc_staff"
CSRF_FIELD, CSRF_HEADER = "csrf_token", "X-CSRF-Token"
# Which roles may do what: each role includes the ones before it.
RANK = {CASE_MANAGER: 0, SUPERVISOR: 1, ADMIN: 2}

templates = Jinja2Templates(directory=str(ROOT / "api" / "templates" / "staff"))
templates.env.autoescape = True  # every template, whatever its file name

DbSession = Annotated[Session, Depends(session_dependency)]


@dataclass(frozen=True)
class StaffContext:
    user_id: str
    name: str
    email: str
    org_id: str
    role: str
    csrf_token: str

    def can(self, role: str) -> bool:
        return RANK.get(self.role, -1) >= RANK[role]

    @property
    def by(self) -> str:
        """How history rows name this person (`staff:<id>`), as the referral history does."""
        return f"staff:{self.user_id}"


def secure_cookies(request: Request) -> bool:
    """`Secure` when the dashboard is served over https (directly, or as PUBLIC_BASE_URL
    says behind a proxy)."""
    return request.url.scheme == "https" or get_settings().public_base_url.startswith("https:")


def _to_login(request: Request) -> HTTPException:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login = f"/staff/login?next={quote(target, safe='')}"
    if request.headers.get("HX-Request"):
        return HTTPException(401, "log in again", headers={"HX-Redirect": login})
    return HTTPException(303, "log in", headers={"Location": login})


def current_staff(request: Request, db_session: DbSession) -> StaffContext:
    token = request.cookies.get(COOKIE)
    found = accounts.session_for(token, db_session=db_session) if token else None
    if found is None:
        raise _to_login(request)
    session, user = found
    context = StaffContext(
        user_id=user.id,
        name=user.name,
        email=user.email,
        org_id=user.org_id,
        role=user.role,
        csrf_token=session.csrf_token,
    )
    request.state.staff = context
    return context


CurrentStaff = Annotated[StaffContext, Depends(current_staff)]


def require_role(role: str) -> Callable[[StaffContext], StaffContext]:
    if role not in RANK:
        raise ValueError(f"unknown role {role!r}")

    def check(staff: CurrentStaff) -> StaffContext:
        if not staff.can(role):
            raise HTTPException(403, "not allowed for your role")
        return staff

    return check


async def check_csrf(request: Request, staff: CurrentStaff) -> None:
    """403 unless the request carries this session's CSRF token."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, staff.csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token")


CsrfChecked = Depends(check_csrf)


def page(request: Request, name: str, staff: StaffContext | None, **context: Any) -> Response:
    """Render a dashboard page with what base.html needs (the staff member, CSRF token)."""
    return templates.TemplateResponse(
        request, name, {"staff": staff, "csrf_token": staff.csrf_token if staff else "", **context}
    )
