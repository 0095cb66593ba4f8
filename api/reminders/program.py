"""The program's reminder settings, read once from api/config.py: its schedule (or the
defaults), its quiet hours, the minimum lead and the "did you make it?" time."""

from __future__ import annotations

from datetime import time, timedelta

from api.config import get_settings
from api.reminders.quiet import QuietHours
from api.reminders.schedule import DEFAULTS_PATH, Rule, load_rules


def rules() -> list[Rule]:
    return load_rules(get_settings().reminder_schedule_file or DEFAULTS_PATH)


def quiet_hours() -> QuietHours:
    settings = get_settings()
    return QuietHours.parse(settings.reminder_quiet_start, settings.reminder_quiet_end)


def min_lead() -> timedelta:
    return timedelta(minutes=get_settings().reminder_min_lead_minutes)


def followup_at() -> time:
    return time.fromisoformat(get_settings().reminder_followup_at)


def reply_window() -> timedelta:
    """How long after it was sent a reminder or follow-up can be answered by reply."""
    return timedelta(hours=get_settings().reminder_reply_window_hours)
