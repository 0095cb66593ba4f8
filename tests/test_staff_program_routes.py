"""The report pages over HTTP: /staff/program with its charts and table views, /staff/partners
with its filters, the audited CSV exports (CSRF, org-scoped), logged-out requests sent to
the login page."""

from __future__ import annotations

import csv
import io
import re
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.config import get_settings
from api.directory import demo
from api.staff.models import AuditEntry
from tests.support.staff_login import csrf_of, log_in, make_user
from tests.test_staff_program import build

PERIOD = {"start": "2026-11-01", "end": "2026-11-07"}


@pytest.fixture(autouse=True)
def _utc_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hand-computed dataset counts UTC days; the program's zone has its own tests
    (tests/test_staff_program_zones.py)."""
    monkeypatch.setattr(get_settings(), "program_timezone", ZoneInfo("UTC"))


def _logged_in(client: TestClient, db: Session, org) -> None:  # type: ignore[no-untyped-def]
    make_user(org, db)
    db.commit()
    assert log_in(client).status_code == 303


def test_logged_out_report_pages_go_to_the_login_page(client: TestClient) -> None:
    for path in ("/staff/program", "/staff/partners"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/staff/login?next="
        )
    assert client.post("/staff/exports/handoffs.csv", follow_redirects=False).status_code in (
        303,
        403,
    )


def test_the_program_page_shows_the_figures_as_charts_and_tables(client, db, org) -> None:  # type: ignore[no-untyped-def]
    build(db, org.id)
    _logged_in(client, db, org)
    page = client.get("/staff/program", params=PERIOD)
    assert page.status_code == 200
    html = page.text
    assert re.search(r'id="fig-started">3<', html) and re.search(r'id="fig-completed">3<', html)
    assert 'id="fig-noshow">50%<' in html
    assert 'id="fig-median">3 h<' in html  # 10,800 s
    for chart in ("chart-screenings", "chart-needs", "chart-funnel", "chart-reminders"):
        assert f'<svg class="chart" id="{chart}" role="img"' in html
    assert "<title>Food: 2</title>" in html and "<title>Made: 3</title>" in html
    assert "<title>Accepted: 2</title>" in html and "<title>Attended: 1</title>" in html
    assert "<title>Delivered: 2</title>" in html and "<title>Failed: 1</title>" in html
    assert html.count("<summary>Table view</summary>") == 4
    assert '<th scope="row">2026-11-02</th><td>1</td><td>1</td>' in html
    spanish = client.get("/staff/program", params={**PERIOD, "language": "es"}).text
    assert 'id="fig-started">1<' in spanish and 'id="fig-median">4 h<' in spanish


def test_a_bad_date_is_said_and_the_default_period_used(client, db, org) -> None:  # type: ignore[no-untyped-def]
    _logged_in(client, db, org)
    html = client.get("/staff/program", params={"start": "yesterday", "language": "xx"}).text
    assert "A date was not understood" in html


def test_the_partner_matrix_page_filters_by_language_and_zip(client, db, org) -> None:  # type: ignore[no-untyped-def]
    demo.load(db_session=db)
    _logged_in(client, db, org)
    html = client.get("/staff/partners").text
    assert '<caption id="matrix-caption">' in html and '<th scope="row">Food</th>' in html
    assert "TANF (CalWORKs)" in html and "Does not pay for</span> tuition" in html
    assert "Logan Heights Family Pantry" in html
    north = client.get("/staff/partners", params={"zip": "92028"}).text
    assert "Logan Heights Family Pantry" not in north and "Distance from 92028" in north
    vietnamese = client.get("/staff/partners", params={"language": "vi"}).text
    assert "Logan Heights Family Pantry" not in vietnamese
    bad = client.get("/staff/partners", params={"zip": "9a"}).text
    assert "A ZIP code is five digits." in bad


def test_an_export_needs_the_csrf_token_and_is_audited(client, db, org) -> None:  # type: ignore[no-untyped-def]
    build(db, org.id)
    _logged_in(client, db, org)
    refused = client.post("/staff/exports/referrals.csv", data=PERIOD)
    assert refused.status_code == 403

    token = csrf_of(client, "/staff/program")
    response = client.post("/staff/exports/referrals.csv", data={**PERIOD, "csrf_token": token})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 4  # this org's referrals of the period, not the other org's
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.subject == "referrals.csv" and "rows=4" in entry.detail
    handoffs = client.post("/staff/exports/handoffs.csv", data={**PERIOD, "csrf_token": token})
    assert handoffs.status_code == 200 and handoffs.text.startswith("handoff_id,")
    unknown = client.post("/staff/exports/secrets.csv", data={**PERIOD, "csrf_token": token})
    assert unknown.status_code == 404
