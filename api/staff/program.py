"""The program's figures for /staff/program, each one SQL aggregate (GROUP BY, COUNT, date
buckets, a median) over one organization's rows: nothing loads every row into Python.

Filters select a period (days in the program's zone, PROGRAM_TIMEZONE, both ends included:
a day runs from local midnight to local midnight, 23 or 25 hours on a DST change) and
participants: `language` is the
participant's current language, `channel` that they have a conversation on that channel.
Each figure counts the rows whose own time falls in the period:

- screenings started (by `started_at`) and completed (by `completed_at`), per local day, or
  per week (Monday) for a period longer than 62 days (PostgreSQL `AT TIME ZONE`; SQLite,
  which has no zone database, the UTC offsets of the period's DST segments in a CASE);
- positive needs by domain: completed screenings in the period with that domain positive;
- the referral funnel, by referrals made in the period (entered-in-error left out):
  accepted = ever accepted by the partner (or further), attended = business status attended;
- the no-show rate: appointments starting in the period that were marked, no-show over
  attended + no-show;
- reminders (outbox kind `reminder`) by status, by send time (or planned time when unsent);
- the median time from a participant's first message to their first booked appointment,
  for first bookings made in the period (PostgreSQL percentile_cont; SQLite a window).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, and_, case, cast, exists, func, literal, or_, select, text
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from api.booking import states
from api.booking.models import ATTENDED, NO_SHOW, Appointment, Referral, ReferralEvent
from api.channels import registry
from api.conversations.models import Conversation, InboundMessage, Participant
from api.i18n.locales import SUPPORTED_LOCALES
from api.outbox.models import OutboundMessage
from api.screening.models import COMPLETED, ScreeningSession
from api.screening.scoring import POSITIVE

REMINDER = "reminder"
WEEKLY_AFTER_DAYS = 62
ACCEPTED_OR_LATER = (states.ACCEPTED, states.IN_PROGRESS, states.COMPLETED)
Bucket = Literal["day", "week"]
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # included
    language: str | None = None
    channel: str | None = None
    zone: ZoneInfo = UTC_ZONE  # whose midnights bound the days: the program's

    @classmethod
    def default(cls, today: date, days: int = 30, zone: ZoneInfo = UTC_ZONE) -> Filters:
        return cls(today - timedelta(days=days - 1), today, zone=zone)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), self.zone).astimezone(UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), self.zone).astimezone(UTC)

    def offsets(self) -> list[tuple[datetime, int]]:
        """The zone's UTC offset (seconds) over the period: (from this instant, offset), the
        first from `since`, one more at each DST change inside the period."""
        out = [(self.since, _offset(self.since, self.zone))]
        day = self.since
        while day < self.until:
            after = min(day + timedelta(days=1), self.until)
            if _offset(after, self.zone) != out[-1][1]:
                low, high = day, after  # the change is in (low, high]: halve to the second
                while high - low > timedelta(seconds=1):
                    middle = low + (high - low) / 2
                    low, high = (low, middle) if _offset(middle, self.zone) != out[-1][1] else (
                        middle, high)  # fmt: skip
                out.append((high.replace(microsecond=0), _offset(high, self.zone)))
            day = after
        return out

    @property
    def bucket(self) -> Bucket:
        return "week" if (self.end - self.start).days > WEEKLY_AFTER_DAYS else "day"

    def buckets(self) -> list[date]:
        if self.bucket == "day":
            return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]
        first = self.start - timedelta(days=self.start.weekday())
        return [first + timedelta(weeks=i) for i in range((self.end - first).days // 7 + 1)]


@dataclass(frozen=True)
class Point:
    bucket: date
    started: int
    completed: int


@dataclass(frozen=True)
class Funnel:
    made: int
    accepted: int
    attended: int


@dataclass(frozen=True)
class NoShows:
    attended: int
    no_show: int

    @property
    def rate(self) -> float | None:
        marked = self.attended + self.no_show
        return self.no_show / marked if marked else None


@dataclass(frozen=True)
class Report:
    filters: Filters
    screenings: list[Point]
    needs: list[tuple[str, int]]  # domain, positive screenings; most first
    funnel: Funnel
    no_shows: NoShows
    reminders: dict[str, int]  # outbox status -> rows
    median_to_booking: float | None  # seconds
    booked: int  # participants in the median
    languages: list[str] = field(default_factory=list)  # the filters' choices
    channels: list[str] = field(default_factory=list)

    @property
    def started(self) -> int:
        return sum(p.started for p in self.screenings)

    @property
    def completed(self) -> int:
        return sum(p.completed for p in self.screenings)


def _offset(instant: datetime, zone: ZoneInfo) -> int:
    delta = instant.astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def _postgres(db_session: Session) -> bool:
    return db_session.get_bind().dialect.name == "postgresql"


class Scope:
    """The pieces every figure shares: the organization's scope and the dialect's SQL."""

    def __init__(self, org_id: str, filters: Filters, db_session: Session) -> None:
        self.org_id, self.f, self.db = org_id, filters, db_session
        self.pg = _postgres(db_session)

    def people(self) -> Any:
        query = select(Participant.id).where(Participant.org_id == self.org_id)
        if self.f.language:
            query = query.where(Participant.language == self.f.language)
        if self.f.channel:
            query = query.where(
                exists().where(
                    Conversation.participant_id == Participant.id,
                    Conversation.channel == self.f.channel,
                )
            )
        return query

    def scope(self, participant_id: Any, org_id: Any = None) -> ColumnElement[bool]:
        """The org's rows: by the row's own org when no participant filter is set."""
        if org_id is not None and not (self.f.language or self.f.channel):
            return org_id == self.org_id
        return participant_id.in_(self.people())

    def within(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.f.since, column < self.f.until)

    def bucket(self, column: Any) -> Any:
        """The local day (or the Monday of its week) of a UTC time, in the program's zone."""
        if self.pg:
            local = func.timezone(self.f.zone.key, column)
            return cast(func.date_trunc(self.f.bucket, local), Date)
        offsets = self.f.offsets()
        shift: Any = literal(f"{offsets[-1][1]:+d} seconds")
        if len(offsets) > 1:
            steps = [(column < start, f"{offset:+d} seconds") for (_, offset), (start, _) in
                     zip(offsets, offsets[1:], strict=False)]  # fmt: skip
            shift = case(*steps, else_=shift)
        if self.f.bucket == "day":
            return func.date(column, shift)
        return func.date(column, shift, "-6 days", "weekday 1")  # the Monday on or before

    def seconds(self, later: Any, earlier: Any) -> Any:
        if self.pg:
            return cast(func.extract("epoch", later - earlier), Float)
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def screenings(q: Scope) -> list[Point]:
    counts: dict[date, list[int]] = {b: [0, 0] for b in q.f.buckets()}
    s = ScreeningSession
    for column, index, extra in (
        (s.started_at, 0, None),
        (s.completed_at, 1, s.status == COMPLETED),
    ):
        bucket = q.bucket(column).label("bucket")
        query = (
            select(bucket, func.count())
            .where(q.within(column), q.scope(s.participant_id))
            .group_by(bucket)
        )
        if extra is not None:
            query = query.where(extra)
        for day, n in q.db.execute(query):
            counts.setdefault(_day(day), [0, 0])[index] = int(n)
    return [Point(b, v[0], v[1]) for b, v in sorted(counts.items())]


