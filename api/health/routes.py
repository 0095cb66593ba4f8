"""GET /health: 200 only when every part is up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import func, select, text

from api.config import get_settings
from api.conversations import engine
from api.db import session_scope, utcnow
from api.health.models import WorkerHeartbeat

router = APIRouter(tags=["ops"])


def _database() -> bool:
    try:
        with session_scope() as db:
            db.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def _action_server() -> bool:
    try:
        url = f"{get_settings().action_server_url}/health"
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _worker() -> bool:
    try:
        with session_scope() as db:
            last = db.scalar(select(func.max(WorkerHeartbeat.last_seen)))
    except Exception:
        return False
    if last is None:
        return False
    stale = timedelta(seconds=get_settings().worker_heartbeat_stale_seconds)
    return bool(utcnow() - last.replace(tzinfo=last.tzinfo or utcnow().tzinfo) < stale)


def report() -> dict[str, Any]:
    checks = {
        "app": True,
        "database": _database(),
        "rasa": engine.is_up(),
        "action_server": _action_server(),
        "worker": _worker(),
    }
    return {"status": "ok" if all(checks.values()) else "degraded", "checks": checks}


@router.get("/health")
def health() -> JSONResponse:
    body = report()
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)
