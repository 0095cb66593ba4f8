"""Webhooks to case-management systems and email notices to case managers."""
