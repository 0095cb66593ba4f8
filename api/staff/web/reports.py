"""Reports for staff: the program page with charts (`/staff/program`), the partner matrix
(`/staff/partners`) and the CSV exports (POST with the CSRF token, each one audited).
Thin adapters over api/staff/program.py, charts.py, matrix.py and exports.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.channels import registry
from api.config import get_settings
from api.directory import geo
from api.directory.matching import language_name
from api.i18n.locales import SUPPORTED_LOCALES
from api.staff import audit, charts, exports, program
from api.staff import matrix as partner_matrix
from api.staff.web.deps import CsrfChecked, CurrentStaff, DbSession, page

router = APIRouter()
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
CHANNEL_NAMES = {"sms": "SMS", "web": "Web chat"}
REMINDER_STATUSES = ("delivered", "failed", "sent", "pending", "dropped", "cancelled")


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def filters_from(
    params: Any, today: date, zone: ZoneInfo = program.UTC_ZONE
) -> tuple[program.Filters, str | None]:
    """The filters asked for (query string or form), or the last 30 days, and any problem."""
    default = program.Filters.default(today, DEFAULT_DAYS, zone)
    start, end = _date(params.get("start")), _date(params.get("end"))
    problem = None
    if (params.get("start") and start is None) or (params.get("end") and end is None):
        problem = "A date was not understood; give it as YYYY-MM-DD."
    start, end = start or default.start, end or default.end
    if end < start:
        problem, start, end = "The end date was before the start date: swapped.", end, start
    if (end - start).days > MAX_DAYS:
        problem, start = "At most three years at a time.", end - timedelta(days=MAX_DAYS)
    language = params.get("language") or None
    channel = params.get("channel") or None
    return (
        program.Filters(
            start,
            end,
            language if language in SUPPORTED_LOCALES else None,
            channel if channel in registry.names() else None,
            zone,
        ),
        problem,
    )


def local_filters(params: Any) -> tuple[program.Filters, str | None]:
    """filters_from for today in the program's zone, whose midnights bound the days."""
    zone = get_settings().program_timezone
    return filters_from(params, datetime.now(zone).date(), zone)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "no bookings yet"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{seconds / 86400:.1f} days"


def percent(rate: float | None) -> str:
    return "no marked appointments" if rate is None else f"{rate * 100:.0f}%"


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _charts(report: program.Report) -> dict[str, Any]:
    fmt = "%b %d" if report.filters.bucket == "day" else "wk %b %d"
    labels = [p.bucket.strftime(fmt) for p in report.screenings]
    f = report.funnel
    reminders = [(s, report.reminders.get(s, 0)) for s in REMINDER_STATUSES
                 if s in ("delivered", "failed") or report.reminders.get(s)]  # fmt: skip
    return {
        "screenings": charts.lines(
            "chart-screenings",
            f"Screenings started and completed, per {report.filters.bucket}",
            labels,
            [
                charts.Series("Started", [p.started for p in report.screenings]),
                charts.Series("Completed", [p.completed for p in report.screenings]),
            ],
        ),
        "needs": charts.bars(
            "chart-needs",
            "Positive needs by domain",
            [(_label(d), n) for d, n in report.needs],
        ),  # fmt: skip
        "funnel": charts.bars(
            "chart-funnel",
            "Referral funnel",
            [("Made", f.made), ("Accepted", f.accepted), ("Attended", f.attended)],
        ),  # fmt: skip
        "reminders": charts.bars(
            "chart-reminders", "Reminders by outcome", [(_label(s), n) for s, n in reminders]
        ),
        "reminder_rows": reminders,
    }


@router.get("/program")
def program_page(request: Request, staff: CurrentStaff, db: DbSession) -> Response:
    filters, problem = local_filters(request.query_params)
    report = program.report(staff.org_id, filters, db_session=db)
    return page(
        request, "program.html", staff, report=report, filters=filters, problem=problem,
        charts=_charts(report), duration=duration, percent=percent, label=_label,
        language_name=language_name, channel_names=CHANNEL_NAMES,
    )  # fmt: skip


@router.get("/partners")
def partners_page(request: Request, staff: CurrentStaff, db: DbSession) -> Response:
    language = request.query_params.get("language") or None
    language = language if language in SUPPORTED_LOCALES else None
    raw_zip = (request.query_params.get("zip") or "").strip()[:10]
    zip_code = geo.normalize_zip(raw_zip)
    view = partner_matrix.build(
        datetime.now(UTC), db_session=db, language=language, zip_code=zip_code
    )
    if raw_zip and zip_code is None:
        view.problem = "A ZIP code is five digits."
    return page(
        request, "partners.html", staff, view=view, zip_text=raw_zip, label=_label,
        languages=list(SUPPORTED_LOCALES), language_name=language_name,
    )  # fmt: skip


@router.post("/exports/{kind}.csv", dependencies=[CsrfChecked])
async def export(kind: str, request: Request, staff: CurrentStaff, db: DbSession) -> Response:
    spec = exports.EXPORTS.get(kind)
    if spec is None:
        return Response("no such export", status_code=404, media_type="text/plain")
    filters, _ = local_filters(await request.form())
    text, count = exports.write(spec, staff.org_id, filters, db_session=db)
    detail = (
        f"{filters.start}..{filters.end} language={filters.language or 'any'} "
        f"channel={filters.channel or 'any'} rows={count}"
    )
    audit.record(staff.org_id, staff.user_id, audit.EXPORT, f"{kind}.csv", detail, db_session=db)
    name = f"{kind}-{filters.start}-{filters.end}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
