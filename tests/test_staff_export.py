"""CSV exports: the org's handoffs and referrals of the period, codes and ids only (no consented
fields, no phone), formulas defused."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking.models import Referral
from api.conversations.models import Conversation
from api.directory.models import HsdsService
from api.handoff.models import Handoff
from api.staff import exports, program
from tests.test_staff_program import PERIOD, at, build

HANDOFFS, REFERRALS = exports.EXPORTS["handoffs"], exports.EXPORTS["referrals"]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe() -> None:
    for text in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert exports.cell(text) == "'" + text
    assert exports.cell(["=a", "b"]) == "'=a;b"
    assert exports.cell("food") == "food" and exports.cell(None) == ""
    assert exports.cell(True) == "yes" and exports.cell(at(11, 2)) == "2026-11-02T12:00:00+00:00"


def test_referrals_of_the_org_and_period_without_the_shared_fields(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    build(db, org.id)
    service = db.get(HsdsService, "svc-program")
    assert service is not None
    service.name = '=HYPERLINK("http://x.test","click")'
    first = db.scalars(select(Referral).where(Referral.org_id == org.id)).first()
    assert first is not None
    first.shared = {"name": "Ana Privada", "phone": "+15550001111"}
    db.flush()

    text, count = exports.write(REFERRALS, org.id, PERIOD, db_session=db)
    rows = _rows(text)

    assert list(rows[0]) == list(REFERRALS.headers) == [
        "referral_id", "participant_id", "created_at", "domain", "status", "business_status",
        "service", "organization", "appointment_start", "appointment_status", "language",
        "status_changed_at",
    ]  # fmt: skip
    assert count == len(rows) == 4  # p1, p2, p3 and p6's entered-in-error one; not org B's
    assert {r["status"] for r in rows} == {"completed", "failed", "requested", "entered-in-error"}
    assert all(r["service"].startswith("'=HYPERLINK") for r in rows)
    assert "Ana Privada" not in text and "+15550001111" not in text and "5550001111" not in text
    later = program.Filters(PERIOD.start.replace(day=4), PERIOD.end)
    assert exports.write(REFERRALS, org.id, later, db_session=db)[1] == 2  # p3 (11-05), p6 (11-06)
    spanish = program.Filters(PERIOD.start, PERIOD.end, language="es")
    assert exports.write(REFERRALS, org.id, spanish, db_session=db)[1] == 1


def test_handoffs_of_the_org_and_period_with_codes_only(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    build(db, org.id)
    conversations = list(db.scalars(select(Conversation)))
    mine = [c for c in conversations if c.participant_id]
    for i, c in enumerate(mine[:3]):
        db.add(
            Handoff(
                org_id=org.id if i < 2 else _other_org(db),
                participant_id=c.participant_id,
                conversation_id=c.id,
                urgent=i == 0,
                reasons=["crisis", "=cmd"] if i == 0 else ["booking_later"],
                summary={"screening": {"answers": [{"display": "secret answer"}]}},
                created_at=at(11, 2 + i),
            )
        )
    db.flush()

    text, count = exports.write(HANDOFFS, org.id, PERIOD, db_session=db)
    rows = _rows(text)

    assert list(rows[0]) == list(HANDOFFS.headers) == [
        "handoff_id", "participant_id", "created_at", "status", "urgent", "reasons", "language",
        "channel", "last_event_at", "acknowledged_at", "acknowledged_by", "closed_at",
        "closed_by",
    ]  # fmt: skip
    assert count == 2
    assert rows[0]["urgent"] == "yes" and rows[0]["reasons"] == "crisis;=cmd"
    assert rows[1]["reasons"] == "booking_later" and rows[1]["channel"] in ("sms", "web")
    assert "secret answer" not in text


def _other_org(db: Session) -> str:
    from api.staff.models import Organization

    other = db.scalar(select(Organization).where(Organization.slug == "other-program"))
    assert other is not None
    return other.id
