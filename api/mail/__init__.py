"""Sending mail over SMTP (`smtp.py`) and the local development sink (`sink.py`)."""
