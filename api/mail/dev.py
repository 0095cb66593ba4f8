"""The development mail sink's place in `firstcall run`: when SMTP_HOST is unset on a local
run, a child process (`python -m api.mail.sink`) listens on 127.0.0.1:SMTP_SINK_PORT, the
app and the worker send to it, and the simulator shows its mailbox at `/mail`. When
SMTP_HOST is set, mail goes there and no sink is started."""

from __future__ import annotations

import sys
from pathlib import Path

from api.config import Settings


def wanted(settings: Settings) -> bool:
    return not settings.smtp_host and settings.is_development


def mailbox_dir(settings: Settings) -> Path:
    return settings.var_dir / "mail"


def env(settings: Settings) -> dict[str, str]:
    """What the children need to send to the sink (nothing when a real server is set)."""
    if not wanted(settings):
        return {}
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(settings.smtp_sink_port),
        "SMTP_STARTTLS": "false",
    }


def child(settings: Settings) -> tuple[str, list[str], int] | None:
    """(name, command, port) of the sink process, or None."""
    if not wanted(settings):
        return None
    command = [
        sys.executable,
        "-m",
        "api.mail.sink",
        "--port",
        str(settings.smtp_sink_port),
        "--dir",
        str(mailbox_dir(settings)),
    ]
    return ("mail", command, settings.smtp_sink_port)
