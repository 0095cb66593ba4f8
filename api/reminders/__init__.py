"""Reminders: rows in the database that the worker sends, in the participant's time zone,
outside quiet hours, and that take confirm / reschedule / cancel replies (by number: CANCEL
is a carrier opt-out word). Rasa's own reminders are in memory and are not used.

Built in the reminders issue.
"""
