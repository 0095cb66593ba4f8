"""Participants, conversations, inbound messages and turns through the dialogue engine."""