def needs(q: Scope) -> list[tuple[str, int]]:
    s = ScreeningSession
    domain: Any
    status: Any
    if q.pg:
        item = func.json_array_elements(s.results["domains"]).table_valued("value").alias("d")
        domain, status = item.c.value.op("->>")("domain"), item.c.value.op("->>")("status")
    else:
        item = func.json_each(s.results, "$.domains").table_valued("value").alias("d")
        domain = func.json_extract(item.c.value, "$.domain")
        status = func.json_extract(item.c.value, "$.status")
    label = domain.label("domain")
    n = func.count(func.distinct(s.id)).label("n")
    query = (
        select(label, n)
        .select_from(s)
        .join(item, literal(True))
        .where(
            s.status == COMPLETED,
            q.within(s.completed_at),
            q.scope(s.participant_id),
            status == POSITIVE,
        )
        .group_by(label)
        .order_by(n.desc(), label)
    )
    return [(str(d), int(c)) for d, c in q.db.execute(query)]


def funnel(q: Scope) -> Funnel:
    r = Referral
    accepted = or_(
        r.status.in_(ACCEPTED_OR_LATER),
        exists().where(ReferralEvent.referral_id == r.id, ReferralEvent.status == states.ACCEPTED),
    )
    query = select(
        func.count(),
        func.coalesce(func.sum(case((accepted, 1), else_=0)), 0),
        func.coalesce(func.sum(case((r.business_status == states.ATTENDED, 1), else_=0)), 0),
    ).where(
        q.within(r.created_at),
        q.scope(r.participant_id, r.org_id),
        r.status != states.ENTERED_IN_ERROR,
    )
    made, acc, att = q.db.execute(query).one()
    return Funnel(int(made), int(acc), int(att))


