"""The case managers' dashboard under /staff: server-rendered pages (Jinja2, autoescaped),
htmx for polling and small posts, no CDN. Each page module has its own router; add yours
here."""

from __future__ import annotations

from fastapi import APIRouter

from api.staff.web import audit, auth, inbox, participant, reports

router = APIRouter(prefix="/staff", tags=["dashboard"], include_in_schema=False)
router.include_router(auth.router)
router.include_router(inbox.router)
router.include_router(audit.router)
router.include_router(reports.router)
router.include_router(participant.router)
