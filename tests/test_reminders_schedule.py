"""Reminder planning (issue 9): the schedule as data, DST, quiet hours, misfires.

Pure functions under a frozen clock (``now`` is passed in). Zones: Los Angeles, Phoenix (no
DST) and New York; US clocks change on 2027-03-14 and 2027-11-07 at 02:00 local.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from api.reminders import misfire, schedule
from api.reminders.quiet import is_quiet, local_wall_time
from api.reminders.schedule import Dropped, PlannedReminder, Rule

LA, PHX, NY = "America/Los_Angeles", "America/Phoenix", "America/New_York"
DEFAULTS = schedule.load_rules()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def plan(start, location, recipient=None, rules=DEFAULTS, now=None, **kw):
    result = schedule.plan(
        appointment_id=42,
        start_utc=start,
        location_zone=location,
        recipient_zone=recipient or location,
        rules=rules,
        now=now or start - timedelta(days=10),
        **kw,
    )
    return {item.kind: item for item in result}


def sent_at(item):
    assert isinstance(item, PlannedReminder), item
    return item.send_at_utc


def test_default_schedule_is_the_day_before_at_10_and_two_hours_before():
    assert schedule.load_rules() == [
        Rule("day_before", 1, "days", time(10, 0)),
        Rule("two_hours", 2, "hours", None),
    ]


def test_program_rules_are_validated():
    with pytest.raises(ValueError, match="needs unit: days"):
        schedule.rules_from_list([{"kind": "x", "offset": 2, "unit": "hours", "at": "10:00"}])
    with pytest.raises(ValueError, match="unique"):
        schedule.rules_from_list([{"kind": "x", "offset": 1, "unit": "days"}] * 2)
    with pytest.raises(ValueError, match="unit"):
        schedule.rules_from_list([{"kind": "x", "offset": 1, "unit": "weeks"}])


def test_idempotency_key_is_appointment_and_kind():
    planned = plan(utc(2027, 6, 10, 18), LA)
    assert planned["day_before"].idempotency_key == "42:day_before"
    assert planned["two_hours"].idempotency_key == "42:two_hours"


def test_spring_forward_10am_reminder_on_the_day_clocks_change():
    # Appointment Mon 2027-03-15 11:00 PDT; the 10:00 reminder is on Sunday the 14th, the
    # morning the clocks went forward: 10:00 PDT = 17:00 UTC (24 h earlier would be 11:00).
    planned = plan(utc(2027, 3, 15, 18), LA)
    assert sent_at(planned["day_before"]) == utc(2027, 3, 14, 17)
    assert sent_at(planned["two_hours"]) == utc(2027, 3, 15, 16)  # 09:00 PDT


def test_spring_forward_same_time_day_offset_keeps_the_wall_clock():
    # Appointment Sun 2027-03-14 11:00 PDT; "same time" the day before is Sat 11:00 PST.
    rules = [Rule("same_time_day_before", 1, "days", None)]
    planned = plan(utc(2027, 3, 14, 18), LA, rules=rules)
    assert sent_at(planned["same_time_day_before"]) == utc(2027, 3, 13, 19)


def test_a_wall_time_skipped_by_spring_forward_is_read_with_the_old_offset():
    assert local_wall_time(date(2027, 3, 14), time(2, 30), LA) == utc(2027, 3, 14, 10, 30)


def test_fall_back_appointment_at_0130_is_the_first_0130():
    start = local_wall_time(date(2027, 11, 7), time(1, 30), LA)
    assert start == utc(2027, 11, 7, 8, 30)  # 01:30 PDT (fold=0), not 01:30 PST (09:30 UTC)
    planned = plan(start, LA)
    assert sent_at(planned["day_before"]) == utc(2027, 11, 6, 17)  # Sat 10:00 PDT
    # Two hours before is 23:30 PDT Saturday: quiet, moved back to 20:45 PDT.
    assert sent_at(planned["two_hours"]) == utc(2027, 11, 7, 3, 45)
    assert planned["two_hours"].moved_from_utc == utc(2027, 11, 7, 6, 30)


def test_fall_back_10am_reminder_on_the_day_clocks_change():
    # Appointment Mon 2027-11-08 09:00 PST; the reminder is Sun 10:00 PST = 18:00 UTC.
    planned = plan(utc(2027, 11, 8, 17), LA)
    assert sent_at(planned["day_before"]) == utc(2027, 11, 7, 18)


@pytest.mark.parametrize(
    ("start", "day_before"),
    [
        (utc(2027, 3, 15, 18), utc(2027, 3, 14, 17)),  # 11:00 MST; 10:00 MST, no DST change
        (utc(2027, 11, 8, 18), utc(2027, 11, 7, 17)),  # 11:00 MST; 10:00 MST
    ],
)
def test_phoenix_has_no_dst_in_either_week(start, day_before):
    planned = plan(start, PHX)
    assert sent_at(planned["day_before"]) == day_before
    assert sent_at(planned["two_hours"]) == start - timedelta(hours=2)


def test_quiet_hours_are_in_the_recipients_zone_not_the_locations():
    # Appointment in LA at 09:00 PDT; two hours before is 07:00 PDT = 10:00 EDT.
    start = utc(2027, 6, 10, 16)
    participant_in_ny = plan(start, LA, recipient=NY)
    partner_in_la = plan(start, LA, recipient=LA)
    assert sent_at(participant_in_ny["two_hours"]) == utc(2027, 6, 10, 14)
    assert participant_in_ny["two_hours"].moved_from_utc is None
    # For the partner in LA 07:00 is quiet; the nearest allowed edge is 08:00 PDT (1 h lead).
    assert sent_at(partner_in_la["two_hours"]) == utc(2027, 6, 10, 15)
    assert sent_at(partner_in_la["day_before"]) == utc(2027, 6, 9, 17)


def test_quiet_move_goes_to_the_nearest_allowed_edge_before_the_appointment():
    # Appointment in New York 08:30 EDT; recipient in LA (05:30 PDT).
    planned = plan(utc(2027, 6, 10, 12, 30), NY, recipient=LA)
    # Day before 10:00 EDT = 07:00 PDT: quiet; 08:00 PDT is nearer than 20:45 the evening before.
    assert sent_at(planned["day_before"]) == utc(2027, 6, 9, 15)
    # Two hours before = 03:30 PDT: 08:00 is after the appointment, so 20:45 PDT the evening before.
    assert sent_at(planned["two_hours"]) == utc(2027, 6, 10, 3, 45)


def test_quiet_move_never_puts_a_day_before_reminder_on_the_appointment_day():
    # Appointment 00:30 EDT Thu = 21:30 PDT Wed for the recipient in LA. The day-before
    # reminder (10:00 EDT Wed = 07:00 PDT Wed) may not move to 08:00 PDT Wed, the
    # appointment's own day in LA: it goes back to 20:45 PDT Tuesday.
    planned = plan(utc(2027, 6, 10, 4, 30), NY, recipient=LA)
    assert sent_at(planned["day_before"]) == utc(2027, 6, 9, 3, 45)


def test_quiet_move_under_min_lead_is_dropped_and_min_lead_is_configurable():
    # Appointment 21:30 PDT; 30 min before is 21:00, quiet. 20:45 leaves 45 min (< 1 h).
    rules = [Rule("thirty_minutes", 30, "minutes")]
    start = utc(2027, 6, 11, 4, 30)
    assert plan(start, LA, rules=rules)["thirty_minutes"] == Dropped(
        "thirty_minutes", schedule.QUIET_NO_ALLOWED_TIME
    )
    relaxed = plan(start, LA, rules=rules, min_lead=timedelta(minutes=30))
    assert sent_at(relaxed["thirty_minutes"]) == utc(2027, 6, 11, 3, 45)


def test_quiet_move_to_an_edge_already_past_is_not_planned():
    # Appointment 08:30 PDT: two hours before is 06:30 (quiet); 08:00 leaves 30 min, so only
    # 20:45 the evening before fits, and only if planning happens before it.
    start = utc(2027, 6, 11, 15, 30)
    early = plan(start, LA, now=utc(2027, 6, 10, 12))
    assert sent_at(early["two_hours"]) == utc(2027, 6, 11, 3, 45)
    late = plan(start, LA, now=utc(2027, 6, 11, 5))  # 22:00 PDT: already past 20:45
    assert late["two_hours"] == Dropped("two_hours", schedule.QUIET_NO_ALLOWED_TIME)


def test_a_rule_landing_after_the_start_is_dropped():
    rules = [Rule("same_day_at_10", 0, "days", time(10, 0))]
    planned = plan(utc(2027, 6, 10, 16), LA, rules=rules)  # 09:00 PDT
    assert planned["same_day_at_10"] == Dropped("same_day_at_10", schedule.AFTER_START)


def test_quiet_window_is_half_open_2100_to_0800():
    assert is_quiet(utc(2027, 6, 11, 4), LA)  # 21:00 PDT
    assert not is_quiet(utc(2027, 6, 11, 3, 59), LA)  # 20:59
    assert is_quiet(utc(2027, 6, 10, 14, 59), LA)  # 07:59
    assert not is_quiet(utc(2027, 6, 10, 15), LA)  # 08:00


# Misfire policy: appointment 11:00 PDT Thu 2027-06-10, recipient in LA.
START = utc(2027, 6, 10, 18)
TWO_HOURS = PlannedReminder("two_hours", utc(2027, 6, 10, 16), "42:two_hours")
DAY_BEFORE = PlannedReminder("day_before", utc(2027, 6, 9, 17), "42:day_before", days_before=1)


def due(planned, now):
    return misfire.due_action(planned, now=now, start_utc=START, recipient_zone=LA)


def test_misfire_not_yet_due_waits():
    assert due(TWO_HOURS, utc(2027, 6, 10, 15, 59)) == misfire.Wait(
        "two_hours", TWO_HOURS.send_at_utc
    )


def test_misfire_on_time_and_late_but_useful_are_sent():
    assert due(TWO_HOURS, utc(2027, 6, 10, 16, 5)) == misfire.Send("two_hours", late=False)
    assert due(TWO_HOURS, utc(2027, 6, 10, 16, 30)) == misfire.Send("two_hours", late=True)


def test_misfire_within_an_hour_of_the_appointment_is_dropped():
    assert due(TWO_HOURS, utc(2027, 6, 10, 17, 5)) == Dropped("two_hours", misfire.MISFIRE_TOO_LATE)
    assert due(TWO_HOURS, START) == Dropped("two_hours", misfire.APPOINTMENT_PASSED)


def test_misfire_in_quiet_hours_now_is_dropped():
    # The worker comes back at 22:00 PDT the evening before.
    assert due(DAY_BEFORE, utc(2027, 6, 10, 5)) == Dropped("day_before", misfire.QUIET_NOW)


def test_misfire_day_before_reminder_is_never_sent_on_the_appointment_day():
    # 08:30 PDT on the day itself: allowed hours, 2.5 h ahead, but "tomorrow" would be wrong.
    assert due(DAY_BEFORE, utc(2027, 6, 10, 15, 30)) == Dropped(
        "day_before", schedule.APPOINTMENT_DAY
    )
    assert due(DAY_BEFORE, utc(2027, 6, 9, 20)) == misfire.Send("day_before", late=True)


def test_misfire_appointment_day_is_judged_in_the_recipients_zone():
    # Appointment in New York Thu 12:00 EDT (06:00 HST). The worker returns Thu 01:00 EDT,
    # which is still Wed 19:00 in Honolulu: the day before there, and allowed hours.
    start = utc(2027, 6, 10, 16)
    planned = PlannedReminder("day_before", utc(2027, 6, 9, 14), "42:day_before", days_before=1)
    now = utc(2027, 6, 10, 5)
    in_honolulu = misfire.due_action(
        planned, now=now, start_utc=start, recipient_zone="Pacific/Honolulu"
    )
    assert in_honolulu == misfire.Send("day_before", late=True)
    in_ny = misfire.due_action(planned, now=now, start_utc=start, recipient_zone=NY)
    assert in_ny == Dropped("day_before", schedule.APPOINTMENT_DAY)