def no_shows(q: Scope) -> NoShows:
    a = Appointment
    query = select(
        func.coalesce(func.sum(case((a.status == ATTENDED, 1), else_=0)), 0),
        func.coalesce(func.sum(case((a.status == NO_SHOW, 1), else_=0)), 0),
    ).where(q.within(a.start), q.scope(a.participant_id, a.org_id))
    attended, missed = q.db.execute(query).one()
    return NoShows(int(attended), int(missed))


def reminders(q: Scope) -> dict[str, int]:
    o = OutboundMessage
    query = (
        select(o.status, func.count())
        .where(
            o.kind == REMINDER,
            q.within(func.coalesce(o.sent_at, o.next_attempt_at)),
            q.scope(o.participant_id),
        )
        .group_by(o.status)
    )
    return {str(status): int(n) for status, n in q.db.execute(query)}


def median_to_booking(q: Scope) -> tuple[float | None, int]:
    """Seconds from a participant's first message to their first appointment booked, for
    first bookings made in the period, and how many there were."""
    a, earlier = Appointment, aliased(Appointment)
    firsts = (
        select(a.participant_id.label("pid"), func.min(a.created_at).label("booked"))
        .where(
            q.within(a.created_at),
            q.scope(a.participant_id, a.org_id),
            ~exists().where(
                earlier.participant_id == a.participant_id, earlier.created_at < q.f.since
            ),
        )
        .group_by(a.participant_id)
        .subquery("firsts")
    )
    first_message = func.min(InboundMessage.received_at)
    spans = (  # the inner joins leave out participants with no message
        select(q.seconds(firsts.c.booked, first_message).label("s"))
        .select_from(firsts)
        .join(Conversation, Conversation.participant_id == firsts.c.pid)
        .join(InboundMessage, InboundMessage.conversation_id == Conversation.id)
        .group_by(firsts.c.pid, firsts.c.booked)
        .subquery("spans")
    )
    if q.pg:
        query = select(func.percentile_cont(0.5).within_group(spans.c.s), func.count())
    else:
        ranked = select(
            spans.c.s,
            func.row_number().over(order_by=spans.c.s).label("rn"),
            func.count().over().label("n"),
        ).subquery("ranked")
        middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
        query = select(func.avg(ranked.c.s), func.max(ranked.c.n)).where(middle)
    median, count = q.db.execute(query).one()
    return (None if median is None else float(median)), int(count or 0)


def report(org_id: str, filters: Filters, *, db_session: Session) -> Report:
    q = Scope(org_id, filters, db_session)
    if q.pg:  # JIT compiling costs more than these short aggregates take (~0.9 s at 100k)
        db_session.execute(text("SET LOCAL jit = off"))
    median, booked = median_to_booking(q)
    return Report(
        filters=filters,
        screenings=screenings(q),
        needs=needs(q),
        funnel=funnel(q),
        no_shows=no_shows(q),
        reminders=reminders(q),
        median_to_booking=median,
        booked=booked,
        languages=list(SUPPORTED_LOCALES),
        channels=registry.names(),
    )
