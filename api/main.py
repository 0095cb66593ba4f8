"""The FastAPI application factory. Nothing connects at import time."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from api.booking import ics as booking_ics
from api.booking import routes as booking_routes
from api.channels import twilio_sms, webchat
from api.config import ROOT, get_settings
from api.conversations import runner
from api.db import session_scope
from api.directory import routes as directory_routes
from api.fhir import routes as fhir_routes
from api.handoff import routes as handoff_routes
from api.health import routes as health_routes
from api.nlg import routes as nlg_routes
from api.referrals import partner_routes
from api.referrals import staff_routes as referral_staff_routes
from api.staff import deliveries as staff_deliveries
from api.staff import service as staff
from api.staff import web as staff_web
from api.webhooks import routes as webhook_routes

log = logging.getLogger(__name__)


def create_app() -> FastAPI:
    settings = get_settings()
    with session_scope(read_only=True) as db:  # no participant may fall outside every org
        staff.require_program_org(db_session=db)
    runner.get().warm_up()  # the turn executor loads the language models before traffic
    docs = settings.enable_docs and not settings.is_production
    app = FastAPI(
        title="firstcall",
        version="0.1.0",
        description="Self-service assistant for workforce and social-services programs.",
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.include_router(health_routes.router)
    app.include_router(nlg_routes.router)
    app.include_router(twilio_sms.router)
    app.include_router(webchat.router)
    app.include_router(handoff_routes.router)
    app.include_router(booking_routes.router)
    app.include_router(booking_ics.router)
    app.include_router(fhir_routes.router)
    app.include_router(directory_routes.router)
    app.include_router(partner_routes.router)
    app.include_router(referral_staff_routes.router)
    app.include_router(webhook_routes.router)
    app.include_router(staff_web.router)
    app.include_router(staff_deliveries.router)
    app.mount("/static", StaticFiles(directory=ROOT / "api" / "static"), name="static")

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Say what was wrong, never echo the input back (it may hold personal data).
        errors = [{"loc": e.get("loc"), "msg": e.get("msg")} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)

    return app
